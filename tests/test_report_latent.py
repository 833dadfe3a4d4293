"""The latent-code scatter and the originals-vs-reconstructions plot (paradigms.report)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.image import imread

from paradigms.report import images as images_module
from paradigms.report import latent as latent_module
from paradigms.report import plot_latent_scatter, plot_reconstructions
from paradigms.report import reconstructions as reconstructions_module

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path) -> None:
    """``path`` is a readable PNG and no temporary file is left in its folder."""
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_MAGIC
    pixels = imread(path)
    assert pixels.ndim == 3 and min(pixels.shape[:2]) >= 100
    assert [name for name in os.listdir(path.parent) if name.endswith(".tmp")] == []


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Record every figure the two plotting modules save (they are still written to disk)."""
    captured: list[Figure] = []
    for module in (latent_module, reconstructions_module, images_module):
        real = module.save_png

        def _save(fig: Figure, path: Path, _real=real) -> Path:
            captured.append(fig)
            return _real(fig, path)

        monkeypatch.setattr(module, "save_png", _save)
    return captured


def codes(n: int, d: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d))


def legend_texts(fig: Figure) -> list[str]:
    legend = fig.axes[0].get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def points(fig: Figure) -> np.ndarray:
    """All scattered points of the figure's first axes, ``(n, 2)``."""
    return np.concatenate([c.get_offsets() for c in fig.axes[0].collections])


# ---------------------------------------------------------------- latent scatter


def test_two_dimensional_codes_are_drawn_as_they_are(tmp_path, figures):
    Z = codes(30, 2)
    out = plot_latent_scatter(Z, tmp_path / "z2.png", title="my codes")
    assert out == tmp_path / "z2.png"
    assert_png(out)
    ax = figures[0].axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("z1", "z2")
    assert ax.get_title() == "my codes"
    np.testing.assert_allclose(points(figures[0]), Z)
    assert legend_texts(figures[0]) == []


def test_one_dimensional_codes_against_the_index(tmp_path, figures):
    Z = codes(12, 1)
    assert_png(plot_latent_scatter(torch.from_numpy(Z), tmp_path / "z1.png"))
    ax = figures[0].axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("sample", "z1")
    np.testing.assert_allclose(points(figures[0]), np.column_stack([np.arange(12), Z[:, 0]]))
    assert "1-D" in ax.get_title() and "n=12" in ax.get_title()


def test_wide_codes_are_projected_on_principal_components(tmp_path, figures):
    rng = np.random.default_rng(0)
    # variance mostly along two known directions of an 8-D space
    basis = np.linalg.qr(rng.normal(size=(8, 8)))[0]
    Z = (rng.normal(size=(200, 8)) * [5.0, 2.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]) @ basis.T + 3.0
    assert_png(plot_latent_scatter(Z, tmp_path / "z8.png"))
    ax = figures[0].axes[0]
    assert ax.get_xlabel().startswith("PC1") and ax.get_ylabel().startswith("PC2")
    xy = points(figures[0])
    assert xy.shape == (200, 2)
    np.testing.assert_allclose(xy.mean(axis=0), 0.0, atol=1e-9)  # centred
    assert xy[:, 0].std() > xy[:, 1].std() > 1.0  # the two widest directions, widest first
    # a projection: distances from the mean shrink only by the dropped (small) directions
    centred = Z - Z.mean(axis=0)
    np.testing.assert_allclose(
        np.linalg.norm(xy, axis=1), np.linalg.norm(centred, axis=1), rtol=0.2, atol=0.5
    )


def test_integer_labels_give_one_series_per_class(tmp_path, figures):
    Z = codes(40, 8)
    labels = np.arange(40) % 3
    assert_png(plot_latent_scatter(Z, tmp_path / "int.png", labels=labels))
    fig = figures[0]
    assert legend_texts(fig) == ["0", "1", "2"]
    assert [len(c.get_offsets()) for c in fig.axes[0].collections] == [14, 13, 13]
    # the same points as without labels, only grouped
    assert_png(plot_latent_scatter(Z, tmp_path / "plain.png"))
    grouped = points(fig)
    order = np.concatenate([np.flatnonzero(labels == k) for k in range(3)])
    np.testing.assert_allclose(grouped, points(figures[1])[order])


def test_string_and_column_labels(tmp_path, figures):
    Z = codes(9, 2)
    names = np.array(["cat", "dog", "ant"] * 3)
    assert_png(plot_latent_scatter(Z, tmp_path / "str.png", labels=list(names)))
    assert legend_texts(figures[0]) == ["ant", "cat", "dog"]
    for fig_index, label in enumerate(["ant", "cat", "dog"]):
        collection = figures[0].axes[0].collections[fig_index]
        np.testing.assert_allclose(collection.get_offsets(), Z[names == label])
    # a column of labels (n, 1), e.g. a DataFrame column's values, is accepted too
    assert_png(plot_latent_scatter(Z, tmp_path / "col.png", labels=(np.arange(9) % 2)[:, None]))
    assert legend_texts(figures[1]) == ["0", "1"]


