"""Small datasets that ship with scikit-learn (no download) and the :func:`load_dataset` lookup.

Features are returned raw (not rescaled): the estimators in this library standardise their
inputs internally, so the numbers you see are the numbers in the original data.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from paradigms.data.dataset import Dataset
from paradigms.data.npz import load_npz
from paradigms.data.synthetic import (
    SHAPE_NAMES,
    make_blobs,
    make_moons,
    make_shapes,
    make_shapes_on_photos,
)
from paradigms.data.tables import load_csv, load_image_folder


def load_digits(images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 hand-written digits (scikit-learn's ``load_digits``): 10 classes.

    Args:
        images: return images of shape ``(n, 1, 8, 8)`` instead of flat vectors.

    Returns:
        ``X`` of shape ``(1797, 64)`` or ``(1797, 1, 8, 8)`` (``float32``, raw pixel counts
        from 0 to 16) and ``y`` of shape ``(1797,)`` (``int64``, digits 0-9).
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    X = bunch.data.astype(np.float32)
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return X, bunch.target.astype(np.int64)


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's iris flowers: 150 samples, 4 features (cm), 3 classes.

    Returns:
        ``X`` of shape ``(150, 4)`` (``float32``) and ``y`` of shape ``(150,)`` (``int64``).
    """
    from sklearn.datasets import load_iris as _sk_load_iris

    bunch = _sk_load_iris()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int64)


def load_wine() -> tuple[np.ndarray, np.ndarray]:
    """Wine chemical analysis: 178 samples, 13 features, 3 cultivars.

    Returns:
        ``X`` of shape ``(178, 13)`` (``float32``) and ``y`` of shape ``(178,)`` (``int64``).
    """
    from sklearn.datasets import load_wine as _sk_load_wine

    bunch = _sk_load_wine()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int64)


def load_breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """Breast cancer Wisconsin (diagnostic): 569 samples, 30 features, 2 classes.

    Returns:
        ``X`` of shape ``(569, 30)`` (``float32``) and ``y`` of shape ``(569,)`` (``int64``;
        0 malignant, 1 benign).
    """
    from sklearn.datasets import load_breast_cancer as _sk_load_breast_cancer

    bunch = _sk_load_breast_cancer()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int64)


def load_diabetes() -> tuple[np.ndarray, np.ndarray]:
    """Diabetes progression: 442 samples, 10 raw (unscaled) features, a regression target.

    Returns:
        ``X`` of shape ``(442, 10)`` (``float32``, original units, i.e. scikit-learn's
        ``scaled=False``) and ``y`` of shape ``(442,)`` (``float32``, disease progression
        one year after baseline).
    """
    from sklearn.datasets import load_diabetes as _sk_load_diabetes

    bunch = _sk_load_diabetes(scaled=False)
    return bunch.data.astype(np.float32), bunch.target.astype(np.float32)


def _sklearn_names(loader_name: str) -> tuple[list[str], list[str]]:
    """The class and feature names of a scikit-learn bundled dataset."""
    from sklearn import datasets

    bunch = getattr(datasets, loader_name)()
    return [str(n) for n in bunch.target_names], [str(n) for n in bunch.feature_names]


def _digits(images: bool) -> Callable[[], Dataset]:
    def build() -> Dataset:
        X, y = load_digits(images=images)
        name = "digits_images" if images else "digits"
        return Dataset(X, y, "classification", name, [str(d) for d in range(10)])

    return build


def _classification(
    name: str, loader: Callable[[], tuple[np.ndarray, np.ndarray]], sk_loader: str
) -> Callable[[], Dataset]:
    def build() -> Dataset:
        X, y = loader()
        classes, features = _sklearn_names(sk_loader)
        return Dataset(X, y, "classification", name, classes, features)

    return build


def _diabetes() -> Dataset:
    from sklearn.datasets import load_diabetes as _sk_load_diabetes

    X, y = load_diabetes()
    names = [str(n) for n in _sk_load_diabetes().feature_names]
    return Dataset(X, y, "regression", "diabetes", None, names)


def _moons() -> Dataset:
    X, y = make_moons()
    return Dataset(X, y, "classification", "moons", ["0", "1"])


def _blobs() -> Dataset:
    X, y = make_blobs()
    return Dataset(X, y, "classification", "blobs", ["0", "1", "2"])


def _shapes() -> Dataset:
    X, y = make_shapes()
    return Dataset(X, y, "classification", "shapes", list(SHAPE_NAMES))


