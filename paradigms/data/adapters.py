"""Adapters that bring user data (arrays, tensors, torch datasets, image folders) into the library.

``torchvision`` is imported only inside the functions that need it, so ``import paradigms.data``
stays fast.
"""

from __future__ import annotations

import difflib
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset as TorchDataset

from paradigms._common import MissingFileError
from paradigms.data._checks import check_int


def to_numpy(X: Any) -> np.ndarray:
    """Convert ``X`` to a NumPy array.

    Args:
        X: a NumPy array, a torch tensor (any device; it is detached and copied to the CPU),
            a list or tuple (possibly nested), or an object implementing ``__array__``
            (e.g. a pandas ``DataFrame``).

    Returns:
        The data as a NumPy array of the same shape. ``bfloat16`` tensors become ``float32``
        (NumPy has no ``bfloat16``).

    Raises:
        TypeError: if ``X`` is of any other type (e.g. a string, dict or ``None``).
        ValueError: if a list is ragged (rows of different lengths).
    """
    if isinstance(X, np.ndarray):
        return X
    if isinstance(X, torch.Tensor):
        tensor = X.detach().cpu()
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        return tensor.numpy()
    if isinstance(X, (list, tuple)):
        if any(isinstance(item, torch.Tensor) for item in X):
            return np.stack([to_numpy(item) for item in X]) if X else np.asarray(X)
        try:
            return np.asarray(X)
        except ValueError as exc:
            raise ValueError(
                f"could not turn the {type(X).__name__} into an array ({exc}); every row must "
                "have the same length. Pad or trim the rows first."
            ) from exc
    if hasattr(X, "__array__") and not isinstance(X, (str, bytes)):
        return np.asarray(X)
    raise TypeError(
        f"expected a NumPy array, torch tensor or list, got {type(X).__name__}; "
        "convert the data first, e.g. np.asarray(data)."
    )


def _to_tensor(values: Any) -> torch.Tensor:
    """Tensor for :class:`ArrayDataset`: floats -> ``float32``, integers/bools -> ``int64``."""
    arr = to_numpy(values)
    if arr.dtype.kind == "f":
        return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))
    if arr.dtype.kind in "biu":
        return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.int64))
    raise TypeError(
        f"ArrayDataset needs numeric arrays, got dtype {arr.dtype}; encode string labels as "
        "integers first, e.g. with np.unique(y, return_inverse=True)[1]."
    )


class ArrayDataset(TorchDataset):
    """A map-style torch ``Dataset`` over in-memory arrays or tensors.

    Floating-point data is stored as ``float32`` and integer/boolean data as ``int64``
    (the dtypes torch layers and losses expect).

    Args:
        X: inputs of shape ``(n, ...)`` (NumPy array, tensor or list).
        y: optional targets of shape ``(n,)`` or ``(n, k)``.

    Raises:
        TypeError: if an input cannot be converted or is not numeric.
        ValueError: if ``X`` is a scalar or ``X`` and ``y`` differ in length.

    Example:
        >>> ds = ArrayDataset(np.zeros((4, 3)), np.array([0, 1, 0, 1]))
        >>> x, y = ds[0]  # x: float32 tensor of shape (3,), y: int64 scalar tensor
    """

    def __init__(self, X: Any, y: Any | None = None) -> None:
        self.X = _to_tensor(X)
        if self.X.ndim == 0:
            raise ValueError(
                "X must have a sample axis, got a scalar; pass an array of shape (n_samples, ...)."
            )
        self.y = None if y is None else _to_tensor(y)
        if self.y is not None and (self.y.ndim == 0 or len(self.y) != len(self.X)):
            got = "a scalar" if self.y.ndim == 0 else f"length {len(self.y)}"
            raise ValueError(
                f"X has length {len(self.X)} but y has {got}; pass one target per sample."
            )

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, ...]:
        """Return ``(x, y)``, or ``(x,)`` when the dataset has no targets."""
        if self.y is None:
            return (self.X[index],)
        return self.X[index], self.y[index]


