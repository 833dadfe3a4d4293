"""Goals and the markdown report of ``benchmarks/transfer.py``.

:func:`evaluate_goals` judges the issue's goals on the measured results; :func:`render_markdown`
turns the results into the ``transfer`` section of ``benchmarks/RESULTS.md``. Both read only the
JSON-ready results dict, so a saved ``results/transfer.json`` can be re-rendered without
re-running anything.
"""

from __future__ import annotations

from typing import Any

from _results import goal, md_table, status

#: the issue's anchor: test accuracy of a plain loop, by labels per class (mean over seeds)
ANCHOR: dict[str, dict[str, float]] = {
    "5": {"plain_fine_tune": 0.911, "plain_linear_probe": 0.817, "plain_scratch": 0.688},
    "10": {"plain_fine_tune": 0.948, "plain_scratch": 0.868},
}

# goal thresholds (from the issue)
MIN_GAIN = 0.22
MIN_FINE_TUNE_ACCURACY = 0.93
MAX_TIME_RATIO = 1.0
MAX_OFFLINE_SECONDS = 2.0


def _block(results: dict[str, Any], k: int) -> dict[str, Any]:
    return next(b for b in results["target"] if b["labels_per_class"] == k)


def evaluate_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of the issue: measured value, target, pass or not."""
    k = results["config"]["goal_labels_per_class"]
    summary = _block(results, k)["summary"]
    fine_tune, scratch = summary["fine_tune"]["mean"], summary["scratch"]["mean"]
    timing = results["timing"]
    return [
        goal(
            f"transfer gain, FineTuner fine_tune - weights=None (mean over seeds, K={k})",
            f"{fine_tune:.3f} - {scratch:.3f} = {summary['gain_paradigms']:+.3f}",
            f">= +{MIN_GAIN}",
            summary["gain_paradigms"] >= MIN_GAIN,
        ),
        goal(
            f"FineTuner fine_tune accuracy (mean over seeds, K={k})",
            fine_tune,
            f">= {MIN_FINE_TUNE_ACCURACY}",
            fine_tune >= MIN_FINE_TUNE_ACCURACY,
        ),
        goal(
            "fine-tune fit time, FineTuner / plain loop (same optimizer steps; median of pairs)",
            f"{timing['median_ratio']:.3f} (per step: {timing['median_ms_per_step_ratio']:.3f}"
            f"{'' if timing['same_steps'] else '; STEP COUNTS DIFFER'})",
            f"<= {MAX_TIME_RATIO}",
            timing["median_ratio"] <= MAX_TIME_RATIO and timing["same_steps"],
        ),
        _offline_goal(results["offline"]),
    ]


def _offline_goal(offline: dict[str, Any]) -> dict[str, Any]:
    name = "weights='hub' offline, empty HF_HOME: ValueError (fresh process, first call)"
    if "cold" not in offline:
        return goal(name, "probe process failed", f"<= {MAX_OFFLINE_SECONDS:g} s", False)
    cold, warm = offline["cold"], offline["warm"]
    return goal(
        name,
        f"{cold['error_type']} after {cold['seconds']:.2f} s (second call {warm['seconds']:.2f} s)",
        f"ValueError, <= {MAX_OFFLINE_SECONDS:g} s",
        cold["error_type"] == "ValueError" and cold["seconds"] <= MAX_OFFLINE_SECONDS,
    )


# --------------------------------------------------------------------------- report
def render_markdown(results: dict[str, Any]) -> str:
    """The RESULTS.md section (also printed): context, goals, then one table per measurement."""
    return "\n\n".join(
        [
            _render_header(results),
            _render_goals(results["goals"]),
            _render_gain_note(results),
            _render_source(results["source"], results["config"]),
            *(_render_accuracy(block, results["anchor"]) for block in results["target"]),
            _render_short_budget(results["short_budget"], results["config"], results["anchor"]),
            _render_timing(results["timing"]),
            _render_offline(results["offline"]),
            _render_differences(),
        ]
    )


def _render_header(results: dict[str, Any]) -> str:
    m, cfg = results["machine"], results["config"]
    quick = (
        "\n\n**QUICK SMOKE RUN** (short training, one seed): the numbers below are not "
        "meaningful and the goals are expected to fail."
        if cfg["quick"]
        else ""
    )
    epochs = (
        'FineTuner\'s `max_epochs="auto"`'
        if cfg["target_epochs"] is None
        else (f"{cfg['target_epochs']} epochs")
    )
    return (
        "## Transfer: paradigms FineTuner vs a plain timm loop (digits 0-4 -> 5-9)"
        f"{quick}\n\n"
        f"- date: {results['date']}\n"
        f"- machine: {m['cpu_count']} CPUs ({m['cpu_model']}), torch {m['torch']}, "
        f"timm {m['packages'].get('timm')}, torch.get_num_threads() = "
        f"{m['torch_num_threads']}, device `{cfg['device']}`, python {m['python']}\n"
        f"- load average (1/5/15 min) at start {m['load_average_at_start']}, "
        f"at end {m['load_average_at_end']}\n"
        f"- command: `{results['command']}`\n"
        f"- model: timm `{cfg['model']}`, random init, trained on digits "
        f"{cfg['source_classes'][0]}-{cfg['source_classes'][-1]} (the source), then adapted to "
        f"digits {cfg['target_classes'][0]}-{cfg['target_classes'][-1]} with K labelled "
        "images per class drawn by `np.random.default_rng(seed)`; test set: every other "
        "target image\n"
        f"- plain loops: images /16, bilinear to {cfg['image_size']}x{cfg['image_size']}, "
        "repeated to 3 channels, ImageNet mean/std; AdamW (weight decay 0.01, torch's default "
        "per-tensor implementation, as users write it; the FineTuner's engine uses the fused "
        "kernel), cosine schedule "
        f"stepped per batch, `randperm` batches. Source: lr {cfg['source_lr']}, batch "
        f"{cfg['source_batch_size']}, {cfg['source_epochs']} epochs. Target: new 5-class "
        f"head, lr {cfg['target_lr']}, batch {cfg['target_batch_size']}, the same number of "
        f"optimizer steps as the FineTuner ({epochs})\n"
        '- paradigms: `FineTuner` defaults (`image_size="auto"` -> 32x32, `augment=True`, '
        "batch 16, one-cycle, head lr 1.5e-3, backbone x2/3, weight decay 1e-4, BatchNorm "
        'statistics trained (`batchnorm="auto"` freezes them only for depthwise models), '
        "the new head started at zero) with `weights=` the plain loop's source file (the same "
        "file for both sides)"
    )


def _render_goals(goals: list[dict[str, Any]]) -> str:
    rows = [[g["goal"], g["measured"], g["target"], status(g["passed"])] for g in goals]
    return "### Goals\n\n" + md_table(["goal", "measured", "target", "result"], rows)


def _render_gain_note(results: dict[str, Any]) -> str:
    """Where the transfer gain comes from: each side's fine-tune and scratch against the anchor."""
    k = results["config"]["goal_labels_per_class"]
    summary, anchor = _block(results, k)["summary"], results["anchor"].get(str(k), {})
    parts = [
        f"{label} {summary[ft]['mean']:.3f} vs {summary[sc]['mean']:.3f} "
        f"(gain {summary[ft]['mean'] - summary[sc]['mean']:+.3f})"
        for label, ft, sc in (
            ("plain loop", "plain_fine_tune", "plain_scratch"),
            ("FineTuner", "fine_tune", "scratch"),
        )
    ]
    text = f"Fine-tune vs scratch at K={k}, same optimizer steps: " + "; ".join(parts)
    if {"plain_fine_tune", "plain_scratch"} <= anchor.keys():
        text += (
            f"; issue anchor {anchor['plain_fine_tune']:.3f} vs {anchor['plain_scratch']:.3f} "
            f"(gain {anchor['plain_fine_tune'] - anchor['plain_scratch']:+.3f})."
        )
        if summary["gain_paradigms"] < MIN_GAIN:
            text += " " + _gain_shortfall(summary, anchor["plain_scratch"])
    return text


