"""Tutorial 08 — your own backbone: register it once, and every paradigm can use it.

Run:
    python tutorials/08_custom_backbone.py             # about 40 s on two CPU cores
    python tutorials/08_custom_backbone.py --max-epochs 3 --timesteps 512 --out runs/t08

What you will see, top to bottom:
1. a backbone of your own: a residual MLP (``x + f(x)`` blocks, as in ResNets, on vectors),
   written as a subclass of ``Backbone`` that implements ``forward_features`` only — the base
   class checks input shapes and applies the input standardisation that travels with it;
2. ``@register_backbone("residual_mlp")``: from now on the name works wherever a backbone is
   asked for, with its keyword arguments in ``backbone_kwargs``;
3. supervised: a ``Classifier`` on the digits with it, against the library's ``mlp``;
4. saving and loading it (safetensors + JSON config naming ``residual_mlp``: the loading
   process must have registered the name too — import the module that defines it);
5. unsupervised: an ``AutoEncoder`` whose encoder is built on it;
6. reinforcement: the same name as the policy's backbone for PPO on CartPole;
7. what a mistake looks like: a wrong input shape gets an error that says what to change.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import torch
from torch import nn

from paradigms.backbones import Backbone, load_backbone, register_backbone, save_backbone
from paradigms.data import load_digits, train_test_split_stratified
from paradigms.reinforcement import Agent
from paradigms.supervised import Classifier
from paradigms.unsupervised import AutoEncoder


@dataclass
class Config:
    seed: int = 0
    width: int = 64
    blocks: int = 2
    max_epochs: int = 20
    timesteps: int = 5_000
    out: str = "runs/tutorial08"


def parse_config() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Config):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default
        )
    return Config(**vars(parser.parse_args()))


# 1. the backbone: (B, d) -> (B, width) through residual blocks
class ResidualMLP(Backbone):
    """``(B, *in_shape) -> flatten -> Linear -> [x + Linear(ReLU(Linear(x)))] * blocks``.

    Args:
        in_shape: per-sample input shape (flattened first).
        width: features per block, and ``out_features``.
        blocks: residual blocks after the first projection.
    """

    def __init__(self, in_shape: tuple[int, ...], width: int = 64, blocks: int = 2) -> None:
        super().__init__(in_shape, out_features=width)
        self.project = nn.Linear(int(np.prod(in_shape)), width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))
            for _ in range(blocks)
        )

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape)`` (already standardised by the base class) ``-> (B, width)``."""
        h = self.project(x.flatten(1))
        for block in self.blocks:
            h = h + block(h)
        return torch.relu(h)


# 2. the name: a factory called as factory(in_shape, **backbone_kwargs)
@register_backbone("residual_mlp")
def residual_mlp(in_shape: tuple[int, ...], width: int = 64, blocks: int = 2) -> ResidualMLP:
    return ResidualMLP(in_shape, width=width, blocks=blocks)


def main(cfg: Config) -> dict[str, float]:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    X, y = load_digits()  # (1797, 64)
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.25, random_state=0)
    kwargs = {"width": cfg.width, "blocks": cfg.blocks}

    # 3. supervised, against the library's mlp
    ours = Classifier(backbone="residual_mlp", backbone_kwargs=kwargs,
                      max_epochs=cfg.max_epochs, random_state=cfg.seed).fit(X_tr, y_tr)  # fmt: skip
    plain = Classifier(backbone="mlp", max_epochs=cfg.max_epochs, random_state=cfg.seed)
    plain.fit(X_tr, y_tr)
    scores = {"residual_mlp": ours.score(X_te, y_te), "mlp": plain.score(X_te, y_te)}
    print(f"test accuracy: residual_mlp {scores['residual_mlp']:.4f}, mlp {scores['mlp']:.4f}")

    # 4. save and load: the file names the factory and its kwargs, never pickled code
    path = save_backbone(ours.backbone_, out / "residual_mlp.safetensors")
    loaded = load_backbone(path)
    x = torch.from_numpy(X_te[:8])
    with torch.no_grad():
        same = torch.equal(loaded.eval()(x), ours.backbone_.eval()(x))
    print(f"saved {path}; loaded a {type(loaded).__name__} giving identical features: {same}")

    # 5. unsupervised: the autoencoder's encoder is built on the same backbone
    ae = AutoEncoder(backbone="residual_mlp", backbone_kwargs=kwargs, latent_dim=8, kind="plain",
                     max_epochs=cfg.max_epochs, random_state=cfg.seed).fit(X_tr)  # fmt: skip
    mse = float(ae.reconstruction_error(X_te).mean())
    print(f"autoencoder test reconstruction error {mse:.3f}; encoder_ is a "
          f"{type(ae.encoder_).__name__} (residual_mlp + a projection to 8 numbers)")  # fmt: skip

    # 6. reinforcement: the policy reads CartPole's 4 numbers through it
    agent = Agent("CartPole-v1", algo="ppo", backbone="residual_mlp",
                  backbone_kwargs={"width": 32, "blocks": 1}, seed=cfg.seed)  # fmt: skip
    agent.learn(cfg.timesteps, progress_bar=False)
    mean, std = agent.evaluate(n_episodes=5)
    print(f"PPO with residual_mlp after {cfg.timesteps:,} steps: return {mean:.1f} ± {std:.1f}")
    scores["cartpole_return"] = mean

    # 7. a mistake: the backbone was built for 64 inputs
    try:
        ours.backbone_(torch.zeros(2, 10))
    except ValueError as error:
        print(f"wrong shape -> ValueError: {error}")
    return scores


if __name__ == "__main__":
    main(parse_config())
