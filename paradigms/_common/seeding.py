"""Seeding that makes two CPU runs with the same seed identical."""

from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int | None) -> torch.Generator:
    """Seed Python, NumPy and torch, and return a torch generator for data shuffling.

    Args:
        seed: any int; ``None`` draws a fresh seed from the OS (not reproducible).

    Returns:
        A CPU ``torch.Generator`` seeded from ``seed`` (used for shuffling and splits).
    """
    if seed is None:
        seed = int.from_bytes(np.random.SeedSequence().entropy.to_bytes(16, "little")[:4], "little")
    seed = int(seed) % (2**32)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator
