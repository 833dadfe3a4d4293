"""Save and load agents without pickle: ``agent.safetensors`` + ``agent.json``.

``agent.safetensors`` holds every tensor: the policy's weights (target networks included),
the optimizers' state, SAC's entropy coefficient and the ``VecNormalize`` statistics.
Off-policy replay buffers are not saved (they can be gigabytes): a loaded SAC, TD3 or DQN
agent acts exactly as saved, and further training first refills its buffer.
``agent.json`` holds everything else: algorithm, env reference, hyperparameters (JSON form),
backbone config, spaces, optimizer settings, history, package versions, and the SHA-256 of
the weights file, so a mismatched or half-written pair is refused. Nothing is unpickled, so
loading an agent from a stranger cannot run code. The weights are written before the JSON
and each file atomically, so an interrupted save leaves the previous pair usable.

This module reads and writes the files and converts an SB3 algorithm's state to and from
tensors; it knows nothing of ``Agent``, whose ``save`` and ``load`` (``persistence.py``)
assemble the config and rebuild the agent through its constructor.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from paradigms._common.errors import MissingFileError
from paradigms._common.files import atomic_write_bytes, atomic_write_text, writing
from paradigms.backbones import BackboneConfig
from paradigms.reinforcement._spaces import SpacesOnlyEnv, space_from_description

FORMAT = "paradigms-agent"
FORMAT_VERSION = 1
WEIGHTS_FILE = "agent.safetensors"
#: the weights of a save in progress (see :func:`write_agent_folder`)
PENDING_WEIGHTS = "agent.safetensors.pending"
CONFIG_FILE = "agent.json"


def flatten_state(model: Any) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """All tensors of the SB3 algorithm ``model`` to save (policy, optimizers' state,
    variables such as SAC's ``log_ent_coef``), plus the optimizers' non-tensor settings."""
    tensors: dict[str, torch.Tensor] = {}
    optimizers: dict[str, Any] = {}
    for name, state in model.get_parameters().items():
        if "state" in state and "param_groups" in state:  # an optimizer
            scalars: dict[str, Any] = {}
            for index, slots in state["state"].items():
                for key, value in slots.items():
                    if torch.is_tensor(value):
                        tensors[f"{name}/state/{index}/{key}"] = value
                    else:
                        scalars[f"{index}/{key}"] = value
            optimizers[name] = {"param_groups": state["param_groups"], "scalars": scalars}
        else:
            for key, value in state.items():
                tensors[f"{name}/{key}"] = value
    for name in model._get_torch_save_params()[1]:
        tensors[f"variable/{name}"] = getattr(model, name).detach()
    return {k: v.detach().cpu().clone().contiguous() for k, v in tensors.items()}, optimizers


def json_ready(name: str, value: Any) -> Any:
    """``value`` as JSON reads it back; a ``ValueError`` naming ``name`` if it has no JSON form."""
    try:
        return json.loads(json.dumps(value, allow_nan=True))
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"the agent's {name} cannot be written to JSON ({error}); save needs plain values: "
            "numbers, strings ('lin_0.001' for a linear schedule), lists and dicts. Pass "
            "hyperparameters in that form to Agent(...) to make the agent saveable."
        ) from error


def backbone_entries(configs: dict[str, BackboneConfig], per_entry: bool) -> dict[str, Any]:
    """``{"backbone": config}``, or ``{"backbones": {key: config}}`` for Dict observations."""
    if not per_entry:
        return {"backbone": configs["observation"].to_dict()}
    return {"backbones": {key: config.to_dict() for key, config in configs.items()}}


def backbone_specs(config: dict[str, Any]) -> tuple[Any, Any]:
    """The backbone names and kwargs that rebuild the saved agent's network."""
    if "backbones" in config:
        saved = {k: BackboneConfig.from_dict(v) for k, v in config["backbones"].items()}
        return {k: c.name for k, c in saved.items()}, {k: c.kwargs for k, c in saved.items()}
    backbone = BackboneConfig.from_dict(config["backbone"])
    return backbone.name, backbone.kwargs


def write_agent_folder(
    path: str | os.PathLike[str], config: dict[str, Any], tensors: dict[str, torch.Tensor]
) -> Path:
    """Write ``path/agent.safetensors`` (``tensors``) and ``path/agent.json`` (``config``,
    completed with the format, its version and the weights' SHA-256); returns ``path``."""
    folder = Path(path)
    blob = save_tensors(tensors)
    config = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        **config,
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
    }
    # Three atomic steps, so a save killed at any point leaves a loadable agent: the new
    # weights beside the old ones, then the config naming them (by hash), then the swap. A
    # kill before the config is replaced leaves the previous save whole; a kill after it
    # leaves the new weights in PENDING_WEIGHTS, which the loader picks by their hash.
    atomic_write_bytes(folder / PENDING_WEIGHTS, blob)
    atomic_write_text(folder / CONFIG_FILE, json.dumps(config, indent=2, allow_nan=True) + "\n")
    _commit_weights(folder)
    return folder


def _commit_weights(folder: Path) -> None:
    """The last step of a save: the pending weights become ``agent.safetensors``."""
    with writing(folder / WEIGHTS_FILE):
        os.replace(folder / PENDING_WEIGHTS, folder / WEIGHTS_FILE)


