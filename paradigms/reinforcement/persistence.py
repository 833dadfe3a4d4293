"""``Agent.save`` and ``Agent.load``: an agent's files, and SB3's, without pickle.

A mixin of :class:`~paradigms.reinforcement.agent.Agent`: the formats live in
:mod:`.serialization` (paradigms' folder) and :mod:`.sb3_import` (SB3's ``.zip``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paradigms.reinforcement.algorithms import check_algorithm

if TYPE_CHECKING:
    from paradigms.reinforcement.agent import Agent


class AgentFiles:
    """Saving and loading for ``Agent`` (see the methods)."""

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``path/agent.safetensors`` (weights) + ``path/agent.json`` (config), no pickle.

        Returns:
            The directory written.
        """
        from paradigms.reinforcement.serialization import save_agent

        return save_agent(self, path)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        env: Any = None,
        *,
        algo: str | None = None,
        device: str = "auto",
        n_envs: int | None = None,
    ) -> Agent:
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
            from paradigms.reinforcement.sb3_import import load_sb3_agent

            return load_sb3_agent(cls, path, env=env, algo=algo, device=device, n_envs=n_envs)
        from paradigms.reinforcement.serialization import load_agent, read_agent_config

        saved = str(read_agent_config(path)["algo"])
        if algo is not None and check_algorithm(algo) != saved:
            raise ValueError(
                f"{os.fspath(path)!r} holds a {saved.upper()} agent, not {algo.upper()}; "
                "leave algo out to load it as saved."
            )
        return load_agent(cls, path, env=env, device=device, n_envs=n_envs)
