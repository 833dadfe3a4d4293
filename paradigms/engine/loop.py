"""``fit``: the one training loop shared by the supervised, unsupervised and transfer paradigms."""

from __future__ import annotations

import logging
import math
import numbers
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from paradigms._common.device import resolve_device
from paradigms._common.errors import NonFiniteLossError
from paradigms._common.seeding import seed_everything
from paradigms._common.threads import stderr_is_terminal
from paradigms.engine.batching import Data, make_batches
from paradigms.engine.callbacks import Callback, CSVLogger
from paradigms.engine.checkpoint import (
    CHECKPOINT_NAME,
    Checkpoint,
    load_checkpoint,
    restore_checkpoint,
)
from paradigms.engine.distributed import average_across_ranks, setup_distributed, wrap_model
from paradigms.engine.history import History
from paradigms.engine.optim import make_optimizer, make_scheduler
from paradigms.engine.state import TrainState

logger = logging.getLogger(__name__)

LossFn = Callable[[Any, torch.Tensor], torch.Tensor]
MetricFn = Callable[[Any, torch.Tensor], float]


def fit(
    model: nn.Module,
    loss_fn: LossFn,
    train: Data,
    val: Data | None = None,
    *,
    max_epochs: int = 10,
    batch_size: int = 64,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    optimizer: str = "adamw",
    scheduler: str = "onecycle",
    param_groups: Sequence[Mapping[str, Any]] | None = None,
    grad_clip: float | None = None,
    metrics: Mapping[str, MetricFn] | None = None,
    callbacks: Iterable[Callback] = (),
    device: str | torch.device = "auto",
    seed: int | None = 0,
    run_dir: str | os.PathLike[str] | None = None,
    resume: bool = False,
    progress: bool | str = "auto",
    num_workers: int = 0,
) -> History:
    """Train ``model`` to minimise ``loss_fn`` and return the per-epoch history.

    Each step: ``output = model(inputs)``, ``loss = loss_fn(output, target)`` where a batch is
    ``(inputs, target)``, or ``(inputs,)`` in which case ``target`` is ``inputs``
    (reconstruction). The model is trained in place.

    Args:
        model: any ``nn.Module``.
        loss_fn: ``(output, target) -> scalar tensor``.
        train: ``(X, y)``/``(X,)`` arrays or tensors (fast in-memory path), or a torch Dataset
            yielding ``(x, y)`` (DataLoader path).
        val: validation data in the same forms, or ``None``.
        max_epochs: passes over ``train``.
        batch_size: samples per optimisation step.
        lr: peak learning rate (of the one-cycle schedule by default).
        weight_decay: decoupled weight decay (AdamW).
        optimizer: ``"adamw"``, ``"adam"`` or ``"sgd"``.
        scheduler: ``"onecycle"`` (default), ``"cosine"`` or ``"constant"``; stepped per batch.
        param_groups: optional optimizer parameter groups (each may set its own ``"lr"``, used
            as that group's peak), e.g. for a lower backbone learning rate.
        grad_clip: clip the global gradient norm to this value.
        metrics: ``{name: fn(outputs, targets) -> float}`` computed on the whole validation set
            each epoch and recorded as ``val_<name>``.
        callbacks: e.g. ``EarlyStopping``, ``Checkpoint``, ``CSVLogger``, ``TensorBoardLogger``.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``...
        seed: seeds shuffling and dropout; two CPU runs with the same seed are identical.
        run_dir: when given, ``metrics.csv`` and ``checkpoint.pt`` are written there.
        resume: continue from ``run_dir/checkpoint.pt`` when it exists.
        progress: show a tqdm bar: ``True``, ``False`` or ``"auto"`` (when stderr is a TTY).
        num_workers: DataLoader workers for the Dataset path.

    Returns:
        The :class:`History` (also restored from the checkpoint on resume).

    Raises:
        NonFiniteLossError: (a ``ValueError``) if the loss becomes NaN or infinite.
        ValueError: for bad arguments or data.
    """
    _check_int(max_epochs=max_epochs, batch_size=batch_size)
    _check_positive(max_epochs=max_epochs, batch_size=batch_size, lr=lr)
    generator = seed_everything(seed)
    rank, world_size, dev = setup_distributed(resolve_device(device))
    model.to(dev)
    train_batches = make_batches(
        train, batch_size, True, generator, dev, num_workers, rank, world_size
    )
    val_batches = (
        None
        if val is None
        else make_batches(val, max(batch_size, 256), False, None, dev, num_workers)
    )
    opt = make_optimizer(optimizer, _trainable_groups(model, param_groups), lr, weight_decay)
    sched = make_scheduler(scheduler, opt, max_epochs * len(train_batches))
    state = TrainState(
        model=wrap_model(model, dev, world_size),
        optimizer=opt,
        scheduler=sched,
        max_epochs=max_epochs,
        generator=generator,
        device=dev,
        run_dir=Path(run_dir) if run_dir is not None else None,
        rank=rank,
    )
    all_callbacks = _with_run_dir_callbacks(list(callbacks), state.run_dir)
    plain = [cb for cb in all_callbacks if not isinstance(cb, Checkpoint)]
    checkpoints = [cb for cb in all_callbacks if isinstance(cb, Checkpoint)]
    for checkpoint in checkpoints:
        checkpoint.callbacks = plain
    if resume:
        _resume(state, checkpoints, plain)
    for callback in all_callbacks:
        callback.on_fit_start(state)

    bar = _progress_bar(progress, state, len(train_batches))
    try:
        while state.epoch < max_epochs and not state.stop:
            started = time.perf_counter()
            train_loss = _train_one_epoch(state, loss_fn, train_batches, grad_clip, bar)
            row: dict[str, float] = {
                "epoch": state.epoch + 1,
                "train_loss": average_across_ranks(train_loss, world_size, dev),
            }
            if val_batches is not None:
                row.update(_evaluate(state.unwrapped_model, loss_fn, val_batches, metrics or {}))
            row["lr"] = float(opt.param_groups[-1]["lr"])
            row["time_s"] = time.perf_counter() - started
            state.epoch += 1
            state.history.append(row)
            for callback in plain + checkpoints:
                callback.on_epoch_end(state)
            if bar is not None:
                bar.set_postfix(
                    {k: f"{v:.4g}" for k, v in row.items() if k.startswith(("train_", "val_"))}
                )
    finally:
        if bar is not None:
            bar.close()
    for callback in all_callbacks:
        callback.on_fit_end(state)
    state.unwrapped_model.eval()
    return state.history


