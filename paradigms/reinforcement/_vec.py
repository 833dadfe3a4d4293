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
    VecNormalize,
)

from paradigms.reinforcement.env_source import EnvSource
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


def make_training_env(
    source: EnvSource,
    n_envs: int,
    seed: int | None,
    vec_env: str,
    normalize: Any,
    gamma: float,
) -> VecEnv:
    """``n_envs`` copies of the env, each wrapped in ``Monitor`` (episode returns in ``info``).

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
    venv = make_vec_env(
        source.factory, n_envs=int(n_envs), seed=seed, vec_env_cls=VEC_ENV_CLASSES[vec_env]
    )
    options = normalize_options(normalize)
    if options is not None:
        options.setdefault("gamma", gamma)
        venv = VecNormalize(venv, **options)
    return venv


def make_eval_env(source: EnvSource, train_env: VecEnv, seed: int | None) -> VecEnv:
    """One env for evaluation, normalised like the training env but never updating its
    statistics (copy them in with ``sync_envs_normalization`` before each evaluation).

    Episodes of an env with no time limit are cut at a step cap (see ``evaluation.py``).
    """
    venv = make_vec_env(
        lambda: EvaluationStepCap(source.factory()),
        n_envs=1,
        seed=seed,
        vec_env_cls=DummyVecEnv,
    )
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
