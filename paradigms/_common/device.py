"""Resolve ``device="auto"`` in exactly one place."""

from __future__ import annotations

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
