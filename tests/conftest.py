"""Shared test set-up: one torch thread per test process (pytest-xdist runs two of them on two
cores; more threads would only contend), and a non-interactive matplotlib backend."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import torch

torch.set_num_threads(1)
