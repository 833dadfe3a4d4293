"""Turning training data into batches.

Two paths:

- **In-memory tensors** (the fast path): ``(X, y)`` arrays or tensors are moved to the device
  once; each batch is an ``index_select`` with a shuffled index, with no per-sample collation.
- **A torch ``Dataset``**: a ``DataLoader`` with the usual collation and optional workers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

Batch = tuple[torch.Tensor, ...]


class Batches(Protocol):
    """What the loop iterates each epoch: batches, with ``len()`` the steps per epoch."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Batch]: ...


class BatchSource:
    """Training data that makes its own batches (e.g. semi-supervised mixed batches).

    Subclasses implement :meth:`batches`; :func:`make_batches` hands them the engine's
    generator (saved in checkpoints, so a resumed run draws the same batches) and device.
    """

    def batches(
        self, generator: torch.Generator | None, device: torch.device, rank: int, world_size: int
    ) -> Batches:
        """The batches of one epoch."""
        raise NotImplementedError


TensorData = Sequence[np.ndarray | torch.Tensor | None]
Data = TensorData | Dataset | BatchSource


def as_tensor(array: np.ndarray | torch.Tensor) -> torch.Tensor:
    """A torch tensor view of ``array`` (float64 becomes float32, integer labels stay integer)."""
    if isinstance(array, torch.Tensor):
        tensor = array
    else:
        array = np.ascontiguousarray(array)
        if not array.flags.writeable:  # e.g. joblib memmaps: torch warns on read-only arrays
            array = array.copy()
        tensor = torch.from_numpy(array)
    if tensor.dtype == torch.float64:
        tensor = tensor.float()
    return tensor


class TensorBatches:
    """Batches from in-memory tensors by index slicing.

    Args:
        tensors: equal-length tensors, e.g. ``(X, y)`` with ``X: (n, ...)`` and ``y: (n, ...)``.
        batch_size: samples per batch (the last batch may be smaller).
        shuffle: draw a new permutation every epoch.
        generator: the generator that draws permutations.
        device: where the tensors live (moved once, here).
        rank: this process's rank; with ``world_size > 1`` each rank takes every
            ``world_size``-th sample of the permutation.
        world_size: number of data-parallel processes.
    """

    def __init__(
        self,
        tensors: Sequence[torch.Tensor],
        batch_size: int,
        shuffle: bool,
        generator: torch.Generator | None,
        device: torch.device,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        self.tensors = [t.to(device) for t in tensors]
        self.n = int(self.tensors[0].shape[0])
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.rank, self.world_size = rank, world_size

    def __len__(self) -> int:
        local = -(-self.n // self.world_size)
        return -(-local // self.batch_size)

    def __iter__(self) -> Iterator[Batch]:
        if self.shuffle or self.world_size > 1:
            order = (
                torch.randperm(self.n, generator=self.generator)
                if self.shuffle
                else torch.arange(self.n)
            )
            if self.world_size > 1:
                pad = (-self.n) % self.world_size
                order = torch.cat([order, order[:pad]])[self.rank :: self.world_size]
            order = order.to(self.tensors[0].device)
            for start in range(0, len(order), self.batch_size):
                index = order[start : start + self.batch_size]
                yield tuple(t.index_select(0, index) for t in self.tensors)
        else:
            for start in range(0, self.n, self.batch_size):
                yield tuple(t[start : start + self.batch_size] for t in self.tensors)


class LoaderBatches:
    """Batches from a torch ``Dataset`` through a ``DataLoader``, moved to ``device``."""

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int,
        shuffle: bool,
        generator: torch.Generator | None,
        device: torch.device,
        num_workers: int = 0,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        sampler = None
        if world_size > 1:
            from torch.utils.data.distributed import DistributedSampler

            sampler = DistributedSampler(
                dataset, num_replicas=world_size, rank=rank, shuffle=shuffle
            )
        self.sampler = sampler
        self.loader = DataLoader(
            dataset,
            batch_size=batch_size,
            shuffle=shuffle and sampler is None,
            sampler=sampler,
            generator=generator,
            num_workers=num_workers,
            pin_memory=device.type == "cuda",
        )
        self.device = device
        self._epoch = 0

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[Batch]:
        if self.sampler is not None:
            self.sampler.set_epoch(self._epoch)
            self._epoch += 1
        for batch in self.loader:
            items = batch if isinstance(batch, (list, tuple)) else (batch,)
            yield tuple(
                item.to(self.device, non_blocking=True) if isinstance(item, torch.Tensor) else item
                for item in items
            )


def make_batches(
    data: Data,
    batch_size: int,
    shuffle: bool,
    generator: torch.Generator | None,
    device: torch.device,
    num_workers: int = 0,
    rank: int = 0,
    world_size: int = 1,
) -> Batches:
    """Pick the fast tensor path or the DataLoader path for ``data``.

    Args:
        data: ``(X, y)`` / ``(X,)`` / ``(X, None)`` arrays or tensors, a torch ``Dataset``, or
            a :class:`BatchSource`.

    Raises:
        TypeError: for anything else.
        ValueError: for empty data or tensors of different lengths.
    """
    if isinstance(data, BatchSource):
        return data.batches(generator, device, rank, world_size)
    if isinstance(data, Dataset):
        if len(data) == 0:  # type: ignore[arg-type]
            raise ValueError("the training dataset is empty; it needs at least one sample.")
        return LoaderBatches(
            data, batch_size, shuffle, generator, device, num_workers, rank, world_size
        )
    if isinstance(data, (np.ndarray, torch.Tensor)):
        data = (data,)
    if not isinstance(data, (tuple, list)):
        raise TypeError(
            "training data must be a tuple (X, y), (X,) of arrays/tensors, or a torch Dataset; "
            f"got {type(data).__name__}."
        )
    tensors = [as_tensor(a) for a in data if a is not None]
    if not tensors:
        raise ValueError("no training arrays were given; pass (X, y) or (X,).")
    lengths = [int(t.shape[0]) for t in tensors]
    if len(set(lengths)) > 1:
        raise ValueError(f"training arrays have different lengths {lengths}; they must match.")
    if lengths[0] == 0:
        raise ValueError("the training arrays are empty; they need at least one sample.")
    return TensorBatches(tensors, batch_size, shuffle, generator, device, rank, world_size)
