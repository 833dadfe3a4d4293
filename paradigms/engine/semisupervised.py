"""Semi-supervised training: labelled rows plus unlabelled ones, FixMatch-style.

Each step sees ``labelled_batch`` labelled rows and ``unlabelled_batch`` unlabelled rows. The
network labels a weakly augmented view of every unlabelled row (its probabilities aligned with
the labelled class frequencies, :data:`ALIGNMENT_MOMENTUM`); where it is confident (maximum
probability >= ``threshold``) that label becomes the target for a strongly augmented view of
the same row (Sohn et al., 2020, "FixMatch"; the paper's threshold is 0.95 and its
labelled:unlabelled ratio 1:7, the defaults here 0.8 and 1:4, measured in
``benchmarks/RESULTS.md``, few labels).

Three pieces plug into :func:`paradigms.engine.fit` unchanged:

- :class:`MixedData` is the ``train`` argument: it makes :class:`MixedBatches`, each batch the
  labelled rows first, then the unlabelled ones (targets ``-1``), drawn with the engine's
  generator so that a resumed run draws the same batches;
- :class:`ConsistencyTraining` wraps the network: in training mode it returns both views'
  logits (:class:`ConsistencyOutput`), in eval mode the network's plain logits;
- :class:`ConsistencyLoss`: cross-entropy on the labelled rows plus the thresholded
  pseudo-label cross-entropy on the unlabelled ones (plain cross-entropy for validation).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from paradigms.engine.augment import strong_augment, weak_augment
from paradigms.engine.batching import Batch, BatchSource, as_tensor

#: distribution alignment (Berthelot et al., 2020, "ReMixMatch"): the teacher's probabilities
#: are multiplied by the labelled class frequencies over the running mean of its predictions
#: (this momentum per step), so that pseudo-labels cannot drift onto a few classes. Measured
#: on digits with 1 label per class: 0.711 without, 0.869 with (3 draws); 5 labels: 0.984
#: either way (an earlier fewlabel run, 7 unlabelled rows per labelled row)
ALIGNMENT_MOMENTUM = 0.01

#: the default label that marks an unlabelled row (scikit-learn's ``sklearn.semi_supervised``)
UNLABELLED = -1


def unlabelled_mask(y: np.ndarray, marker: Any = UNLABELLED) -> np.ndarray:
    """Boolean ``(n,)``: which rows of ``y`` carry the unlabelled ``marker``.

    Works for numeric, string and object label arrays; a marker of another type than the labels
    (``-1`` among strings) matches nothing.
    """
    y = np.asarray(y)
    if y.dtype.kind in "iufb" and not isinstance(marker, (int, float, np.number)):
        return np.zeros(len(y), dtype=bool)
    if y.dtype.kind in "US" and not isinstance(marker, str):
        return np.zeros(len(y), dtype=bool)
    if y.dtype.kind == "O":
        return np.array([type(v) is type(marker) and v == marker for v in y], dtype=bool)
    return np.asarray(y == marker, dtype=bool).reshape(len(y))


def data_statistics(X: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel (images ``(n, C, H, W)``) or per-feature (``(n, d)``) mean and std of ``X``,
    shaped ``(C, 1, 1)`` or ``(d,)``; zero spreads become 1."""
    axes = (0,) if X.ndim == 2 else (0, *range(2, X.ndim))
    mean = X.mean(axis=axes, dtype=np.float64, keepdims=True)[0]
    std = X.std(axis=axes, dtype=np.float64, keepdims=True)[0]
    std = np.where(std > 0, std, 1.0)
    return torch.from_numpy(mean).float(), torch.from_numpy(std).float()


