"""Environment specs (``resolve_env``), checks (``validate_env``) and the example envs."""

from __future__ import annotations

import warnings
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from paradigms.reinforcement.env_source import EnvSource, resolve_env
from paradigms.reinforcement.envs import GridWorldEnv, PixelCatchEnv
from paradigms.reinforcement.validation import validate_env

# ---------------------------------------------------------------- broken environments


class GoodEnv(gym.Env):
    """A minimal correct env; the broken ones below each change one thing."""

    def __init__(self) -> None:
        self.observation_space = spaces.Box(-1.0, 1.0, shape=(4,), dtype=np.float32)
        self.action_space = spaces.Discrete(2)

    def _obs(self) -> Any:
        return np.zeros(4, dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> Any:
        super().reset(seed=seed)
        return self._obs(), {}

    def step(self, action: Any) -> Any:
        return self._obs(), 0.0, False, False, {}


class ResetReturnsOnlyObs(GoodEnv):
    def reset(self, *, seed: int | None = None, options: dict | None = None) -> Any:
        super().reset(seed=seed)
        return self._obs()


class Float64Obs(GoodEnv):
    def _obs(self) -> Any:
        return np.zeros(4, dtype=np.float64)


class ObsOutOfBounds(GoodEnv):
    def _obs(self) -> Any:
        return np.array([0.0, 0.0, 1.7, 0.0], dtype=np.float32)


class ObsWrongShape(GoodEnv):
    def _obs(self) -> Any:
        return np.zeros(3, dtype=np.float32)


class StepReturnsFour(GoodEnv):
    def step(self, action: Any) -> Any:
        return self._obs(), 0.0, False, {}


class RewardNone(GoodEnv):
    def step(self, action: Any) -> Any:
        return self._obs(), None, False, False, {}


class RewardNaN(GoodEnv):
    def step(self, action: Any) -> Any:
        return self._obs(), float("nan"), False, False, {}


class TerminatedInt(GoodEnv):
    def step(self, action: Any) -> Any:
        return self._obs(), 0.0, 0, False, {}


class NoObservationSpace(GoodEnv):
    def __init__(self) -> None:
        self.action_space = spaces.Discrete(2)


class DictObs(GoodEnv):
    def __init__(self) -> None:
        super().__init__()
        self.observation_space = spaces.Dict({"x": spaces.Box(-1.0, 1.0, (4,), np.float32)})

    def _obs(self) -> Any:
        return {"x": np.zeros(4, dtype=np.float32)}


class NumpyScalars(GoodEnv):
    """np.float32 rewards and np.bool_ flags are fine for training, so validation accepts them."""

    def step(self, action: Any) -> Any:
        return self._obs(), np.float32(0.5), np.bool_(False), np.bool_(False), {}


def make_grid() -> GridWorldEnv:
    return GridWorldEnv(size=3)


# ---------------------------------------------------------------- resolve_env


def test_resolve_registered_id() -> None:
    source = resolve_env("CartPole-v1")
    assert isinstance(source, EnvSource)
    assert (source.kind, source.env_id, source.name) == ("id", "CartPole-v1", "CartPole-v1")
    env = source.factory()
    assert env.spec is not None and env.spec.id == "CartPole-v1"
    assert source.factory() is not env


def test_resolve_class_path() -> None:
    source = resolve_env("paradigms.reinforcement.envs:GridWorldEnv")
    assert (source.kind, source.env_id, source.name) == ("class_path", None, "GridWorldEnv")
    assert isinstance(source.factory(), GridWorldEnv)


def test_resolve_instance_copies_after_first_call() -> None:
    env = GridWorldEnv(size=4)
    source = resolve_env(env)
    assert (source.kind, source.env_id, source.name) == ("instance", None, "GridWorldEnv")
    assert source.factory() is env
    second = source.factory()
    assert second is not env and isinstance(second, GridWorldEnv) and second.size == 4


def test_resolve_instance_made_by_gym_make_keeps_its_id() -> None:
    source = resolve_env(gym.make("CartPole-v1"))
    assert (source.kind, source.env_id) == ("instance", "CartPole-v1")


def test_resolve_instance_that_cannot_be_copied() -> None:
    class Uncopyable(GoodEnv):
        def __deepcopy__(self, memo: dict) -> Any:
            raise RuntimeError("holds a socket")

    source = resolve_env(Uncopyable())
    source.factory()
    with pytest.raises(ValueError, match="pass a factory instead of an instance"):
        source.factory()


def test_resolve_factories() -> None:
    source = resolve_env(lambda: GridWorldEnv(size=3))
    assert (source.kind, source.env_id) == ("factory", None)
    assert source.factory().size == 3
    by_function = resolve_env(make_grid)
    assert by_function.name == "make_grid" and isinstance(by_function.factory(), GridWorldEnv)
    assert resolve_env(GridWorldEnv).name == "GridWorldEnv"


def test_factory_returning_no_env_fails_when_called() -> None:
    source = resolve_env(lambda: [1, 2])
    with pytest.raises(TypeError, match="returned list"):
        source.factory()
    with pytest.raises(TypeError, match="return an instance instead"):
        resolve_env(lambda: GridWorldEnv).factory()


def test_factory_that_raises_fails_with_its_error() -> None:
    def broken() -> gym.Env:
        raise RuntimeError("no such file")

    with pytest.raises(ValueError, match="broken raised RuntimeError: no such file"):
        resolve_env(broken).factory()


def test_factory_needing_arguments_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot be called without arguments"):
        resolve_env(lambda size: GridWorldEnv(size))


@pytest.mark.parametrize("spec", [42, None, 1.5, [GridWorldEnv()], int])
def test_resolve_garbage(spec: Any) -> None:
    with pytest.raises(TypeError, match="registered Gymnasium id"):
        resolve_env(spec)


def test_unknown_id_suggests_close_ids() -> None:
    with pytest.raises(ValueError, match="CartPole-v1") as info:
        resolve_env("CartPol-v1")
    assert "module.path:MyEnv" in str(info.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("paradigms.no_such_module:Env", "Could not import module 'paradigms.no_such_module'"),
        ("paradigms.reinforcement.envs:GridWorld", "has no attribute 'GridWorld'"),
        ("paradigms.reinforcement.envs:", "both parts must be non-empty"),
    ],
)
def test_bad_class_path(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_env(spec)


def test_render_mode_passed_to_ids_and_classes() -> None:
    assert resolve_env("CartPole-v1", render_mode="rgb_array").factory().render_mode == "rgb_array"
    assert resolve_env("CartPole-v1").factory().render_mode is None
    for spec in (GridWorldEnv, "paradigms.reinforcement.envs:PixelCatchEnv"):
        assert resolve_env(spec, render_mode="rgb_array").factory().render_mode == "rgb_array"
    # A class without a render_mode parameter is built without it.
    assert resolve_env(GoodEnv, render_mode="rgb_array").factory().render_mode is None


# ---------------------------------------------------------------- validate_env


@pytest.mark.parametrize(
    "make",
    [
        lambda: gym.make("CartPole-v1"),
        lambda: gym.make("Pendulum-v1"),
        GridWorldEnv,
        PixelCatchEnv,
        NumpyScalars,
    ],
    ids=["CartPole", "Pendulum", "GridWorld", "PixelCatch", "NumpyScalars"],
)
def test_valid_envs_pass(make: Any) -> None:
    env = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        validate_env(env)
    env.step(env.action_space.sample())  # left reset and usable


def test_grid_world_passes_without_any_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate_env(GridWorldEnv(), algo="dqn")


@pytest.mark.parametrize(
    ("env_class", "message"),
    [
        (ResetReturnsOnlyObs, r"reset\(\) returned an array .* expected the tuple \(obs, info\)"),
        (Float64Obs, r"reset\(\) returned an observation of shape \(4,\) dtype float64.*float32"),
        (ObsOutOfBounds, r"obs\[2\] = 1.7 is above the upper bound 1.0"),
        (ObsWrongShape, r"shape \(3,\) dtype float32, but observation_space is Box.*shape \(4,\)"),
        (StepReturnsFour, r"step\(\) returned 4 values .* terminated, truncated"),
        (RewardNone, r"reward = NoneType None, expected a real number"),
        (RewardNaN, r"reward = nan, expected a finite number"),
        (TerminatedInt, r"terminated = int 0, expected a bool"),
        (NoObservationSpace, r"no observation_space"),
    ],
)
def test_broken_envs_are_named(env_class: type[gym.Env], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_env(env_class())


def test_library_checker_findings_name_the_checker() -> None:
    class NotDeterministic(GoodEnv):
        def _obs(self) -> Any:
            return self.np_random.uniform(-1, 1, size=4).astype(np.float32)

        def reset(self, *, seed: int | None = None, options: dict | None = None) -> Any:
            super().reset(seed=None)  # ignores the seed
            return self._obs(), {}

    # irreproducible seeding is hygiene (SB3 trains it): a warning naming the check
    with pytest.warns(UserWarning, match=r"^Gymnasium's env checker \(check_reset_seed"):
        validate_env(NotDeterministic())


def test_validate_env_refuses_non_envs() -> None:
    with pytest.raises(TypeError, match=r"gymnasium.Env instance"):
        validate_env("CartPole-v1")  # type: ignore[arg-type]


def test_dqn_refuses_continuous_actions() -> None:
    with pytest.raises(ValueError, match="Box") as info:
        validate_env(gym.make("Pendulum-v1"), algo="dqn")
    assert "sac" in str(info.value) and "td3" in str(info.value)


def test_sac_refuses_discrete_actions() -> None:
    with pytest.raises(ValueError, match="sac needs a Box action space"):
        validate_env(gym.make("CartPole-v1"), algo="sac")


def test_dict_observations_are_accepted() -> None:
    validate_env(DictObs(), algo="ppo")  # one backbone per entry (test_reinforcement_dict.py)


def test_unknown_algo() -> None:
    with pytest.raises(ValueError, match="unknown algorithm 'dpq'"):
        validate_env(GridWorldEnv(), algo="dpq")


# ---------------------------------------------------------------- example environments


def rollout(env: gym.Env, actions: list[int], seed: int) -> list[np.ndarray]:
    obs, _ = env.reset(seed=seed)
    trajectory = [obs]
    for action in actions:
        obs, *_ = env.step(action)
        trajectory.append(obs)
    return trajectory


@pytest.mark.parametrize("env_class", [GridWorldEnv, PixelCatchEnv])
def test_same_seed_same_trajectory(env_class: type[gym.Env]) -> None:
    actions = list(np.random.default_rng(0).integers(3, size=40))
    first = rollout(env_class(), actions, seed=7)
    second = rollout(env_class(), actions, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_pixel_catch_seeds_differ() -> None:
    starts = {int(np.argmax(PixelCatchEnv().reset(seed=s)[0][0, :, 0])) for s in range(20)}
    assert len(starts) > 3


def test_grid_world_optimal_path_reaches_goal() -> None:
    env = GridWorldEnv(size=4)
    obs, _ = env.reset(seed=0)
    np.testing.assert_array_equal(obs, [0.0, 0.0])
    rewards = []
    for action in [1, 1, 1, 3, 3, 3]:  # down x3, right x3
        obs, reward, terminated, truncated, _ = env.step(action)
        rewards.append(reward)
    assert terminated and not truncated
    assert rewards == [-0.01] * 5 + [1.0]
    np.testing.assert_array_equal(obs, [1.0, 1.0])


def test_grid_world_truncates_at_max_steps() -> None:
    env = GridWorldEnv(size=5, max_steps=7)
    env.reset(seed=0)
    for step in range(1, 8):
        _, _, terminated, truncated, _ = env.step(0)  # up: stays in the corner
        assert not terminated
        assert truncated == (step == 7)


def test_grid_world_renders() -> None:
    env = GridWorldEnv(size=3, render_mode="rgb_array")
    env.reset(seed=0)
    picture = env.render()
    assert isinstance(picture, np.ndarray)
    assert picture.shape == (48, 48, 3) and picture.dtype == np.uint8
    text = GridWorldEnv(size=3, render_mode="ansi")
    text.reset(seed=0)
    assert text.render() == "A . .\n. . .\n. . G\n"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"size": 1}, ValueError),
        ({"max_steps": 0}, ValueError),
        ({"size": 2.5}, TypeError),
        ({"render_mode": "human"}, ValueError),
    ],
)
def test_grid_world_checks_arguments(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        GridWorldEnv(**kwargs)


def test_grid_world_refuses_bad_actions() -> None:
    env = GridWorldEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="0 \\(up\\)"):
        env.step(4)


