"""Tutorial 05 — plug in your own environment: validate it, fix it, train on it; then pixels.

Run:
    python tutorials/05_custom_env.py                    # about 30 s on a laptop CPU
    python tutorials/05_custom_env.py --timesteps 5000 --pixel-timesteps 10000 --out runs/t05

What you will see, top to bottom:
1. a small custom ``gymnasium.Env`` — walk along a line to a target cell — written first with
   the most common bug: its observations are float64 while its space says float32;
2. ``validate_env`` (which ``Agent`` runs too, before building anything) refusing it with a
   ``ValueError`` that names the method at fault and the fix;
3. the fixed env (a subclass overriding the buggy method) passing, and PPO learning it on
   defaults derived from the env and the budget (no preset exists for it): the return of a
   random policy, then of the trained one;
4. the four ways to hand an env to ``Agent``: a class, an instance, a factory, a
   ``"module:Class"`` string (with the shipped ``GridWorldEnv``);
5. the shipped image env ``PixelCatchEnv``: 10x10 ``uint8`` images, too small for SB3's
   NatureCNN (it needs 36x36); ``backbone="auto"`` picks the library ``cnn``, which reads any
   size. A short PPO run, an evaluation and one episode as an animated GIF.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from paradigms.reinforcement import (
    Agent,
    GridWorldEnv,
    PixelCatchEnv,
    record_episode,
    resolve_env,
    validate_env,
)


@dataclass
class Config:
    seed: int = 0
    timesteps: int = 20_000  # PPO on the custom env
    pixel_timesteps: int = 30_000  # PPO on PixelCatchEnv
    eval_episodes: int = 50
    out: str = "runs/tutorial05"


def parse_config() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Config):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default
        )
    return Config(**vars(parser.parse_args()))


class WalkToTargetEnv(gym.Env):
    """Cells ``0 .. size-1`` on a line; step left (0) or right (1) until you stand on the target.

    Reward ``+1`` on reaching the target (the episode terminates), ``-0.05`` for every other
    step; truncated after ``max_steps``. Observation: ``(position, target) / (size - 1)``.
    """

    def __init__(self, size: int = 11, max_steps: int = 40) -> None:
        self.size, self.max_steps = size, max_steps
        self.observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self.position, self.target, self.steps = 0, 0, 0

    def _observation(self) -> np.ndarray:
        # THE BUG: numpy computes in float64, but the space promises float32.
        return np.array([self.position, self.target]) / (self.size - 1)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)  # seeds self.np_random
        start, target = self.np_random.choice(self.size, size=2, replace=False)
        self.position, self.target, self.steps = int(start), int(target), 0
        return self._observation(), {}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        move = 1 if int(action) == 1 else -1
        self.position = min(max(self.position + move, 0), self.size - 1)
        self.steps += 1
        terminated = self.position == self.target
        reward = 1.0 if terminated else -0.05
        return self._observation(), reward, terminated, self.steps >= self.max_steps, {}


class FixedWalkToTargetEnv(WalkToTargetEnv):
    """The same env with the observation cast to the space's dtype."""

    def _observation(self) -> np.ndarray:
        return super()._observation().astype(np.float32)


def random_policy_return(env: gym.Env, episodes: int, seed: int) -> tuple[float, float]:
    """Mean and std of the return of uniformly random actions: the baseline to beat."""
    env.action_space.seed(seed)
    returns = []
    for episode in range(episodes):
        env.reset(seed=seed + episode)
        total, done = 0.0, False
        while not done:
            _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
            total, done = total + float(reward), terminated or truncated
        returns.append(total)
    return float(np.mean(returns)), float(np.std(returns))


