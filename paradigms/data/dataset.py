"""The :class:`Dataset` record returned by :func:`paradigms.data.load_dataset`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TASKS = ("classification", "regression", "unlabeled")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset held in memory as NumPy arrays.

    Attributes:
        X: inputs, shape ``(n, n_features)`` for tables or ``(n, channels, height, width)``
            for images.
        y: targets of shape ``(n,)`` (e.g. ``int64`` labels or ``float32`` values), or ``None``
            for unlabeled data.
        task: ``"classification"``, ``"regression"`` or ``"unlabeled"``.
        name: a short name, e.g. ``"iris"`` or the stem of the ``.npz`` file.
        target_names: the class names (``target_names[k]`` names label ``k``), or ``None``.
        feature_names: the names of the columns of a table ``(n_features,)``, or ``None``.

    Raises:
        ValueError: if ``task`` is unknown or ``X`` and ``y`` differ in length.
    """

    X: np.ndarray
    y: np.ndarray | None
    task: str
    name: str
    target_names: list[str] | None = None
    feature_names: list[str] | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(
                f"task={self.task!r} is not a known task; expected one of {list(TASKS)}."
            )
        if np.ndim(self.X) == 0:
            raise ValueError(
                f"X must have a sample axis, got a scalar of type {type(self.X).__name__}; "
                "pass an array of shape (n_samples, ...)."
            )
        if self.y is not None and len(self.y) != len(self.X):
            raise ValueError(
                f"X has {len(self.X)} samples but y has {len(self.y)}; pass one target per sample."
            )
        if self.feature_names is not None and (
            np.ndim(self.X) != 2 or len(self.feature_names) != np.shape(self.X)[1]
        ):
            raise ValueError(
                f"got {len(self.feature_names)} feature_names for X of shape "
                f"{np.shape(self.X)}; pass one name per column of a (n, n_features) table."
            )

    @property
    def n_samples(self) -> int:
        """The number of samples, ``len(X)``."""
        return len(self.X)

    def __repr__(self) -> str:
        y_part = "None" if self.y is None else f"{self.y.dtype}{tuple(self.y.shape)}"
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, "
            f"X={self.X.dtype}{tuple(self.X.shape)}, y={y_part}, "
            f"target_names={self.target_names!r})"
        )
