"""Vectorised training and evaluation environments, with optional ``VecNormalize``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.running_mean_std import RunningMeanStd
from stable_baselines3.common.vec_env import (
    DummyVecEnv,
    SubprocVecEnv,
    VecEnv,
    VecFrameStack,
    VecNormalize,
)

from paradigms.reinforcement.atari import atari_make_kwargs, atari_wrapper_class
from paradigms.reinforcement.env_source import EnvSource, with_make_kwargs
from paradigms.reinforcement.evaluation import EvaluationStepCap

VEC_ENV_CLASSES: dict[str, type[VecEnv]] = {"dummy": DummyVecEnv, "subproc": SubprocVecEnv}


def normalize_options(normalize: Any) -> dict[str, Any] | None:
    """``False``/``None`` -> None; ``True`` -> ``{}``; a mapping -> VecNormalize kwargs.

    Raises:
        TypeError: for anything else.
    """
    if normalize is None or normalize is False:
        return None
    if normalize is True:
        return {}
    if isinstance(normalize, Mapping):
        return dict(normalize)
    raise TypeError(
        "normalize must be True, False or a dict of VecNormalize options such as "
        f"{{'norm_obs': True, 'norm_reward': False}}; got {normalize!r}."
    )


def _check_frame_stack(frame_stack: Any) -> int | None:
    if frame_stack is None:
        return None
    if isinstance(frame_stack, bool) or not isinstance(frame_stack, int) or frame_stack < 1:
        raise ValueError(f"frame_stack must be a positive int or None; got {frame_stack!r}.")
    return frame_stack


def _preprocessed(
    source: EnvSource, atari: bool, frame_stack: Any
) -> tuple[EnvSource, Any, int | None]:
    """The source to build from, the per-env wrapper class (``AtariWrapper``) and the stack."""
    stack = _check_frame_stack(frame_stack)
    if not atari:
        return source, None, stack
    if source.env_id is None:
        raise ValueError(
            "atari_wrapper=True needs a registered ALE id such as 'ALE/Pong-v5' (the frames are "
            f"made with frameskip=1 under SB3's AtariWrapper); got the env {source.name!r}."
        )
    return with_make_kwargs(source, atari_make_kwargs(source.env_id)), atari_wrapper_class(), stack


def make_training_env(
    source: EnvSource,
    n_envs: int,
    seed: int | None,
    vec_env: str,
    normalize: Any,
    gamma: float,
    *,
    atari: bool = False,
    frame_stack: int | None = None,
) -> VecEnv:
    """``n_envs`` copies of the env, each wrapped in ``Monitor`` (episode returns in ``info``).

    With ``atari``, ``AtariWrapper`` goes outside each ``Monitor`` (so returns stay the game's
    own) and the env is made with ``frameskip=1``; ``frame_stack`` stacks the last N
    observations of each env (``VecFrameStack``, before any ``VecNormalize``).

    Args:
        source: the resolved env.
        n_envs: number of parallel copies.
        seed: env ``i`` is seeded with ``seed + i``.
        vec_env: ``"dummy"`` (one process, fastest for cheap envs) or ``"subproc"`` (one
            worker process per env, for slow envs).
        normalize: see :func:`normalize_options`.
        gamma: discount used by ``VecNormalize`` for reward scaling.
    """
    if vec_env not in VEC_ENV_CLASSES:
        raise ValueError(f"vec_env must be one of {sorted(VEC_ENV_CLASSES)}; got {vec_env!r}.")
    if int(n_envs) < 1:
        raise ValueError(f"n_envs must be a positive int; got {n_envs!r}.")
    built, wrapper, stack = _preprocessed(source, atari, frame_stack)
    venv = make_vec_env(
        built.factory,
        n_envs=int(n_envs),
        seed=seed,
        vec_env_cls=VEC_ENV_CLASSES[vec_env],
        wrapper_class=wrapper,
    )
    if stack is not None:
        venv = VecFrameStack(venv, n_stack=stack)
    options = normalize_options(normalize)
    if options is not None:
        options.setdefault("gamma", gamma)
        venv = VecNormalize(venv, **options)
    return venv


def make_eval_env(
    source: EnvSource,
    train_env: VecEnv,
    seed: int | None,
    *,
    atari: bool = False,
    frame_stack: int | None = None,
) -> VecEnv:
    """One env for evaluation, preprocessed and normalised like the training env but never
    updating its statistics (copy them in with ``sync_envs_normalization`` before each
    evaluation).

    Episodes of an env with no time limit are cut at a step cap (see ``evaluation.py``); ALE
    games end on their own (at most 108,000 frames), so they are not capped.
    """
    built, wrapper, stack = _preprocessed(source, atari, frame_stack)
    factory = built.factory
    venv = make_vec_env(
        factory if atari else (lambda: EvaluationStepCap(factory())),
        n_envs=1,
        seed=seed,
        vec_env_cls=DummyVecEnv,
        wrapper_class=wrapper,
    )
    if stack is not None:
        venv = VecFrameStack(venv, n_stack=stack)
    if isinstance(train_env, VecNormalize):
        venv = VecNormalize(
            venv,
            training=False,
            norm_obs=train_env.norm_obs,
            norm_reward=False,
            clip_obs=train_env.clip_obs,
            gamma=train_env.gamma,
        )
    return venv


def normalization_state(venv: VecEnv) -> tuple[dict[str, Any] | None, dict[str, np.ndarray]]:
    """JSON settings and arrays describing ``venv``'s ``VecNormalize`` (None if it has none)."""
    if not isinstance(venv, VecNormalize):
        return None, {}
    settings = {
        "norm_obs": bool(venv.norm_obs),
        "norm_reward": bool(venv.norm_reward),
        "clip_obs": float(venv.clip_obs),
        "clip_reward": float(venv.clip_reward),
        "gamma": float(venv.gamma),
        "epsilon": float(venv.epsilon),
        "obs_count": float(venv.obs_rms.count),
        "ret_count": float(venv.ret_rms.count),
    }
    arrays = {
        "vecnormalize.obs_mean": np.asarray(venv.obs_rms.mean, dtype=np.float64),
        "vecnormalize.obs_var": np.asarray(venv.obs_rms.var, dtype=np.float64),
        "vecnormalize.ret_mean": np.asarray(venv.ret_rms.mean, dtype=np.float64).reshape(-1),
        "vecnormalize.ret_var": np.asarray(venv.ret_rms.var, dtype=np.float64).reshape(-1),
    }
    return settings, arrays


def restore_normalization(
    venv: VecEnv, settings: Mapping[str, Any] | None, arrays: Mapping[str, np.ndarray]
) -> None:
    """Put saved statistics back into ``venv`` (a ``VecNormalize`` when ``settings`` is set)."""
    if settings is None:
        return
    if not isinstance(venv, VecNormalize):
        raise ValueError(
            "the saved agent was trained with VecNormalize but its rebuilt env has none; "
            "the agent file may have been edited by hand."
        )
    obs_shape = venv.obs_rms.mean.shape
    venv.obs_rms = RunningMeanStd(shape=obs_shape)
    venv.obs_rms.mean = np.asarray(arrays["vecnormalize.obs_mean"]).reshape(obs_shape)
    venv.obs_rms.var = np.asarray(arrays["vecnormalize.obs_var"]).reshape(obs_shape)
    venv.obs_rms.count = float(settings["obs_count"])
    venv.ret_rms = RunningMeanStd(shape=())
    venv.ret_rms.mean = np.asarray(arrays["vecnormalize.ret_mean"]).reshape(())
    venv.ret_rms.var = np.asarray(arrays["vecnormalize.ret_var"]).reshape(())
    venv.ret_rms.count = float(settings["ret_count"])
