"""Attributions through Captum: how much each input value moved one output of a network.

The paradigms wrap this for their own models (``Classifier.attribute``, ``FineTuner.attribute``,
``Agent.attribute``); here it works on any differentiable ``forward``. Captum is an optional
dependency (``pip install 'paradigms[interpret]'``), imported only when attributions are asked
for.

Methods:

- ``"integrated_gradients"`` (the default; Sundararajan et al., 2017): the gradient averaged
  along the straight path from a baseline ("feature absent": black pixels, or a table's mean
  row) to the input, times ``input - baseline``. Signed; the attributions of one sample sum to
  ``output(input) - output(baseline)``.
- ``"saliency"`` (Simonyan et al., 2014): the absolute gradient at the input. Non-negative,
  one backward pass, but it says where the output is sensitive, not what the input holds.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

#: the attribution methods offered, the default first
ATTRIBUTION_METHODS = ("integrated_gradients", "saliency")

#: integration steps of integrated gradients: on digits (default Classifier, 100 test images)
#: 32 steps already order pixels as well as 64 do (benchmarks/interpretation.py)
IG_STEPS = 32

#: most rows (samples x integration steps) per forward/backward pass
_ROWS_PER_PASS = 2048

INSTALL_HINT = "pip install 'paradigms[interpret]' (or pip install captum)"


def check_method(method: str) -> str:
    """``method`` if it is one of :data:`ATTRIBUTION_METHODS`, else a ``ValueError``."""
    if method not in ATTRIBUTION_METHODS:
        raise ValueError(
            f"unknown attribution method {method!r}; expected one of "
            f"{', '.join(ATTRIBUTION_METHODS)}."
        )
    return method


def _captum_attr() -> object:
    try:
        import captum.attr
    except ImportError as error:
        raise ImportError(f"attributions need Captum: {INSTALL_HINT}") from error
    return captum.attr


def attribute(
    forward: Callable[[torch.Tensor], torch.Tensor],
    inputs: torch.Tensor,
    target: torch.Tensor,
    method: str = "integrated_gradients",
    n_steps: int = IG_STEPS,
    baseline: torch.Tensor | None = None,
) -> torch.Tensor:
    """Attributions of ``forward(inputs)[i, target[i]]`` to every value of ``inputs[i]``.

    Args:
        forward: a differentiable function ``(B, *shape) -> (B, n_outputs)``, in eval mode.
        inputs: float tensor ``(n, *shape)``.
        target: int tensor ``(n,)``: the output each sample's attributions explain.
        method: one of :data:`ATTRIBUTION_METHODS`.
        n_steps: integration steps for integrated gradients.
        baseline: the "feature absent" input integrated gradients start from, one sample
            ``shape`` (default zeros).

    Returns:
        Float tensor ``(n, *shape)`` on CPU, detached.
    """
    check_method(method)
    attr = _captum_attr()
    if int(n_steps) < 1:
        raise ValueError(f"n_steps must be a positive int; got {n_steps!r}.")
    per_pass = max(1, _ROWS_PER_PASS // (int(n_steps) if method == "integrated_gradients" else 1))
    chunks = []
    with torch.enable_grad():
        for start in range(0, len(inputs), per_pass):
            x = inputs[start : start + per_pass].detach().clone().requires_grad_(True)
            t = target[start : start + per_pass]
            if method == "integrated_gradients":
                explainer = attr.IntegratedGradients(forward)  # type: ignore[attr-defined]
                start_from = (
                    torch.zeros_like(x) if baseline is None else baseline.to(x).expand_as(x)
                )
                values = explainer.attribute(
                    x, baselines=start_from.contiguous(), target=t, n_steps=int(n_steps)
                )
            else:
                values = attr.Saliency(forward).attribute(x, target=t)  # type: ignore[attr-defined]
            chunks.append(values.detach().float().cpu())
    return torch.cat(chunks) if chunks else inputs.new_zeros(inputs.shape).cpu()
