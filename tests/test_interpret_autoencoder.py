"""Latent traversals, reconstruction-error maps, attribution plots and captions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from paradigms.data import load_dataset, load_digits
from paradigms.report import (
    plot_attribution_maps,
    plot_feature_importance,
    plot_latent_traversal,
    plot_reconstruction_errors,
    plot_sample_attributions,
    read_captions,
    write_caption,
    write_html_report,
)
from paradigms.unsupervised import AutoEncoder

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def digits_ae():
    X, _ = load_digits(images=True)
    return AutoEncoder(latent_dim=4, max_epochs=4, random_state=0).fit(X[:600]), X[600:900]


def test_traversal_moves_one_unit_per_row(digits_ae):
    ae, X = digits_ae
    found = ae.latent_traversal(X, units=[2, 0], steps=5, span=1.5)
    assert found.decoded.shape == (2, 5, 1, 8, 8) and found.units == [2, 0]
    codes = ae.transform(X)
    for row, unit in enumerate(found.units):
        expected = np.linspace(-1.5, 1.5, 5) * codes[:, unit].std() + codes[:, unit].mean()
        np.testing.assert_allclose(found.values[row], expected, rtol=1e-5)
    # the middle step of every row decodes the reference code with that unit at its mean
    grid = np.repeat(found.reference[None], 2, axis=0)
    grid[[0, 1], [2, 0]] = [codes[:, 2].mean(), codes[:, 0].mean()]
    np.testing.assert_allclose(found.decoded[:, 2], ae.inverse_transform(grid), atol=1e-4)
    default = ae.latent_traversal(X)
    spread = codes.std(axis=0)
    assert default.units == list(np.argsort(-spread, kind="stable")) and len(default.units) == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"units": [4]}, r"latent units in 0..3"),
        ({"units": []}, "non-empty list"),
        ({"steps": 1}, "steps must be >= 2"),
        ({"span": 0.0}, "span > 0"),
    ],
)
def test_bad_traversals_are_explained(digits_ae, kwargs, message):
    ae, X = digits_ae
    with pytest.raises(ValueError, match=message):
        ae.latent_traversal(X, **kwargs)


def test_traversal_needs_a_fitted_model_and_two_samples(digits_ae):
    with pytest.raises(ValueError, match="not fitted"):
        AutoEncoder().latent_traversal(np.zeros((3, 4)))
    ae, X = digits_ae
    with pytest.raises(ValueError, match="at least 2 samples"):
        ae.latent_traversal(X[:1])


def test_autoencoder_plots_for_images_and_tables(tmp_path, digits_ae):
    ae, X = digits_ae
    found = ae.latent_traversal(X, steps=4)
    path = plot_latent_traversal(found.decoded, found.values, found.units, tmp_path / "t.png")
    assert path.read_bytes().startswith(PNG)
    rebuilt = ae.inverse_transform(ae.transform(X[:5]))
    errors = ae.reconstruction_error(X[:5])
    plot_reconstruction_errors(X[:5], rebuilt, errors, tmp_path / "e.png")
    wine = load_dataset("wine").X
    tab = AutoEncoder(latent_dim=2, max_epochs=2, random_state=0).fit(wine)
    found = tab.latent_traversal(wine)
    assert found.decoded.shape == (2, 7, 13)
    plot_latent_traversal(found.decoded, found.values, found.units, tmp_path / "tt.png")
    back = tab.inverse_transform(tab.transform(wine[:4]))
    plot_reconstruction_errors(wine[:4], back, tab.reconstruction_error(wine[:4]), tmp_path / "x")
    assert all(p.read_bytes().startswith(PNG) for p in tmp_path.iterdir())
    with pytest.raises(ValueError, match="same non-empty set of samples"):
        plot_reconstruction_errors(X[:5], rebuilt[:4], errors, tmp_path / "bad.png")
    with pytest.raises(ValueError, match="decoded must be"):
        plot_latent_traversal(found.decoded, found.values[:1], found.units, tmp_path / "bad.png")


def test_attribution_plots_check_their_inputs(tmp_path):
    images = np.random.default_rng(0).random((3, 1, 8, 8))
    plot_attribution_maps(images, images - 0.5, tmp_path / "signed.png", titles=["a", "b", "c"])
    plot_attribution_maps(images[:, 0], images[:, 0], tmp_path / "positive.png")
    plot_feature_importance(np.ones((4, 3)), tmp_path / "bars.png", ["a", "b", "c"])
    plot_sample_attributions(np.eye(3) - 0.5, tmp_path / "samples.png", titles=["1", "2", "3"])
    assert all(p.read_bytes().startswith(PNG) for p in tmp_path.glob("*.png"))
    with pytest.raises(ValueError, match="must share a non-empty shape"):
        plot_attribution_maps(images, images[:2], tmp_path / "bad.png")
    with pytest.raises(ValueError, match="got 2 feature names for 3 features"):
        plot_feature_importance(np.ones((4, 3)), tmp_path / "bad.png", ["a", "b"])
    with pytest.raises(ValueError, match="got 1 titles for 3 samples"):
        plot_sample_attributions(np.eye(3), tmp_path / "bad.png", titles=["1"])


def test_captions_are_kept_beside_the_plots_and_shown_in_the_report(tmp_path):
    plots = tmp_path / "plots"
    png = plot_feature_importance(np.ones((2, 2)), plots / "bars.png")
    assert write_caption(png, "What  the\nbars show.") == png
    write_caption(plot_feature_importance(np.ones((2, 2)), plots / "more.png"), "Second.")
    assert read_captions(plots) == {"bars.png": "What the bars show.", "more.png": "Second."}
    assert json.loads((plots / "captions.json").read_text())["more.png"] == "Second."
    page = write_html_report(tmp_path, "t", {"a": 1}, texts={"Report": "x < y"}).read_text()
    assert "What the bars show. <code>bars.png</code>" in page
    assert "<h2>Report</h2>\n<pre>x &lt; y</pre>" in page
    (plots / "captions.json").write_text("not json")
    assert read_captions(plots) == {}