class MixedBatches:
    """``data.steps_per_epoch`` batches per epoch, each ``labelled_batch`` labelled then
    ``unlabelled_batch`` unlabelled rows drawn with replacement.

    Yields ``(inputs, targets)``: ``inputs`` ``(labelled_batch + unlabelled_batch, *shape)``,
    ``targets`` ``(labelled_batch + unlabelled_batch,)`` with ``-1`` for the unlabelled rows.
    Under data parallelism every rank draws its own rows from the shared generator.
    """

    def __init__(
        self,
        data: MixedData,
        generator: torch.Generator | None,
        device: torch.device,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        self.X_labelled = as_tensor(data.X_labelled).to(device)
        self.y_labelled = as_tensor(data.y_labelled).to(device)
        self.X_unlabelled = as_tensor(data.X_unlabelled).to(device)
        self.data, self.generator = data, generator
        self.rank, self.world_size = rank, world_size
        self.unlabelled_targets = torch.full(
            (data.unlabelled_batch,), -1, dtype=self.y_labelled.dtype, device=device
        )

    def __len__(self) -> int:
        return self.data.steps_per_epoch

    def _draw(self, n_rows: int, batch: int) -> torch.Tensor:
        index = torch.randint(n_rows, (self.world_size, batch), generator=self.generator)
        return index[self.rank].to(self.X_labelled.device)

    def __iter__(self) -> Iterator[Batch]:
        for _ in range(len(self)):
            labelled = self._draw(len(self.X_labelled), self.data.labelled_batch)
            unlabelled = self._draw(len(self.X_unlabelled), self.data.unlabelled_batch)
            inputs = torch.cat(
                [
                    self.X_labelled.index_select(0, labelled),
                    self.X_unlabelled.index_select(0, unlabelled),
                ]
            )
            targets = torch.cat(
                [self.y_labelled.index_select(0, labelled), self.unlabelled_targets]
            )
            yield inputs, targets


class MixedData(BatchSource):
    """Training data of a semi-supervised fit: the ``train`` argument of ``fit``.

    Args:
        X_labelled: ``(n_l, *shape)`` labelled inputs.
        y_labelled: ``(n_l,)`` integer class codes.
        X_unlabelled: ``(n_u, *shape)`` unlabelled inputs.
        labelled_batch: labelled rows per step.
        unlabelled_batch: unlabelled rows per step.
        steps_per_epoch: steps the engine counts as one epoch (default: one pass over the
            unlabelled rows, at least 1).
    """

    def __init__(
        self,
        X_labelled: np.ndarray,
        y_labelled: np.ndarray,
        X_unlabelled: np.ndarray,
        labelled_batch: int,
        unlabelled_batch: int,
        steps_per_epoch: int | None = None,
    ) -> None:
        if len(X_labelled) == 0 or len(X_unlabelled) == 0:
            raise ValueError(
                f"a semi-supervised fit needs labelled and unlabelled rows; got "
                f"{len(X_labelled)} labelled and {len(X_unlabelled)} unlabelled."
            )
        if len(X_labelled) != len(y_labelled):
            raise ValueError(
                f"X_labelled has {len(X_labelled)} rows but y_labelled {len(y_labelled)}."
            )
        self.X_labelled, self.y_labelled, self.X_unlabelled = X_labelled, y_labelled, X_unlabelled
        self.labelled_batch, self.unlabelled_batch = int(labelled_batch), int(unlabelled_batch)
        self.steps_per_epoch = (
            max(1, math.ceil(len(X_unlabelled) / self.unlabelled_batch))
            if steps_per_epoch is None
            else int(steps_per_epoch)
        )

    def batches(
        self, generator: torch.Generator | None, device: torch.device, rank: int, world_size: int
    ) -> MixedBatches:
        """The engine's batch iterator for this data."""
        return MixedBatches(self, generator, device, rank, world_size)


class ConsistencyOutput(NamedTuple):
    """What :class:`ConsistencyTraining` returns in training mode for a mixed batch.

    Attributes:
        labelled: logits of the weak views of the labelled rows ``(B_l, n_classes)``.
        unlabelled: logits of the strong views of the unlabelled rows ``(B_u, n_classes)``.
        teacher: probabilities of the weak views of the unlabelled rows ``(B_u, n_classes)``,
            computed without gradient: the pseudo-labels' source.
    """

    labelled: torch.Tensor
    unlabelled: torch.Tensor
    teacher: torch.Tensor


class ConsistencyTraining(nn.Module):
    """Wraps ``network`` (``(B, *shape) -> (B, n_classes)``) for FixMatch-style training.

    Training mode: ``x`` is a mixed batch whose first ``labelled_batch`` rows are labelled;
    returns :class:`ConsistencyOutput`. Eval mode: ``network(x)``.

    Args:
        network: the classifier to train (trained in place).
        labelled_batch: how many leading rows of each training batch are labelled.
        mean, scale: the data's per-channel/feature statistics (:func:`data_statistics`),
            which the augmentations use for noise and fill values.
        class_prior: ``(n_classes,)`` class frequencies of the labelled rows, the target of
            distribution alignment.
    """

    def __init__(
        self,
        network: nn.Module,
        labelled_batch: int,
        mean: torch.Tensor,
        scale: torch.Tensor,
        class_prior: torch.Tensor,
    ) -> None:
        super().__init__()
        self.network = network
        self.labelled_batch = int(labelled_batch)
        self.register_buffer("mean", mean.clone())
        self.register_buffer("scale", scale.clone())
        self.register_buffer("class_prior", class_prior.clone())
        self.register_buffer("teacher_mean", class_prior.clone())

    def _align(self, teacher: torch.Tensor) -> torch.Tensor:
        """Distribution alignment: scale the teacher's probabilities ``(B_u, n_classes)`` by
        the class prior over their running mean, and renormalise."""
        self.teacher_mean.lerp_(teacher.mean(dim=0), ALIGNMENT_MOMENTUM)
        aligned = teacher * (self.class_prior / self.teacher_mean.clamp_min(1e-6))
        return aligned / aligned.sum(dim=1, keepdim=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor | ConsistencyOutput:
        if not self.training:
            return self.network(x)
        labelled, unlabelled = x[: self.labelled_batch], x[self.labelled_batch :]
        with torch.no_grad():
            teacher = torch.softmax(
                self.network(weak_augment(unlabelled, self.mean, self.scale)), 1
            )
            teacher = self._align(teacher)
        views = torch.cat(
            [
                weak_augment(labelled, self.mean, self.scale),
                strong_augment(unlabelled, self.mean, self.scale),
            ]
        )
        logits = self.network(views)
        return ConsistencyOutput(
            logits[: self.labelled_batch], logits[self.labelled_batch :], teacher
        )


class ConsistencyLoss:
    """Labelled cross-entropy + ``weight`` x confident pseudo-label cross-entropy.

    Args:
        threshold: smallest teacher probability that makes a pseudo-label count.
        weight: weight of the unlabelled term.
    """

    def __init__(self, threshold: float, weight: float = 1.0) -> None:
        self.threshold = float(threshold)
        self.weight = float(weight)

    def __call__(self, output: torch.Tensor | ConsistencyOutput, target: torch.Tensor) -> Any:
        if isinstance(output, torch.Tensor):  # validation: plain logits of labelled rows
            return functional.cross_entropy(output, target)
        supervised = functional.cross_entropy(output.labelled, target[: len(output.labelled)])
        confidence, pseudo = output.teacher.max(dim=1)
        mask = (confidence >= self.threshold).to(output.unlabelled.dtype)
        per_row = functional.cross_entropy(output.unlabelled, pseudo, reduction="none")
        return supervised + self.weight * (per_row * mask).mean()
