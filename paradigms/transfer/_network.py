"""The network a FineTuner trains: optional input adapter + the model, frozen parts in eval."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from paradigms.backbones import BackboneWithHead


class TransferNet(nn.Module):
    """``x -> adapter -> model -> logits``.

    In training mode, every BatchNorm layer whose own parameters are all frozen stays in eval
    mode, so frozen layers keep their pretrained statistics exactly (also while groups are being
    unfrozen one by one). With ``freeze_batchnorm`` every BatchNorm layer does: it normalises
    with its pretrained running statistics while its scale and shift still train, which is what
    small batches of few labels need (batch statistics of 3 images are noise).

    Args:
        model: a timm classifier or a ``BackboneWithHead``.
        adapter: input adaptation (pixel scale, size, mean/std), or ``None``.
        freeze_batchnorm: keep every BatchNorm layer's statistics fixed while training.
        channels_last: run the model in channels-last memory layout (its weights converted
            here, its input on every call).
    """

    def __init__(
        self,
        model: nn.Module,
        adapter: nn.Module | None = None,
        freeze_batchnorm: bool = False,
        channels_last: bool = False,
    ) -> None:
        super().__init__()
        self.adapter = adapter if adapter is not None else nn.Identity()
        self.model = model.to(memory_format=torch.channels_last) if channels_last else model
        self.freeze_batchnorm = freeze_batchnorm
        self.channels_last = channels_last

    def train(self, mode: bool = True) -> TransferNet:
        super().train(mode)
        if mode:
            for module in self.model.modules():
                own = list(module.parameters(recurse=False))
                if not isinstance(module, _BatchNorm):
                    continue
                if self.freeze_batchnorm or (own and not any(p.requires_grad for p in own)):
                    module.eval()
        return self

    def _model_input(self, x: torch.Tensor) -> torch.Tensor:
        x = self.adapter(x)
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, n_classes)``."""
        return self.model(self._model_input(x))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, d)``: what the classifier sees (timm's pre-logits)."""
        model = self.model
        if isinstance(model, BackboneWithHead):
            return model.backbone(model.input_transform(self._model_input(x)))
        pooled: torch.Tensor = model.forward_head(  # type: ignore[operator]
            model.forward_features(self._model_input(x)),  # type: ignore[operator]
            pre_logits=True,
        )
        return pooled


class FeaturesOf(nn.Module):
    """``x -> network.features(x)`` as a module, so the estimator's batched, eval-mode forward
    pass serves features too."""

    def __init__(self, network: TransferNet) -> None:
        super().__init__()
        self.network = network

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, d)``."""
        return self.network.features(x)


def has_depthwise_convolutions(model: nn.Module) -> bool:
    """Whether ``model`` has a depthwise convolution (``groups == in_channels > 1``): the layers
    whose CPU kernels run faster channels-last (EfficientNet-Lite0, a train step at 64 px, batch
    16, 2 threads: 138 ms channels-last, 180 ms not; resnet10t at 32 px: 74 against 62 ms)."""
    return any(
        isinstance(m, nn.Conv2d) and m.groups > 1 and m.groups == m.in_channels
        for m in model.modules()
    )


@torch.no_grad()
def zero_head(model: nn.Module) -> None:
    """Start the classifier of a pretrained ``model`` at zero, as BiT does (Kolesnikov et al.,
    2020): gradient steps then only add directions spanned by the training features, so with
    a handful of images the head stays close to the minimum-norm solution instead of keeping
    a random projection of every other direction (ImageNet EfficientNet-Lite0, colour shapes,
    one label per class, linear probe: 0.93 and 0.90 on two draws from a random head, 1.0 from
    zero).

    Only the layers that output the logits (linear or 1x1 convolution, ``num_classes`` wide)
    are zeroed, so heads with a normalisation layer before them (LeViT, RepViT) still get
    gradients, and every branch of a distilled model's head starts at zero.
    """
    if isinstance(model, BackboneWithHead):
        head: nn.Module = model.head
        n_classes = model.head.out_features
    else:
        heads = model.get_classifier()  # type: ignore[operator]
        head = nn.ModuleList(heads) if isinstance(heads, tuple) else heads
        n_classes = int(model.num_classes)  # type: ignore[arg-type]
    for layer in head.modules():
        width = getattr(layer, "out_features", getattr(layer, "out_channels", None))
        if isinstance(layer, (nn.Linear, nn.Conv2d)) and width == n_classes:
            for parameter in layer.parameters():
                parameter.zero_()
