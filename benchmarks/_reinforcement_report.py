"""Goals and the markdown report of ``benchmarks/reinforcement.py``.

:func:`evaluate_goals` judges the issue's goals on the measured results; :func:`render_markdown`
turns the results into the ``reinforcement`` section of ``benchmarks/RESULTS.md``. Both read
only the JSON-ready results dict, so a saved ``results/reinforcement.json`` can be re-rendered
without re-running anything. Parts left out with ``--only`` have no goals and no tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from _results import goal, md_table, status

#: the issue's anchors: rl-baselines3-zoo's tuned hyperparameters run with plain SB3
ANCHOR: dict[str, Any] = {
    "ppo_cartpole": {
        "steps": 100_000,
        "seconds": 39.0,
        "eval_mean": 500.0,
        "steps_per_s": 2570,
        "source": "the issue: zoo PPO CartPole-v1 with plain SB3 on the project's machine",
    },
    "sac_pendulum": {
        "steps": 20_000,
        "eval_mean": -157.0,
        "source": "rl-baselines3-zoo benchmark table (SAC Pendulum-v1)",
    },
}

# goal thresholds (from the issue)
PPO_MIN_EVAL = 475.0
PPO_MAX_TIME_RATIO = 1.0
PPO_MOONSHOT_TIME_RATIO = 0.5
SAC_MIN_EVAL = -200.0
MIN_STEPS_RATIO = 0.95

SIDE_NAMES = {"agent": "Agent", "sb3": "plain SB3"}


def _eval_goal(part: dict[str, Any], name: str, threshold: float) -> dict[str, Any]:
    """Every seed's Agent evaluation at or above ``threshold``."""
    evals = [row["agent"]["eval_mean"] for row in part["per_seed"]]
    passed = sum(value >= threshold for value in evals)
    return goal(
        f"{name}: Agent evaluation after {part['steps']:,} steps, seeds at or above target",
        f"{passed}/{len(evals)} (min {min(evals):.1f}, mean {sum(evals) / len(evals):.1f})",
        f">= {threshold:g} for every seed",
        passed == len(evals),
    )


def evaluate_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of the issue whose part ran: measured value, target, pass or not."""
    goals = []
    if "ppo" in results:
        ppo = results["ppo"]
        goals.append(_eval_goal(ppo, "CartPole-v1 PPO", PPO_MIN_EVAL))
        summary = ppo["summary"]
        goals.append(
            goal(
                "CartPole-v1 PPO wall time (construction + learn), Agent / plain SB3, medians",
                f"{ppo['time_ratio']:.4f} ({summary['agent']['median_s']:.1f} s vs "
                f"{summary['sb3']['median_s']:.1f} s)",
                f"<= {PPO_MAX_TIME_RATIO}",
                ppo["time_ratio"] <= PPO_MAX_TIME_RATIO,
            )
        )
    if "sac" in results:
        goals.append(_eval_goal(results["sac"], "Pendulum-v1 SAC", SAC_MIN_EVAL))
    if "extractor" in results:
        sides = results["extractor"]["sides"]
        references = (
            ("sb3_mlp_policy", "steps_per_s_ratio_vs_sb3", "SB3 MlpPolicy"),
            ("sb3_mlp_policy_fused", "steps_per_s_ratio_vs_sb3_fused", "SB3 MlpPolicy + fused"),
        )
        for name in ("agent_default", "agent_full_mlp"):
            for reference, key, what in references:
                if reference not in sides:  # results from before the fused side existed
                    continue
                ratio = sides[name][key]
                goals.append(
                    goal(
                        f"PPO steps/s, {sides[name]['label']} / {what} (medians)",
                        f"{ratio:.4f} ({sides[name]['steps_per_s_median']:.0f} vs "
                        f"{sides[reference]['steps_per_s_median']:.0f})",
                        f">= {MIN_STEPS_RATIO}",
                        ratio >= MIN_STEPS_RATIO,
                    )
                )
    return goals


# --------------------------------------------------------------------------- report
def _join(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _layers(shapes: Sequence[str]) -> str:
    """``["4x64", "4x64", "64x2"]`` -> ``"4x64 ×2, 64x2"`` (the list is already sorted)."""
    counts = Counter(shapes)
    return _join(f"{shape} ×{n}" if n > 1 else shape for shape, n in counts.items())


def render_markdown(results: dict[str, Any]) -> str:
    """The RESULTS.md section (also printed): context, goals, then one table per part."""
    parts = [render_header(results, TITLE), render_goals(results["goals"])]
    if "ppo" in results:
        parts.append(_render_ppo(results["ppo"], results["anchor"]["ppo_cartpole"]))
    if "sac" in results:
        parts.append(_render_sac(results["sac"], results["anchor"]["sac_pendulum"]))
    if "extractor" in results:
        parts.append(_render_extractor(results["extractor"], results["config"]["repeats"]))
    return "\n\n".join(parts)


TITLE = "Reinforcement: paradigms Agent vs plain stable-baselines3"


def render_header(results: dict[str, Any], title: str) -> str:
    """Date, machine, command and the timing and evaluation protocol, under ``## title``."""
    m, cfg = results["machine"], results["config"]
    packages = m["packages"]
    quick = (
        "\n\n**QUICK SMOKE RUN** (a few thousand steps, one seed, one repeat): the numbers below "
        "are not meaningful and the goals are expected to fail."
        if cfg["quick"]
        else ""
    )
    return (
        f"## {title}"
        f"{quick}\n\n"
        f"- date: {results['date']}\n"
        f"- machine: {m['cpu_count']} CPUs ({m['cpu_model']}), torch {m['torch']}, "
        f"torch.get_num_threads() = {m['torch_num_threads']} for every side "
        f"(the Agent gets `num_threads={cfg['threads']}`), device `{cfg['device']}`, "
        f"python {m['python']}, stable-baselines3 {packages.get('stable-baselines3')}, "
        f"gymnasium {packages.get('gymnasium')}\n"
        f"- load average (1/5/15 min) at start {m['load_average_at_start']}, "
        f"at end {m['load_average_at_end']}\n"
        f"- command: `{results['command']}`\n"
        "- timing: wall clock of construction + learning (env creation, the Agent's env "
        "validation, building the model, `learn`), after one untimed warm-up run of each side; "
        "the Agent's progress bar is off (the plain side has none); the order of the sides "
        "alternates from seed to seed\n"
        f"- evaluation (untimed, the same for every side): `evaluate_policy`, "
        f"{cfg['eval_episodes']} deterministic episodes on a fresh "
        "`make_vec_env(env_id, n_envs=1, seed=s + 10000)`"
    )


