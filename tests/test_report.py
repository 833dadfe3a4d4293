"""Tests for paradigms.report: PNG plots and the self-contained HTML run report."""

from __future__ import annotations

import base64
import math
import re
import stat
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from paradigms.report import confusion as confusion_module
from paradigms.report import images as images_module
from paradigms.report import (
    plot_confusion_matrix,
    plot_image_grid,
    plot_learning_curves,
    plot_predictions_vs_truth,
    write_html_report,
)
from paradigms.report import regression as regression_module
from paradigms.report.curves import _use_log_scale

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path) -> tuple[int, int]:
    """Check ``path`` is a readable PNG with no temp file left beside it; return (H, W)."""
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_MAGIC
    pixels = imread(path)
    assert pixels.ndim == 3 and pixels.shape[2] in (3, 4)
    assert pixels.shape[0] >= 100 and pixels.shape[1] >= 100
    assert not list(path.parent.glob("*.tmp"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    return pixels.shape[0], pixels.shape[1]


def capture_figure(monkeypatch: pytest.MonkeyPatch, module: object) -> list[Figure]:
    """Make ``module.save_png`` record the figure instead of (as well as) saving it."""
    captured: list[Figure] = []
    real = module.save_png  # type: ignore[attr-defined]

    def _save(fig: Figure, path: Path) -> Path:
        captured.append(fig)
        return real(fig, path)

    monkeypatch.setattr(module, "save_png", _save)
    return captured


def history(epochs: int = 8) -> list[dict[str, float]]:
    return [
        {
            "epoch": e,
            "train_loss": 2.0 * 0.5**e,
            "val_loss": 2.2 * 0.55**e,
            "train_accuracy": 1 - 0.5**e,
            "val_accuracy": 1 - 0.6**e,
            "lr": 1e-3,
            "time": 0.2,
        }
        for e in range(1, epochs + 1)
    ]


# ---------------------------------------------------------------- learning curves


def test_learning_curves_two_panels(tmp_path: Path) -> None:
    out = plot_learning_curves(history(), tmp_path / "curves.png")
    assert out == tmp_path / "curves.png"
    h, w = assert_png(out)
    assert w > h  # loss and metrics side by side


def test_learning_curves_only_train_keys_is_one_panel(tmp_path: Path) -> None:
    rows = [{"epoch": e, "train_loss": 1.0 / e} for e in range(1, 6)]
    _, one_w = assert_png(plot_learning_curves(rows, tmp_path / "one.png"))
    _, two_w = assert_png(plot_learning_curves(history(), tmp_path / "two.png"))
    assert two_w > 1.5 * one_w


def test_learning_curves_nan_and_missing_values(tmp_path: Path) -> None:
    rows = history(6)
    rows[2]["val_loss"] = math.nan
    rows[3]["train_accuracy"] = float("inf")
    del rows[4]["val_accuracy"]
    rows.append({"epoch": 7, "train_loss": math.nan})  # a row with nothing plottable
    assert_png(plot_learning_curves(rows, tmp_path / "nan.png"))


def test_learning_curves_without_epoch_key(tmp_path: Path) -> None:
    rows = [{"train_loss": 1.0 / (i + 1), "val_r2": 0.1 * i} for i in range(5)]
    assert_png(plot_learning_curves(rows, tmp_path / "noepoch.png"))


def test_learning_curves_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="empty"):
        plot_learning_curves([], tmp_path / "empty.png")
    with pytest.raises(ValueError, match="no numeric loss"):
        plot_learning_curves([{"epoch": 1, "lr": 0.1}], tmp_path / "nothing.png")
    assert not list(tmp_path.iterdir())


def test_log_scale_rule() -> None:
    assert _use_log_scale({"train_loss": np.array([10.0, 1.0, 0.1])})
    assert not _use_log_scale({"train_loss": np.array([1.0, 0.5, 0.2])})  # < 1 decade
    assert not _use_log_scale({"train_loss": np.array([10.0, -1.0, 0.1])})  # not positive
    assert _use_log_scale({"train_loss": np.array([10.0, np.nan, 0.1])})


# ---------------------------------------------------------------- confusion matrix


def _cell_texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_confusion_matrix_counts_and_accuracy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figs = capture_figure(monkeypatch, confusion_module)
    y_true = [0, 0, 1, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 2, 0, 2]
    assert_png(plot_confusion_matrix(y_true, y_pred, path=tmp_path / "cm.png"))
    ax = figs[0].axes[0]
    assert "accuracy 75.00%" in ax.get_title()
    texts = [int(t) for t in _cell_texts(figs[0])]
    assert len(texts) == 9 and sum(texts) == 8
    assert texts[0] == 1 and texts[4] == 2 and texts[8] == 3  # diagonal
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]


