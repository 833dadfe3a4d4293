"""Small example environments to try the reinforcement paradigm on custom envs.

They are not registered with Gymnasium: pass the class (``GridWorldEnv``), a factory
(``lambda: GridWorldEnv(size=8)``) or the string ``"paradigms.reinforcement.envs:GridWorldEnv"``.

- :class:`GridWorldEnv`: reach the goal of a small grid; ``(2,)`` vector observations.
- :class:`PixelCatchEnv`: catch falling balls; ``(10, 10, 1)`` ``uint8`` image observations.
"""

from __future__ import annotations

from paradigms.reinforcement.envs.grid_world import GridWorldEnv
from paradigms.reinforcement.envs.pixel_catch import PixelCatchEnv

__all__ = ["GridWorldEnv", "PixelCatchEnv"]
