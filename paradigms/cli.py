"""The ``paradigms`` command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from paradigms import __version__
from paradigms._cli_commands import RUN_COMMANDS
from paradigms._cli_out import check_out, write_failure
from paradigms._common.checks import batch_size_option, epochs_option
from paradigms._common.errors import RunWriteError
from paradigms._common.files import DISK_ERRNOS, write_error
from paradigms._common.run_options import option_help

#: options whose values are parsed by a function rather than by their default's type
_OPTION_TYPES = {"max_epochs": epochs_option}
#: the same, where the option's default is "auto" (elsewhere it takes numbers only)
_AUTO_OPTION_TYPES = {"batch_size": batch_size_option}


def _with_own_message(parse: Any) -> Any:
    """``parse`` for argparse: its ``ValueError`` message is shown, not argparse's generic
    "invalid <function> value"."""

    def option(value: str) -> Any:
        try:
            return parse(value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return option


def _add_run_parser(
    sub: argparse._SubParsersAction,
    name: str,
    config_cls: type,
    help_text: str,
    description: str,
    *,
    data: str = "dataset",
    help_overrides: dict[str, str] | None = None,
    resumable: bool = True,
) -> argparse.ArgumentParser:
    """A subcommand whose options are the fields of a run-config dataclass, plus run options.

    Args:
        sub: the subparsers to add to.
        name: the subcommand.
        config_cls: the run-config dataclass; each field becomes ``--field-name``.
        help_text: the one-line help in ``paradigms --help``.
        description: the subcommand's ``--help`` description.
        data: what names the default run folder (``runs/<name>-<data>-<time>``).
        help_overrides: option help texts that replace the run config's for this subcommand
            (``paradigms tune rl --timesteps`` counts per trial).
        resumable: add ``--resume`` (a study resumes by naming its ``--storage`` again).
    """
    helps = {**option_help(config_cls), **(help_overrides or {})}
    p = sub.add_parser(
        name,
        help=help_text,
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    defaults = config_cls()
    for field in fields(config_cls):
        default = getattr(defaults, field.name)
        flag, help_text = f"--{field.name.replace('_', '-')}", helps.get(field.name, "")
        if isinstance(default, bool):  # --flag / --no-flag
            p.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=default, help=help_text
            )
        else:
            parsers = {**_OPTION_TYPES, **(_AUTO_OPTION_TYPES if default == "auto" else {})}
            parse = parsers.get(field.name)
            kind = type(default) if parse is None else _with_own_message(parse)
            p.add_argument(flag, type=kind, default=default, help=help_text)
    p.add_argument(
        "--out", default=None, help=f"run directory (default: runs/{name}-<{data}>-<time>)"
    )
    if resumable:
        p.add_argument(
            "--resume", action="store_true", help="continue the interrupted run in --out"
        )
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return p


def _add_tune_parser(sub: argparse._SubParsersAction) -> None:
    """``paradigms tune supervised|unsupervised|transfer|rl [that run's options] --trials N``."""

    tune = sub.add_parser(
        "tune",
        help="search a paradigm's hyperparameters with Optuna -> DIR/best_params.json",
        description="An Optuna study (TPE sampler, median pruner fed by each epoch's "
        "validation metric or each evaluation's return) over the search space in "
        "paradigms/_common/search_spaces.json (rl-baselines3-zoo's for RL), then the best "
        "parameters against the defaults on held-out data. Several processes or machines join "
        "one study by passing the same --storage and --study-name. Needs pip install "
        "'paradigms[tune]'.",
    )
    kinds = tune.add_subparsers(dest="paradigm", metavar="PARADIGM", required=True)
    for name, command in RUN_COMMANDS.items():
        p = _add_run_parser(
            kinds,
            name,
            command.config_class(),
            f"tune what 'paradigms {name}' trains",
            f"Tune the hyperparameters of what 'paradigms {name}' trains.",
            data=command.data,
            help_overrides=command.tune_help,
            resumable=False,
        )
        p.add_argument("--trials", type=int, default=20, help="finished trials of the study")
        p.add_argument("--timeout", type=float, default=None, help="seconds for this process")
        p.add_argument(
            "--storage",
            default=None,
            help="Optuna storage shared by processes/machines: sqlite:///study.db, "
            "postgresql://user:pass@host/db, mysql://... (default: in memory)",
        )
        p.add_argument("--study-name", default=None, help="the study's name in --storage")
        p.add_argument("--tune-seed", type=int, default=0, help="the TPE sampler's seed")


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
    tour.add_argument("--quick", action="store_true", help="fewer epochs and steps (~3 min)")
    tour.add_argument("--out", default=None, help="tour folder (default: runs/tour-<time>)")
    parsers = {
        name: _add_run_parser(
            sub,
            name,
            command.config_class(),
            command.help,
            command.description,
            data=command.data,
        )
        for name, command in RUN_COMMANDS.items()
    }
    parsers["rl"].add_argument(
        "--list-presets",
        action="store_true",
        help="list the envs and algorithms with tuned hyperparameters, then exit",
    )
    sub.add_parser("backbones", help="list registered backbones")
    _add_tune_parser(sub)
    export = sub.add_parser(
        "export",
        help="write a run's model (or an rl run's policy) as ONNX",
        description="Rebuild the model a run directory holds from its files and write it as "
        "ONNX with a dynamic batch size, checked against torch with onnxruntime: a supervised "
        "run's classifier/regressor, a transfer run's fine-tuned model, an unsupervised run's "
        "encoder, an rl run's deterministic policy (observation in, action out). A saved "
        ".safetensors backbone works too. Needs pip install 'paradigms[onnx]'.",
    )
    export.add_argument("run_dir", help="a run directory (or a .safetensors backbone file)")
    export.add_argument("--out", default=None, help="the .onnx file (default: RUN_DIR/model.onnx)")
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
    started = False
    try:
        check_out(args)  # fail fast: before the paradigm's heavy imports and any training
        started = True
        return _dispatch(args)
    except (ValueError, TypeError, ImportError) as exc:  # ImportError: an extra's hint
        print(f"paradigms {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a failed write: one line with the file, the cause and the fix
        if not isinstance(exc, RunWriteError) and exc.errno not in DISK_ERRNOS:
            raise
        message = write_failure(write_error(exc.filename, exc), args, started)
        print(f"paradigms {args.command}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; rerun with --resume and the same --out to continue", file=sys.stderr)
        return 130


def _config_from_args(config_cls: type, args: argparse.Namespace) -> Any:
    return config_cls(**{f.name: getattr(args, f.name) for f in fields(config_cls)})


def _tune(args: argparse.Namespace) -> int:
    from paradigms._common.tuning import StudyOptions

    options = StudyOptions(args.trials, args.timeout, args.storage, args.study_name, args.tune_seed)
    command = RUN_COMMANDS[args.paradigm]
    config = _config_from_args(command.config_class(), args)
    summary = command.tune_function()(config, options, args.out)
    print(json.dumps(summary, indent=2))
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "backbones":
        from paradigms.backbones import list_backbones

        for name in list_backbones():
            print(name)
        return 0
    if args.command == "export":
        from paradigms.export import export_run

        result = export_run(args.run_dir, args.out)
        difference = result.max_abs_difference
        checked = "not checked (no onnxruntime)" if difference is None else f"{difference:.2e}"
        print(
            f"wrote {result.path}: {result.input_name} (batch, "
            f"{', '.join(map(str, result.input_shape))}) -> {', '.join(result.output_names)}; "
            f"onnxruntime vs torch max |difference|: {checked}"
        )
        return 0
    if args.command == "tune":
        return _tune(args)
    if args.command == "rl" and args.list_presets:
        from paradigms.reinforcement.presets import list_presets

        for env_id, algos in sorted(list_presets().items()):
            print(f"{env_id:<28} {' '.join(algos)}")
        print(f"{'ALE/<Game>-v5 (every Atari)':<28} ppo a2c dqn  (needs paradigms[atari])")
        print("any other env: defaults derived from the env and --timesteps")
        return 0
    if args.command == "tour":
        from paradigms.tour import run_tour

        print(f"paradigms tour{' --quick' if args.quick else ''}: training on bundled data...")
        root = run_tour(quick=args.quick, out=args.out, progress=False, echo=print)
        print(f"done; report in {root / 'report.html'}")
        return 0
    progress = not args.no_progress and sys.stderr.isatty()
    command = RUN_COMMANDS[args.command]
    config = _config_from_args(command.config_class(), args)
    summary = command.run_function()(config, out=args.out, resume=args.resume, progress=progress)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
