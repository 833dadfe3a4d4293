"""Turn a preset plus the user's overrides into an SB3 algorithm with a ``BackboneExtractor``.

Everything here works on the JSON form of the hyperparameters (schedules as ``"lin_0.001"``,
activations as ``"tanh"``), which is what an agent saves; conversion to Python objects
happens only at the last step, so a saved agent rebuilds from its JSON exactly.
"""

from __future__ import annotations

import difflib
import importlib.util
import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise
from stable_baselines3.common.torch_layers import FlattenExtractor
from stable_baselines3.common.vec_env import VecEnv

from paradigms._common.device import fused_adam_supported, resolve_device
from paradigms.backbones.mlp import ACTIVATIONS
from paradigms.reinforcement.algorithms import (
    MANAGED_KEYS,
    algorithm_class,
    algorithm_defaults,
    algorithm_parameters,
    algorithm_spec,
    policy_name,
)
from paradigms.reinforcement.dict_observations import DictBackboneExtractor
from paradigms.reinforcement.extractor import AUTO_IMAGE_BACKBONE, BackboneExtractor
from paradigms.reinforcement.presets import RESERVED_KEYS, activation_class, parse_schedule

logger = logging.getLogger(__name__)

SCHEDULE_KEYS = ("learning_rate", "clip_range", "clip_range_vf")


