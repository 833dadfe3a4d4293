"""The ``AutoEncoder``'s automatic training budget (``max_epochs="auto"``,
``batch_size="auto"``) for each kind; free of heavy imports, as the CLI's help quotes it."""

from __future__ import annotations

#: reconstruction kinds (plain, denoising, masked, variational): passes and batch size
#: (``benchmarks/RESULTS.md``, "AutoEncoder variants", compares them with 100 passes of 64)
RECONSTRUCTION_EPOCHS = 30
RECONSTRUCTION_BATCH = 16
#: the contrastive kind: optimizer steps of this batch (its loss contrasts every row with the
#: rest of its batch), within this many passes over the data
CONTRASTIVE_STEPS = 600
CONTRASTIVE_BATCH = 256
CONTRASTIVE_PASSES = (10, 300)


def budget_help() -> dict[str, str]:
    """The ``paradigms unsupervised`` help texts of ``max_epochs`` and ``batch_size``."""
    return {
        "max_epochs": f"passes over the data, or auto ({RECONSTRUCTION_EPOCHS}; --kind "
        f"contrastive: enough for about {CONTRASTIVE_STEPS} optimizer steps)",
        "batch_size": f"samples per step, or auto ({RECONSTRUCTION_BATCH}; --kind contrastive: "
        f"{CONTRASTIVE_BATCH}, as its loss contrasts each sample with the rest of its batch)",
    }