def _gain_shortfall(summary: dict[str, Any], anchor_scratch: float, margin: float = 0.1) -> str:
    """The likely reason the gain misses its target, read off the scratch baselines."""
    plain_strong = summary["plain_scratch"]["mean"] > anchor_scratch + margin
    ours_strong = summary["scratch"]["mean"] > anchor_scratch + margin
    if plain_strong and ours_strong:
        return (
            "The gain misses its target because both scratch baselines, the plain loop's "
            "included, are far stronger than the anchor's: at this step count a randomly "
            "initialised network already learns the target digits well, so transfer has less "
            "to add (see the shorter-budget table below)."
        )
    if ours_strong:
        return (
            "The gain misses its target because the FineTuner's scratch baseline is far "
            "stronger than the plain loop's and the anchor's: its recipe (augmentation, "
            "one-cycle, learning rates) helps training from scratch too."
        )
    return "The gain misses its target with a scratch baseline close to the anchor's."


def _render_source(source: dict[str, Any], cfg: dict[str, Any]) -> str:
    rows = [
        [
            label,
            source[side]["epochs"],
            source[side]["steps"],
            f"{source[side]['fit_s']:.1f}",
            f"{source[side]['train_accuracy']:.4f}",
        ]
        for side, label in (
            ("plain", "plain loop (3 channels, AdamW 1e-3, cosine)"),
            (
                "paradigms",
                f"`FineTuner(weights=None, max_epochs={cfg['source_epochs']}, "
                f"batch_size={cfg['source_batch_size']})`",
            ),
        )
    ]
    title = f"### Source training: digits 0-4, {source['n_train']} images, timed once each"
    headers = ["source", "epochs", "optimizer steps", "fit s", "train accuracy"]
    return f"{title}\n\n{md_table(headers, rows)}"


