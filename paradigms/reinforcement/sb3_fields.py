"""What an SB3 ``.zip`` says about its model, rebuilt from the readable fields alone.

Works on :class:`~.sb3_archive.SB3Archive` (nothing in it was unpickled), for the algorithm
:mod:`.sb3_detect` tells; the spaces come from the readable attributes SB3
writes beside each pickle (``"_shape"``, ``"dtype"``, ``"n"``, the printed ``"low"`` and
``"high"``), the hyperparameters from the plain JSON values and the printed schedules. What
cannot be read back is listed in :attr:`RecoveredModel.notes`, so a user knows which values
are SB3's defaults rather than the file's.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from paradigms.backbones.mlp import ACTIVATIONS
from paradigms.reinforcement.algorithms import (
    algorithm_class,
    algorithm_defaults,
    algorithm_spec,
    policy_name,
)
from paradigms.reinforcement.sb3_archive import TYPE, SB3Archive
from paradigms.reinforcement.sb3_detect import NOT_HYPERPARAMETERS

#: buffer classes SB3 picks by itself: nothing to recover when the file names one of these
_DEFAULT_BUFFERS = frozenset(
    {
        "RolloutBuffer",
        "DictRolloutBuffer",
        "ReplayBuffer",
        "DictReplayBuffer",
        "MaskableRolloutBuffer",
        "MaskableDictRolloutBuffer",
    }
)
_CLASS_NAME = re.compile(r"<class '([^']+)'>")
_CONSTANT = re.compile(r"^ConstantSchedule\(val=([^)]+)\)$")
_LINEAR = re.compile(r"^LinearSchedule\(start=([^,]+), end=([^,]+), end_fraction=([^)]+)\)$")


@dataclass
class RecoveredModel:
    """The model an SB3 file describes, in the JSON form ``Agent`` is built from.

    Attributes:
        algo: the registry name of the algorithm that wrote the file.
        hyperparameters: SB3 keyword arguments read from the file (``n_envs`` included).
        policy_kwargs: ``activation_fn`` (a name), ``net_arch`` and the other readable keys.
        features: ``"mlp"`` (SB3's ``FlattenExtractor``) or ``"nature_cnn"`` (``NatureCNN``).
        features_dim: the ``NatureCNN``'s output width (0 for ``"mlp"``).
        notes: one line per value the file holds only as a pickle (SB3's default is used).
    """

    algo: str
    hyperparameters: dict[str, Any]
    policy_kwargs: dict[str, Any]
    features: str
    features_dim: int = 0
    notes: list[str] = field(default_factory=list)


def class_name(printed: Any) -> str:
    """``"<class 'torch.nn.modules.activation.ReLU'>" -> "ReLU"`` (``""`` if not a class)."""
    found = _CLASS_NAME.search(str(printed))
    return found.group(1).rsplit(".", 1)[-1] if found else ""


def _numbers(printed: str) -> np.ndarray:
    """``"[-4.8 -inf 0.4]"`` (numpy's print, any nesting) -> a flat float array."""
    tokens = printed.replace("[", " ").replace("]", " ").replace(",", " ").split()
    return np.array([float(t) for t in tokens], dtype=np.float64)


def _bound(printed: Any, shape: tuple[int, ...], name: str, notes: list[str]) -> Any:
    """A Box bound from its print; a truncated print ("...") of one repeated value is that
    value everywhere (how large image spaces print)."""
    text = str(printed)
    truncated = "..." in text
    values = _numbers(text.replace("...", " "))
    if values.size == 0:
        raise ValueError(f"cannot read the {name} bound {text!r}")
    if truncated:
        if not np.all(values == values[0]):
            raise ValueError(f"the {name} bound is printed truncated with differing values")
        notes.append(f"{name}: printed truncated; every shown value is {values[0]:g}, used for all")
        return float(values[0])
    if values.size == 1:
        return float(values[0])
    return values.reshape(shape).tolist()


def space_description(archive: SB3Archive, name: str, notes: list[str]) -> dict[str, Any]:
    """The ``describe_space`` form (``_spaces.py``) of the file's ``observation_space`` or
    ``action_space``, from the readable fields.

    Raises:
        ValueError: a space type or print that cannot be rebuilt (a ``Dict``, say).
    """
    fields = archive.readable(name)
    kind = class_name(fields.get(TYPE, ""))
    shape = tuple(int(s) for s in fields.get("_shape") or ())
    out: dict[str, Any] = {"type": kind, "shape": list(shape), "dtype": fields.get("dtype")}
    try:
        if kind == "Box":
            out["low"] = _bound(fields["low"], shape, f"{name}.low", notes)
            out["high"] = _bound(fields["high"], shape, f"{name}.high", notes)
        elif kind == "Discrete":
            out["n"], out["start"] = int(fields["n"]), int(fields.get("start", 0))
        elif kind == "MultiDiscrete":
            out["nvec"] = _numbers(str(fields["nvec"])).astype(int).tolist()
        elif kind == "MultiBinary":
            n = _numbers(str(fields["n"])).astype(int).tolist()
            out["n"] = n[0] if len(n) == 1 else n
        else:
            raise ValueError(f"a {kind or 'unknown'} space")
    except (KeyError, ValueError) as error:
        raise ValueError(
            f"{archive.path}: its {name} cannot be rebuilt from the readable fields ({error}); "
            "paradigms reads Box, Discrete, MultiDiscrete and MultiBinary spaces from SB3 files "
            "(Dict observations are not supported)."
        ) from error
    out["repr"] = f"{kind}(shape={shape})"
    return out


def _schedule(archive: SB3Archive, name: str, notes: list[str]) -> Any:
    """A schedulable value (``learning_rate``, ``clip_range``...) in paradigms' JSON form:
    a number, ``"lin_<start>"``, or None when the file only has it as a pickle."""
    value = archive.fields.get(name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    readable = archive.readable(name)
    if name == "learning_rate" and not readable:
        readable = archive.readable("lr_schedule")
    printed = str(readable.get("value_schedule", ""))
    if _CONSTANT.match(printed):
        return float(_CONSTANT.match(printed).group(1))  # type: ignore[union-attr]
    linear = _LINEAR.match(printed)
    if linear:
        start, end, fraction = (float(g) for g in linear.groups())
        if end == 0.0 and fraction == 1.0:
            return f"lin_{start}"
        progress = float(archive.fields.get("_current_progress_remaining", 1.0))
        done = min(1.0, (1.0 - progress) / fraction) if fraction > 0 else 1.0
        now = start + done * (end - start)
        notes.append(
            f"{name}: {printed} has no JSON form in paradigms; the constant {now:g} (its value "
            "where the file's training stopped) is used"
        )
        return now
    what = printed or readable.get(TYPE)
    if name == "learning_rate":
        last = _last_learning_rate(archive)
        if last is not None:
            notes.append(
                f"learning_rate: stored only as a pickle ({what}); the constant {last:g}, the "
                "rate its optimizer last used, is used"
            )
            return last
    notes.append(f"{name}: stored only as a pickle ({what}); SB3's default is used")
    return None


def _last_learning_rate(archive: SB3Archive) -> float | None:
    """The ``lr`` in the first optimizer state of the file (what SB3's schedule last set)."""
    for state in archive.optimizers.values():
        groups = state.get("param_groups") if isinstance(state, dict) else None
        if groups and isinstance(groups[0].get("lr"), (int, float)):
            return float(groups[0]["lr"])
    return None


def _buffer_note(archive: SB3Archive, name: str, notes: list[str]) -> None:
    printed = archive.readable(name)
    owner = str(printed.get("__init__", ""))  # "<function RolloutBuffer.__init__ at 0x..>"
    found = re.search(r"<function (\w+)\.__init__", owner)
    if printed and (found is None or found.group(1) not in _DEFAULT_BUFFERS):
        notes.append(f"{name}: a custom buffer class cannot be rebuilt; SB3's default is used")


def _check_type(archive: SB3Archive, name: str, value: Any, default: Any) -> None:
    """Refuse a value of another kind than SB3's default for ``name`` (a damaged file)."""
    if value is None or default is inspect.Parameter.empty:
        return
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    bare = name.rsplit("[", 1)[-1].strip("'\"]")  # "policy_kwargs['ortho_init']" -> ortho_init
    if isinstance(default, bool):
        fits = isinstance(value, bool)
    elif isinstance(default, int):  # counts; -1 means "as many as steps" for a few
        minimum = -1 if bare in ("gradient_steps", "sde_sample_freq") else 0
        fits = number and float(value).is_integer() and value >= minimum
    elif isinstance(default, float):
        fits = number
    elif bare.endswith("_kwargs"):  # rollout_buffer_kwargs={}, optimizer_kwargs...
        fits = isinstance(value, dict)
    elif isinstance(default, str):  # ent_coef="auto" or a number
        fits = number or isinstance(value, str)
    elif default is None:  # target_kl=None or a number
        fits = number
    elif isinstance(default, tuple):  # train_freq=(1, "step")
        fits = number or isinstance(value, list)
    else:
        fits = True
    if not fits:
        raise ValueError(
            f"{archive.path}: its {name} is {value!r}, where SB3 expects a value like "
            f"{default!r}; the file is damaged or was not written by SB3."
        )


def recover_hyperparameters(
    archive: SB3Archive, algo: str, defaults: Mapping[str, Any], notes: list[str]
) -> dict[str, Any]:
    """SB3 keyword arguments of ``algo`` read from the file (``defaults``: SB3's, by name).

    Raises:
        ValueError: a value of another kind than SB3's default (a damaged file).
    """
    hyper: dict[str, Any] = {}
    for name in sorted(set(defaults) - NOT_HYPERPARAMETERS):
        if name.endswith("_buffer_class"):
            _buffer_note(archive, name, notes)
            continue
        if name not in archive.fields and name != "stats_window_size":
            continue
        if name in ("learning_rate", "clip_range", "clip_range_vf"):
            if name in archive.fields and archive.fields[name] is None:
                if name != "clip_range_vf":  # None there: no clipping
                    raise ValueError(f"{archive.path}: its {name} is None; the file is damaged.")
                hyper[name] = None
                continue
            value = _schedule(archive, name, notes)
            if value is not None:
                _check_type(archive, name, value, 0.0)
                if isinstance(value, str) and not value.startswith("lin_"):
                    raise ValueError(f"{archive.path}: its {name} is {value!r}, not a number")
                hyper[name] = value
            continue
        value = archive.fields.get("_stats_window_size" if name == "stats_window_size" else name)
        if isinstance(value, dict) and TYPE in value:
            if value[TYPE] != "<class 'NoneType'>":
                notes.append(
                    f"{name}: stored only as a pickle ({value[TYPE]}); SB3's default is used"
                )
            continue
        if value is not None or name in ("target_kl", "clip_range_vf"):
            _check_type(archive, name, value, defaults[name])
            if name.endswith("_buffer_kwargs") and value:
                _check_buffer_kwargs(archive, name, value, algo)
            hyper[name] = value
    n_envs = archive.fields.get("n_envs", 1)
    _check_type(archive, "n_envs", n_envs, 1)
    hyper["n_envs"] = max(1, int(n_envs))
    return hyper


def _policy_setting(name: str, value: Any, notes: list[str]) -> tuple[str, Any] | None:
    """One readable ``policy_kwargs`` entry in JSON form, or None to leave it out."""
    if name == "activation_fn":
        cls = class_name(value)
        for key, module in ACTIVATIONS.items():
            if module.__name__ == cls:
                return name, key
        raise ValueError(
            f"the policy's activation_fn is {value!r}, which paradigms' mlp does not provide "
            f"({', '.join(m.__name__ for m in ACTIVATIONS.values())})"
        )
    if name == "optimizer_class":
        return name, class_name(value) or str(value)
    if name in ("features_extractor_class", "features_extractor_kwargs", "net_arch"):
        return None  # read from the weights (see recover_model)
    if isinstance(value, str) and value.startswith("<"):
        notes.append(f"policy_kwargs[{name!r}]: {value} cannot be rebuilt; SB3's default is used")
        return None
    return name, value


def _extractor(archive: SB3Archive, algo: str) -> tuple[str, int]:
    """``("mlp", 0)`` for ``FlattenExtractor``, ``("nature_cnn", width)`` for ``NatureCNN``."""
    printed = archive.readable("policy_kwargs").get("features_extractor_class")
    cls = class_name(printed) if printed else ""
    conv = [k for k in archive.policy if ".features_extractor.cnn." in f".{k}"]
    if cls and cls not in ("FlattenExtractor", "NatureCNN"):
        raise ValueError(
            f"{archive.path}: its policy uses a custom features extractor ({cls}), whose code is "
            "not in the file; rebuild it as a paradigms backbone, or load the file with SB3."
        )
    if any(".extractors." in k for k in archive.policy):
        raise ValueError(
            f"{archive.path}: a MultiInputPolicy (Dict observations) cannot be read yet; "
            "paradigms reads SB3's MlpPolicy and CnnPolicy files."
        )
    if not conv:
        return "mlp", 0
    linear = [v for k, v in archive.policy.items() if "features_extractor.linear.0.weight" in k]
    return "nature_cnn", int(linear[0].shape[0])


def network_layout(archive: SB3Archive, algo: str) -> Any:
    """``net_arch`` as SB3 reads it, from the shapes of the policy's weights."""
    return algorithm_spec(algo).layout.net_arch(archive.policy)


def _keywords(cls: type) -> dict[str, Any]:
    """``{keyword: default}`` of ``cls.__init__``."""
    parameters = inspect.signature(cls.__init__).parameters
    return {name: p.default for name, p in parameters.items() if name != "self"}


def _check_optimizer_kwargs(archive: SB3Archive, kwargs: dict[str, Any]) -> None:
    """Refuse ``optimizer_kwargs`` the optimizer does not take (the optimizer would raise)."""
    from paradigms.reinforcement._build import optimizer_class

    options = kwargs.get("optimizer_kwargs") or {}
    try:
        accepted = _keywords(optimizer_class(str(kwargs.get("optimizer_class", "Adam"))))
    except ValueError as error:
        raise ValueError(f"{archive.path}: {error}") from error
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(
            f"{archive.path}: its optimizer_kwargs has {unknown}, which the optimizer does not "
            "take; the file is damaged."
        )
    for name, value in options.items():
        _check_type(archive, f"optimizer_kwargs[{name!r}]", value, accepted[name])


def _check_buffer_kwargs(archive: SB3Archive, name: str, value: Any, algo: str) -> None:
    """Refuse buffer options SB3's default buffer does not take."""
    from stable_baselines3.common.buffers import ReplayBuffer, RolloutBuffer

    buffer = RolloutBuffer if algorithm_spec(algo).on_policy else ReplayBuffer
    unknown = sorted(set(value) - set(_keywords(buffer)))
    if unknown:
        raise ValueError(
            f"{archive.path}: its {name} has {unknown}, which {buffer.__name__} does not take; "
            "the file is damaged or uses a custom buffer."
        )


def recover_model(archive: SB3Archive, algo: str) -> RecoveredModel:
    """Everything ``Agent`` needs to rebuild the file's model (see :class:`RecoveredModel`).

    Raises:
        ValueError: a custom extractor or activation, or a Dict observation space.
    """
    notes: list[str] = []
    hyper = recover_hyperparameters(archive, algo, algorithm_defaults(algo), notes)
    raw = archive.fields.get("policy_kwargs") or {}
    if not isinstance(raw, dict):
        raise ValueError(
            f"{archive.path}: its policy_kwargs is {raw!r}, not a dict; the file is damaged."
        )
    kwargs: dict[str, Any] = {}
    accepted = _keywords(algorithm_class(algo).policy_aliases[policy_name(algo, False)])
    for name, value in raw.items():
        if name == TYPE:
            continue
        if name not in accepted:
            raise ValueError(
                f"{archive.path}: its policy_kwargs has {name!r}, which SB3's policies do not "
                "take; the file is damaged or comes from a custom policy class."
            )
        try:
            setting = _policy_setting(name, value, notes)
        except ValueError as error:
            raise ValueError(f"{archive.path}: {error}.") from error
        if setting is not None:
            _check_type(archive, f"policy_kwargs[{name!r}]", setting[1], accepted[name])
            kwargs[setting[0]] = setting[1]
    _check_optimizer_kwargs(archive, kwargs)
    kwargs.setdefault("activation_fn", algorithm_spec(algo).activation)
    features, width = _extractor(archive, algo)
    kwargs["net_arch"] = network_layout(archive, algo)
    kwargs.pop("use_sde", None)  # SB3 copies the algorithm's use_sde here; hyper holds it
    if features == "mlp":  # FlattenExtractor has no weights: sharing it changes nothing
        kwargs.pop("share_features_extractor", None)
    return RecoveredModel(algo, hyper, kwargs, features, width, notes)
