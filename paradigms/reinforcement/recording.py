"""Record one episode of an agent as an animated GIF (Pillow, no video dependencies).

>>> rec = record_episode(agent, "episode.gif")
>>> rec.path, rec.episode_return, rec.n_frames if rec is not None else "env cannot render"

A fresh env is built from ``agent.env_spec`` with ``render_mode="rgb_array"``; the agent acts
on its raw observations (``Agent.predict`` applies any observation normalisation itself) and
every ``env.render()`` picture becomes a frame. Long episodes keep every k-th frame (each shown
k times as long, so the GIF still plays in real time), large pictures are scaled down and tiny
ones scaled up, so the file stays small enough for a report.
"""

from __future__ import annotations

import copy
import io
import logging
import math
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from PIL import Image

from paradigms._common.files import atomic_write_bytes
from paradigms.reinforcement.atari import atari_make_kwargs, wrap_like_training
from paradigms.reinforcement.env_source import resolve_env

if TYPE_CHECKING:
    from paradigms.reinforcement.agent import Agent

logger = logging.getLogger(__name__)

#: Frames kept at most; longer episodes keep every k-th frame.
MAX_FRAMES = 240
#: Longest side of a frame in pixels; larger pictures are scaled down.
MAX_SIDE = 400
#: Pictures whose longest side is under this are scaled up (nearest neighbour) for legibility.
MIN_SIDE = 160
#: Upper bound on the GIF's size; past it, only every k-th frame is kept so that it fits.
MAX_BYTES = 8_000_000


@dataclass(frozen=True)
class Recording:
    """What :func:`record_episode` wrote.

    Attributes:
        path: the GIF file.
        episode_return: the sum of the episode's rewards (the env's own, never normalised).
        episode_length: steps the episode took.
        n_frames: frames in the GIF (at most :data:`MAX_FRAMES` + 2; Pillow merges identical
            consecutive pictures into one longer frame).
    """

    path: Path
    episode_return: float
    episode_length: int
    n_frames: int


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}.")
    return int(value)


def _make_render_env(spec: Any) -> gym.Env | None:
    """A new env that renders ``rgb_array`` pictures, or None (the reason is logged)."""
    # Off-screen pictures need no display; without this, pygame-based renderers (classic
    # control) complain on stderr on headless machines. A user's own choice is kept.
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    if isinstance(spec, gym.Env):
        if spec.render_mode != "rgb_array":
            logger.info(
                "not recording: the env instance has render_mode=%r; build it with "
                "render_mode='rgb_array' to get an episode GIF",
                spec.render_mode,
            )
            return None
        try:
            return copy.deepcopy(spec)
        except Exception as err:  # user envs may hold uncopyable handles
            logger.info("not recording: could not copy the env instance (%s)", err)
            return None
    try:
        env = resolve_env(spec, render_mode="rgb_array").factory()
    except Exception as err:  # an env may refuse the render mode in any way it likes
        logger.info("not recording: the env cannot be built with render_mode='rgb_array' (%s)", err)
        return None
    if env.render_mode != "rgb_array":
        logger.info(
            "not recording: the env was built with render_mode=%r, not 'rgb_array' (a function "
            "factory must pass render_mode='rgb_array' itself)",
            env.render_mode,
        )
        env.close()
        return None
    return env


def _render(env: gym.Env) -> np.ndarray | None:
    """One ``(H, W, 3)`` uint8 frame, or None when the env gives no usable picture."""
    try:
        picture = env.render()
    except Exception as err:  # e.g. gymnasium's DependencyNotInstalled for pygame
        logger.info("not recording: env.render() raised %s: %s", type(err).__name__, err)
        return None
    if picture is None:
        logger.info("not recording: env.render() returned None")
        return None
    frame = np.asarray(picture)
    if frame.ndim != 3 or frame.shape[-1] not in (3, 4) or min(frame.shape[:2]) < 1:
        logger.info(
            "not recording: env.render() gave an array of shape %s, expected (H, W, 3)",
            frame.shape,
        )
        return None
    if frame.dtype != np.uint8:
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    return frame[..., :3]