def _check_int(**values: Any) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int; got {value!r} ({type(value).__name__}).")


def _trainable_groups(
    model: nn.Module, param_groups: Sequence[Mapping[str, Any]] | None
) -> list[Any]:
    """Parameters (or groups) to optimise, leaving out frozen (``requires_grad=False``) ones."""
    if param_groups is None:
        return [p for p in model.parameters() if p.requires_grad]
    groups = []
    for group in param_groups:
        params = [p for p in group["params"] if p.requires_grad]
        if params:
            groups.append({**group, "params": params})
    return groups


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not (isinstance(value, numbers.Real) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number; got {value!r}.")


def _with_run_dir_callbacks(callbacks: list[Callback], run_dir: Path | None) -> list[Callback]:
    """Add a CSV log and a checkpoint in ``run_dir`` unless the caller already has them."""
    if run_dir is None:
        return callbacks
    if not any(isinstance(cb, CSVLogger) for cb in callbacks):
        callbacks.append(CSVLogger(run_dir / "metrics.csv"))
    if not any(isinstance(cb, Checkpoint) for cb in callbacks):
        callbacks.append(Checkpoint(run_dir / CHECKPOINT_NAME))
    return callbacks


def _resume(state: TrainState, checkpoints: list[Checkpoint], plain: list[Callback]) -> None:
    if not checkpoints:
        raise ValueError("resume=True needs a run_dir (or a Checkpoint callback) to resume from.")
    path = checkpoints[0].path
    if not path.is_file():
        logger.warning("resume=True but %s does not exist yet: starting a new run", path)
        return
    restore_checkpoint(state, load_checkpoint(path), plain)


def _progress_bar(progress: bool | str, state: TrainState, steps: int) -> Any:
    show = stderr_is_terminal() if progress == "auto" else bool(progress)
    if not show or not state.is_main_process:
        return None
    return tqdm(
        total=state.max_epochs * steps,
        initial=state.epoch * steps,
        unit="step",
        desc="training",
        dynamic_ncols=True,
        leave=False,
    )


def _split_batch(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    return batch[0], batch[1] if len(batch) > 1 else batch[0]


def _train_one_epoch(
    state: TrainState, loss_fn: LossFn, batches: Iterable[Any], grad_clip: float | None, bar: Any
) -> float:
    """One pass over ``batches``; returns the sample-weighted mean training loss.

    The NaN/inf guard runs before the optimizer step, so a bad batch never corrupts the
    weights. On CPU it checks every step (free); on accelerators it checks the running sum once
    per epoch, to avoid a host synchronisation per step.
    """
    model, opt, sched = state.model, state.optimizer, state.scheduler
    model.train()
    per_step_check = state.device.type == "cpu"
    total = torch.zeros((), dtype=torch.float64, device=state.device)
    count = 0
    for step, batch in enumerate(batches):
        inputs, target = _split_batch(batch)
        loss = loss_fn(model(inputs), target)
        if per_step_check and not math.isfinite(loss.item()):
            _raise_non_finite(state, loss.item(), f"batch {step + 1}")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        opt.step()
        if sched is not None:
            sched.step()
        size = int(inputs.shape[0])
        total += loss.detach() * size
        count += size
        if bar is not None:
            bar.update(1)
    mean = float(total) / max(count, 1)
    if not math.isfinite(mean):
        _raise_non_finite(state, mean, "some batch")
    return mean


def _raise_non_finite(state: TrainState, value: float, where: str) -> None:
    lr = state.optimizer.param_groups[-1]["lr"]
    raise NonFiniteLossError(
        f"the training loss became {value} at epoch {state.epoch + 1}, {where} (lr {lr:.3g}). "
        "Check the inputs and targets for NaN/inf, lower the learning rate, or set grad_clip "
        "(e.g. 1.0)."
    )


@torch.no_grad()
def _evaluate(
    model: nn.Module, loss_fn: LossFn, batches: Iterable[Any], metrics: Mapping[str, MetricFn]
) -> dict[str, float]:
    """Validation loss (sample-weighted mean) and metrics over the whole validation set."""
    model.eval()
    total, count = 0.0, 0
    outputs: list[Any] = []
    targets: list[torch.Tensor] = []
    for batch in batches:
        inputs, target = _split_batch(batch)
        output = model(inputs)
        size = int(inputs.shape[0])
        total, count = total + float(loss_fn(output, target)) * size, count + size
        if metrics:
            outputs.append(output)
            targets.append(target)
    row = {"val_loss": total / max(count, 1)}
    if metrics:
        all_out = _concat(outputs)
        all_target = torch.cat(targets)
        for name, metric in metrics.items():
            row[f"val_{name}"] = float(metric(all_out, all_target))
    return row


def _concat(outputs: list[Any]) -> Any:
    if isinstance(outputs[0], torch.Tensor):
        return torch.cat(outputs)
    return type(outputs[0])(torch.cat(parts) for parts in zip(*outputs, strict=True))