def main(cfg: Config) -> dict[str, float]:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, float] = {}

    # 1-2. the buggy env: validate_env says what is wrong and how to fix it
    print("1. validate_env(WalkToTargetEnv()) — the env with a bug:")
    try:
        validate_env(WalkToTargetEnv(), algo="ppo")
    except ValueError as error:
        message = str(error)
        print(f"   ValueError: {message}")
    try:
        Agent(WalkToTargetEnv, algo="ppo")  # Agent validates before it builds anything
    except ValueError as error:
        print(f"   Agent(WalkToTargetEnv) raises it too, before building: {str(error) == message}")

    # 3. the fixed env passes; random policy vs PPO
    validate_env(FixedWalkToTargetEnv(), algo="ppo")
    print("\n2. validate_env(FixedWalkToTargetEnv()) passed: Gymnasium's and SB3's checkers agree")
    mean, std = random_policy_return(FixedWalkToTargetEnv(), cfg.eval_episodes, cfg.seed)
    results["walk_random"] = mean
    print(f"   random policy: mean return {mean:.2f} ± {std:.2f} over {cfg.eval_episodes} episodes")
    # No preset exists for a custom env: defaults derived from the env and the budget (a
    # first learn() with another budget derives them again); any keyword overrides them
    walker = Agent(FixedWalkToTargetEnv, algo="ppo", seed=cfg.seed, n_timesteps=cfg.timesteps)
    print(f"   {walker!r}")
    keys = ("n_envs", "n_steps", "batch_size", "n_epochs", "learning_rate", "gamma")
    derived = {key: walker.hyperparameters[key] for key in keys}
    print(f"   no preset: defaults derived for {cfg.timesteps:,} steps: {derived}")
    started = time.perf_counter()
    walker.learn(cfg.timesteps)
    mean, std = walker.evaluate(cfg.eval_episodes)
    results["walk_trained"] = mean
    print(
        f"   PPO after {walker.num_timesteps} steps ({time.perf_counter() - started:.1f} s): "
        f"mean return {mean:.2f} ± {std:.2f} (best possible about 0.85: 4 steps on average)"
    )

    # 4. four ways to pass an env; none needs gymnasium.register
    print("\n3. four ways to pass an env to Agent:")
    specs = {
        "a class": GridWorldEnv,
        "an instance": GridWorldEnv(size=4),
        "a factory": lambda: GridWorldEnv(size=6, max_steps=80),
        "a 'module:Class' string": "paradigms.reinforcement.envs:GridWorldEnv",
    }
    for how, spec in specs.items():
        source = resolve_env(spec)  # what Agent does with the spec first
        agent = Agent(spec, algo="dqn", seed=cfg.seed)
        print(f"   {how:24s} kind={source.kind!r:13s} -> {agent!r}")
        agent.close()
    print(
        "   Agent.load(path) rebuilds ids, 'module:Class' strings and importable classes; for an\n"
        "   instance, a factory or a class defined in __main__ it rebuilds the saved spaces, to\n"
        "   predict only; to train or evaluate pass the env again: load(path, env=...)"
    )

    # 5. pixels: the library cnn reads 10x10 images (uint8 scaled to [0, 1] inside)
    print("\n4. PixelCatchEnv: catch 5 falling balls, +1 caught / -1 missed; 10x10 uint8 images")
    mean, std = random_policy_return(PixelCatchEnv(), cfg.eval_episodes, cfg.seed)
    results["pixel_random"] = mean
    print(f"   random policy: mean return {mean:.2f} ± {std:.2f}")
    catcher = Agent(PixelCatchEnv, algo="ppo", seed=cfg.seed, n_envs=8, n_steps=64, batch_size=256)
    backbone = catcher.backbone_
    print(f"   {catcher!r}")
    print(
        f"   backbone: {backbone.config.name} {backbone.in_shape} -> {backbone.out_features} "
        f"features, {sum(p.numel() for p in backbone.parameters()):,} parameters"
    )
    started = time.perf_counter()
    catcher.learn(cfg.pixel_timesteps)
    mean, std = catcher.evaluate(cfg.eval_episodes)
    results["pixel_trained"] = mean
    print(
        f"   PPO after {catcher.num_timesteps} steps ({time.perf_counter() - started:.1f} s): "
        f"mean return {mean:.2f} ± {std:.2f} (best possible 5)"
    )
    recording = record_episode(catcher, out / "pixel_catch.gif", seed=cfg.seed)
    if recording is not None:  # None when the env cannot render rgb_array pictures
        print(
            f"   episode GIF: {recording.path} ({recording.episode_length} steps, "
            f"return {recording.episode_return:.0f})"
        )
    saved = catcher.save(out / "pixel_catch_agent")
    loaded = Agent.load(saved)  # PixelCatchEnv is importable: no env= needed
    print(f"   saved agent to {saved}; loaded back: {loaded!r}")
    for agent in (walker, catcher, loaded):
        agent.close()
    return results


if __name__ == "__main__":
    main(parse_config())
