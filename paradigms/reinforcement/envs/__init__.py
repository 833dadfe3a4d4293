"""Small example environments to try the reinforcement paradigm on custom envs.

They are not registered with Gymnasium: pass the class (``GridWorldEnv``), a factory
(``lambda: GridWorldEnv(size=8)``) or the string ``"paradigms.reinforcement.envs:GridWorldEnv"``.

- :class:`GridWorldEnv`: reach the goal of a small grid; ``(2,)`` vector observations.
- :class:`PixelCatchEnv`: catch falling balls; ``(10, 10, 1)`` ``uint8`` image observations.
- probe envs with a known best policy (``oracle_action``), see :mod:`.probes`:
  :class:`LineTargetEnv`, :class:`CorridorEnv` (sparse), :class:`ReachEnv` (continuous
  actions), :class:`PixelSideEnv` (``(16, 16, 1)`` images);
- pixel probes in many variants (image size, lit patch size, 1 or 3 channels, channel-last or
  channel-first, dense or end-of-episode reward), see :mod:`.pixel_probes`:
  :class:`PixelHalfEnv` (answer the lit half every step), :class:`PixelGoalEnv` (walk to it);
- :class:`MaskedChoiceEnv`: the valid actions change every step and ``action_masks()`` says
  which (``algo="maskableppo"``), see :mod:`.masked_choice`.
"""

from __future__ import annotations

from paradigms.reinforcement.envs.grid_world import GridWorldEnv
from paradigms.reinforcement.envs.masked_choice import MaskedChoiceEnv
from paradigms.reinforcement.envs.pixel_catch import PixelCatchEnv
from paradigms.reinforcement.envs.pixel_probes import PixelGoalEnv, PixelHalfEnv
from paradigms.reinforcement.envs.probes import CorridorEnv, LineTargetEnv, PixelSideEnv, ReachEnv

__all__ = [
    "CorridorEnv",
    "GridWorldEnv",
    "LineTargetEnv",
    "MaskedChoiceEnv",
    "PixelCatchEnv",
    "PixelGoalEnv",
    "PixelHalfEnv",
    "PixelSideEnv",
    "ReachEnv",
]