ROW_LABELS = {
    "plain_fine_tune": "plain loop: fine-tune",
    "plain_linear_probe": "plain loop: linear probe (frozen, eval mode)",
    "plain_scratch": "plain loop: from scratch",
    "fine_tune": "FineTuner `fine_tune`",
    "linear_probe": "FineTuner `linear_probe`",
    "gradual_unfreeze": "FineTuner `gradual_unfreeze`",
    "scratch": "FineTuner `weights=None` (scratch)",
    "fine_tune_own_source": "FineTuner `fine_tune`, paradigms-trained source (suppl.)",
    "fine_tune_backbone_lr_0.1": "FineTuner `fine_tune`, backbone_lr_scale=0.1 (suppl.)",
}


def _render_accuracy(block: dict[str, Any], anchor: dict[str, dict[str, float]]) -> str:
    k, summary, per_seed = block["labels_per_class"], block["summary"], block["per_seed"]
    reference = anchor.get(str(k), {})
    rows = []
    for name, label in ROW_LABELS.items():
        if name not in summary:
            continue
        cells = [f"{row['methods'][name]['accuracy']:.4f}" for row in per_seed]
        first = per_seed[0]["methods"][name]
        rows.append(
            [
                label,
                *cells,
                f"**{summary[name]['mean']:.4f}**",
                f"{reference[name]:.3f}" if name in reference else "",
                first["steps"],
                f"{summary[name]['mean_fit_s']:.1f}",
            ]
        )
    seeds = [f"seed {row['seed']}" for row in per_seed]
    headers = ["method", *seeds, "mean", "issue anchor", "steps", "fit s (mean)"]
    n_train, n_test = per_seed[0]["n_train"], per_seed[0]["n_test"]
    gains = (
        f"Transfer gain (fine-tune - scratch, means): plain loop {summary['gain_plain']:+.4f}, "
        f"FineTuner {summary['gain_paradigms']:+.4f}"
    )
    anchor_gain = (
        reference["plain_fine_tune"] - reference["plain_scratch"]
        if {"plain_fine_tune", "plain_scratch"} <= reference.keys()
        else None
    )
    if anchor_gain is not None:
        gains += f"; issue anchor {anchor_gain:+.3f}."
    title = f"### Target accuracy, K = {k} labels per class ({n_train} train / {n_test} test)"
    return f"{title}\n\n{md_table(headers, rows)}\n\n{gains}"