def check_override_keys(algo: str, keys: Mapping[str, Any]) -> None:
    """Refuse keyword overrides that are neither an SB3 hyperparameter nor a preset key.

    Raises:
        TypeError: naming the unknown keyword and the closest accepted ones.
    """
    accepted = algorithm_parameters(algo) | set(RESERVED_KEYS)
    for key in keys:
        if key in MANAGED_KEYS:
            raise TypeError(
                f"{key!r} is set by Agent itself; pass it as Agent(..., {key}=...) where it "
                "exists (seed, device, verbose) or not at all (policy, env)."
            )
        if key not in accepted:
            close = difflib.get_close_matches(key, sorted(accepted), n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise TypeError(
                f"Agent got an unexpected keyword {key!r} for algo={algo!r}.{hint} Accepted: "
                f"the {algorithm_class(algo).__name__} hyperparameters "
                f"({', '.join(sorted(algorithm_parameters(algo)))}) and {sorted(RESERVED_KEYS)}."
            )


def merge_overrides(preset: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The preset updated by the user's overrides; ``policy_kwargs`` is merged key by key."""
    merged = {key: value for key, value in preset.items()}
    merged["policy_kwargs"] = dict(preset.get("policy_kwargs") or {})
    for key, value in overrides.items():
        if key == "policy_kwargs":
            merged["policy_kwargs"].update(dict(value or {}))
        else:
            merged[key] = value
    return merged


def fit_batch_to_rollout(algo: str, hyper: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """PPO: shrink a preset ``batch_size`` larger than one rollout (``n_steps * n_envs``).

    Happens when ``n_envs`` is lowered below the preset's; SB3 would otherwise warn about a
    truncated mini-batch on every update. A ``batch_size`` the user passed is left alone.
    """
    if not algorithm_spec(algo).on_policy or "batch_size" in overrides:
        return
    defaults = algorithm_defaults(algo)
    if "batch_size" not in defaults:  # A2C: one batch per rollout
        return
    rollout = int(hyper.get("n_steps", defaults["n_steps"])) * int(hyper.get("n_envs", 1))
    batch = int(hyper.get("batch_size", defaults["batch_size"]))
    if batch > rollout:
        logger.info("batch_size %s > rollout %s: using %s", batch, rollout, rollout)
        hyper["batch_size"] = rollout


def _split_first_layer(net_arch: Any) -> tuple[int | None, Any]:
    """``[64, 64] -> (64, [64])``; ``{"pi": [64, 32], "vf": [64]} -> (64, {"pi": [32], "vf": []})``.

    Returns ``(None, net_arch)`` when the layers after the extractor do not share a first width.
    """
    if isinstance(net_arch, (list, tuple)):
        widths = [int(w) for w in net_arch]
        return (widths[0], widths[1:]) if widths else (None, net_arch)
    if isinstance(net_arch, Mapping):
        branches = {key: [int(w) for w in value] for key, value in net_arch.items()}
        firsts = {widths[0] for widths in branches.values() if widths}
        if len(firsts) == 1 and all(branches.values()):
            return firsts.pop(), {key: widths[1:] for key, widths in branches.items()}
    return None, net_arch


def activation_name(value: Any) -> str:
    """``"tanh"`` or SB3-style ``nn.Tanh`` -> ``"tanh"`` (the JSON form).

    Raises:
        ValueError: for an activation the library's ``mlp`` backbone does not know.
    """
    if isinstance(value, str):
        activation_class(value)  # validates the name
        return value
    for name, cls in ACTIVATIONS.items():
        if value is cls:
            return name
    raise ValueError(
        f"activation_fn={value!r} is not supported; use one of {sorted(ACTIVATIONS)} "
        "(a name such as 'tanh', or the torch.nn class)."
    )


def plan_network(
    algo: str,
    layout: str,
    backbone: Any,
    backbone_kwargs: Mapping[str, Any] | None,
    policy_kwargs: Mapping[str, Any],
    image_backbone: str = "cnn",
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """Decide the backbone and the layers after it (JSON form).

    With ``backbone="auto"`` and vector observations, the first layer of the tuned network
    becomes an ``mlp`` backbone (same width and activation) and the remaining layers stay as
    ``net_arch``; actor and critic keep separate trunks, so the network is exactly the one the
    preset was tuned with. Images get ``image_backbone`` (the library ``cnn`` with the
    keyword arguments of ``extractor.AUTO_IMAGE_BACKBONE``; ``nature_cnn`` for Atari frames);
    any other backbone keeps the whole ``net_arch`` after it.

    Returns:
        ``(backbone, backbone_kwargs, policy_kwargs)`` with ``policy_kwargs`` in JSON form.
    """
    kwargs = dict(backbone_kwargs or {})
    json_kwargs = dict(policy_kwargs)
    spec = algorithm_spec(algo)
    json_kwargs["activation_fn"] = activation_name(
        json_kwargs.get("activation_fn", spec.activation)
    )
    json_kwargs.setdefault("net_arch", list(spec.net_arch))
    is_auto = isinstance(backbone, str) and backbone == "auto"
    if is_auto and layout == "vector" and not spec.layout.auto_splits_first_layer:
        return "flatten", kwargs, json_kwargs  # the whole tuned network after the input
    if is_auto and layout == "vector":
        first, rest = _split_first_layer(json_kwargs["net_arch"])
        kwargs.setdefault("hidden", [first if first is not None else 64])
        kwargs.setdefault("activation", json_kwargs["activation_fn"])
        if first is not None:
            json_kwargs["net_arch"] = rest
        if spec.on_policy:  # actor and critic keep separate trunks, as SB3's MlpPolicy
            json_kwargs.setdefault("share_features_extractor", False)
        return "mlp", kwargs, json_kwargs
    if is_auto and layout == "dict":  # each entry's own "auto" (dict_observations.py)
        return "auto", kwargs, json_kwargs
    if is_auto and image_backbone == AUTO_IMAGE_BACKBONE[0]:
        return image_backbone, {**AUTO_IMAGE_BACKBONE[1], **kwargs}, json_kwargs
    if is_auto:
        return image_backbone, kwargs, json_kwargs
    return backbone, kwargs, json_kwargs


def optimizer_class(name: str) -> type[torch.optim.Optimizer]:
    """``"RMSpropTFLike"`` (the zoo's A2C Atari optimizer) or a ``torch.optim`` class name.

    Raises:
        ValueError: for a name that is neither.
    """
    if name == "RMSpropTFLike":
        from stable_baselines3.common.sb2_compat.rmsprop_tf_like import RMSpropTFLike

        return RMSpropTFLike
    found = getattr(torch.optim, name, None)
    if isinstance(found, type) and issubclass(found, torch.optim.Optimizer):
        return found
    raise ValueError(
        f"optimizer_class={name!r} is unknown; use a torch.optim class name such as 'Adam' or "
        "'RMSprop', 'RMSpropTFLike', or the class itself."
    )


def plan_agent(
    algo: str,
    base: Mapping[str, Any],
    overrides: Mapping[str, Any],
    n_envs: int | None,
    layout: str,
    backbone: Any,
    backbone_kwargs: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """Hyperparameters (JSON form) and network from a preset or derived ``base`` + overrides.

    Returns:
        ``(hyperparameters, backbone, backbone_kwargs)``, see :func:`plan_network`.
    """
    hyper = merge_overrides(base, overrides)
    if n_envs is not None:
        hyper["n_envs"] = int(n_envs)
    fit_batch_to_rollout(algo, hyper, overrides)
    image_backbone = "nature_cnn" if hyper.get("atari_wrapper") else "cnn"
    backbone, kwargs, hyper["policy_kwargs"] = plan_network(
        algo, layout, backbone, backbone_kwargs, hyper["policy_kwargs"], image_backbone
    )
    return hyper, backbone, kwargs


def make_policy_kwargs(
    json_kwargs: Mapping[str, Any],
    backbone: Any,
    backbone_kwargs: Mapping[str, Any],
    freeze_backbone: bool,
    device: str = "cpu",
    dict_observations: bool = False,
    precomputed: bool = False,
) -> dict[str, Any]:
    """SB3 ``policy_kwargs`` (Python objects) from their JSON form and the backbone choice.

    SB3's default optimizer (Adam) gets torch's fused kernel where ``device`` supports it:
    the same update, several times faster per step for small policies (measured in
    ``benchmarks/reinforcement.py``). A2C's RMSprop and a user's ``optimizer_class`` are
    left as they are.
    """
    out = dict(json_kwargs)
    if isinstance(out.get("optimizer_class"), str):
        out["optimizer_class"] = optimizer_class(out["optimizer_class"])
    if "optimizer_class" not in out and fused_adam_supported(str(torch.device(device).type)):
        out["optimizer_kwargs"] = {"fused": True, **dict(out.get("optimizer_kwargs") or {})}
    out["activation_fn"] = activation_class(str(out["activation_fn"]))
    if precomputed:  # observations are already the frozen backbone's features
        out["features_extractor_class"] = FlattenExtractor
        out["normalize_images"] = False
        return out
    out["features_extractor_class"] = (
        DictBackboneExtractor if dict_observations else BackboneExtractor
    )
    out["features_extractor_kwargs"] = {
        "backbone": backbone,
        "backbone_kwargs": dict(backbone_kwargs),
        "freeze_backbone": bool(freeze_backbone),
    }
    out["normalize_images"] = False
    return out


def make_action_noise(spec: Mapping[str, Any] | None, action_space: spaces.Space) -> Any:
    """SB3 action noise from ``{"type": "normal"|"ornstein-uhlenbeck", "sigma": s}`` (or None)."""
    if not spec:
        return None
    if not isinstance(action_space, spaces.Box):
        raise ValueError(f"action_noise needs a Box action space; the env has {action_space}.")
    size = int(np.prod(action_space.shape))
    sigma = float(spec.get("sigma", 0.1)) * np.ones(size)
    kind = str(spec.get("type", "normal"))
    if kind == "normal":
        return NormalActionNoise(mean=np.zeros(size), sigma=sigma)
    if kind in ("ornstein-uhlenbeck", "ou"):
        return OrnsteinUhlenbeckActionNoise(mean=np.zeros(size), sigma=sigma)
    raise ValueError(
        f"action_noise type {kind!r} is unknown; use 'normal' or 'ornstein-uhlenbeck', e.g. "
        "action_noise={'type': 'normal', 'sigma': 0.1}."
    )


def make_algorithm(
    algo: str,
    venv: VecEnv,
    hyperparameters: Mapping[str, Any],
    policy_kwargs: Mapping[str, Any],
    *,
    action_noise: Mapping[str, Any] | None,
    seed: int | None,
    device: str,
    verbose: int,
) -> BaseAlgorithm:
    """Build the SB3 algorithm; ``hyperparameters`` are JSON-form SB3 keyword arguments."""
    kwargs = {key: value for key, value in hyperparameters.items() if key not in RESERVED_KEYS}
    if kwargs.get("tensorboard_log") and importlib.util.find_spec("tensorboard") is None:
        raise ValueError(
            f"tensorboard_log={kwargs['tensorboard_log']!r} needs the tensorboard package, which "
            "is not installed; pip install 'paradigms[tensorboard]' (or drop tensorboard_log: "
            "learn(log_dir=...) writes an episode CSV without it)."
        )
    for key in SCHEDULE_KEYS:
        if key in kwargs and kwargs[key] is not None:
            kwargs[key] = parse_schedule(kwargs[key])
    if "train_freq" in kwargs and isinstance(kwargs["train_freq"], list):
        kwargs["train_freq"] = (int(kwargs["train_freq"][0]), str(kwargs["train_freq"][1]))
    if "action_noise" in algorithm_parameters(algo):
        kwargs["action_noise"] = make_action_noise(action_noise, venv.action_space)
    cls = algorithm_class(algo)
    dict_observations = isinstance(venv.observation_space, spaces.Dict)
    try:
        return cls(
            policy_name(algo, dict_observations),
            venv,
            policy_kwargs=dict(policy_kwargs),
            seed=seed,
            device=device,
            verbose=verbose,
            **kwargs,
        )
    except AssertionError as error:  # SB3 checks its hyperparameters with assert
        raise ValueError(
            f"stable-baselines3's {cls.__name__} refused the hyperparameters: {error} "
            f"(received {dict(hyperparameters)})."
        ) from error


def pick_device(device: str, layout: str) -> str:
    """``"auto"``: CUDA for image (and Dict) observations when available, else CPU (small
    vector policies are faster on CPU); anything else as ``resolve_device`` reads it."""
    if device == "auto":
        return "cuda" if layout != "vector" and torch.cuda.is_available() else "cpu"
    return str(resolve_device(device))
