"""``Agent.save`` and ``Agent.load``: an agent's files, and SB3's, without pickle.

A mixin of :class:`~paradigms.reinforcement.agent.Agent`, so that loading is the agent's own:
``load`` reads plain data (config, tensors, spaces) from the file-format modules,
:mod:`.serialization` (paradigms' folder) and :mod:`.sb3_import` (SB3's ``.zip``), builds the
agent through its constructor with those hyperparameters, then restores its state.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecEnv
from typing_extensions import Self

from paradigms._common.rundir import package_versions
from paradigms.backbones import Backbone
from paradigms.reinforcement._spaces import describe_space
from paradigms.reinforcement._vec import normalization_state, restore_normalization
from paradigms.reinforcement.algorithms import check_algorithm
from paradigms.reinforcement.env_source import EnvSource
from paradigms.reinforcement.extractor import BackboneExtractor
from paradigms.reinforcement.frozen_features import frozen_backbone_state, unwrap_features
from paradigms.reinforcement.sb3_import import (
    copy_sb3_state,
    read_sb3_model,
    warn_about_notes,
)
from paradigms.reinforcement.serialization import (
    backbone_entries,
    backbone_specs,
    check_spaces,
    flatten_state,
    json_ready,
    nest_parameters,
    read_agent_config,
    read_agent_folder,
    restore_counters,
    spaces_only_factory,
    write_agent_folder,
)


class AgentFiles:
    """Saving and loading for ``Agent`` (see the methods)."""

    model: BaseAlgorithm
    env: VecEnv
    source: EnvSource
    env_spec: Any
    algo: str
    seed: int | None
    vec_env: str
    num_threads: int | None
    freeze_backbone: bool
    hyperparameters: dict[str, Any]
    history_: list[dict[str, Any]]
    evaluations_: list[dict[str, Any]]
    inference_only: bool
    sb3_notes_: list[str]
    _frozen: BackboneExtractor | None
    backbones_: dict[str, Backbone]
    reads_dict_observations: bool
    num_timesteps: int
    _rebuild_with_backbone_in_policy: Callable[[], None]

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``path/agent.safetensors`` (weights) + ``path/agent.json`` (config), no pickle.

        Returns:
            The directory written.
        """
        backbone_configs = {key: b.config for key, b in self.backbones_.items()}
        if any(c is None for c in backbone_configs.values()):
            raise ValueError(
                "the agent's backbone has no config, so it cannot be rebuilt on load; build "
                "backbones with paradigms.backbones.create_backbone (or load_backbone)."
            )
        tensors, optimizers = flatten_state(self.model)
        if self._frozen is not None:
            tensors.update(frozen_backbone_state(self._frozen))
        settings, arrays = normalization_state(unwrap_features(self.env))
        tensors.update({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()})
        config = {
            "algo": self.algo,
            "env": self._env_reference(),
            "env_name": self.source.name,
            "seed": self.seed,
            "n_envs": int(self.env.num_envs),
            "vec_env": self.vec_env,
            "num_threads": self.num_threads,
            "freeze_backbone": self.freeze_backbone,
            "frozen_features": self._frozen is not None,
            "hyperparameters": json_ready("hyperparameters", self.hyperparameters),
            **backbone_entries(backbone_configs, self.reads_dict_observations),
            **self._spaces(),
            "vecnormalize": settings,
            "optimizers": json_ready("optimizer settings", optimizers),
            "num_timesteps": self.num_timesteps,
            "n_updates": int(getattr(self.model, "_n_updates", 0)),
            "history": self.history_,
            "evaluations": self.evaluations_,
            "versions": package_versions(),
        }
        return write_agent_folder(path, config, tensors)

    def _env_reference(self) -> str | None:
        """A string that rebuilds the agent's env: the id, ``"module:Class"``, or None."""
        if self.source.kind in ("id", "class_path"):
            return str(self.env_spec)
        if self.source.env_id:
            return self.source.env_id
        spec = self.env_spec
        if isinstance(spec, type):
            module = getattr(spec, "__module__", "")
            if module and module != "__main__" and "<" not in spec.__qualname__:
                return f"{module}:{spec.__qualname__}"
        return None

    def _spaces(self) -> dict[str, Any]:
        """The ``describe_space`` form of the env's observation and action spaces."""
        return {
            "observation_space": describe_space(unwrap_features(self.env).observation_space),
            "action_space": describe_space(self.env.action_space),
        }

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        env: Any = None,
        *,
        algo: str | None = None,
        device: str = "auto",
        n_envs: int | None = None,
    ) -> Self:
        """Rebuild an agent saved with :meth:`save`, or read a stable-baselines3 ``.zip``.

        Neither is unpickled. A folder from :meth:`save` comes back whole (weights, optimizer
        state, normalisation, history). An SB3 ``.zip`` (``model.save("model.zip")``) becomes
        an agent that predicts as the SB3 model did and trains on: its policy and optimizer
        tensors are read with ``torch.load(weights_only=True)``, its algorithm, spaces and
        hyperparameters from the readable JSON fields, and what the file holds only as a
        pickle (a custom schedule, ``train_freq``...) is named in ``agent.sb3_notes_`` and in
        an ``SB3ImportWarning`` (``reinforcement/sb3_import.py``).

        Args:
            path: the directory ``save`` wrote, or an SB3 ``.zip`` file.
            env: the env, when it was given as an instance or a factory (those cannot be
                written to JSON); registered ids and ``"module:Class"`` strings are rebuilt.
                Without it, such an agent (and any SB3 file) is rebuilt from its saved spaces
                for prediction only (``inference_only`` is True; ``learn`` and ``evaluate``
                ask for ``env=``), as SB3 loads a model without an env.
            algo: for an SB3 file, its algorithm; by default it is told from the policy's
                layers (PPO and A2C share one; the JSON fields tell them apart). Checked
                against the file; for a folder, against ``agent.json``.
            device: where to put the networks.
            n_envs: parallel envs for further training (default: as saved).
        """
        if Path(path).is_file():  # SB3's .zip (Agent.save writes a folder)
            return cls._from_sb3(path, env, algo=algo, device=device, n_envs=n_envs)
        saved = str(read_agent_config(path)["algo"])
        if algo is not None and check_algorithm(algo) != saved:
            raise ValueError(
                f"{os.fspath(path)!r} holds a {saved.upper()} agent, not {algo.upper()}; "
                "leave algo out to load it as saved."
            )
        config, tensors = read_agent_folder(path)
        env_spec = env if env is not None else config.get("env")
        inference_only = env_spec is None
        if inference_only:  # an instance or a factory was not saved: rebuild its spaces
            env_spec = spaces_only_factory(config, path)
        backbone, backbone_kwargs = backbone_specs(config)
        agent = cls(
            env_spec,
            config["algo"],
            backbone=backbone,
            seed=config.get("seed"),
            n_envs=n_envs,
            freeze_backbone=bool(config.get("freeze_backbone", False)),
            backbone_kwargs=backbone_kwargs,
            vec_env=str(config.get("vec_env", "dummy")),
            device=device,
            num_threads=config.get("num_threads", 1),
            check_env=not inference_only,
            hyperparameters=config["hyperparameters"],
        )
        agent.inference_only = inference_only
        agent._restore(config, tensors)
        return agent

    def _restore(self, config: dict[str, Any], tensors: dict[str, torch.Tensor]) -> None:
        """Put a saved agent's weights, optimizer states, normalisation and history back."""
        if self._frozen is not None and not config.get("frozen_features", False):
            self._rebuild_with_backbone_in_policy()  # saved before features were precomputed
        if self._frozen is not None:
            prefix = "frozen_features/"
            state = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
            self._frozen.load_state_dict(state)
        check_spaces(self._spaces(), config, "the agent")
        params, variables = nest_parameters(tensors, config.get("optimizers", {}))
        model = self.model
        model.set_parameters(params, exact_match=True, device=model.device)
        for name, value in variables.items():
            getattr(model, name).data.copy_(value.to(model.device))
        restore_normalization(
            unwrap_features(self.env),
            config.get("vecnormalize"),
            {k: v.numpy() for k, v in tensors.items() if k.startswith("vecnormalize.")},
        )
        restore_counters(model, config.get("num_timesteps", 0), config.get("n_updates", 0))
        self.history_ = [dict(row) for row in config.get("history", [])]
        self.evaluations_ = [
            {k: (math.nan if v is None else v) for k, v in row.items()}
            for row in config.get("evaluations", [])
        ]

    @classmethod
    def _from_sb3(
        cls,
        path: str | os.PathLike[str],
        env: Any,
        *,
        algo: str | None,
        device: str,
        n_envs: int | None,
    ) -> Self:
        """Rebuild the model of an SB3 ``.zip`` as an agent (see :meth:`load`)."""
        sb3 = read_sb3_model(path, algo)
        inference_only = env is None
        if inference_only:
            config = {"env_name": sb3.archive.path.stem, **sb3.spaces}
            env = spaces_only_factory(config, sb3.archive.path)
        agent = cls(
            env,
            sb3.algo,
            backbone=sb3.backbone,
            seed=sb3.seed,
            n_envs=n_envs,
            backbone_kwargs=sb3.backbone_kwargs,
            device=device,
            check_env=not inference_only,
            hyperparameters=sb3.hyperparameters,
        )
        check_spaces(agent._spaces(), sb3.spaces, str(sb3.archive.path), channel_first=True)
        copy_sb3_state(agent.model, sb3)
        agent.inference_only = inference_only
        agent.sb3_notes_ = sb3.notes
        warn_about_notes(sb3)
        return agent
