"""Checking the observations a user hands to an agent (``predict``, ``attribute``).

SB3 reads any array it is given and fails deep inside (a reshape, a distribution's argument
check) on the wrong shape, an empty batch or NaN; here such input gets a ``ValueError`` that
says what was received and what the agent expects.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from stable_baselines3.common.preprocessing import is_image_space


def as_observation_batch(observations: Any, space: spaces.Box) -> tuple[np.ndarray, bool, bool]:
    """Box observations as a float32 batch in the policy's layout.

    Args:
        observations: one observation ``space.shape`` or a batch ``(n, *space.shape)``, ``n >= 1``;
            for image spaces stored channel-first, the env's channel-last layout too.
        space: the observation space the policy reads.

    Returns:
        ``(batch (n, *space.shape), was a single observation, was channel-last)``.

    Raises:
        ValueError: non-numeric or non-finite values, the wrong shape, an empty batch.
    """
    try:
        raw = np.asarray(observations)
    except (TypeError, ValueError) as error:  # ragged nested lists
        raw = np.asarray([], dtype=object)
        reason = f" ({error})"
    else:
        reason = f" of dtype {raw.dtype}"
    if raw.dtype.kind not in "biuf":
        raise ValueError(
            f"observations must be numeric arrays shaped like the env's observations "
            f"{tuple(space.shape)}; got {type(observations).__name__}{reason}."
        )
    array = raw.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError(
            "observations contain NaN or infinity; pass observations the env returned."
        )
    shape = tuple(space.shape)
    flipped = (*shape[1:], shape[0]) if len(shape) == 3 and is_image_space(space) else None
    single = array.shape in (shape, flipped)
    batch = array[None] if single else array
    if len(batch) and batch.ndim >= 1 and tuple(batch.shape[1:]) == shape:
        return batch, single, False
    if len(batch) and flipped is not None and tuple(batch.shape[1:]) == flipped:
        return np.ascontiguousarray(np.moveaxis(batch, -1, 1)), single, True
    raise ValueError(
        f"observations have shape {array.shape}; expected {shape} or "
        f"(n, {', '.join(map(str, shape))}) with n >= 1"
        + (f", or channel-last (n, {', '.join(map(str, flipped))})" if flipped else "")
        + ", as the env returns them."
    )


def check_observations(observations: Any, space: spaces.Space) -> None:
    """Raise ``ValueError`` for Box observations :func:`as_observation_batch` refuses (other
    spaces are checked by SB3, whose messages name the space)."""
    if isinstance(space, spaces.Box):
        as_observation_batch(observations, space)