def _render_short_budget(
    blocks: list[dict[str, Any]], cfg: dict[str, Any], anchor: dict[str, dict[str, float]]
) -> str:
    names = ("plain_fine_tune", "plain_linear_probe", "plain_scratch")
    rows = []
    for block in blocks:
        k, first = block["labels_per_class"], block["per_seed"][0]["methods"]
        reference = anchor.get(str(k), {})
        for name in names:
            cells = [f"{row['methods'][name]['accuracy']:.4f}" for row in block["per_seed"]]
            rows.append(
                [
                    k,
                    ROW_LABELS[name],
                    first[name]["steps"],
                    ", ".join(cells),
                    f"**{block['mean'][name]:.4f}**",
                    f"{reference[name]:.3f}" if name in reference else "",
                ]
            )
    headers = ["K", "method", "steps", "per seed", "mean", "issue anchor"]
    title = (
        f"### Plain loops with a shorter budget (supplementary): {cfg['short_epochs']} "
        "target epochs"
    )
    note = (
        "The same plain loops, source file and draws, trained for "
        f"{cfg['short_epochs']} epochs instead of the FineTuner's step count: how much of "
        "the scratch baseline's strength comes from the longer training."
    )
    return f"{title}\n\n{note}\n\n{md_table(headers, rows)}"


def _render_timing(timing: dict[str, Any]) -> str:
    rows = [
        [
            p["labels_per_class"],
            p["seed"],
            "plain" if p["first"] == "plain_fine_tune" else "paradigms",
            f"{p['steps_plain']} / {p['steps_paradigms']}",
            f"{p['plain_s']:.1f}",
            f"{p['paradigms_s']:.1f}",
            f"{p['plain_ms_per_step']:.0f}",
            f"{p['paradigms_ms_per_step']:.0f}",
            f"{p['ratio']:.2f}",
        ]
        for p in timing["pairs"]
    ]
    headers = [
        "K",
        "seed",
        "ran first",
        "steps plain / paradigms",
        "plain s",
        "FineTuner s",
        "plain ms/step",
        "FineTuner ms/step",
        "FineTuner / plain",
    ]
    note = (
        "Wall clock of the whole fit (building the model, loading the source file, input "
        "preparation, training; not evaluation), after one untimed one-epoch warm-up fit of "
        "each side; the two sides of a pair run back to back, in alternating order. Median "
        f"ratio {timing['median_ratio']:.3f}; median per-step ratio "
        f"{timing['median_ms_per_step_ratio']:.3f}. The FineTuner does more per step than the "
        "plain loop (resizing every batch, random affine augmentation)."
    )
    title = "### Fine-tune fit time, same optimizer steps"
    return f"{title}\n\n{note}\n\n{md_table(headers, rows)}"


def _render_offline(offline: dict[str, Any]) -> str:
    title = '### Offline: `FineTuner(weights="hub")`, `HF_HUB_OFFLINE=1`, empty `HF_HOME`'
    if "cold" not in offline:
        return f"{title}\n\nThe probe process failed:\n\n```\n{offline.get('error')}\n```"
    rows = [
        [which, call["error_type"], f"{call['seconds']:.3f}"]
        for which, call in (
            ("first call (includes importing timm)", offline["cold"]),
            ("second call", offline["warm"]),
        )
    ]
    message = (offline["cold"]["message"] or "").replace("\n", " ")
    return (
        f"{title}\n\n`fit` in a fresh process (whole process {offline['process_s']:.1f} s).\n\n"
        + md_table(["call", "raised", "seconds"], rows)
        + f"\n\nMessage: {message}"
    )


def _render_differences() -> str:
    return (
        "### What differs between the sides\n\n"
        "- Input: the plain loop repeats the grey image to 3 channels and normalises each with "
        "ImageNet's mean/std; the FineTuner keeps 1 channel (timm sums the source's first-conv "
        "weights over RGB, which equals a repeated input) and normalises with the RGB-averaged "
        "mean/std.\n"
        "- Training: the FineTuner augments (random shifts, rotations, zooms), uses one-cycle "
        "instead of cosine, weight decay 1e-4 instead of 0.01, a zero-initialised head and lr "
        "1.5e-3 for the head with 1e-3 for the backbone; its scratch baseline gets the same "
        "recipe (but a random head), so it can be stronger than the plain scratch loop.\n"
        "- Linear probe: the plain loop computes the frozen backbone's pooled features once "
        "(no augmentation); the FineTuner runs the frozen backbone (eval-mode BatchNorm) on "
        "every augmented batch."
    )
