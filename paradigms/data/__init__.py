"""Datasets for the paradigms: bundled sets, synthetic generators and adapters for your data.

- Bundled (ship with scikit-learn, no download): :func:`load_digits`, :func:`load_iris`,
  :func:`load_wine`, :func:`load_breast_cancer`, :func:`load_diabetes`.
- Synthetic: :func:`make_moons`, :func:`make_blobs`, :func:`make_shapes`,
  :func:`make_shapes_on_photos`.
- By name: :func:`load_dataset` returns a :class:`Dataset`; :func:`list_datasets` lists names.
- Your data: :func:`load_npz` / :func:`save_npz`, :func:`to_numpy`, :class:`ArrayDataset`,
  :func:`dataset_to_arrays`, :func:`torchvision_dataset`, :func:`image_folder`.
- Splits: :func:`train_test_split_stratified`.
"""

from __future__ import annotations

from paradigms.data.adapters import (
    ArrayDataset,
    dataset_to_arrays,
    image_folder,
    to_numpy,
    torchvision_dataset,
)
from paradigms.data.bundled import (
    list_datasets,
    load_breast_cancer,
    load_dataset,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from paradigms.data.dataset import Dataset
from paradigms.data.npz import load_npz, save_npz
from paradigms.data.splits import draw_labels_per_class, train_test_split_stratified
from paradigms.data.synthetic import (
    SHAPE_NAMES,
    make_blobs,
    make_moons,
    make_shapes,
    make_shapes_on_photos,
)

__all__ = [
    "SHAPE_NAMES",
    "ArrayDataset",
    "Dataset",
    "dataset_to_arrays",
    "draw_labels_per_class",
    "image_folder",
    "list_datasets",
    "load_breast_cancer",
    "load_dataset",
    "load_diabetes",
    "load_digits",
    "load_iris",
    "load_npz",
    "load_wine",
    "make_blobs",
    "make_moons",
    "make_shapes",
    "make_shapes_on_photos",
    "save_npz",
    "to_numpy",
    "torchvision_dataset",
    "train_test_split_stratified",
]
