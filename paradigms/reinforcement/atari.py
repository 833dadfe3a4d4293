"""Atari (ale-py): the zoo's preprocessing for ALE ids, and the check that ale-py is there.

rl-baselines3-zoo trains every Atari game the same way (``hyperparams/{ppo,a2c,dqn}.yml``,
entry ``atari``): stable-baselines3's ``AtariWrapper`` (30 no-op starts, 4-frame skip with
max-pooling, a life loss ends the training episode, fire on reset, 84x84 grey frames, rewards
clipped to their sign) and a stack of the last 4 frames. An ALE id gets the same here. Because
``AtariWrapper`` skips frames itself, the env is made with ``frameskip=1`` (the ``ALE/...-v5``
ids skip 4 frames on their own; both together would skip 16). Sticky actions
(``repeat_action_probability=0.25`` of the v5 ids) are kept. Monitor sits inside the wrapper,
so episode returns in ``history_`` and ``evaluate`` are the game's own, unclipped, over all
lives.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import gymnasium as gym
import numpy as np

__all__ = [
    "ATARI_ENTRY_POINT",
    "INSTALL_HINT",
    "StackLastFrames",
    "atari_make_kwargs",
    "atari_wrapper_class",
    "is_atari",
    "register_atari_envs",
    "wrap_like_training",
]

ATARI_ENTRY_POINT = "ale_py.env:AtariEnv"
INSTALL_HINT = "pip install 'paradigms[atari]' (ale-py, which ships the ROMs, and OpenCV)"


def looks_like_atari(env_id: str) -> bool:
    """Whether ``env_id`` is spelled like an ALE id (``ALE/Pong-v5``, ``PongNoFrameskip-v4``)."""
    return env_id.startswith("ALE/") or "NoFrameskip" in env_id


def register_atari_envs(env_id: str) -> bool:
    """Register ale-py's ids with Gymnasium if ale-py is installed; True if it was.

    Raises:
        ValueError: when ``env_id`` looks like an ALE id and ale-py is not installed.
    """
    if importlib.util.find_spec("ale_py") is None:
        if looks_like_atari(env_id):
            raise ValueError(f"{env_id!r} is an Atari game, which needs ale-py: {INSTALL_HINT}.")
        return False
    import ale_py

    gym.register_envs(ale_py)
    return True


def is_atari(env_id: str | None) -> bool:
    """Whether ``env_id`` is a registered ALE game."""
    if env_id is None or env_id not in gym.envs.registry:
        return False
    return str(gym.envs.registry[env_id].entry_point) == ATARI_ENTRY_POINT


def atari_make_kwargs(env_id: str) -> dict[str, Any]:
    """``gymnasium.make`` keywords under ``AtariWrapper``: ``frameskip=1`` unless already so."""
    frameskip = gym.envs.registry[env_id].kwargs.get("frameskip", 1)
    return {} if frameskip == 1 else {"frameskip": 1}


def atari_wrapper_class() -> Any:
    """SB3's ``AtariWrapper`` (it needs OpenCV to resize frames).

    Raises:
        ValueError: when OpenCV is missing, with the install command.
    """
    if importlib.util.find_spec("cv2") is None:
        raise ValueError(
            f"Atari preprocessing (SB3's AtariWrapper) resizes frames with OpenCV, which is not "
            f"installed: {INSTALL_HINT}."
        )
    from stable_baselines3.common.atari_wrappers import AtariWrapper

    return AtariWrapper


class StackLastFrames(gym.ObservationWrapper):
    """Stack the last ``n`` observations along the last axis, as ``VecFrameStack`` does for a
    channel-last image: ``(H, W, C) -> (H, W, n * C)``, zeros before the first frames.

    For playing one env outside a vectorised env (recording an episode) with the observations
    the policy was trained on.
    """

    def __init__(self, env: gym.Env, n: int) -> None:
        super().__init__(env)
        space = env.observation_space
        if not isinstance(space, gym.spaces.Box):
            raise ValueError(f"frame stacking needs a Box observation space; got {space}.")
        self.n = int(n)
        low = np.repeat(space.low, self.n, axis=-1)
        high = np.repeat(space.high, self.n, axis=-1)
        self.observation_space = gym.spaces.Box(low, high, dtype=space.dtype)
        self._stack = np.zeros(self.observation_space.shape, dtype=space.dtype)
        self._channels = space.shape[-1]

    def reset(self, **kwargs: Any) -> tuple[np.ndarray, dict[str, Any]]:
        self._stack[...] = 0
        return super().reset(**kwargs)

    def observation(self, observation: np.ndarray) -> np.ndarray:
        self._stack = np.roll(self._stack, -self._channels, axis=-1)
        self._stack[..., -self._channels :] = observation
        return self._stack.copy()


def wrap_like_training(env: gym.Env, atari: bool, frame_stack: int | None) -> gym.Env:
    """One env seen as the policy saw it in training (Atari preprocessing, frame stack);
    a life loss does not end the episode and rewards are not clipped here."""
    if atari:
        env = atari_wrapper_class()(env, terminal_on_life_loss=False, clip_reward=False)
    if frame_stack:
        env = StackLastFrames(env, frame_stack)
    return env