def _to_image(frame: np.ndarray) -> Image.Image:
    """A Pillow image with the longest side scaled into ``[MIN_SIDE, MAX_SIDE]`` when needed."""
    image = Image.fromarray(frame, mode="RGB")
    side = max(image.size)
    if side > MAX_SIDE:
        scale = MAX_SIDE / side
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    elif side < MIN_SIDE:
        factor = math.ceil(MIN_SIDE / side)
        image = image.resize(
            (image.width * factor, image.height * factor), Image.Resampling.NEAREST
        )
    return image


def _encode_gif(frames: list[Image.Image], frame_ms: float) -> tuple[bytes, int]:
    """GIF bytes under :data:`MAX_BYTES` (keeping every k-th frame as needed), frames written."""
    stride = 1
    while True:
        kept = frames[::stride]
        buffer = io.BytesIO()
        kept[0].save(
            buffer,
            format="GIF",
            save_all=True,
            append_images=kept[1:],
            duration=max(20, round(frame_ms * stride)),
            loop=0,
        )
        data = buffer.getvalue()
        if len(data) <= MAX_BYTES or len(kept) <= 2:
            with Image.open(io.BytesIO(data)) as written:  # Pillow merges identical frames
                return data, int(getattr(written, "n_frames", 1))
        stride *= max(2, math.ceil(len(data) / (0.9 * MAX_BYTES)))  # size ~ frames kept


def record_episode(
    agent: Agent,
    path: str | os.PathLike[str],
    *,
    max_steps: int = 1000,
    fps: int = 30,
    seed: int | None = None,
    deterministic: bool = True,
) -> Recording | None:
    """Play one episode with ``agent`` and save it as an animated GIF.

    Args:
        agent: a trained :class:`~paradigms.reinforcement.Agent`.
        path: the GIF file to write (atomically: temporary file, then rename).
        max_steps: stop the episode after this many steps.
        fps: playback frames per second of the env's steps.
        seed: seeds the episode's ``reset``.
        deterministic: greedy actions (True) or sampled ones.

    Returns:
        A :class:`Recording` (path, episode return and length, frames), or None when the env
        cannot render ``rgb_array`` pictures: its render mode is unsupported, ``render()``
        raises or returns None (the reason is logged at INFO level).

    Raises:
        ValueError: ``max_steps`` or ``fps`` is not a positive int.
    """
    max_steps = _check_positive_int("max_steps", max_steps)
    fps = _check_positive_int("fps", fps)
    preprocessing = agent.env_preprocessing
    spec = agent.env_spec
    if preprocessing["atari"]:  # made like the training envs: frameskip=1 under AtariWrapper
        env_id = str(agent.source.env_id)
        spec = partial(gym.make, env_id, render_mode="rgb_array", **atari_make_kwargs(env_id))
    env = _make_render_env(spec)
    if env is None:
        return None
    env = wrap_like_training(env, **preprocessing)
    try:
        observation, _ = env.reset(seed=seed)
        first = _render(env)
        if first is None:
            return None
        frames = [_to_image(first)]
        stride, total, length = 1, 0.0, 0
        discrete = isinstance(env.action_space, spaces.Discrete)
        state, start = None, np.ones((1,), dtype=bool)  # a recurrent policy's hidden state
        for step in range(1, max_steps + 1):
            masks = env.unwrapped.action_masks() if agent.uses_action_masks else None
            actions, state = agent.predict(
                observation,
                state=state,
                episode_start=start,
                deterministic=deterministic,
                action_masks=masks,
            )
            start = np.zeros((1,), dtype=bool)
            action: Any = int(np.asarray(actions).item()) if discrete else actions
            observation, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            length = step
            done = terminated or truncated or step == max_steps
            if step % stride == 0 or done:  # render only kept frames, and always the last one
                picture = _render(env)
                if picture is None:
                    return None
                frames.append(_to_image(picture))
                if len(frames) > MAX_FRAMES:  # keep every other frame from now on
                    frames, stride = frames[::2], stride * 2
            if done:
                break
    finally:
        env.close()
    data, n_frames = _encode_gif(frames, 1000.0 * stride / fps)
    target = atomic_write_bytes(path, data)
    logger.info("recorded %d steps (%d frames, return %.3g) to %s", length, n_frames, total, target)
    return Recording(target, total, length, n_frames)
