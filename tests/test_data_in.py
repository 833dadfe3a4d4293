"""Your data in: CSV tables, image folders and torch Datasets, from Python and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from paradigms.cli import main
from paradigms.data import ArrayDataset, image_folder, load_dataset, load_digits
from paradigms.data.tables import load_csv
from paradigms.supervised import Classifier, Regressor
from paradigms.transfer import FineTuner
from paradigms.unsupervised import AutoEncoder


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _images(root: Path, per_class: int = 6, sizes=((8, 8), (8, 8))) -> Path:
    from PIL import Image

    rng = np.random.default_rng(0)
    for label, (name, size) in enumerate(zip(("dark", "light"), sizes, strict=True)):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 80, (*size, 3)) + 150 * label
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{i}.png")
    return root


def test_csv_with_text_labels_numeric_labels_values_or_none(tmp_path):
    path = _csv(tmp_path / "t.csv", "a,b,label\n1,2,cat\n3,4.5,dog\n\n5,6,cat\n")
    data = load_csv(path, "label")
    assert data.X.shape == (3, 2) and data.X.dtype == np.float32
    assert data.feature_names == ["a", "b"] and data.y.tolist() == ["cat", "dog", "cat"]
    assert data.task == "classification" and data.target_names == ["cat", "dog"]
    coded = load_csv(_csv(tmp_path / "c.csv", "x,y\n1,0\n2,1\n3,1\n"), "y")
    assert coded.y.dtype == np.int64 and coded.task == "classification"
    values = load_csv(_csv(tmp_path / "r.csv", "x,y\n1,0.5\n2,1.25\n3,9.75\n"), "y")
    assert values.task == "regression" and values.target_names is None
    unlabelled = load_dataset(tmp_path / "r.csv")  # no target: every column a feature
    assert unlabelled.task == "unlabeled" and unlabelled.X.shape == (3, 2)


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        ("", "y", "is empty"),
        ("a,y\n", "y", "header but no data rows"),
        ("a,b\n1,2\n", "label", r"target column 'label' is not in bad.csv; its columns are \['a'"),
        ("a,y\n1,0\nfoo,1\n", "y", "line 3, column 'a': 'foo' is not a finite number"),
        ("a,y\n1,0\n2\n", "y", "line 3 has 1 values; the header has 2"),
        ("a,y\n1,0\ninf,1\n", "y", "'inf' is not a finite number"),
        ("a,y\n1,0\n2,\n", "y", "line 3: the target column 'y' is empty"),
        ("y\n1\n", "y", "no feature column besides the target"),
    ],
)
def test_bad_csv_files_name_the_line_or_column(tmp_path, text, target, message):
    path = _csv(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=message):
        load_csv(path, target)


def test_dataset_names_route_to_the_right_loader(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_csv(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match=r"target='y' names a column of a \.csv file"):
        load_dataset("wine", target="y")
    root = _images(tmp_path / "pictures")
    for name in (root, str(root)):
        data = load_dataset(name)
        assert data.X.shape == (12, 3, 8, 8) and data.target_names == ["dark", "light"]
        assert data.y.tolist() == [0] * 6 + [1] * 6
    mixed = _images(tmp_path / "mixed", 2, ((8, 8), (10, 12)))
    with pytest.raises(ValueError, match="--image-size 64 resizes every image"):
        load_dataset(mixed)
    assert load_dataset(mixed, image_size=6).X.shape == (4, 3, 6, 6)


def test_estimators_fit_a_torch_dataset(tmp_path):
    X, y = load_digits(images=True)
    clf = Classifier(max_epochs=2, random_state=0).fit(ArrayDataset(X[:200], y[:200]))
    same = Classifier(max_epochs=2, random_state=0).fit(X[:200], y[:200])
    np.testing.assert_array_equal(clf.predict(X[200:260]), same.predict(X[200:260]))
    assert clf.predict(ArrayDataset(X[200:205])).shape == (5,)
    reg = Regressor(max_epochs=1, random_state=0).fit(ArrayDataset(X[:50], y[:50] * 0.5))
    assert reg.predict(X[:3]).shape == (3,)
    ae = AutoEncoder(max_epochs=1, random_state=0).fit(ArrayDataset(X[:50], y[:50]))
    assert ae.transform(ArrayDataset(X[:4])).shape == (4, 32)  # the default latent_dim
    folder = image_folder(_images(tmp_path / "pictures"), size=8)
    tuner = FineTuner(model="test_resnet", weights=None, max_epochs=1, random_state=0)
    assert set(tuner.fit(folder).predict(folder)) <= {0, 1}
    with pytest.raises(ValueError, match=r"got both a Dataset \(ArrayDataset\) and y"):
        Classifier().fit(ArrayDataset(X[:10], y[:10]), y[:10])
    with pytest.raises(ValueError, match="samples carry no target"):
        Classifier().fit(ArrayDataset(X[:10]))


def test_cli_trains_on_a_csv_table_and_an_image_folder(tmp_path, capsys):
    rng = np.random.default_rng(0)
    lines = ["width,height,kind"] + [
        f"{w:.3f},{h:.3f},{'wide' if w > h else 'tall'}" for w, h in rng.random((80, 2))
    ]
    table = _csv(tmp_path / "boxes.csv", "\n".join(lines) + "\n")
    argv = ["supervised", "--dataset", str(table), "--target", "kind", "--max-epochs", "3"]
    assert main([*argv, "--out", str(tmp_path / "csv"), "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["task"] == "classification" and summary["n_test"] == 20
    assert (tmp_path / "csv" / "plots" / "attributions.png").is_file()  # width, height named
    assert main(["supervised", "--dataset", str(table), "--out", str(tmp_path / "x")]) == 2
    assert "--target kind" in capsys.readouterr().err  # the text column is named
    numbers = _csv(tmp_path / "n.csv", "a,b\n1,2\n3,4\n5,6\n")
    assert main(["supervised", "--dataset", str(numbers), "--out", str(tmp_path / "y")]) == 2
    assert "--target COLUMN" in capsys.readouterr().err
    root = _images(tmp_path / "pictures", per_class=8, sizes=((8, 8), (9, 9)))
    argv = ["supervised", "--dataset", str(root), "--image-size", "8", "--max-epochs", "2"]
    assert main([*argv, "--out", str(tmp_path / "img"), "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["backbone"] == "cnn"
