"""Which registered algorithm wrote an SB3 ``.zip``: the policy family's parameters the file
holds (:mod:`.policy_layouts`), the policy module it prints, and how well its fields fit each
candidate's keyword arguments. Nothing in the file is unpickled (:mod:`.sb3_archive`)."""

from __future__ import annotations

import importlib.util

from paradigms.reinforcement.algorithms import (
    ALGORITHMS,
    REGISTRY,
    algorithm_parameters,
    policy_module,
)
from paradigms.reinforcement.sb3_archive import SB3Archive

#: attributes SB3 stores that are state of the run, not hyperparameters to rebuild
NOT_HYPERPARAMETERS = frozenset({"policy_kwargs", "tensorboard_log", "verbose", "device"})


def _field_match(archive: SB3Archive, algo: str) -> int:
    """How well the file's fields fit ``algo``'s keyword arguments: the ones it holds minus
    the ones it lacks (PPO and A2C share one policy; their keywords tell them apart)."""
    wanted = algorithm_parameters(algo) - NOT_HYPERPARAMETERS
    held = {name.lstrip("_") for name in archive.fields}
    return len(wanted & held) - len(wanted - held)


def _written_by(archive: SB3Archive) -> str | None:
    """The module of the file's policy class (``"sb3_contrib.qrdqn.policies"``), if readable."""
    module = archive.readable("policy_class").get("__module__")
    return module if isinstance(module, str) and module else None


def detect_algorithm(archive: SB3Archive, algo: str | None = None) -> str:
    """The algorithm that wrote ``archive``: the registry entries whose policy family's
    parameters the file holds and whose policy classes it names, the best fit of its fields.

    Raises:
        ValueError: a policy no registered algorithm has (or of a package not installed), or
            ``algo`` disagreeing with it.
    """
    keys = list(archive.policy)
    written_by = _written_by(archive)
    if written_by and importlib.util.find_spec(written_by.split(".")[0]) is None:
        raise ValueError(
            f"{archive.path} was written by {written_by.split('.')[0]}, which is not installed; "
            f"install it to read the file ({_install_hint(written_by)})."
        )
    candidates = []
    for name, spec in REGISTRY.items():
        if not spec.layout.holds(keys):
            continue
        try:
            if written_by and policy_module(name) != written_by:
                continue
        except ValueError:  # its package is not installed, and the file is not its
            continue
        candidates.append(name)
    if not candidates:
        raise ValueError(
            f"{archive.path} holds a policy that is none of {', '.join(ALGORITHMS)} (parameters "
            f"{keys[:6]}..., policy module {written_by}); paradigms reads the files of "
            f"stable-baselines3's and sb3-contrib's {', '.join(ALGORITHMS)}."
        )
    found = max(candidates, key=lambda name: _field_match(archive, name))
    if algo is not None and algo.lower() != found:
        wanted = algo.lower()
        if wanted not in candidates:  # PPO and A2C share one policy: either reads the file
            raise ValueError(
                f"{archive.path} was written by {found.upper()}, not {algo.upper()} (its policy "
                f"has {found.upper()}'s layers); pass algo={found!r} or leave algo out."
            )
        found = wanted
    return found


def _install_hint(module: str) -> str:
    """The install command of the registry entries whose class lives in ``module``'s package."""
    package = module.split(".")[0]
    for spec in REGISTRY.values():
        if spec.sb3_class.split(":")[0].split(".")[0] == package:
            return spec.install
    return f"pip install {package}"