def test_confusion_matrix_string_labels_normalised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figs = capture_figure(monkeypatch, confusion_module)
    y_true = np.array(["cat", "dog", "dog", "bird", "cat", "cat"])
    y_pred = np.array(["cat", "dog", "cat", "bird", "cat", "dog"])
    out = plot_confusion_matrix(y_true, y_pred, path=tmp_path / "cm.png", normalize=True)
    assert_png(out)
    ax = figs[0].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["bird", "cat", "dog"]
    cells = np.array([float(t) for t in _cell_texts(figs[0])]).reshape(3, 3)
    np.testing.assert_allclose(cells.sum(axis=1), 1.0, atol=0.011)
    assert cells[1, 1] == pytest.approx(0.67, abs=0.005)  # 2 of 3 cats
    assert "accuracy 66.67%" in ax.get_title()


def test_confusion_matrix_label_order_and_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figs = capture_figure(monkeypatch, confusion_module)
    plot_confusion_matrix(["b", "a"], ["b", "b"], labels=["b", "a", "c"], path=tmp_path / "1.png")
    names = ["zero", "one", "two"]
    plot_confusion_matrix(np.array([0, 1, 2]), [0, 2, 2], labels=names, path=tmp_path / "2.png")
    assert [t.get_text() for t in figs[0].axes[0].get_xticklabels()] == ["b", "a", "c"]
    assert [t.get_text() for t in figs[1].axes[0].get_xticklabels()] == names


def test_confusion_matrix_many_classes_skips_annotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figs = capture_figure(monkeypatch, confusion_module)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 25, 300)
    small_h, _ = assert_png(plot_confusion_matrix(y % 5, y % 5, path=tmp_path / "small.png"))
    big_h, _ = assert_png(
        plot_confusion_matrix(y, rng.integers(0, 25, 300), path=tmp_path / "b.png")
    )
    assert _cell_texts(figs[0]) and not _cell_texts(figs[1])
    assert big_h > small_h


def test_confusion_matrix_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="length"):
        plot_confusion_matrix([0, 1, 1], [0, 1], path=tmp_path / "x.png")
    with pytest.raises(ValueError, match="empty"):
        plot_confusion_matrix([], [], path=tmp_path / "x.png")
    with pytest.raises(ValueError, match="neither in labels"):
        plot_confusion_matrix(["a", "z"], ["a", "a"], labels=["a", "b"], path=tmp_path / "x.png")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- regression


def test_predictions_vs_truth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figs = capture_figure(monkeypatch, regression_module)
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    pred = y + 0.3 * rng.normal(size=200)
    expected = 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)
    assert_png(plot_predictions_vs_truth(y, pred.reshape(-1, 1), tmp_path / "r.png", title="Fit"))
    title = figs[0].axes[0].get_title()
    assert title.startswith("Fit") and f"R² = {expected:.4f}" in title
    labels = [line.get_label() for line in figs[0].axes[0].get_lines()]
    assert "y = x" in labels


def test_predictions_vs_truth_multi_output_and_nan(tmp_path: Path) -> None:
    y = np.arange(20, dtype=float).reshape(10, 2)
    pred = y + 0.5
    pred[3, 1] = np.nan
    assert_png(plot_predictions_vs_truth(y, pred, tmp_path / "multi.png"))


def test_predictions_vs_truth_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="shape"):
        plot_predictions_vs_truth([1.0, 2.0, 3.0], [1.0, 2.0], tmp_path / "x.png")
    with pytest.raises(ValueError, match="finite"):
        plot_predictions_vs_truth([np.nan], [1.0], tmp_path / "x.png")


# ---------------------------------------------------------------- image grid


@pytest.mark.parametrize("shape", [(10, 12, 12), (10, 1, 12, 12), (10, 3, 12, 12)])
def test_image_grid_shapes(tmp_path: Path, shape: tuple[int, ...]) -> None:
    images = np.random.default_rng(0).normal(loc=50.0, scale=30.0, size=shape)
    titles = [f"#{i}" for i in range(shape[0])]
    assert_png(plot_image_grid(images, tmp_path / "grid.png", titles=titles, title="Samples"))