def test_pixel_catch_observation_and_render() -> None:
    env = PixelCatchEnv(render_mode="rgb_array")
    obs, _ = env.reset(seed=0)
    assert obs.shape == (10, 10, 1) and obs.dtype == np.uint8
    assert env.observation_space.contains(obs)
    assert (obs[0, :, 0] == 255).sum() == 1  # one ball in the top row
    assert (obs[-1, :, 0] == 160).sum() == 3  # the paddle
    picture = env.render()
    assert isinstance(picture, np.ndarray)
    assert picture.shape == (160, 160, 3) and picture.dtype == np.uint8


def test_pixel_catch_random_policy_ends_after_the_balls() -> None:
    env = PixelCatchEnv(size=10, n_balls=5)
    env.reset(seed=3)
    env.action_space.seed(3)
    outcomes, steps, terminated = [], 0, False
    while not terminated:
        _, reward, terminated, truncated, info = env.step(env.action_space.sample())
        steps += 1
        assert not truncated
        if reward:
            outcomes.append(reward)
    assert steps == 5 * 9
    assert len(outcomes) == 5 and set(outcomes) <= {-1.0, 1.0}
    assert info["balls"] == 5 and info["caught"] == outcomes.count(1.0)


def test_pixel_catch_tracking_policy_catches_every_ball() -> None:
    env = PixelCatchEnv()
    obs, _ = env.reset(seed=0)
    total, terminated = 0.0, False
    while not terminated:
        ball = int(np.argmax(obs[:-1, :, 0].max(axis=0)))
        paddle = int(np.argmax(obs[-1, :, 0])) + 1
        obs, reward, terminated, _, _ = env.step(1 + int(np.sign(ball - paddle)))
        total += reward
    assert total == 5.0


def test_pixel_catch_ball_side_reads_the_env_state_and_is_the_tracking_move() -> None:
    env = PixelCatchEnv(size=12)
    obs, _ = env.reset(seed=1)
    total, terminated, frames, sides = 0.0, False, [], []
    while not terminated:
        frames.append(obs)
        sides.append(1 + int(np.sign(env._ball[1] - env._paddle)))
        obs, reward, terminated, _, _ = env.step(int(PixelCatchEnv.ball_side(obs[None])[0]))
        total += reward
    assert total == 5.0  # moving towards the ball's side catches every ball
    labels = PixelCatchEnv.ball_side(np.stack(frames))
    assert labels.dtype == np.int64 and labels.tolist() == sides
    assert set(labels.tolist()) == {0, 1, 2}


@pytest.mark.parametrize("shape", [(10, 10, 1), (4, 1, 10, 10), (4, 10, 10, 3)])
def test_pixel_catch_ball_side_refuses_other_shapes(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"\(N, size, size, 1\); got shape"):
        PixelCatchEnv.ball_side(np.zeros(shape, dtype=np.uint8))
