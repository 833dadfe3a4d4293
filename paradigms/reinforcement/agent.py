"""``Agent``: a Gymnasium agent on stable-baselines3 whose features extractor is a Backbone.

>>> agent = Agent("CartPole-v1", algo="ppo", seed=0)     # tuned preset (rl-baselines3-zoo)
>>> agent.learn(100_000).evaluate(n_episodes=20)        # (mean return, std)
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gymnasium import spaces
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.vec_env import VecEnv, sync_envs_normalization, unwrap_vec_normalize

from paradigms._common.checks import check_int
from paradigms._common.threads import stderr_is_terminal, torch_threads
from paradigms.backbones import Backbone
from paradigms.reinforcement._build import (
    check_override_keys,
    make_algorithm,
    make_policy_kwargs,
    pick_device,
    plan_agent,
)
from paradigms.reinforcement._policy_views import PolicyViews
from paradigms.reinforcement._vec import make_eval_env, make_training_env
from paradigms.reinforcement.algorithms import algorithm_spec, check_algorithm
from paradigms.reinforcement.attribution import PolicyAttribution
from paradigms.reinforcement.auto_defaults import EnvFacts, env_facts
from paradigms.reinforcement.callbacks import EpisodeRecorder, ProgressBar, training_callbacks
from paradigms.reinforcement.dict_observations import TupleAsDict
from paradigms.reinforcement.env_source import EnvSource, resolve_env, wrapped_source
from paradigms.reinforcement.evaluation import evaluate_agent
from paradigms.reinforcement.extractor import BackboneExtractor, observation_layout
from paradigms.reinforcement.frozen_features import (
    FrozenFeatures,
    frozen_extractor,
    unwrap_features,
)
from paradigms.reinforcement.onnx_policy import PolicyExport
from paradigms.reinforcement.persistence import AgentFiles
from paradigms.reinforcement.policy_start import (
    ActionHead,
    CriticWarmup,
    actor_layout,
    apply_action_head,
    default_critic_warmup,
    split_policy_network,
)
from paradigms.reinforcement.presets import DEFAULT_TIMESTEPS, get_preset, has_preset
from paradigms.reinforcement.validation import (
    ignore_irrelevant_checker_warnings,
    is_trusted,
    validate_env,
)

BackboneSpec = str | os.PathLike[str] | Backbone
logger = logging.getLogger(__name__)


class Agent(AgentFiles, PolicyAttribution, PolicyExport, PolicyViews):
    """A reinforcement-learning agent: SB3 algorithm + ``BackboneExtractor`` + tuned preset.

    Args:
        env: a registered Gymnasium id (``"CartPole-v1"``), a ``gymnasium.Env`` instance, a
            zero-argument factory returning one, or a ``"module:Class"`` string. The env is
            validated (Gymnasium's and SB3's checkers) before anything is built.
        algo: a name of the algorithm registry (``algorithms.ALGORITHMS``: ``"ppo"``,
            ``"a2c"``, ``"dqn"``, ``"sac"``, ``"td3"``, and with sb3-contrib ``"tqc"``,
            ``"qrdqn"``, ``"maskableppo"``, ``"recurrentppo"``); ``algorithms.choices_text()``
            says which action spaces each takes.
        backbone: ``"auto"``, a registered backbone name, a saved backbone file or a
            ``Backbone`` (e.g. ``clf.backbone_`` or ``ae.encoder_`` from another paradigm).
            A ``BackboneWithHead`` (``clf.model_`` of a ``Classifier`` fitted on an expert's
            observations and actions) starts PPO's or A2C's actor as backbone + action head:
            behaviour cloning, then fine-tuning (``policy_start.py``).
            With ``"auto"`` and vector observations, the first layer of the tuned network is an
            ``mlp`` backbone; images get the library ``cnn`` (any size; Atari: ``nature_cnn``);
            ``Dict`` observations one backbone per entry, or pass ``{key: backbone}``.
        seed: seeds the algorithm and env ``i`` with ``seed + i``.
        n_envs: parallel envs; None takes the preset's value.
        freeze_backbone: keep the backbone fixed; it then runs once per env step.
        backbone_kwargs: factory kwargs when ``backbone`` is a name.
        vec_env: ``"dummy"`` (one process) or ``"subproc"`` (a worker process per env).
        device: ``"auto"`` picks CUDA for image observations when available, else CPU (small
            RL networks are faster on CPU).
        num_threads: torch threads while learning and evaluating (restored afterwards); RL
            with small networks is fastest with one. None leaves torch's setting.
        check_env: validate the env before building (leave on; off only for trusted envs
            whose checks are slow).
        verbose: SB3 verbosity (0 silent, 1 training logs).
        hyperparameters: complete hyperparameters (JSON form, as ``agent.hyperparameters``)
            to build from instead of the preset or the derived defaults; ``Agent.load``
            passes the saved ones. None: the preset, or defaults derived from the env.
        **overrides: any preset value: SB3 hyperparameters (``learning_rate=3e-4``,
            ``n_steps=64``, ``tensorboard_log="runs/tb"``...), ``policy_kwargs`` (merged into
            the preset's), ``normalize`` (VecNormalize), ``n_timesteps`` (default budget),
            ``action_noise`` (``{"type": "normal", "sigma": 0.1}``, SAC/TD3).

    Attributes:
        model: the SB3 algorithm (``PPO``, ``SAC``...), for anything SB3 offers.
        hyperparameters: the preset merged with the overrides, in JSON form.
        tuned: whether a tuned preset exists; if not, the defaults are derived from the env
            and the budget (``auto_defaults.py``; a first ``learn(N)`` re-derives them for N).
        history_: one row per training episode (timesteps, episode_return, episode_length...).
        evaluations_: one row per evaluation during ``learn(eval_freq=...)``.
        sb3_notes_: for an agent read from an SB3 ``.zip``, the values the file held only as
            pickles (replaced by SB3's defaults); empty otherwise.
    """

    def __init__(
        self,
        env: Any,
        algo: str = "ppo",
        backbone: BackboneSpec = "auto",
        seed: int | None = None,
        n_envs: int | None = None,
        *,
        freeze_backbone: bool = False,
        backbone_kwargs: Mapping[str, Any] | None = None,
        vec_env: str = "dummy",
        device: str = "auto",
        num_threads: int | None = 1,
        check_env: bool = True,
        verbose: int = 0,
        hyperparameters: Mapping[str, Any] | None = None,
        **overrides: Any,
    ) -> None:
        self._prepare(
            env,
            algo,
            seed=seed,
            freeze_backbone=freeze_backbone,
            vec_env=vec_env,
            num_threads=num_threads,
            verbose=verbose,
            check_env=check_env,
        )
        check_override_keys(self.algo, overrides)
        backbone, self._action_head = split_policy_network(backbone, self.algo, self._action_space)
        if self._action_head is not None:  # behaviour cloning: the actor is backbone + head
            overrides = {
                **overrides,
                "policy_kwargs": actor_layout(self.algo, overrides.get("policy_kwargs")),
            }
        self._overrides = dict(overrides)
        self._base = None if hyperparameters is None else dict(hyperparameters)
        self._requested = (n_envs, backbone, backbone_kwargs, device)
        budget = int(overrides.get("n_timesteps", DEFAULT_TIMESTEPS))
        self._finish(*self._plan(budget), device=self._requested[3])
        self._derives_defaults = not self.tuned and self._base is None

    def _plan(self, budget: int) -> tuple[dict[str, Any], BackboneSpec, dict[str, Any]]:
        """The preset (or, without one, defaults derived for ``budget`` steps) + overrides."""
        n_envs, backbone, backbone_kwargs, _ = self._requested
        if self._base is not None:
            base = self._base
        elif self.tuned:
            base = get_preset(self.source.env_id, self.algo)
        else:
            base = algorithm_spec(self.algo).defaults(self._env_facts, budget)
        layout, _ = observation_layout(self._observation_space)
        plan = plan_agent(
            self.algo, base, self._overrides, n_envs, layout, backbone, backbone_kwargs
        )
        if self._action_head is not None and plan[0].get("critic_warmup") is None:
            plan[0]["critic_warmup"] = default_critic_warmup(self.algo, plan[0])
        return plan

    def _rebuild_with_backbone_in_policy(self) -> None:
        """Rebuild with a frozen backbone inside the policy rather than computed once per
        env step, the layout of agents saved before that (``Agent.load``)."""
        self._precompute_frozen = False
        self.close()
        self._finish(*self._plan(0), device=self._requested[3])

    def _fit_defaults_to_budget(self, total: int) -> None:
        """Derived defaults depend on the budget (buffer, target update, rollout length): a
        first ``learn`` with a budget other than ``n_timesteps`` rebuilds the agent for it."""
        if not self._derives_defaults or self.num_timesteps > 0:
            return
        plan = self._plan(total)
        if plan[0] == self.hyperparameters:
            return
        logger.info("%s on %s: defaults derived for %d steps", self.algo, self.source.name, total)
        self.close()
        self._finish(*plan, device=self._requested[3])

    # ------------------------------------------------------------------ construction
    def _prepare(
        self,
        env: Any,
        algo: str,
        *,
        seed: int | None,
        freeze_backbone: bool,
        vec_env: str,
        num_threads: int | None,
        verbose: int,
        check_env: bool,
    ) -> None:
        """Store the settings, resolve the env and validate it (before anything is built)."""
        self.algo = check_algorithm(algo)
        self.env_spec = env
        self.seed = seed
        self.freeze_backbone = bool(freeze_backbone)
        self.vec_env = vec_env
        self.num_threads = num_threads
        self.verbose = int(verbose)
        self.source: EnvSource = resolve_env(env)
        self.inference_only = False  # Agent.load without an env sets it
        self.sb3_notes_: list[str] = []  # Agent.load of an SB3 .zip fills it
        self._action_head: ActionHead | None = None  # set from a BackboneWithHead
        self._derives_defaults = False  # only a new agent without a preset re-derives them
        self._precompute_frozen = True  # False: frozen backbone in the policy (older files)
        probe = self.source.factory()
        if isinstance(probe.observation_space, spaces.Tuple):  # SB3 reads Dicts, not Tuples
            self.source = wrapped_source(self.source, TupleAsDict)
            probe = TupleAsDict(probe)
        try:
            if check_env:
                with warnings.catch_warnings():
                    ignore_irrelevant_checker_warnings(self.source.env_id)
                    trusted = is_trusted(self.source.env_id)
                    validate_env(probe, algo=self.algo, trusted=trusted)
            self._observation_space = probe.observation_space
            self._action_space = probe.action_space
            layout, _ = observation_layout(probe.observation_space)
            self._env_facts: EnvFacts = env_facts(probe, image=layout != "vector")
        finally:
            if self.source.kind != "instance":
                probe.close()
        self.tuned = has_preset(self.source.env_id, self.algo)

    def _finish(
        self,
        hyperparameters: dict[str, Any],
        backbone: BackboneSpec,
        backbone_kwargs: Mapping[str, Any],
        *,
        device: str,
    ) -> None:
        """Build the envs and the SB3 algorithm from JSON-form hyperparameters."""
        self.hyperparameters: dict[str, Any] = hyperparameters
        layout, _ = observation_layout(self._observation_space)
        self.device = pick_device(device, layout)
        self.history_: list[dict[str, Any]] = []
        self.evaluations_: list[dict[str, Any]] = []
        self._eval_env: VecEnv | None = None
        hyper = self.hyperparameters
        self.env: VecEnv = make_training_env(
            self.source,
            n_envs=int(hyper.get("n_envs", 1)),
            seed=self.seed,
            vec_env=self.vec_env,
            normalize=hyper.get("normalize", False),
            gamma=float(hyper.get("gamma", 0.99)),
            **self.env_preprocessing,
        )
        self._frozen: BackboneExtractor | None = None
        if self.freeze_backbone and self._precompute_frozen and layout != "dict":
            self._frozen = frozen_extractor(
                self.env.observation_space, backbone, backbone_kwargs, self.seed, self.device
            )
            self.env = FrozenFeatures(self.env, self._frozen)
        policy_kwargs = make_policy_kwargs(
            hyper["policy_kwargs"],
            backbone,
            backbone_kwargs,
            self.freeze_backbone,
            self.device,
            dict_observations=layout == "dict",
            precomputed=self._frozen is not None,
        )
        with torch_threads(self.num_threads):
            self.model: BaseAlgorithm = make_algorithm(
                self.algo,
                self.env,
                hyper,
                policy_kwargs,
                action_noise=hyper.get("action_noise"),
                seed=self.seed,
                device=self.device,
                verbose=self.verbose,
            )
        for module in self.model.policy.modules():
            if isinstance(module, BackboneExtractor):
                module.restore_pretrained()
        if self._action_head is not None:
            apply_action_head(self.model.policy, self._action_head)

    @property
    def env_preprocessing(self) -> dict[str, Any]:
        """How the env is wrapped, from the hyperparameters: ``{"atari": bool, "frame_stack":
        int | None}`` (Atari's wrappers, or a frame stack of your own); an env made for this
        agent outside it (a recording's) is wrapped the same way."""
        return {
            "atari": bool(self.hyperparameters.get("atari_wrapper", False)),
            "frame_stack": self.hyperparameters.get("frame_stack"),
        }

    # ------------------------------------------------------------------ training
    def learn(
        self,
        total_timesteps: int | None = None,
        *,
        progress_bar: bool | None = None,
        eval_freq: int | None = None,
        eval_episodes: int = 10,
        stop_reward: float | None = None,
        log_dir: str | os.PathLike[str] | None = None,
        save_path: str | os.PathLike[str] | None = None,
        save_freq: int | None = None,
        callback: BaseCallback | None = None,
    ) -> Agent:
        """Train for ``total_timesteps`` environment steps (more steps continue training).

        Args:
            total_timesteps: steps to take now; None uses the preset's budget
                (``hyperparameters["n_timesteps"]``).
            progress_bar: tqdm bar over steps; None shows it when stderr is a terminal.
            eval_freq: evaluate every this many steps (``evaluations_``); None: never.
            eval_episodes: episodes per evaluation.
            stop_reward: stop once an evaluation's mean return reaches this (e.g.
                ``agent.reward_threshold``); needs ``eval_freq``.
            log_dir: write ``episodes.csv`` there (appended and flushed per episode).
            save_path: save the agent there (atomically) every ``save_freq`` steps and at the
                end, so an interrupted run can resume with ``Agent.load``.
            save_freq: steps between saves; None saves about ten times per call.
            callback: an extra SB3 callback.

        Returns:
            ``self``.
        """
        self._need_env("learn")
        total = (
            int(self.hyperparameters.get("n_timesteps", DEFAULT_TIMESTEPS))
            if total_timesteps is None
            else total_timesteps
        )
        total = check_int("total_timesteps", total, 1)
        if stop_reward is not None and not eval_freq:
            raise ValueError(
                "stop_reward needs evaluations during training; pass eval_freq as well, e.g. "
                "learn(100_000, eval_freq=10_000, stop_reward=agent.reward_threshold)."
            )
        self._fit_defaults_to_budget(int(total))
        if progress_bar is None:
            progress_bar = stderr_is_terminal()
        callbacks = training_callbacks(
            history=self.history_,
            evaluations=self.evaluations_,
            total=int(total),
            progress_bar=bool(progress_bar),
            csv_path=Path(log_dir) / "episodes.csv" if log_dir is not None else None,
            evaluate=(lambda: self.evaluate(eval_episodes)) if eval_freq else None,
            eval_freq=eval_freq,
            stop_reward=stop_reward,
            save=(lambda: self.save(save_path)) if save_path is not None else None,
            save_freq=save_freq,
            extra=callback,
        )
        warmup = int(self.hyperparameters.get("critic_warmup") or 0)
        if warmup > self.num_timesteps:  # the actor waits for the critic (policy_start.py)
            callbacks.append(CriticWarmup(warmup))
        try:
            with torch_threads(self.num_threads):
                self.model.learn(
                    total_timesteps=int(total),
                    callback=CallbackList(callbacks),
                    reset_num_timesteps=False,
                    tb_log_name=f"{self.algo}",
                )
        finally:  # SB3 skips _on_training_end on KeyboardInterrupt: close the CSV and the bar
            for item in callbacks:
                if isinstance(item, (EpisodeRecorder, ProgressBar)):
                    item.on_training_end()
        return self

    # ------------------------------------------------------------------ inference
    def _need_env(self, what: str) -> None:
        if self.inference_only:
            raise ValueError(
                f"this agent was loaded without its env ({self.source.name!r}), so it can "
                f"predict but not {what}; load it with the env to {what}: "
                "Agent.load(path, env=...)."
            )

    def evaluation_env(self) -> VecEnv:
        """The (cached) single evaluation env, synced with the training normalisation."""
        self._need_env("evaluate")
        if self._eval_env is None:
            seed = None if self.seed is None else self.seed + 10_000
            raw = unwrap_features(self.env)
            self._eval_env = make_eval_env(self.source, raw, seed, **self.env_preprocessing)
            if self._frozen is not None:
                self._eval_env = FrozenFeatures(self._eval_env, self._frozen)
        if unwrap_vec_normalize(self.env) is not None:
            sync_envs_normalization(self.env, self._eval_env)
        return self._eval_env

    def evaluate(self, n_episodes: int = 10, deterministic: bool = True) -> tuple[float, float]:
        """Mean and standard deviation of the return over ``n_episodes`` evaluation episodes.

        Rewards are the env's own (never normalised), so results compare across agents.
        An env with no time limit has its evaluation episodes cut at
        ``evaluation.EVALUATION_STEP_CAP`` steps, with a warning when that happens.
        """
        n_episodes = check_int("n_episodes", n_episodes, 1)
        with torch_threads(self.num_threads):
            return evaluate_agent(
                self.model,
                self.evaluation_env(),
                int(n_episodes),
                deterministic,
                self.source.name,
                self.algo,
            )

    def close(self) -> None:
        """Close the training and evaluation envs (worker processes included)."""
        self.env.close()
        if self._eval_env is not None:
            self._eval_env.close()
            self._eval_env = None

    def __repr__(self) -> str:
        return (
            f"Agent(env={self.source.name!r}, algo={self.algo!r}, "
            f"backbone={self._backbone_names()!r}, "
            f"n_envs={self.env.num_envs}, tuned={self.tuned}, num_timesteps={self.num_timesteps})"
        )
