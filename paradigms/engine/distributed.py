"""Data-parallel training under ``torchrun`` (DDP: gloo on CPU, nccl on CUDA)."""

from __future__ import annotations

import atexit
import os

import torch
import torch.distributed as dist
from torch import nn


def world_info() -> tuple[int, int]:
    """``(rank, world_size)`` from torchrun's environment, ``(0, 1)`` when not distributed."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    return rank, world_size


def setup_distributed(device: torch.device) -> tuple[int, int, torch.device]:
    """Join the process group torchrun set up (once), returning ``(rank, world_size, device)``.

    On CUDA each process takes the GPU of its ``LOCAL_RANK``. A group created here is
    destroyed at interpreter exit (or earlier by the caller's ``destroy_process_group``).
    """
    rank, world_size = world_info()
    if world_size <= 1:
        return 0, 1, device
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
        atexit.register(_destroy_group_at_exit)
    return rank, world_size, device


def _destroy_group_at_exit() -> None:
    """Tear down the group this module created while the interpreter is still whole.

    A gloo group left for the interpreter's own shutdown can abort the process (SIGABRT,
    "terminate called without an active exception") after training finished correctly.
    A script that already called ``dist.destroy_process_group()`` makes this a no-op.
    """
    if dist.is_initialized():
        dist.destroy_process_group()


def wrap_model(model: nn.Module, device: torch.device, world_size: int) -> nn.Module:
    """Wrap ``model`` in DistributedDataParallel when ``world_size > 1``."""
    if world_size <= 1:
        return model
    device_ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=device_ids)


def average_across_ranks(value: float, world_size: int, device: torch.device) -> float:
    """Mean of ``value`` over all processes (identity when not distributed)."""
    if world_size <= 1:
        return value
    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return float(tensor.item()) / world_size
