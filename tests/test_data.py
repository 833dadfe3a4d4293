"""Tests for paradigms.data: loaders, generators, .npz files, adapters and splits."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

import paradigms.data as data
from paradigms._common import MissingFileError
from paradigms.data import (
    SHAPE_NAMES,
    ArrayDataset,
    Dataset,
    dataset_to_arrays,
    image_folder,
    list_datasets,
    load_dataset,
    load_npz,
    make_blobs,
    make_moons,
    make_shapes,
    make_shapes_on_photos,
    save_npz,
    to_numpy,
    torchvision_dataset,
    train_test_split_stratified,
)

# ---------------------------------------------------------------- bundled loaders


@pytest.mark.parametrize(
    ("loader", "shape", "n_classes"),
    [
        (data.load_iris, (150, 4), 3),
        (data.load_wine, (178, 13), 3),
        (data.load_breast_cancer, (569, 30), 2),
    ],
)
def test_bundled_classification_loaders(loader, shape, n_classes):
    X, y = loader()
    assert X.shape == shape and X.dtype == np.float32
    assert y.shape == (shape[0],) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(n_classes))


def test_load_digits_vectors_are_raw_counts():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0  # not rescaled
    assert set(np.unique(y)) == set(range(10))


def test_load_digits_images_match_vectors():
    X_img, y_img = data.load_digits(images=True)
    X_vec, y_vec = data.load_digits()
    assert X_img.shape == (1797, 1, 8, 8) and X_img.dtype == np.float32
    np.testing.assert_array_equal(X_img.reshape(1797, 64), X_vec)
    np.testing.assert_array_equal(y_img, y_vec)


def test_load_diabetes_is_unscaled_regression():
    X, y = data.load_diabetes()
    assert X.shape == (442, 10) and X.dtype == np.float32
    assert y.shape == (442,) and y.dtype == np.float32
    # Raw age column is in years (scaled=True would give values around 0 with |x| < 1).
    assert X[:, 0].min() >= 18 and X[:, 0].max() <= 80


# ---------------------------------------------------------------- load_dataset


def test_list_datasets_contains_every_name():
    assert list_datasets() == sorted(
        [
            "blobs",
            "breast_cancer",
            "colour_shapes",
            "diabetes",
            "digits",
            "digits_images",
            "iris",
            "moons",
            "photo_shapes",
            "shapes",
            "wine",
        ]
    )


@pytest.mark.parametrize(
    ("name", "x_shape", "task", "n_names"),
    [
        ("digits", (1797, 64), "classification", 10),
        ("digits_images", (1797, 1, 8, 8), "classification", 10),
        ("iris", (150, 4), "classification", 3),
        ("wine", (178, 13), "classification", 3),
        ("breast_cancer", (569, 30), "classification", 2),
        ("diabetes", (442, 10), "regression", None),
        ("moons", (500, 2), "classification", 2),
        ("blobs", (500, 2), "classification", 3),
        ("shapes", (600, 1, 32, 32), "classification", 3),
        ("colour_shapes", (600, 3, 64, 64), "classification", 3),
        ("photo_shapes", (600, 3, 64, 64), "classification", 3),
    ],
)
def test_load_dataset_by_name(name, x_shape, task, n_names):
    ds = load_dataset(name)
    assert isinstance(ds, Dataset)
    assert ds.name == name and ds.task == task
    assert ds.X.shape == x_shape and ds.X.dtype == np.float32
    assert ds.y is not None and len(ds.y) == x_shape[0]
    if n_names is None:
        assert ds.target_names is None and ds.y.dtype == np.float32
    else:
        assert len(ds.target_names) == n_names and ds.y.dtype == np.int64
    assert name in repr(ds) and str(x_shape) in repr(ds)


def test_load_dataset_names_are_forgiving_about_case_and_dashes():
    assert load_dataset("Breast-Cancer").name == "breast_cancer"
    assert load_dataset("shapes").target_names == list(SHAPE_NAMES)


def test_load_dataset_unknown_name_lists_names_and_closest_match():
    with pytest.raises(ValueError) as info:
        load_dataset("irsi")
    message = str(info.value)
    assert "'irsi'" in message
    assert "did you mean 'iris'" in message
    for name in list_datasets():
        assert name in message
    assert ".npz" in message and "'X'" in message


def test_load_dataset_missing_npz_path(tmp_path):
    with pytest.raises(MissingFileError, match=r"no \.npz file"):
        load_dataset(str(tmp_path / "nope.npz"))


def test_load_dataset_reads_npz_path(tmp_path):
    path = save_npz(tmp_path / "mine.npz", np.ones((4, 2)), np.array([0, 1, 0, 1]))
    ds = load_dataset(str(path))
    assert ds.name == "mine" and ds.task == "classification" and ds.X.shape == (4, 2)
    assert load_dataset(path).name == "mine"  # a Path works too


def test_dataset_validates_lengths_and_task():
    with pytest.raises(ValueError, match="3 samples but y has 2"):
        Dataset(np.zeros((3, 1)), np.zeros(2), "regression", "bad")
    with pytest.raises(ValueError, match="task='clustering'"):
        Dataset(np.zeros((3, 1)), None, "clustering", "bad")


# ---------------------------------------------------------------- npz


def test_npz_round_trip(tmp_path):
    X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    y = np.arange(20) % 4
    path = save_npz(tmp_path / "sub" / "train.npz", X, y)
    assert path == tmp_path / "sub" / "train.npz" and path.exists()
    ds = load_npz(path)
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.y, y)
    assert ds.X.dtype == np.float32 and ds.name == "train" and ds.task == "classification"
    # Atomic write: no temporary file is left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == ["train.npz"]


def test_save_npz_accepts_tensors_and_appends_suffix(tmp_path):
    path = save_npz(tmp_path / "t", torch.ones(3, 2))
    assert path.name == "t.npz"
    ds = load_npz(path)
    assert ds.y is None and ds.task == "unlabeled" and ds.X.shape == (3, 2)


def test_save_npz_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="3 samples but y has 2 targets"):
        save_npz(tmp_path / "a.npz", np.zeros((3, 1)), np.zeros(2))
    with pytest.raises(TypeError, match="dtype object"):
        save_npz(tmp_path / "b.npz", np.array([{"a": 1}, None], dtype=object))
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("y", "task"),
    [
        (None, "unlabeled"),
        (np.array([0, 1, 2, 1]), "classification"),
        (np.array([True, False, True, True]), "classification"),
        (np.array(["cat", "dog", "cat", "cat"]), "classification"),
        (np.array([0.0, 1.0, 2.0, 1.0]), "classification"),
        (np.array([0.5, 1.0, 2.0, 1.0]), "regression"),
        (np.arange(60, dtype=np.float64)[:4], "classification"),
    ],
)
def test_npz_task_inference(tmp_path, y, task):
    path = tmp_path / "d.npz"
    if y is None:
        np.savez(path, X=np.zeros((4, 2)))
    else:
        np.savez(path, X=np.zeros((4, 2)), y=y)
    assert load_npz(path).task == task


def test_npz_many_whole_float_values_is_regression(tmp_path):
    path = tmp_path / "many.npz"
    np.savez(path, X=np.zeros((60, 1)), y=np.arange(60, dtype=np.float64))
    assert load_npz(path).task == "regression"


def test_npz_string_labels_get_target_names(tmp_path):
    path = tmp_path / "s.npz"
    np.savez(path, X=np.zeros((3, 1)), y=np.array(["dog", "cat", "dog"]))
    assert load_npz(path).target_names == ["cat", "dog"]


def test_npz_missing_x_lists_found_keys(tmp_path):
    path = tmp_path / "nox.npz"
    np.savez(path, features=np.zeros((3, 2)), y=np.zeros(3))
    with pytest.raises(ValueError) as info:
        load_npz(path)
    message = str(info.value)
    assert "no array named 'X'" in message
    assert "['features', 'y']" in message
    assert "np.savez(path, X=X, y=y)" in message


def test_npz_missing_file(tmp_path):
    with pytest.raises(MissingFileError) as info:
        load_npz(tmp_path / "absent.npz")
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, ValueError)
    assert "absent.npz" in str(info.value) and "save_npz" in str(info.value)


def test_npz_object_array_is_refused_not_unpickled(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, X=np.array([[1, 2], [3]], dtype=object))
    with pytest.raises(ValueError) as info:
        load_npz(path)
    message = str(info.value)
    assert "object array" in message and "pickle" in message and "'X'" in message


def test_npz_rejects_non_archive_and_length_mismatch(tmp_path):
    npy = tmp_path / "single.npy"
    np.save(npy, np.zeros(3))
    with pytest.raises(ValueError, match=r"single \.npy array"):
        load_npz(npy)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="could not read"):
        load_npz(junk)
    mismatch = tmp_path / "mismatch.npz"
    np.savez(mismatch, X=np.zeros((3, 1)), y=np.zeros(2))
    with pytest.raises(ValueError, match="3 samples in 'X' but 2 targets"):
        load_npz(mismatch)


# ---------------------------------------------------------------- synthetic


def test_make_moons_and_blobs_shapes_and_determinism():
    X, y = make_moons(n_samples=101, noise=0.2)
    assert X.shape == (101, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    np.testing.assert_array_equal(X, make_moons(n_samples=101, noise=0.2)[0])
    assert not np.array_equal(X, make_moons(n_samples=101, noise=0.2, random_state=1)[0])

    Xb, yb = make_blobs(n_samples=90, n_features=5, centers=4)
    assert Xb.shape == (90, 5) and Xb.dtype == np.float32 and yb.dtype == np.int64
    assert np.bincount(yb).tolist() == [23, 23, 22, 22]
    Xc, yc = make_blobs(n_samples=10, centers=[[0, 0], [100, 100]], cluster_std=0.1)
    assert np.all((Xc.mean(axis=1) > 50) == (yc == 1))


def test_synthetic_argument_validation():
    with pytest.raises(ValueError, match="n_samples must be >= 1, got 0"):
        make_moons(n_samples=0)
    with pytest.raises(ValueError, match="noise"):
        make_moons(noise=-1.0)
    with pytest.raises(TypeError, match="n_samples must be an int, got float"):
        make_blobs(n_samples=10.5)
    with pytest.raises(ValueError, match="centers"):
        make_blobs(centers=[1.0, 2.0])


def test_make_shapes_is_deterministic():
    X1, y1 = make_shapes(n_samples=30, random_state=3)
    X2, y2 = make_shapes(n_samples=30, random_state=3)
    X3, _ = make_shapes(n_samples=30, random_state=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_make_shapes_balance_range_and_dtypes():
    X, y = make_shapes(n_samples=301, size=16, channels=3, noise=0.1)
    assert X.shape == (301, 3, 16, 16) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() >= 0.0 and X.max() <= 1.0
    counts = np.bincount(y, minlength=3)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 301
    assert SHAPE_NAMES == ("circle", "square", "triangle")


@pytest.mark.parametrize("size", [8, 64])
def test_make_shapes_sizes_draw_distinct_shapes(size):
    X, y = make_shapes(n_samples=60, size=size, noise=0.0)
    assert X.shape == (60, 1, size, size)
    # Every image shows a shape (bright pixels) on a black background with black borders left.
    assert np.all(X.reshape(60, -1).max(axis=1) > 0.5)
    assert np.all((X.reshape(60, -1) == 0).mean(axis=1) > 0.1)
    # A square fills its bounding box, a circle ~79%, a triangle ~50%.
    fill = []
    for img in X[:, 0]:
        mask = img > 0.3
        rows, cols = np.nonzero(mask)
        box = (np.ptp(rows) + 1) * (np.ptp(cols) + 1)
        fill.append(mask.sum() / box)
    fill = np.array(fill)
    assert fill[y == 1].mean() > fill[y == 0].mean() > fill[y == 2].mean()


def test_make_shapes_argument_validation():
    with pytest.raises(ValueError, match="size must be >= 8, got 7"):
        make_shapes(size=7)
    with pytest.raises(ValueError, match="size must be <= 128"):
        make_shapes(size=129)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        make_shapes(n_samples=0)
    with pytest.raises(ValueError, match="channels must be >= 1"):
        make_shapes(channels=0)


# ---------------------------------------------------------------- to_numpy / ArrayDataset


def test_to_numpy_tensor_list_and_bad_type():
    tensor = torch.arange(6, dtype=torch.float32, requires_grad=True).reshape(2, 3) * 2
    arr = to_numpy(tensor)
    assert isinstance(arr, np.ndarray) and arr.shape == (2, 3)
    np.testing.assert_array_equal(arr, np.arange(6).reshape(2, 3) * 2)
    assert to_numpy(torch.ones(2, dtype=torch.bfloat16)).dtype == np.float32
    np.testing.assert_array_equal(to_numpy([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(to_numpy([torch.zeros(2), torch.ones(2)]), [[0, 0], [1, 1]])
    existing = np.zeros(3)
    assert to_numpy(existing) is existing
    with pytest.raises(TypeError, match="got dict"):
        to_numpy({"a": 1})
    with pytest.raises(TypeError, match="got str"):
        to_numpy("abc")
    with pytest.raises(ValueError, match="same length"):
        to_numpy([[1, 2], [3]])


def test_array_dataset_items_and_dtypes():
    ds = ArrayDataset(np.arange(12, dtype=np.float64).reshape(4, 3), [0, 1, 1, 0])
    assert len(ds) == 4
    x, y = ds[2]
    assert x.dtype == torch.float32 and x.tolist() == [6.0, 7.0, 8.0]
    assert y.dtype == torch.int64 and int(y) == 1
    unlabeled = ArrayDataset(torch.zeros(5, 2))
    assert len(unlabeled) == 5 and len(unlabeled[0]) == 1


def test_array_dataset_length_mismatch():
    with pytest.raises(ValueError) as info:
        ArrayDataset(np.zeros((5, 2)), np.zeros(3))
    assert "X has length 5" in str(info.value) and "length 3" in str(info.value)
    with pytest.raises(TypeError, match="numeric"):
        ArrayDataset(np.zeros((2, 1)), np.array(["a", "b"]))


# ---------------------------------------------------------------- dataset_to_arrays


def test_dataset_to_arrays_on_array_dataset():
    X = np.random.default_rng(0).normal(size=(7, 2, 3)).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2, 0])
    X_out, y_out = dataset_to_arrays(ArrayDataset(X, y))
    np.testing.assert_allclose(X_out, X)
    np.testing.assert_array_equal(y_out, y)
    assert y_out.dtype == np.int64
    X_few, y_few = dataset_to_arrays(ArrayDataset(X, y), max_samples=3)
    assert X_few.shape == (3, 2, 3) and y_few.tolist() == [0, 1, 2]
    X_unl, y_unl = dataset_to_arrays(ArrayDataset(X))
    assert X_unl.shape == (7, 2, 3) and y_unl is None


def test_dataset_to_arrays_errors():
    with pytest.raises(ValueError, match="empty"):
        dataset_to_arrays(ArrayDataset(np.zeros((0, 2))))
    with pytest.raises(ValueError, match="max_samples must be >= 1"):
        dataset_to_arrays(ArrayDataset(np.zeros((2, 2))), max_samples=0)
    with pytest.raises(TypeError, match="map-style"):
        dataset_to_arrays(42)
    ragged = [(np.zeros(2), 0), (np.zeros(3), 1)]
    with pytest.raises(ValueError, match=r"sample 0 has input shape \(2,\) but sample 1"):
        dataset_to_arrays(ragged)


def test_dataset_to_arrays_converts_pil_images():
    from PIL import Image

    grey = Image.fromarray(np.full((4, 5), 255, dtype=np.uint8), mode="L")
    X, y = dataset_to_arrays([(grey, 1), (grey, 0)])
    assert X.shape == (2, 1, 4, 5) and X.dtype == np.float32
    assert np.all(X == 1.0) and y.tolist() == [1, 0]
    rgb = np.zeros((3, 2, 3), dtype=np.uint8)
    rgb[..., 0] = 51  # red channel 0.2
    X_rgb, _ = dataset_to_arrays([(Image.fromarray(rgb), 0)])
    assert X_rgb.shape == (1, 3, 3, 2)
    np.testing.assert_allclose(X_rgb[0, 0], 0.2)
    np.testing.assert_allclose(X_rgb[0, 1:], 0.0)


# ---------------------------------------------------------------- image folders


def _write_images(folder: Path, n: int, size: tuple[int, int], value: int) -> None:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        pixels = np.full((size[1], size[0], 3), value, dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"img{i}.png")


def test_image_folder_loads_and_materialises(tmp_path):
    _write_images(tmp_path / "cat", 2, (10, 6), 0)
    _write_images(tmp_path / "dog", 3, (12, 12), 255)
    ds = image_folder(tmp_path, size=8)
    assert ds.classes == ["cat", "dog"] and len(ds) == 5
    X, y = dataset_to_arrays(ds)
    assert X.shape == (5, 3, 8, 8) and X.dtype == np.float32
    assert y.tolist() == [0, 0, 1, 1, 1]
    np.testing.assert_allclose(X[y == 0], 0.0)
    np.testing.assert_allclose(X[y == 1], 1.0)
    X_rect, _ = dataset_to_arrays(image_folder(tmp_path, size=(4, 6)))
    assert X_rect.shape == (5, 3, 4, 6)


def test_image_folder_mixed_sizes_without_resize_explains(tmp_path):
    _write_images(tmp_path / "a", 1, (10, 6), 0)
    _write_images(tmp_path / "b", 1, (12, 12), 0)
    with pytest.raises(ValueError, match="size=64"):
        dataset_to_arrays(image_folder(tmp_path))


def test_image_folder_bad_layouts(tmp_path):
    with pytest.raises(MissingFileError, match="does not exist"):
        image_folder(tmp_path / "missing")
    flat = tmp_path / "flat"
    _write_images(flat, 2, (4, 4), 0)  # images directly in root, no class folders
    with pytest.raises(ValueError, match=r"no class sub-folders.*root/<class_name>/<image files>"):
        image_folder(flat)
    no_images = tmp_path / "no_images"
    (no_images / "cat").mkdir(parents=True)
    (no_images / "cat" / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match=r"no usable images.*root/<class_name>/<image files>"):
        image_folder(no_images)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        image_folder(a_file)
    _write_images(tmp_path / "ok" / "cat", 1, (4, 4), 0)
    with pytest.raises(ValueError, match="both size and transform"):
        image_folder(tmp_path / "ok", size=4, transform=lambda img: img)


# ---------------------------------------------------------------- torchvision


def test_torchvision_dataset_missing_root_never_downloads(tmp_path):
    root = tmp_path / "no_data_here"
    with pytest.raises(MissingFileError) as info:
        torchvision_dataset("MNIST", root)
    message = str(info.value)
    assert str(root) in message and "download=True" in message and "local copy" in message
    assert not root.exists()


def test_torchvision_dataset_empty_root_is_missing(tmp_path):
    with pytest.raises(MissingFileError, match="CIFAR10 data not found"):
        torchvision_dataset("cifar10", tmp_path, train=False)
    assert os.listdir(tmp_path) == []


def test_torchvision_dataset_unknown_name_suggests_matches(tmp_path):
    with pytest.raises(ValueError) as info:
        torchvision_dataset("MNSIT", tmp_path)
    message = str(info.value)
    assert "'MNSIT'" in message and "did you mean 'MNIST'" in message
    assert "FashionMNIST" in message and "image_folder" in message


def test_torchvision_dataset_default_transform_gives_float_tensors(tmp_path):
    ds = torchvision_dataset("FakeData", tmp_path)  # generated in memory, no files needed
    x, label = ds[0]
    assert isinstance(x, torch.Tensor) and x.dtype == torch.float32 and x.shape == (3, 224, 224)
    assert float(x.min()) >= 0.0 and float(x.max()) <= 1.0
    assert isinstance(label, int)


# ---------------------------------------------------------------- splits


def test_split_is_stratified_for_labels():
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    y = np.array([0] * 16 + [1] * 4)
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.25)
    assert X_tr.shape == (15, 2) and X_te.shape == (5, 2)
    assert np.bincount(y_te).tolist() == [4, 1] and np.bincount(y_tr).tolist() == [12, 3]
    # Rows stay paired with their targets.
    np.testing.assert_array_equal((X_te[:, 0] // 2 >= 16).astype(int), y_te)
    again = train_test_split_stratified(X, y, test_size=0.25)
    np.testing.assert_array_equal(again[1], X_te)


def test_split_falls_back_when_a_class_is_tiny():
    X = np.arange(10, dtype=np.float32)[:, None]
    y = np.array([0] * 9 + [1])
    with pytest.warns(UserWarning, match="fewer than 2 samples"):
        X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.3)
    assert len(X_tr) == 7 and len(X_te) == 3 and len(y_tr) + len(y_te) == 10


def test_split_regression_and_length_mismatch():
    X = np.zeros((8, 1))
    y = np.linspace(0.1, 0.9, 8)
    _, _, y_tr, y_te = train_test_split_stratified(X, y, test_size=2)
    assert len(y_te) == 2 and sorted(np.concatenate([y_tr, y_te])) == sorted(y)
    with pytest.raises(ValueError, match="X has 8 samples but y has 3"):
        train_test_split_stratified(X, np.zeros(3))


def test_public_api_is_exported():
    for name in data.__all__:
        assert hasattr(data, name), name


def test_make_shapes_on_photos_balanced_deterministic_and_on_photo_backgrounds():
    X, y = make_shapes_on_photos(60, size=32, random_state=3)
    X2, y2 = make_shapes_on_photos(60, size=32, random_state=3)
    assert X.shape == (60, 3, 32, 32) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert np.bincount(y).tolist() == [20, 20, 20]
    assert X.min() >= 0.0 and X.max() <= 1.0
    # photo backgrounds: every image has texture, unlike make_shapes' black background
    assert (X.reshape(60, -1).std(axis=1) > 0.05).all()
    corners = X[:, :, :4, :4].reshape(60, -1).mean(axis=1)
    assert np.ptp(corners) > 0.2  # backgrounds differ from image to image
    assert not np.array_equal(X, make_shapes_on_photos(60, size=32, random_state=4)[0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_samples": 0}, "n_samples"),
        ({"size": 8}, "size"),
        ({"size": 200}, "size must be <= 128"),
        ({"object_scale": (0.3, 0.2)}, "object_scale"),
        ({"object_scale": (0.1, 0.6)}, "object_scale"),
        ({"noise": -1.0}, "noise"),
    ],
)
def test_make_shapes_on_photos_argument_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_shapes_on_photos(**kwargs)
