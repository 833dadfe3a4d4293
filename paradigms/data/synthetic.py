"""Synthetic datasets: two moons, Gaussian blobs and rendered geometric shapes (on black or on
photographs).

Every generator takes ``n_samples`` and ``random_state`` and returns ``(X, y)`` with ``X``
``float32`` and ``y`` ``int64``; the same ``random_state`` always gives the same arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paradigms.data._checks import check_int, check_nonnegative

#: Class names of :func:`make_shapes`: label ``k`` is ``SHAPE_NAMES[k]``.
SHAPE_NAMES: tuple[str, ...] = ("circle", "square", "triangle")

# Shapes span between these fractions of the image side (half-extent / size).
_MIN_HALF, _MAX_HALF = 0.2, 0.42


def make_moons(
    n_samples: int = 500, noise: float = 0.1, random_state: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons``), a non-linear 2-class toy.

    Args:
        n_samples: total number of points (split as evenly as possible between the 2 classes).
        noise: standard deviation of the Gaussian noise added to the points.
        random_state: seed; ``None`` gives different data on every call.

    Returns:
        ``X`` of shape ``(n_samples, 2)`` (``float32``) and ``y`` of shape ``(n_samples,)``
        (``int64``, values in ``{0, 1}``).

    Raises:
        ValueError: if ``n_samples < 1`` or ``noise < 0``.
    """
    from sklearn.datasets import make_moons as _sk_make_moons

    n_samples = check_int("n_samples", n_samples, 1)
    noise = check_nonnegative("noise", noise)
    X, y = _sk_make_moons(n_samples=n_samples, noise=noise, random_state=random_state)
    return X.astype(np.float32), y.astype(np.int64)


