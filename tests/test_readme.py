"""Every Python block of README.md runs, top to bottom, so the examples cannot drift.

The blocks run in one fresh interpreter (a later block may use an earlier one's names) in a
temporary folder. Training budgets are cut by the substitutions below; each must match the
README exactly once, so editing an example without updating its budget fails here too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: (README text, what the test runs instead): tiny budgets for the blocks that train
BUDGETS = [
    ("Classifier(unlabelled_label=-1, random_state=0).fit(X_tr, y_few)",
     "Classifier(unlabelled_label=-1, random_state=0, semi_supervised_steps=20).fit(X_tr, y_few)"),
    ("label_efficiency(X_tr, y_tr, X_te, y_te)",
     "label_efficiency(X_tr, y_tr, X_te, y_te, [1, 'all'], ['supervised', 'svc'], draws=1, "
     "classifier_params={'max_epochs': 2})"),
    ("AutoEncoder(random_state=0).fit(X_tr)",
     "AutoEncoder(max_epochs=2, random_state=0).fit(X_tr)"),
    ("agent.learn(100_000)", "agent.learn(1_000)"),
    ("cloned.learn(20_000)", "cloned.learn(512)"),
    ("n_steps=1_000)", "n_steps=300)"),
    ("n_steps=2_000)", "n_steps=200)"),
    ("AutoEncoder(kind=\"plain\", latent_dim=8, max_epochs=10, random_state=0).fit(X)",
     "AutoEncoder(kind=\"plain\", latent_dim=8, max_epochs=1, random_state=0).fit(X)"),
    ("eyes.learn(4_096)", "eyes.learn(512)"),
    ("total_timesteps=20_000", "total_timesteps=512"),
    ('Agent("CartPole-v1", algo="ppo", seed=0).learn(30_000)',
     'Agent("CartPole-v1", algo="ppo", seed=0).learn(1_000)'),
    ('trials=20, out="tune-digits")', 'trials=2, out="tune-digits")'),
    ("timesteps=20_000, trials=20,", "timesteps=512, trials=2, n_evaluations=1, eval_episodes=1,"),
]  # fmt: skip


def readme_blocks() -> list[str]:
    """The ```python blocks of README.md, in order."""
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_every_budget_substitution_still_matches_the_readme():
    code = "\n".join(readme_blocks())
    for original, _ in BUDGETS:
        assert code.count(original) == 1, f"README no longer contains {original!r} once"


@pytest.mark.slow
def test_readme_python_blocks_run(tmp_path):
    blocks = readme_blocks()
    assert len(blocks) >= 6
    code = "\n".join(blocks)
    for original, cut in BUDGETS:
        code = code.replace(original, cut)
    script = tmp_path / "readme_blocks.py"
    script.write_text(code)
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    written_files = ("digits.safetensors", "label_efficiency.png", "enc.safetensors", "digits.onnx")
    for written in (*written_files, "cartpole.onnx", "encoder.onnx", "tune-digits/trials.csv"):
        assert (tmp_path / written).is_file(), written
    assert (tmp_path / "plots" / "attributions.png").is_file()
