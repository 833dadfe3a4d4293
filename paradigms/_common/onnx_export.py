"""Writing a torch module to ONNX and checking the file against torch with onnxruntime.

Every export in the library (estimators, backbones, agents' policies) goes through
:func:`export_module`: torch's exporter (``torch.onnx.export(..., dynamo=True)``) with a dynamic
batch dimension, the weights inside the one ``.onnx`` file, notes in the model's metadata, an
atomic write, and — when onnxruntime is installed — the file run on the example batch and
compared with the module's own outputs.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from paradigms._common.files import atomic_write

logger = logging.getLogger(__name__)

#: how to install what export needs
INSTALL_HINT = "pip install 'paradigms[onnx]' (or pip install onnx onnxscript onnxruntime)"

#: the name of the dynamic batch dimension in every exported graph
BATCH_DIM = "batch"


@dataclass(frozen=True)
class OnnxExport:
    """What :func:`export_module` wrote.

    Attributes:
        path: the ``.onnx`` file.
        input_name: the graph's input (its first dimension is the dynamic ``batch``).
        input_shape: one input sample's shape, e.g. ``(1, 8, 8)``.
        output_names: the graph's outputs, in order.
        max_abs_difference: the largest absolute difference between onnxruntime's outputs
            and torch's on the example batch (``None`` when onnxruntime is not installed).
        metadata: the notes stored in the model's ``metadata_props`` (e.g. ``classes``).
    """

    path: Path
    input_name: str
    input_shape: tuple[int, ...]
    output_names: tuple[str, ...]
    max_abs_difference: float | None
    metadata: Mapping[str, str] = field(default_factory=dict)


def require_exporter() -> None:
    """Raise ``ImportError`` with the install command when onnx or onnxscript is missing."""
    for module in ("onnx", "onnxscript"):
        try:
            __import__(module)
        except ImportError as error:
            raise ImportError(f"ONNX export needs {module}: {INSTALL_HINT}") from error


def check_onnx_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a ``Path`` ending in ``.onnx``, else a ``ValueError``."""
    target = Path(path)
    if target.suffix.lower() != ".onnx":
        raise ValueError(
            f"export_onnx writes an .onnx file; got {str(target)!r}. Pass a path ending in .onnx."
        )
    return target


def export_module(
    module: nn.Module,
    example: torch.Tensor,
    path: str | os.PathLike[str],
    *,
    input_name: str,
    output_names: Sequence[str],
    metadata: Mapping[str, str] | None = None,
) -> OnnxExport:
    """Export ``module`` (in eval mode, on CPU) to ``path`` with a dynamic batch size.

    Args:
        module: maps a batch ``(B, *sample_shape)`` to one tensor or a tuple of tensors, one
            per name in ``output_names``, each with ``B`` rows.
        example: a batch of at least 2 samples ``(B, *sample_shape)``, used to trace the
            module and to check the file.
        path: the ``.onnx`` file to write (atomically).
        input_name: the graph input's name.
        output_names: the graph outputs' names.
        metadata: notes for the model's ``metadata_props`` (strings).

    Returns:
        An :class:`OnnxExport`, with the measured difference to torch.

    Raises:
        ImportError: onnx or onnxscript is not installed (the message says what to install).
        ValueError: the path does not end in ``.onnx``; torch cannot export the module.
    """
    target = check_onnx_path(path)
    require_exporter()
    notes = {str(k): str(v) for k, v in (metadata or {}).items()}
    module = module.cpu().eval()
    example = example.cpu()
    if len(example) < 2:  # a batch of one lets the exporter fix the batch size to 1
        example = torch.cat([example, example])
    # checked on one row more than traced: a batch size the trace fixed would show
    check = torch.cat([example, example[:1]])
    with torch.no_grad():
        expected = _as_tuple(module(check))
    program = _export_program(module, example, input_name, output_names)
    for key, value in notes.items():
        program.model.metadata_props[key] = value

    def write(tmp: str) -> None:
        program.save(tmp, external_data=False)

    atomic_write(target, write)
    difference = max_difference(target, input_name, check, expected)
    logger.info("wrote %s (onnxruntime vs torch: max |difference| %s)", target, difference)
    return OnnxExport(
        path=target,
        input_name=input_name,
        input_shape=tuple(int(s) for s in example.shape[1:]),
        output_names=tuple(output_names),
        max_abs_difference=difference,
        metadata=notes,
    )


def _export_program(
    module: nn.Module, example: torch.Tensor, input_name: str, output_names: Sequence[str]
) -> torch.onnx.ONNXProgram:
    batch = torch.export.Dim(BATCH_DIM, min=1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's own deprecation chatter
            program = torch.onnx.export(
                module,
                (example,),
                dynamo=True,
                input_names=[input_name],
                output_names=list(output_names),
                dynamic_shapes=({0: batch},),
                verbose=False,
            )
    except Exception as error:  # torch.export's many error types, all "cannot trace this"
        summary = _error_summary(error)
        raise ValueError(
            f"torch could not export {type(module).__name__} to ONNX ({type(error).__name__}: "
            f"{summary}). Models whose forward depends on Python control flow over tensor values "
            "cannot be exported; report it with the model's name."
        ) from error
    if program is None:  # pragma: no cover - dynamo=True always returns a program
        raise ValueError(f"torch returned no ONNX program for {type(module).__name__}.")
    return program


def _error_summary(error: Exception) -> str:
    """The line of torch.export's report that names the cause (its first line otherwise)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith("<class '")]
    return (causes[0] if causes else lines[0] if lines else "")[:300]


def _as_tuple(outputs: torch.Tensor | Sequence[torch.Tensor]) -> tuple[torch.Tensor, ...]:
    return (outputs,) if isinstance(outputs, torch.Tensor) else tuple(outputs)


def onnxruntime_session(path: str | os.PathLike[str]) -> object | None:
    """An onnxruntime CPU session on ``path``, or ``None`` when onnxruntime is not installed."""
    try:
        import onnxruntime
    except ImportError:
        return None
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    return onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def max_difference(
    path: Path, input_name: str, example: torch.Tensor, expected: Sequence[torch.Tensor]
) -> float | None:
    """The largest ``|onnxruntime - torch|`` over every output on ``example`` (``None``
    without onnxruntime)."""
    session = onnxruntime_session(path)
    if session is None:
        return None
    try:
        outputs = session.run(None, {input_name: example.numpy()})  # type: ignore[attr-defined]
    except Exception as error:  # onnxruntime's own error types
        raise ValueError(
            f"the exported graph does not run on a batch of {len(example)} in onnxruntime "
            f"({type(error).__name__}: {str(error).strip()[:200]}); the batch size is probably "
            "fixed inside the model (e.g. len(x) in a forward): please report it."
        ) from error
    worst = 0.0
    for got, want in zip(outputs, expected, strict=True):
        reference = want.detach().numpy().astype(np.float64)
        if np.shape(got) != reference.shape:
            raise ValueError(  # a traced shape that does not follow the batch: never silent
                f"the exported graph returns shape {np.shape(got)} where torch returns "
                f"{reference.shape}; the export is wrong, please report it."
            )
        worst = max(worst, float(np.abs(np.asarray(got, dtype=np.float64) - reference).max()))
    return worst
