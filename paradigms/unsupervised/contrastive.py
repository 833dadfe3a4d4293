"""``kind="contrastive"``: reconstruction plus a neighbour-contrastive objective.

Each training row is paired with one of its ``k`` nearest neighbours in the input space (the
data standardised as the encoder sees it); a random augmented view of the row and one of the
neighbour are pulled together in code space and pushed away from every other row of the batch
(InfoNCE on cosine similarities, as in SimCLR; taking the positive from a neighbour rather
than from the row itself follows NNCLR). The decoder still rebuilds each row from its view's
code, so ``inverse_transform``, the reconstruction error and the anomaly scores keep working.

Why: on digits with 5 labels per class (``benchmarks/RESULTS.md``, fewlabel section) codes
learnt this way make a default ``Classifier`` better than one trained from scratch (0.962
against 0.906), while plain, denoising, masked and variational reconstruction codes make it
worse (0.870-0.896): an image's pixel-space neighbours almost always show the same digit
(96% of the 10 nearest on the 1,347 training digits), so codes that agree across neighbours
and small warps group the classes.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.neighbors import NearestNeighbors
from torch.nn import functional

from paradigms.unsupervised._network import (
    AEOutput,
    AutoEncoderNet,
    ReconstructionLoss,
    contrastive_view,
)

#: neighbours each row may be paired with
NEIGHBOURS = 10
#: softmax temperature of the cosine similarities (SimCLR's range is 0.1-0.5)
TEMPERATURE = 0.2
#: weight of the contrastive term against the (scale-free) reconstruction loss
CONTRASTIVE_WEIGHT = 1.0
#: the encoder's advice to whoever fine-tunes it (``Backbone.fine_tune_lr_scale``): on digits
#: with 5 labels per class a default Classifier scored 0.932 with the encoder at the head's
#: rate, 0.957 at 0.03, 0.962 at 0.01 and 0.965 frozen (``benchmarks/RESULTS.md``, fewlabel)
FINE_TUNE_LR_SCALE = 0.01


def neighbour_table(standardised: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """For every row of ``standardised`` ``(n, ...)``, the indices ``(n, k')`` of its nearest
    rows among ``candidates`` (row indices into the same array), itself left out;
    ``k' = min(k, len(candidates) - 1)``, at least 1 (a lone row is its own neighbour)."""
    flat = standardised.reshape(len(standardised), -1)
    k = max(1, min(int(k), len(candidates) - 1))
    if len(candidates) < 2:
        return np.repeat(candidates[:1], len(flat))[:, None]
    search = NearestNeighbors(n_neighbors=k + 1).fit(flat[candidates])
    found = candidates[search.kneighbors(flat, return_distance=False)]
    # drop each row itself where it was found (a stable sort moves it last), otherwise the
    # farthest of the k + 1
    is_self = found == np.arange(len(flat))[:, None]
    order = np.argsort(is_self, axis=1, kind="stable")
    return np.take_along_axis(found, order, axis=1)[:, :k].astype(np.int64)


class NeighbourContrastiveLoss:
    """Reconstruction loss + ``CONTRASTIVE_WEIGHT`` x InfoNCE between each row's view code and
    a view code of one of its neighbours.

    The training batches are ``(X[rows], rows)``: the model's output is the batch's view codes
    and reconstructions; the target is the rows' indices into ``data``, from which the loss
    takes the clean rows (the reconstruction target) and their neighbours.

    Args:
        network: the autoencoder being trained (``kind="contrastive"``).
        data: every row the batches index ``(n, *in_shape)``, data units, on CPU.
        neighbours: ``(n, k)`` row indices from :func:`neighbour_table`.
        reconstruction: the reconstruction loss.
        seed: seeds the choice of neighbour.
    """

    def __init__(
        self,
        network: AutoEncoderNet,
        data: torch.Tensor,
        neighbours: np.ndarray,
        reconstruction: ReconstructionLoss,
        seed: int,
    ) -> None:
        self.network = network
        self.data = data
        self.neighbours = torch.from_numpy(np.ascontiguousarray(neighbours))
        self.reconstruction = reconstruction
        self.generator = torch.Generator().manual_seed(int(seed) % (2**63))

    def per_sample(self, output: AEOutput, target: torch.Tensor) -> torch.Tensor:
        """Reconstruction error per sample ``(B,)`` (``target``: clean rows)."""
        return self.reconstruction.per_sample(output, target)

    def __call__(self, output: AEOutput, rows: torch.Tensor) -> torch.Tensor:
        rows = rows.detach().long().cpu()
        device = output.mu.device
        clean = self.data[rows].to(device)
        loss = self.reconstruction(output, clean)
        if len(rows) < 2:
            return loss
        pick = torch.randint(0, self.neighbours.shape[1], (len(rows),), generator=self.generator)
        partners = self.data[self.neighbours[rows, pick]].to(device)
        scale = self.network.encoder.normalizer.scale
        partner_codes = self.network.embed(contrastive_view(partners, scale))
        anchor = functional.normalize(output.mu, dim=1)
        positive = functional.normalize(partner_codes, dim=1)
        logits = anchor @ positive.T / TEMPERATURE
        labels = torch.arange(len(rows), device=device)
        info_nce = 0.5 * (
            functional.cross_entropy(logits, labels) + functional.cross_entropy(logits.T, labels)
        )
        return loss + CONTRASTIVE_WEIGHT * info_nce


@torch.no_grad()
def unit_code_scale(network: AutoEncoderNet, codes_std: float) -> None:
    """Rescale the code so that its per-unit standard deviation averages 1 on the training
    data: the encoder's projection is multiplied by ``1 / codes_std`` and the decoder's input
    divided by it, so reconstructions and cosine similarities are unchanged.

    The contrastive loss only sees directions, so the raw code is tiny (its units' standard
    deviations about 0.2 on digits); a linear head trained on it with the Classifier's
    defaults learns too slowly (a prototype on digits, 5 labels per class, frozen encoder:
    0.947 unscaled against 0.962 scaled).
    """
    if not (np.isfinite(codes_std) and codes_std > 0):
        return
    factor = 1.0 / float(codes_std)
    proj = network.encoder.proj
    proj.weight.mul_(factor)
    if proj.bias is not None:
        proj.bias.mul_(factor)
    network.code_scale.mul_(factor)