def render_goals(goals: list[dict[str, Any]]) -> str:
    rows = [[g["goal"], g["measured"], g["target"], status(g["passed"])] for g in goals]
    return "### Goals\n\n" + md_table(["goal", "measured", "target", "result"], rows)


def _side_cells(side: dict[str, Any]) -> list[str]:
    return [
        f"{side['eval_mean']:.1f} ± {side['eval_std']:.1f}",
        f"{side['seconds']:.2f}",
        f"{side['steps_per_s']:.0f}",
    ]


def per_seed_table(part: dict[str, Any]) -> str:
    """One row per seed (each side's evaluation, seconds, steps/s), then the medians."""
    sides = list(part["summary"])
    headers = ["seed", "order"]
    for side in sides:
        name = SIDE_NAMES[side]
        headers += [f"{name} eval", f"{name} s", f"{name} steps/s"]
    paired = "sb3" in sides
    if paired:
        headers.append("time Agent / SB3")
    rows = []
    for row in part["per_seed"]:
        cells = [row["seed"], " → ".join(SIDE_NAMES[s] for s in row["order"])]
        for side in sides:
            cells += _side_cells(row[side])
        if paired:
            cells.append(f"{row['agent']['seconds'] / row['sb3']['seconds']:.3f}")
        rows.append(cells)
    cells = ["**median**", ""]
    for side in sides:
        s = part["summary"][side]
        cells += [
            f"mean {s['mean_eval']:.1f}, min {s['min_eval']:.1f}",
            f"{s['median_s']:.2f}",
            f"{s['median_steps_per_s']:.0f}",
        ]
    if paired:
        cells.append(f"**{part['time_ratio']:.4f}** (of medians)")
    rows.append(cells)
    rows.append(_iqm_cells(part, sides, paired))
    return md_table(headers, rows)


def _iqm_cells(part: dict[str, Any], sides: list[str], paired: bool) -> list[str]:
    """The evaluation's interquartile mean over seeds with its 95% bootstrap interval."""
    from paradigms.reinforcement.seeds import summarize_seeds

    cells = ["**IQM [95% CI]**", ""]
    for side in sides:
        summary = summarize_seeds([row[side]["eval_mean"] for row in part["per_seed"]])
        cells += [f"{summary.iqm:.1f} [{summary.ci_low:.1f}, {summary.ci_high:.1f}]", "", ""]
    return [*cells, ""] if paired else cells


