"""The ``paradigms`` command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from paradigms import __version__

_NOT_YET = {
    "unsupervised": "autoencoders (issue: unsupervised paradigm)",
    "transfer": "fine-tuning pretrained timm models (issue: transfer paradigm)",
    "rl": "Gymnasium agents on stable-baselines3 (issue: reinforcement paradigm)",
}


def _add_supervised(sub: argparse._SubParsersAction) -> None:
    from paradigms.supervised.run_config import SupervisedRunConfig

    d = SupervisedRunConfig()
    p = sub.add_parser(
        "supervised",
        help="train a Classifier/Regressor on a bundled dataset or your .npz file",
        description="Train, evaluate on a held-out test split, and write a run directory "
        "(config.json, metrics.csv, checkpoint, backbone/model weights, plots/*.png, report.html).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--dataset",
        default=d.dataset,
        help="digits | iris | wine | breast_cancer | diabetes | moons | blobs | shapes "
        "| PATH.npz (arrays X and y)",
    )
    p.add_argument(
        "--backbone",
        default=d.backbone,
        help="auto | mlp | cnn | timm:<model> | PATH.safetensors",
    )
    p.add_argument("--max-epochs", type=int, default=d.max_epochs, help="passes over the data")
    p.add_argument("--batch-size", type=int, default=d.batch_size, help="samples per step")
    p.add_argument("--lr", type=float, default=d.lr, help="peak one-cycle learning rate")
    p.add_argument("--seed", type=int, default=d.seed, help="seeds split, init and shuffling")
    p.add_argument("--test-size", type=float, default=d.test_size, help="held-out test share")
    p.add_argument(
        "--validation-fraction",
        type=float,
        default=d.validation_fraction,
        help="share of the training data reported as val_* each epoch",
    )
    p.add_argument("--device", default=d.device, help="auto | cpu | cuda | cuda:N")
    p.add_argument(
        "--out", default=None, help="run directory (default: runs/supervised-<dataset>-<time>)"
    )
    p.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``paradigms``."""
    parser = argparse.ArgumentParser(
        prog="paradigms",
        description="Four ways a neural network learns, on one shared backbone package.",
    )
    parser.add_argument("--version", action="version", version=f"paradigms {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    tour = sub.add_parser("tour", help="the main job: every paradigm and cross-paradigm flow")
    tour.add_argument("--quick", action="store_true", help="fewer epochs (about a minute)")
    tour.add_argument("--out", default=None, help="tour folder [default: runs/tour-<time>]")
    _add_supervised(sub)
    for name, what in _NOT_YET.items():
        sub.add_parser(name, help=f"{what} (not available yet)")
    sub.add_parser("backbones", help="list registered backbones")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _dispatch(args)
    except (ValueError, TypeError) as exc:
        print(f"paradigms {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; rerun with --resume and the same --out to continue", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "backbones":
        from paradigms.backbones import list_backbones

        for name in list_backbones():
            print(name)
        return 0
    if args.command in _NOT_YET:
        print(
            f"paradigms {args.command}: {_NOT_YET[args.command]} is not available in this "
            f"version ({__version__}) yet.",
            file=sys.stderr,
        )
        return 2
    if args.command == "tour":
        from paradigms.tour import run_tour

        print(f"paradigms tour{' --quick' if args.quick else ''}: training on bundled data...")
        steps = run_tour(quick=args.quick, out=args.out, progress=False, echo=print)
        print(
            f"done: {len(steps)} steps; report in {steps[0].run_dir.rsplit('/', 1)[0]}/report.html"
        )
        return 0
    if args.command == "supervised":
        from paradigms.supervised.run import SupervisedRunConfig, run_supervised

        config = SupervisedRunConfig(
            dataset=args.dataset,
            backbone=args.backbone,
            max_epochs=args.max_epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            seed=args.seed,
            test_size=args.test_size,
            validation_fraction=args.validation_fraction,
            device=args.device,
        )
        summary = run_supervised(
            config,
            out=args.out,
            resume=args.resume,
            progress=not args.no_progress and sys.stderr.isatty(),
        )
        print(json.dumps(summary, indent=2))
        return 0
    raise AssertionError(f"unhandled command {args.command}")  # argparse restricts choices


if __name__ == "__main__":
    sys.exit(main())