def _colour_shapes() -> Dataset:
    X, y = make_shapes(600, size=64, channels=3)
    return Dataset(X, y, "classification", "colour_shapes", list(SHAPE_NAMES))


def _photo_shapes() -> Dataset:
    X, y = make_shapes_on_photos()
    return Dataset(X, y, "classification", "photo_shapes", list(SHAPE_NAMES))


_DATASETS: dict[str, Callable[[], Dataset]] = {
    "blobs": _blobs,
    "breast_cancer": _classification("breast_cancer", load_breast_cancer, "load_breast_cancer"),
    "colour_shapes": _colour_shapes,
    "diabetes": _diabetes,
    "digits": _digits(images=False),
    "digits_images": _digits(images=True),
    "iris": _classification("iris", load_iris, "load_iris"),
    "moons": _moons,
    "photo_shapes": _photo_shapes,
    "shapes": _shapes,
    "wine": _classification("wine", load_wine, "load_wine"),
}


def list_datasets() -> list[str]:
    """The names :func:`load_dataset` accepts (besides ``.npz`` paths), sorted.

    Returns:
        E.g. ``["blobs", "breast_cancer", "diabetes", "digits", ...]``.
    """
    return sorted(_DATASETS)


def load_dataset(
    name: str | os.PathLike[str],
    images: bool = False,
    target: str | None = None,
    image_size: int | None = None,
) -> Dataset:
    """Load a bundled or synthetic dataset by name, or a user dataset from an ``.npz`` file.

    Args:
        name: one of :func:`list_datasets` (``"digits"`` gives vectors ``(1797, 64)``,
            ``"digits_images"`` images ``(1797, 1, 8, 8)``, ``"moons"``, ``"blobs"`` and
            ``"shapes"`` use their generators' defaults, ``"colour_shapes"`` is
            ``make_shapes(600, size=64, channels=3)`` and ``"photo_shapes"``
            ``make_shapes_on_photos()``, both ``(600, 3, 64, 64)``), or the path to an
            ``.npz`` file with an array ``X`` and an optional array ``y`` (see
            :func:`paradigms.data.load_npz`), a ``.csv`` table with a header row
            (:func:`~paradigms.data.tables.load_csv`; ``target`` names its label column), or
            a folder of images with one sub-folder per class
            (:func:`~paradigms.data.tables.load_image_folder`).
            Names are case-insensitive and ``-`` counts as ``_``.
        images: prefer the image form of a dataset that has one (``"digits"`` then gives
            ``(1797, 1, 8, 8)``, as ``"digits_images"`` does).
        target: the label column of a ``.csv`` file (``None``: an unlabelled table).
        image_size: resize an image folder's images to this square size (``None``: keep).

    Returns:
        The :class:`Dataset`.

    Raises:
        ValueError: if ``name`` is neither a known name nor a file or folder of the kinds above
            (the message lists the names and the closest match); a ``target`` for anything but
            a ``.csv`` file; the errors of each loader.
        MissingFileError: if ``name`` is an ``.npz`` path that does not exist.
    """
    path = Path(name) if isinstance(name, (str, os.PathLike)) else None
    if target and (path is None or path.suffix.lower() != ".csv"):
        raise ValueError(
            f"target={target!r} names a column of a .csv file; {str(name)!r} is not one "
            "(bundled and .npz datasets bring their own y). Leave target out."
        )
    if path is not None and path.suffix.lower() == ".csv":
        return load_csv(path, target)
    if isinstance(name, os.PathLike) and Path(name).is_dir():
        return load_image_folder(name, image_size)
    if isinstance(name, os.PathLike) or (isinstance(name, str) and name.endswith(".npz")):
        return load_npz(name)
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a string, got {type(name).__name__}; pass e.g. 'iris' or a path "
            "to an .npz file."
        )
    key = name.strip().lower().replace("-", "_")
    if images and f"{key}_images" in _DATASETS:
        key = f"{key}_images"
    if key in _DATASETS:
        return _DATASETS[key]()
    if Path(name).is_dir():
        return load_image_folder(name, image_size)
    if Path(name).is_file():
        return load_npz(name)
    close = difflib.get_close_matches(key, list(_DATASETS), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(
        f"unknown dataset {name!r}; {hint}available: {', '.join(list_datasets())}. "
        "A path to a .npz file holding an array 'X' (and optionally 'y') also works."
    )