def preset_note(preset: dict[str, Any]) -> str:
    if not preset["differences"]:
        return (
            "The Agent's preset equals the plain side's hyperparameters "
            f"({_join(f'{k}={v}' for k, v in preset['plain'].items())})."
        )
    return f"**The Agent's preset differs from the plain side's**: {preset['differences']}."


def _render_ppo(ppo: dict[str, Any], anchor: dict[str, Any]) -> str:
    moonshot = ppo["time_ratio"] <= PPO_MOONSHOT_TIME_RATIO
    title = (
        f"### CartPole-v1, PPO, {ppo['steps']:,} steps: Agent (preset) vs plain SB3 "
        "(zoo hyperparameters)"
    )
    note = (
        f"{preset_note(ppo['preset'])} Wall time ratio (median Agent / median SB3): "
        f"**{ppo['time_ratio']:.4f}**; moonshot <= {PPO_MOONSHOT_TIME_RATIO}: "
        f"{status(moonshot)}. Issue anchor (plain SB3, the zoo's values, "
        f"{anchor['steps']:,} steps): {anchor['seconds']:.0f} s, evaluation "
        f"{anchor['eval_mean']:.1f}, about {anchor['steps_per_s']:,} steps/s. "
        f"Part took {ppo['part_seconds']:.0f} s in all."
    )
    return f"{title}\n\n{per_seed_table(ppo)}\n\n{note}"


def _network_note(networks: dict[str, Any]) -> str:
    agent, sb3 = networks["agent"], networks["sb3"]
    same = agent["linear_layers"] == sb3["linear_layers"]
    text = (
        f"Policy parameters (actor, critic and target critic): Agent {agent['parameters']:,}, "
        f"plain SB3 {sb3['parameters']:,}; linear layers "
        f"{'identical' if same else 'differ'}"
    )
    if not same:
        text += (
            f" (Agent: {_layers(agent['linear_layers'])}; SB3: {_layers(sb3['linear_layers'])}: "
            "SB3's critic feeds observation and action together into its first layer, one per "
            "Q-network, while the Agent's critic runs the observation through its shared "
            "backbone layer and adds the action after it)"
        )
    return text + "."


def _render_sac(sac: dict[str, Any], anchor: dict[str, Any]) -> str:
    title = f"### Pendulum-v1, SAC, {sac['steps']:,} steps: Agent (preset)"
    if "sb3" in sac["summary"]:
        title += " vs plain SB3 (zoo hyperparameters)"
    note = (
        f"{preset_note(sac['preset'])} {_network_note(sac['networks'])} "
        f"Zoo reference: {anchor['eval_mean']:.0f} at {anchor['steps']:,} steps. "
        f"Part took {sac['part_seconds']:.0f} s in all."
    )
    if "time_ratio" in sac:
        note += f" Wall time ratio (medians, Agent / SB3): {sac['time_ratio']:.3f}."
    return f"{title}\n\n{per_seed_table(sac)}\n\n{note}"


def _render_extractor(extractor: dict[str, Any], repeats: int) -> str:
    title = (
        f"### Network overhead: PPO on {extractor['env_id']}, {extractor['steps']:,} steps, "
        f"seed {extractor['seed']}, the preset's hyperparameters"
    )
    rows = []
    for row in extractor["sides"].values():
        net = row["network"]
        rows.append(
            [
                row["label"],
                f"{net['parameters']:,}",
                _layers(net["linear_layers"]),
                f"{row['steps_per_s_median']:.0f}",
                _join(f"{r:.0f}" for r in row["steps_per_s_repeats"]),
                f"{row['fit_time']['median_s']:.2f}",
                f"{row['steps_per_s_ratio_vs_sb3']:.4f}",
                f"{row.get('steps_per_s_ratio_vs_sb3_fused', float('nan')):.4f}",
            ]
        )
    headers = [
        "side",
        "parameters",
        "linear layers (in x out)",
        "steps/s (median)",
        "steps/s (repeats)",
        "s (median)",
        "steps/s / SB3",
        "steps/s / SB3 + fused Adam",
    ]
    note = (
        f"Median of {repeats} alternating repeats (A B C, C B A, ...) after an untimed warm-up; "
        "each repeat builds the model and learns. Parameter counts are of the whole policy "
        "(actor and critic; the Agent's backbones also hold a few non-trainable input "
        "normalisation buffers, not counted). The Agent gives SB3's Adam torch's fused kernel; "
        "the column against SB3 with the same fused Adam compares the networks alone. "
        f"Part took {extractor['part_seconds']:.0f} s in all."
    )
    return f"{title}\n\n{md_table(headers, rows)}\n\n{note}"
