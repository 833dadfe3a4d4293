"""Tutorial 04 — reinforcement learning: balance a pole with PPO and tuned hyperparameters.

Run:
    python tutorials/04_rl_cartpole.py                  # about 10 s on a laptop CPU
    python tutorials/04_rl_cartpole.py --algo dqn       # DQN on the same env, about a minute
    python tutorials/04_rl_cartpole.py --timesteps 20000 --out runs/t04

What you will see, top to bottom:
1. the tuned preset: hyperparameters transcribed from rl-baselines3-zoo, the collection of
   tuned stable-baselines3 settings, so CartPole is solved without any tuning of your own;
2. the agent: ``Agent("CartPole-v1")`` builds the SB3 algorithm; the network that reads the
   observations is a ``BackboneExtractor`` holding an ``mlp`` backbone — with the preset it is
   exactly SB3's default network, only now it is a library backbone;
3. training with an evaluation every ``eval_freq`` steps, stopping early once an evaluation
   reaches the env's "solved" threshold (475 for CartPole-v1);
4. the final evaluation, the learning curve (PNG) and one episode as an animated GIF;
5. saving the agent (safetensors + JSON, nothing pickled) and loading it back: same actions;
6. saving the backbone: the part any other paradigm can reuse.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, fields
from pathlib import Path

import gymnasium as gym
import numpy as np
from matplotlib.figure import Figure

from paradigms.backbones import load_backbone, save_backbone
from paradigms.reinforcement import Agent, get_preset, list_presets, record_episode


@dataclass
class Config:
    seed: int = 0
    env: str = "CartPole-v1"
    algo: str = "ppo"  # or "dqn", "a2c": every algorithm with a CartPole preset
    timesteps: int = 100_000  # upper bound: training stops once the env counts as solved
    eval_freq: int = 10_000
    eval_episodes: int = 10
    final_episodes: int = 20
    out: str = "runs/tutorial04"


def parse_config() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Config):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default
        )
    return Config(**vars(parser.parse_args()))


def plot_learning_curve(agent: Agent, path: Path, window: int = 20) -> Path:
    """Episode return against environment steps, its rolling mean, and the evaluations."""
    steps = np.array([row["timesteps"] for row in agent.history_], dtype=float)
    returns = np.array([row["episode_return"] for row in agent.history_], dtype=float)
    rolling = np.array(
        [returns[max(0, i - window + 1) : i + 1].mean() for i in range(len(returns))]
    )
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.plot(steps, returns, ".", alpha=0.3, label="training episode")
    ax.plot(steps, rolling, label=f"rolling mean ({window} episodes)")
    if agent.evaluations_:
        evals = agent.evaluations_
        ax.errorbar(
            [e["timesteps"] for e in evals],
            [e["mean_return"] for e in evals],
            yerr=[e["std_return"] for e in evals],
            fmt="o",
            capsize=3,
            label="evaluation (greedy)",
        )
    if agent.reward_threshold is not None:
        ax.axhline(agent.reward_threshold, color="grey", ls="--", label="solved threshold")
    title = f"{agent.algo.upper()} on {agent.source.name}"
    ax.set(xlabel="environment steps", ylabel="episode return", title=title)
    ax.legend(loc="upper left", fontsize="small")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def main(cfg: Config) -> dict[str, float]:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)

    # 1. the tuned preset (rl-baselines3-zoo's hyperparams/<algo>.yml, shipped as JSON)
    presets = list_presets()
    print(f"tuned presets (from rl-baselines3-zoo) exist for {len(presets)} envs:")
    for env_id, algos in presets.items():
        print(f"  {env_id:26s} {', '.join(algos)}")
    print(f"preset for {cfg.env} / {cfg.algo}:")
    print("  " + json.dumps(get_preset(cfg.env, cfg.algo)))

    # 2. the agent: seed seeds the algorithm and env i with seed + i
    agent = Agent(cfg.env, algo=cfg.algo, seed=cfg.seed)
    print(f"\n{agent!r}")
    print(f"tuned preset used: {agent.tuned}; solved threshold: {agent.reward_threshold}")
    print("the features extractor (a BackboneExtractor holding a library backbone):")
    print(f"  {agent.extractor!r}".replace("\n", "\n  "))
    print(f"  backbone config: {agent.backbone_.config}")
    print(f"  layers after it (per the preset): {agent.hyperparameters['policy_kwargs']}")

    # 3. train, evaluating every eval_freq steps; stop once an evaluation reaches 475
    started = time.perf_counter()
    agent.learn(
        cfg.timesteps,
        eval_freq=cfg.eval_freq,
        eval_episodes=cfg.eval_episodes,
        stop_reward=agent.reward_threshold,
    )
    seconds = time.perf_counter() - started
    print(
        f"\ntrained {agent.num_timesteps} steps ({len(agent.history_)} episodes) in {seconds:.1f} s"
    )
    for row in agent.evaluations_:
        print(f"  evaluation at {row['timesteps']:>6} steps: mean return {row['mean_return']:.1f}")
    if agent.num_timesteps < cfg.timesteps:
        print(f"  stopped early: an evaluation reached {agent.reward_threshold}")

    # 4. evaluate, plot, record one episode
    mean, std = agent.evaluate(cfg.final_episodes)
    print(
        f"final evaluation over {cfg.final_episodes} episodes: mean return {mean:.1f} ± {std:.1f}"
    )
    print(f"learning curve: {plot_learning_curve(agent, out / 'learning_curve.png')}")
    recording = record_episode(agent, out / f"{cfg.env}.gif", seed=cfg.seed)
    if recording is None:  # the reason is logged (logging.INFO); the library never prints
        print("no GIF: the env cannot render rgb_array pictures")
    else:
        print(
            f"episode GIF: {recording.path} ({recording.episode_length} steps, "
            f"return {recording.episode_return:.0f}, {recording.n_frames} frames)"
        )

    # 5. save and load back: weights in safetensors, config in JSON, no pickle
    saved = agent.save(out / "agent")
    loaded = Agent.load(saved)
    env = gym.make(cfg.env)  # collect observations the agent really meets
    observation, _ = env.reset(seed=cfg.seed)
    observations = []
    for _ in range(200):
        observations.append(observation)
        action = int(agent.predict(observation)[0])
        observation, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            observation, _ = env.reset()
    batch = np.stack(observations)
    same = bool(np.array_equal(agent.predict(batch)[0], loaded.predict(batch)[0]))
    print(f"saved agent to {saved} ({', '.join(sorted(p.name for p in saved.iterdir()))})")
    print(f"loaded {loaded!r}; same actions on {len(batch)} observations: {same}")

    # 6. the backbone is the reusable part: another agent, frozen, or a supervised model
    path = save_backbone(agent.backbone_, out / "cartpole_backbone.safetensors")
    backbone = load_backbone(path)
    print(f"saved backbone to {path} ({backbone.in_shape} -> {backbone.out_features} features)")
    print(f'  reuse it: Agent("{cfg.env}", backbone="{path}", freeze_backbone=True)')
    print(f'  or in another paradigm: paradigms.supervised.Classifier(backbone="{path}")')
    env.close()
    agent.close()
    loaded.close()
    return {
        "timesteps": float(agent.num_timesteps),
        "train_seconds": seconds,
        "mean_return": mean,
        "std_return": std,
        "reload_identical": float(same),
    }


if __name__ == "__main__":
    main(parse_config())