def read_agent_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``agent.json`` of a saved agent, checked for format and version.

    Raises:
        MissingFileError: no ``agent.json`` at ``path``.
        ValueError: not an agent file, or one from a newer version of paradigms.
    """
    file = Path(path) / CONFIG_FILE
    if not file.is_file():
        raise MissingFileError(
            f"no saved agent at {os.fspath(path)!r}: {file} does not exist. Pass the folder "
            "that Agent.save(...) wrote (it holds agent.json and agent.safetensors)."
        )
    try:
        config = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{file} is not valid JSON ({error}); the file is damaged.") from error
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"{file} is not a paradigms agent file (no format={FORMAT!r}).")
    if int(config.get("version", 0)) > FORMAT_VERSION:
        raise ValueError(
            f"{file} has format version {config['version']}, newer than this paradigms "
            f"({FORMAT_VERSION}); upgrade paradigms to load it."
        )
    return config


def read_agent_folder(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(config, tensors)`` of the folder :func:`write_agent_folder` wrote."""
    config = read_agent_config(path)
    return config, _read_weights(Path(path), str(config["weights_sha256"]))


def _read_weights(path: Path, expected_sha: str) -> dict[str, torch.Tensor]:
    """The weights ``agent.json`` names by hash: ``agent.safetensors``, or the pending file
    of a save that was interrupted after its config was written."""
    file = path / WEIGHTS_FILE
    pending = path / PENDING_WEIGHTS
    if pending.is_file() and hashlib.sha256(pending.read_bytes()).hexdigest() == expected_sha:
        file = pending
    if not file.is_file():
        raise MissingFileError(f"{file} is missing; the agent folder is incomplete.")
    blob = file.read_bytes()
    if hashlib.sha256(blob).hexdigest() != expected_sha:
        raise ValueError(
            f"{file} does not match {path / CONFIG_FILE} (SHA-256 differs): the files come from "
            "different saves or one was modified. Save the agent again."
        )
    try:
        return load_tensors(blob)
    except Exception as error:  # safetensors' own error type: a file that is not safetensors
        raise ValueError(
            f"{file} is not a safetensors file ({error}); agent weights are only ever read as "
            "safetensors (never unpickled). Save the agent again with Agent.save."
        ) from error


def nest_parameters(
    tensors: dict[str, torch.Tensor], optimizers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Inverse of :func:`flatten_state`: SB3 ``set_parameters`` dicts and variables."""
    params: dict[str, Any] = {}
    variables: dict[str, torch.Tensor] = {}
    for key, value in tensors.items():
        if key.startswith("variable/"):
            variables[key.split("/", 1)[1]] = value
            continue
        if key.startswith(("vecnormalize.", "frozen_features/")):
            continue
        name, rest = key.split("/", 1)
        if name in optimizers:
            _, index, slot = rest.split("/", 2)
            state = params.setdefault(name, {"state": {}, "param_groups": []})["state"]
            state.setdefault(int(index), {})[slot] = value
        else:
            params.setdefault(name, {})[rest] = value
    for name, saved in optimizers.items():
        entry = params.setdefault(name, {"state": {}, "param_groups": []})
        entry["param_groups"] = saved["param_groups"]
        for key, value in saved.get("scalars", {}).items():
            index, slot = key.split("/", 1)
            entry["state"].setdefault(int(index), {})[slot] = value
    return params, variables


def _same_space(saved: dict[str, Any], now: dict[str, Any], channel_first: bool) -> bool:
    """Equal type, shape and size; with ``channel_first``, a saved ``(C, H, W)`` image also
    matches the env's ``(H, W, C)`` (SB3 transposes frames with ``VecTransposeImage``)."""
    if saved.get("type") != now.get("type") or saved.get("n") != now.get("n"):
        return False
    shape, env_shape = list(saved.get("shape") or []), list(now.get("shape") or [])
    transposed = channel_first and len(shape) == 3 and shape[1:] + shape[:1] == env_shape
    return shape == env_shape or transposed


def check_spaces(
    now: dict[str, Any], saved: dict[str, Any], trained: str, channel_first: bool = False
) -> None:
    """Refuse an env whose spaces differ from the saved descriptions (``describe_space``).

    Args:
        now: ``{"observation_space": description, "action_space": description}`` of the env
            the agent was rebuilt on.
        saved: the same for what was trained.
        trained: what was trained, for the message ("the agent", a file's path).
        channel_first: accept a channel-first saved image for a channel-last env.

    Raises:
        ValueError: naming the space, both descriptions and what to pass.
    """
    for name in ("observation_space", "action_space"):
        if not _same_space(saved[name], now[name], channel_first):
            raise ValueError(
                f"the env's {name} is {now[name]['repr']}, but {trained} was trained with "
                f"{saved[name]['repr']} ({saved[name].get('dtype')}); pass the env it was "
                "trained on."
            )


def restore_counters(model: Any, num_timesteps: int, n_updates: int) -> None:
    """Set a rebuilt algorithm's step and update counts; an off-policy one, whose replay
    buffer was not saved, refills it for ``learning_starts`` steps before updating again."""
    model.num_timesteps = int(num_timesteps)
    if hasattr(model, "learning_starts"):
        model.learning_starts = model.num_timesteps + int(model.learning_starts)
    model._n_updates = int(n_updates)


def spaces_only_factory(config: dict[str, Any], path: str | os.PathLike[str]) -> Any:
    """A factory of :class:`SpacesOnlyEnv` with the saved spaces; raises when they cannot be
    rebuilt."""
    name = str(config["env_name"])
    observation = space_from_description(config["observation_space"])
    action = space_from_description(config["action_space"])
    if observation is None or action is None:
        raise ValueError(
            f"the agent in {os.fspath(path)!r} was trained on {name!r}, given as an instance "
            f"or a factory, which cannot be saved, and its spaces "
            f"({config['observation_space']['repr']}, {config['action_space']['repr']}) cannot "
            "be rebuilt for prediction alone; pass the env again: Agent.load(path, env=MyEnv())."
        )

    def factory() -> SpacesOnlyEnv:
        return SpacesOnlyEnv(observation, action, name)

    factory.__name__ = factory.__qualname__ = name  # what the agent shows as its env's name
    return factory