def make_blobs(
    n_samples: int = 500,
    n_features: int = 2,
    centers: int | Sequence[Sequence[float]] | np.ndarray = 3,
    cluster_std: float = 1.0,
    random_state: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clusters (scikit-learn's ``make_blobs``), for clustering or classes.

    Args:
        n_samples: total number of points, split as evenly as possible between the clusters.
        n_features: number of features (ignored when ``centers`` gives the coordinates).
        centers: number of clusters, or their coordinates as an array of shape
            ``(n_centers, n_features)``.
        cluster_std: standard deviation of every cluster.
        random_state: seed; ``None`` gives different data on every call.

    Returns:
        ``X`` of shape ``(n_samples, n_features)`` (``float32``) and the cluster index ``y`` of
        shape ``(n_samples,)`` (``int64``).

    Raises:
        ValueError: if ``n_samples``, ``n_features`` or ``centers`` is below 1 or
            ``cluster_std < 0``.
    """
    from sklearn.datasets import make_blobs as _sk_make_blobs

    n_samples = check_int("n_samples", n_samples, 1)
    n_features = check_int("n_features", n_features, 1)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        centers = check_int("centers", centers, 1)
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[0] < 1:
            raise ValueError(
                f"centers must be an int or an array of shape (n_centers, n_features), "
                f"got shape {centers.shape}; pass e.g. centers=3 or [[0, 0], [5, 5]]."
            )
    cluster_std = check_nonnegative("cluster_std", cluster_std)
    X, y = _sk_make_blobs(
        n_samples=n_samples,
        n_features=n_features,
        centers=centers,
        cluster_std=cluster_std,
        random_state=random_state,
    )
    return X.astype(np.float32), y.astype(np.int64)


def make_shapes(
    n_samples: int = 600,
    size: int = 32,
    channels: int = 1,
    noise: float = 0.05,
    random_state: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Small images of circles, squares and triangles: a tiny image-classification task.

    Each image shows one filled shape on a black background, with a random centre, a random
    size (between about 40% and 85% of the image side) and a random brightness per channel,
    plus Gaussian pixel noise. Edges are anti-aliased by supersampling. Rendered with NumPy only.

    Args:
        n_samples: number of images; the classes are balanced (counts differ by at most 1).
        size: image height and width in pixels, from 8 to 128.
        channels: number of channels (1 for grey, 3 for colour).
        noise: standard deviation of the Gaussian pixel noise (values are clipped to [0, 1]).
        random_state: seed; ``None`` gives different images on every call.

    Returns:
        ``X`` of shape ``(n_samples, channels, size, size)`` (``float32`` in ``[0, 1]``) and
        ``y`` of shape ``(n_samples,)`` (``int64``; ``0`` circle, ``1`` square, ``2`` triangle,
        see :data:`SHAPE_NAMES`).

    Raises:
        ValueError: if ``n_samples < 1``, ``size`` is outside ``[8, 128]``, ``channels < 1``
            or ``noise < 0``.
    """
    n_samples = check_int("n_samples", n_samples, 1)
    size = check_int("size", size, 8)
    if size > 128:
        raise ValueError(f"size must be <= 128, got {size}; pass a size between 8 and 128.")
    channels = check_int("channels", channels, 1)
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(random_state)

    n_classes = len(SHAPE_NAMES)
    y = rng.permutation(np.arange(n_samples) % n_classes).astype(np.int64)
    half = rng.uniform(_MIN_HALF, _MAX_HALF, size=n_samples) * size
    centre = rng.uniform(half[:, None], size - half[:, None], size=(n_samples, 2))
    colour = rng.uniform(0.6, 1.0, size=(n_samples, channels))

    supersample = 4 if size <= 64 else 2
    # Sub-pixel centres in pixel units, shape (size * supersample,).
    coords = (np.arange(size * supersample) + 0.5) / supersample
    rows, cols = coords[:, None], coords[None, :]

    X = np.empty((n_samples, channels, size, size), dtype=np.float32)
    for i in range(n_samples):
        mask = _shape_mask(int(y[i]), rows, cols, centre[i, 0], centre[i, 1], half[i])
        coverage = mask.reshape(size, supersample, size, supersample).mean(axis=(1, 3))
        X[i] = colour[i][:, None, None] * coverage[None, :, :]
    if noise > 0:
        X += rng.normal(0.0, noise, size=X.shape).astype(np.float32)
    np.clip(X, 0.0, 1.0, out=X)
    return X, y


def make_shapes_on_photos(
    n_samples: int = 600,
    size: int = 64,
    object_scale: tuple[float, float] = (0.12, 0.25),
    noise: float = 0.02,
    random_state: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Small coloured circles, squares and triangles on crops of real photographs.

    A harder, more photo-like cousin of :func:`make_shapes`: the background is a random crop
    of one of scikit-learn's sample photos (``china.jpg``, ``flower.jpg``: buildings, trees,
    petals; zoomed by a random factor), the object is small, anywhere in the image, and its
    colour is random, so it can blend into the background. Colour only (3 channels).

    Args:
        n_samples: number of images; the classes are balanced (counts differ by at most 1).
        size: image height and width in pixels, from 16 to 128.
        object_scale: the range of the object's half-extent as a fraction of ``size``
            (within ``(0, 0.5)``).
        noise: standard deviation of the Gaussian pixel noise.
        random_state: seed; ``None`` gives different images on every call.

    Returns:
        ``X`` of shape ``(n_samples, 3, size, size)`` (``float32`` in ``[0, 1]``) and ``y`` of
        shape ``(n_samples,)`` (``int64``, see :data:`SHAPE_NAMES`).

    Raises:
        ValueError: if ``n_samples < 1``, ``size`` is outside ``[16, 128]``,
            ``object_scale`` is not an increasing pair within ``(0, 0.5)`` or ``noise < 0``.
    """
    from PIL import Image
    from sklearn.datasets import load_sample_images

    n_samples = check_int("n_samples", n_samples, 1)
    size = check_int("size", size, 16)
    if size > 128:
        raise ValueError(f"size must be <= 128, got {size}; pass a size between 16 and 128.")
    low, high = (float(v) for v in object_scale)
    if not 0 < low <= high < 0.5:
        raise ValueError(
            f"object_scale must be (low, high) with 0 < low <= high < 0.5; got {object_scale!r}."
        )
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(random_state)
    photos = [Image.fromarray(image) for image in load_sample_images().images]

    y = rng.permutation(np.arange(n_samples) % len(SHAPE_NAMES)).astype(np.int64)
    half = rng.uniform(low, high, size=n_samples) * size
    centre = rng.uniform(half[:, None], size - half[:, None], size=(n_samples, 2))
    colour = rng.uniform(0.0, 1.0, size=(n_samples, 3))
    supersample = 4
    coords = (np.arange(size * supersample) + 0.5) / supersample
    rows, cols = coords[:, None], coords[None, :]
    X = np.empty((n_samples, 3, size, size), dtype=np.float32)
    for i in range(n_samples):
        photo = photos[int(rng.integers(len(photos)))]
        side = int(rng.integers(size, min(photo.size) + 1))
        left = int(rng.integers(photo.size[0] - side + 1))
        top = int(rng.integers(photo.size[1] - side + 1))
        crop = photo.resize((size, size), Image.BILINEAR, box=(left, top, left + side, top + side))
        background = np.asarray(crop, dtype=np.float32).transpose(2, 0, 1) / 255.0
        mask = _shape_mask(int(y[i]), rows, cols, centre[i, 0], centre[i, 1], half[i])
        coverage = mask.reshape(size, supersample, size, supersample).mean(axis=(1, 3))
        X[i] = background * (1 - coverage) + colour[i][:, None, None] * coverage
    if noise > 0:
        X += rng.normal(0.0, noise, size=X.shape).astype(np.float32)
    np.clip(X, 0.0, 1.0, out=X)
    return X, y


def _shape_mask(
    label: int, rows: np.ndarray, cols: np.ndarray, cy: float, cx: float, half: float
) -> np.ndarray:
    """Boolean mask of shape ``(len(rows), len(cols))`` for one shape.

    Args:
        label: index into :data:`SHAPE_NAMES`.
        rows: row coordinates, shape ``(h, 1)``.
        cols: column coordinates, shape ``(1, w)``.
        cy: centre row.
        cx: centre column.
        half: half of the shape's bounding-box side.

    Returns:
        ``True`` where the (sub-)pixel centre lies inside the shape.
    """
    dy, dx = rows - cy, cols - cx
    if label == 0:  # circle inscribed in the bounding box
        return dy**2 + dx**2 <= half**2
    if label == 1:  # square, slightly smaller than the box so areas stay comparable
        side = 0.8 * half
        return (np.abs(dy) <= side) & (np.abs(dx) <= side)
    # Triangle with its apex at the top middle and its base along the bottom of the box:
    # inside when below the top edge and |dx| <= (dy + half) / 2.
    return (dy <= half) & (np.abs(dx) <= (dy + half) / 2)