def test_image_grid_layout_and_colour(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figs = capture_figure(monkeypatch, images_module)
    gray = np.linspace(-5, 5, 7 * 8 * 8).reshape(7, 1, 8, 8)
    plot_image_grid(gray, tmp_path / "g.png", ncols=3)
    axes = figs[0].axes
    assert len(axes) == 9  # 3 x 3, two left empty
    shown = [ax.images[0] for ax in axes if ax.images]
    assert len(shown) == 7
    assert shown[0].get_cmap().name == "gray"
    data = np.asarray(shown[0].get_array())
    assert data.min() == pytest.approx(0.0) and data.max() == pytest.approx(1.0)

    rgb = np.full((2, 3, 4, 4), 7.0)  # constant images must not divide by zero
    plot_image_grid(rgb, tmp_path / "c.png")
    data = np.asarray(figs[1].axes[0].images[0].get_array())
    assert data.shape == (4, 4, 3) and np.all(np.isfinite(data))


def test_image_grid_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="titles"):
        plot_image_grid(np.zeros((3, 4, 4)), tmp_path / "x.png", titles=["a"])
    with pytest.raises(ValueError, match="channels"):
        plot_image_grid(np.zeros((3, 2, 4, 5)), tmp_path / "x.png")
    with pytest.raises(ValueError, match="empty"):
        plot_image_grid(np.zeros((0, 4, 4)), tmp_path / "x.png")


# ---------------------------------------------------------------- file safety


def test_failed_render_keeps_old_file_and_leaves_no_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "curves.png"
    plot_learning_curves(history(), target)
    before = target.read_bytes()

    def _boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Figure, "savefig", _boom)
    with pytest.raises(RuntimeError, match="disk full"):
        plot_learning_curves(history(), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]


def test_plotting_does_not_touch_pyplot(tmp_path: Path) -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    open_figures = pyplot.get_fignums() if pyplot is not None else None
    plot_learning_curves(history(), tmp_path / "a.png")
    plot_image_grid(np.zeros((2, 4, 4)), tmp_path / "b.png")
    plot_predictions_vs_truth([1.0, 2.0], [1.0, 2.5], tmp_path / "c.png")
    plot_confusion_matrix([0, 1], [0, 1], path=tmp_path / "d.png")
    if pyplot is None:  # nothing imported it before, and plotting must not either
        assert "matplotlib.pyplot" not in sys.modules
    else:  # imported elsewhere: its list of open figures must be unchanged
        assert pyplot.get_fignums() == open_figures


# ---------------------------------------------------------------- HTML report


def make_run(tmp_path: Path, metric_rows: int = 5) -> Path:
    run = tmp_path / "run"
    plot_learning_curves(history(), run / "plots" / "curves.png")
    plot_confusion_matrix([0, 1, 1], [0, 1, 0], path=run / "plots" / "confusion.png")
    lines = ["epoch,train_loss,val_accuracy"]
    lines += [f"{e},{1.0 / e:.4f},{0.5 + e / 1000:.3f}" for e in range(1, metric_rows + 1)]
    (run / "metrics.csv").write_text("\n".join(lines) + "\n")
    return run


def test_html_report_contents(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    out = write_html_report(
        run,
        title="MLP <on> digits",
        summary={"test_accuracy": 0.9312345, "note": "<script>alert(1)</script>", "epochs": 8},
        config={"lr": 0.001, "model": {"hidden": [64, 32]}, "tag": "a&b"},
    )
    assert out == run / "report.html"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert not list(run.glob("*.tmp"))
    page = out.read_text(encoding="utf-8")

    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<h1>MLP &lt;on&gt; digits</h1>" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "0.931234" in page and ">8<" in page

    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2
    for data in images:
        assert base64.b64decode(data)[:8] == PNG_MAGIC
    assert "<figcaption><code>confusion.png</code></figcaption>" in page
    assert "<figcaption><code>curves.png</code></figcaption>" in page
    assert 'src="plots/' not in page  # nothing refers to outside files

    assert "<th>train_loss</th>" in page
    for e in range(1, 6):
        assert f'<td class="num">{0.5 + e / 1000:.3f}</td>' in page
    assert "truncated" not in page

    assert "<pre>" in page and "&quot;hidden&quot;: [" in page and "a&amp;b" in page


def test_html_report_truncates_long_metrics(tmp_path: Path) -> None:
    run = make_run(tmp_path, metric_rows=250)
    page = write_html_report(run, "t", {}).read_text(encoding="utf-8")
    body = page.split('<table class="metrics">', 1)[1]
    assert body.count("<tr>") == 1 + 200  # header + capped rows
    assert "first 200 of 250 rows" in page and "truncated" in page
    assert ">200<" in body and ">201<" not in body


def test_html_report_optional_parts(tmp_path: Path) -> None:
    run = tmp_path / "bare"
    run.mkdir()
    page = write_html_report(run, "Bare", {"a": 1}, metrics_csv=None).read_text()
    assert "Bare" in page and "data:image/png" not in page
    assert '<table class="metrics">' not in page and "<pre>" not in page

    full = make_run(tmp_path)
    page = write_html_report(full, "x", {}, metrics_csv=None, plots_dir="nowhere").read_text()
    assert "data:image/png" not in page and '<table class="metrics">' not in page


def test_html_report_missing_run_dir(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an existing folder"):
        write_html_report(tmp_path / "missing", "t", {})
    assert not (tmp_path / "missing").exists()