def _pil_to_array(image: Any) -> np.ndarray:
    """A PIL image as a ``float32`` array of shape ``(channels, height, width)`` in ``[0, 1]``."""
    mode = image.mode
    if mode == "F":
        arr = np.asarray(image, dtype=np.float32)
    elif mode in ("I;16", "I;16B", "I;16L"):
        arr = np.asarray(image, dtype=np.float32) / 65535.0
    else:
        if mode not in ("L", "LA", "RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in mode or "transparency" in image.info else "RGB")
        arr = np.asarray(image, dtype=np.float32) / 255.0
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return np.ascontiguousarray(arr.transpose(2, 0, 1))


def _sample_to_array(value: Any, what: str, index: int) -> np.ndarray:
    """Convert one input or target of a dataset sample to a NumPy array."""
    if isinstance(value, (bool, int, float, np.generic)):
        return np.asarray(value)
    if hasattr(value, "mode") and hasattr(value, "getbands"):  # a PIL image
        return _pil_to_array(value)
    try:
        return to_numpy(value)
    except TypeError as exc:
        raise TypeError(
            f"sample {index}: the {what} is a {type(value).__name__}, expected a tensor, "
            "NumPy array, PIL image or number; add a transform that converts it."
        ) from exc


def _stack(values: list[np.ndarray], what: str) -> np.ndarray:
    """Stack per-sample arrays, naming the first sample whose shape differs."""
    first = values[0].shape
    for i, value in enumerate(values):
        if value.shape != first:
            raise ValueError(
                f"sample 0 has {what} shape {first} but sample {i} has {value.shape}; all "
                "samples must have one shape. Resize them, e.g. image_folder(root, size=64) "
                "or a transform such as torchvision.transforms.v2.Resize((64, 64))."
            )
    return np.stack(values)


def dataset_to_arrays(
    dataset: Any, max_samples: int | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Materialise a map-style torch ``Dataset`` into NumPy arrays.

    Each sample may be ``(x, y)``, ``(x,)`` or a bare ``x``. ``x`` may be a tensor, NumPy
    array or PIL image (converted to ``float32`` of shape ``(channels, height, width)`` in
    ``[0, 1]``); ``y`` may be a number, tensor or array.

    Args:
        dataset: any object with ``__len__`` and ``__getitem__(int)`` (a torch ``Dataset``,
            an :class:`ArrayDataset`, an ``ImageFolder``...).
        max_samples: keep only the first ``max_samples`` samples (``None``: all).

    Returns:
        ``X`` of shape ``(n, ...)`` and ``y`` of shape ``(n,)`` (``int64`` for integer or
        boolean targets), or ``y=None`` when the samples carry no target.

    Raises:
        TypeError: if ``dataset`` has no length or a sample holds an unsupported type.
        ValueError: if the dataset is empty, ``max_samples < 1``, or samples differ in shape
            or in whether they carry a target.
    """
    if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
        raise TypeError(
            f"expected a map-style dataset with __len__ and __getitem__, got "
            f"{type(dataset).__name__}; for an iterable dataset collect the samples into a "
            "list first."
        )
    if max_samples is not None:
        max_samples = check_int("max_samples", max_samples, 1)
    total = len(dataset)
    if total == 0:
        raise ValueError(
            f"the {type(dataset).__name__} is empty (len 0); check its root folder or filters."
        )
    n = total if max_samples is None else min(total, max_samples)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for i in range(n):
        sample = dataset[i]
        if isinstance(sample, dict):
            raise TypeError(
                f"sample {i} is a dict (keys {sorted(sample)}), expected a tuple (x, y); wrap "
                "the dataset so that __getitem__ returns (x, y)."
            )
        parts = tuple(sample) if isinstance(sample, (tuple, list)) else (sample,)
        if len(parts) not in (1, 2):
            raise ValueError(
                f"sample {i} has {len(parts)} parts, expected (x, y) or (x,); wrap the "
                "dataset so that __getitem__ returns (x, y)."
            )
        has_target = len(parts) == 2
        if i > 0 and has_target != bool(ys):
            raise ValueError(
                f"sample {i} {'has' if has_target else 'lacks'} a target but sample 0 "
                f"{'lacks' if has_target else 'has'} one; every sample must be (x, y) or "
                "every sample (x,)."
            )
        xs.append(_sample_to_array(parts[0], "input", i))
        if has_target:
            ys.append(_sample_to_array(parts[1], "target", i))
    X = _stack(xs, "input")
    if not ys:
        return X, None
    y = _stack(ys, "target")
    if y.dtype.kind in "biu":
        y = y.astype(np.int64)
    return X, y


def _default_transform(size: tuple[int, int] | None = None) -> Callable[[Any], torch.Tensor]:
    """PIL image or array -> ``float32`` tensor ``(C, H, W)`` in ``[0, 1]``, resized if asked."""
    from torchvision.transforms import v2

    steps: list[Any] = [v2.ToImage()]
    if size is not None:
        steps.append(v2.Resize(size, antialias=True))
    steps += [v2.ToDtype(torch.float32, scale=True), v2.ToPureTensor()]
    return v2.Compose(steps)


def _torchvision_names() -> list[str]:
    """Names of the dataset classes in ``torchvision.datasets``."""
    import torchvision.datasets as tvd

    names = []
    for name in tvd.__all__:
        obj = getattr(tvd, name, None)
        if inspect.isclass(obj) and issubclass(obj, TorchDataset) and name != "VisionDataset":
            names.append(name)
    return sorted(names)


def torchvision_dataset(
    name: str,
    root: str | os.PathLike[str],
    train: bool = True,
    download: bool = False,
    transform: Callable[[Any], Any] | None = None,
) -> TorchDataset:
    """Open a dataset from ``torchvision.datasets`` by name, without downloading by default.

    Args:
        name: the class name in ``torchvision.datasets``, e.g. ``"MNIST"``, ``"FashionMNIST"``,
            ``"CIFAR10"`` (case-insensitive).
        root: the folder that holds (or will hold) the data.
        train: the training split if ``True``, else the test split (datasets that take a
            ``split`` argument get ``"train"`` or ``"test"``; datasets with neither ignore it).
        download: download the data into ``root`` if missing (needs network access).
        transform: applied to each image; default converts it to a ``float32`` tensor of shape
            ``(channels, height, width)`` in ``[0, 1]``.

    Returns:
        The torchvision dataset; samples are ``(image_tensor, label)``.

    Raises:
        ValueError: if ``name`` is not a torchvision dataset (close matches are suggested).
        MissingFileError: if the data is not under ``root`` and ``download`` is ``False``.
    """
    import torchvision.datasets as tvd

    available = _torchvision_names()
    lookup = {candidate.lower(): candidate for candidate in available}
    resolved = lookup.get(str(name).lower())
    if resolved is None:
        close = difflib.get_close_matches(str(name).lower(), list(lookup), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(repr(lookup[c]) for c in close)}? " if close else ""
        raise ValueError(
            f"{name!r} is not a dataset in torchvision.datasets; {hint}available: "
            f"{', '.join(available)}. For your own images use paradigms.data.image_folder(root)."
        )
    cls = getattr(tvd, resolved)
    params = inspect.signature(cls).parameters
    kwargs: dict[str, Any] = {}
    folder = Path(root)
    if "root" in params:
        kwargs["root"] = str(folder)
        if not download and not folder.exists():
            raise MissingFileError(_missing_message(resolved, folder))
    if "train" in params:
        kwargs["train"] = bool(train)
    elif "split" in params:
        kwargs["split"] = "train" if train else "test"
    if "download" in params:
        kwargs["download"] = bool(download)
    if "transform" in params:
        kwargs["transform"] = transform if transform is not None else _default_transform()
    try:
        return cls(**kwargs)
    except (RuntimeError, FileNotFoundError) as exc:
        if download:
            raise
        raise MissingFileError(_missing_message(resolved, folder, exc)) from exc


def _missing_message(name: str, folder: Path, exc: BaseException | None = None) -> str:
    """Explain where a torchvision dataset was looked for and how to provide it."""
    detail = f" (torchvision said: {exc})" if exc is not None else ""
    return (
        f"{name} data not found under root={str(folder)!r} "
        f"(absolute: {str(folder.resolve())!r}){detail}; pass download=True to fetch it "
        "(needs network access), or point root at a folder that already holds a local copy."
    )


def _size_pair(size: int | tuple[int, int]) -> tuple[int, int]:
    """Validate ``size`` and return it as ``(height, width)``."""
    if isinstance(size, tuple) and len(size) == 2:
        return check_int("size[0]", size[0], 1), check_int("size[1]", size[1], 1)
    if isinstance(size, (tuple, list)):
        raise ValueError(
            f"size must be an int or a (height, width) tuple, got {size!r}; pass e.g. 64 "
            "or (64, 48)."
        )
    side = check_int("size", size, 1)
    return side, side


def image_folder(
    root: str | os.PathLike[str],
    size: int | tuple[int, int] | None = None,
    transform: Callable[[Any], Any] | None = None,
) -> TorchDataset:
    """Open a local folder of images laid out as ``root/<class_name>/<image files>``.

    Class labels are the sub-folder names in sorted order (see ``dataset.classes``); images
    are loaded as RGB.

    Args:
        root: the folder holding one sub-folder per class.
        size: resize every image to ``(size, size)`` or ``(height, width)`` so they can be
            batched; ``None`` keeps the original sizes.
        transform: a custom transform applied to each PIL image, used instead of the default
            (resize to ``size`` if given, then convert to a ``float32`` tensor of shape
            ``(3, height, width)`` in ``[0, 1]``); cannot be combined with ``size``.

    Returns:
        A ``torchvision.datasets.ImageFolder``; samples are ``(image, label)``.

    Raises:
        MissingFileError: if ``root`` does not exist.
        ValueError: if ``root`` is not a folder, has no class sub-folders or a class holds no
            images, or both ``size`` and ``transform`` are given.
    """
    from torchvision.datasets import ImageFolder
    from torchvision.datasets.folder import IMG_EXTENSIONS

    folder = Path(root)
    layout = (
        "expected the layout root/<class_name>/<image files>, e.g. root/cat/1.png and "
        f"root/dog/2.jpg (image extensions: {', '.join(IMG_EXTENSIONS)})"
    )
    if not folder.exists():
        raise MissingFileError(
            f"image folder root={str(folder)!r} (absolute: {str(folder.resolve())!r}) does "
            f"not exist; {layout}."
        )
    if not folder.is_dir():
        raise ValueError(f"root={str(folder)!r} is a file, not a folder; {layout}.")
    if size is not None and transform is not None:
        raise ValueError(
            "got both size and transform; pass size for the default transform, or include a "
            "resize step in your own transform."
        )
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise ValueError(f"no class sub-folders found in root={str(folder)!r}; {layout}.")
    if transform is None:
        transform = _default_transform(None if size is None else _size_pair(size))
    try:
        return ImageFolder(str(folder), transform=transform)
    except FileNotFoundError as exc:
        raise ValueError(
            f"no usable images in some class folders of root={str(folder)!r} ({exc}); {layout}."
        ) from exc