def test_many_classes_use_two_legend_columns(tmp_path, figures):
    plot_latent_scatter(codes(50, 3), tmp_path / "ten.png", labels=np.arange(50) % 10)
    assert len(legend_texts(figures[0])) == 10
    assert figures[0].axes[0].get_legend()._ncols == 2


def test_a_single_code(tmp_path):
    for d in (1, 2, 8):
        assert_png(plot_latent_scatter(codes(1, d), tmp_path / f"one{d}.png", labels=["x"]))


@pytest.mark.parametrize(
    ("Z", "labels", "match"),
    [
        (codes(10, 2), np.arange(9), "9 labels for 10 codes"),
        (codes(10, 8), ["a"] * 11, "11 labels for 10 codes"),
        (codes(10, 2), np.zeros((10, 2)), "labels must be 1-D"),
        (codes(10, 2), 3, "labels"),
        (codes(10, 1)[:, 0], None, r"\(n, d\).*\(10,\)"),
        (codes(4, 2).reshape(2, 2, 2), None, r"\(n, d\)"),
        (np.zeros((0, 2)), None, "non-empty"),
    ],
    ids=["short-labels", "long-labels", "2d-labels", "scalar-labels", "1d-codes", "3d", "empty"],
)
def test_latent_scatter_errors(tmp_path, Z, labels, match):
    with pytest.raises(ValueError, match=match):
        plot_latent_scatter(Z, tmp_path / "bad.png", labels=labels)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


# ---------------------------------------------------------------- reconstructions


@pytest.mark.parametrize(
    "shape", [(6, 1, 8, 8), (6, 8, 8), (6, 3, 8, 8)], ids=["nchw", "nhw", "rgb"]
)
def test_image_reconstructions(tmp_path, figures, shape):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 16, size=shape)
    r = x + rng.normal(0, 1, size=shape)
    out = plot_reconstructions(x, torch.from_numpy(r), tmp_path / "rec.png", n=4, title="t")
    assert out == tmp_path / "rec.png"
    assert_png(out)
    fig = figures[0]
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 8  # 4 originals, then their 4 reconstructions
    titles = [ax.get_title() for ax in shown]
    assert titles == ["original"] * 4 + ["reconstruction"] * 4
    assert fig.get_suptitle() == "t"


def test_reconstructions_share_the_originals_brightness_scale(tmp_path, figures):
    x = np.zeros((3, 1, 8, 8))
    x[:, :, 2:6, 2:6] = 16.0
    dim = x / 4  # right shape, a quarter of the brightness
    plot_reconstructions(x, dim, tmp_path / "dim.png", n=3)
    shown = [np.asarray(ax.images[0].get_array()) for ax in figures[0].axes if ax.images]
    assert [img.max() for img in shown[:3]] == [1.0] * 3
    np.testing.assert_allclose([img.max() for img in shown[3:]], 0.25)
    # values outside the originals' range are clipped, not rescaled
    plot_reconstructions(x, x * 3 - 8, tmp_path / "wide.png", n=3)
    shown = [np.asarray(ax.images[0].get_array()) for ax in figures[1].axes if ax.images]
    assert all(img.min() == 0.0 and img.max() == 1.0 for img in shown)


def test_vector_reconstructions(tmp_path, figures):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 13)) * np.arange(1, 14) * 100  # features of very different scales
    r = x + rng.normal(size=x.shape)
    assert_png(plot_reconstructions(x, r, tmp_path / "vec.png", n=5))
    fig = figures[0]
    panels = [ax for ax in fig.axes if ax.lines]
    assert len(panels) == 5
    assert [ax.get_title() for ax in panels] == [f"sample {i}" for i in range(5)]
    original, reconstruction = panels[0].lines
    assert len(original.get_xdata()) == len(reconstruction.get_xdata()) == 13
    # each feature is standardised over the shown samples: comparable scales
    profiles = np.array([ax.lines[0].get_ydata() for ax in panels])
    assert np.abs(profiles).max() < 5
    assert panels[0].get_legend() is not None
    # n larger than the data shows everything
    assert_png(plot_reconstructions(x[:3], r[:3], tmp_path / "few.png", n=8))
    assert len([ax for ax in figures[1].axes if ax.lines]) == 3


def test_reconstructions_errors(tmp_path):
    x = np.zeros((4, 1, 8, 8))
    with pytest.raises(ValueError, match=r"\(4, 1, 8, 8\).*\(4, 8, 8\)"):
        plot_reconstructions(x, x[:, 0], tmp_path / "bad.png")
    with pytest.raises(ValueError, match="same"):
        plot_reconstructions(np.zeros((4, 13)), np.zeros((3, 13)), tmp_path / "bad.png")
    with pytest.raises(ValueError, match="non-empty"):
        plot_reconstructions(np.zeros((0, 13)), np.zeros((0, 13)), tmp_path / "bad.png")
    with pytest.raises(ValueError, match="n must be at least 1"):
        plot_reconstructions(x, x, tmp_path / "bad.png", n=0)
    assert list(tmp_path.iterdir()) == []
