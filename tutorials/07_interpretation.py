"""Tutorial 07 — look inside: what each paradigm's network learned, and how to trust the picture.

Run:
    python tutorials/07_interpretation.py                 # about 40 s on two CPU cores
    python tutorials/07_interpretation.py --max-epochs 5 --timesteps 3000 --out runs/t07

Needs Captum for the attributions: ``pip install 'paradigms[interpret]'``.

What you will see, top to bottom:
1. supervised: a ``Classifier`` on digits, and ``clf.attribute(X)``: integrated gradients,
   per pixel, of the predicted class's score (red pushed it up, blue down), as heat maps;
2. the first sanity check, deletion: blank the most-attributed pixels first and accuracy
   collapses far sooner than when blanking random pixels (area under the curve, lower is
   better); saliency (the plain gradient) does worse than integrated gradients here;
3. the second sanity check, model randomisation: the same architecture with random weights
   gives *different* maps (rank correlation near 0); a method that just drew the digit
   would give the same ones (correlation near 1);
4. where it goes wrong: the most confused pairs, the top-loss images with the evidence for
   the class they were mistaken for, and the classification report (``explain_classifier``,
   which is what ``paradigms supervised`` writes into its run directory);
5. unsupervised: an ``AutoEncoder``'s latent traversal (what each code unit changes) and the
   digits it rebuilds worst, with their per-pixel error maps;
6. reinforcement: which of CartPole's four state variables drive a PPO agent's actions
   (``agent.observation_importance``), and the same deletion check on its greedy actions.
"""

from __future__ import annotations

import argparse
import copy
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import torch

from paradigms.data import load_digits, train_test_split_stratified
from paradigms.reinforcement import Agent
from paradigms.report import (
    deletion_curve,
    explain_classifier,
    plot_attribution_maps,
    plot_feature_importance,
    plot_latent_traversal,
    plot_reconstruction_errors,
    random_scores,
    rank_correlation,
    reinitialised,
)
from paradigms.supervised import Classifier
from paradigms.unsupervised import AutoEncoder


@dataclass
class Config:
    seed: int = 0
    max_epochs: int = 30  # Classifier and AutoEncoder
    timesteps: int = 30_000  # PPO on CartPole-v1
    out: str = "runs/tutorial07"


def parse_args() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Config):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default
        )
    return Config(**vars(parser.parse_args()))


def randomised_copy(clf: Classifier) -> Classifier:
    """The same architecture (and input scaling) with freshly drawn weights."""
    twin = copy.deepcopy(clf)
    twin.model_ = reinitialised(clf.model_)
    return twin


def main(cfg: Config) -> None:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)

    # 1. supervised: attributions of the predicted class, per pixel
    X, y = load_digits(images=True)
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.25, random_state=0)
    clf = Classifier(max_epochs=cfg.max_epochs, random_state=cfg.seed).fit(X_tr, y_tr)
    x, labels = X_te[:100], y_te[:100]
    ig = clf.attribute(x)  # (100, 1, 8, 8), like x
    print(f"1. Classifier test accuracy {clf.score(X_te, y_te):.4f}; attributions {ig.shape}")
    plot_attribution_maps(x[:8], ig[:8], out / "attributions.png",
                          titles=[f"pred {p}" for p in clf.predict(x[:8])])  # fmt: skip

    # 2. deletion: blank the most-attributed pixels first (4 at a time, to 0 = background)
    saliency = clf.attribute(x, method="saliency")
    areas = {
        "integrated gradients": deletion_curve(clf.predict, x, labels, ig).area,
        "saliency": deletion_curve(clf.predict, x, labels, saliency).area,
        "random order": deletion_curve(clf.predict, x, labels, random_scores(x.shape)).area,
    }
    print("2. deletion area (lower: the map found what the model uses)")
    for name, area in areas.items():
        print(f"   {name}: {area:.3f}")

    # 3. model randomisation: same architecture, random weights, same target classes
    twin = randomised_copy(clf)
    for method, ours in (("integrated_gradients", ig), ("saliency", saliency)):
        theirs = twin.attribute(x, target=clf.predict(x), method=method)
        similar = rank_correlation(ours, theirs)
        print(f"3. rank correlation with random weights, {method}: {similar:.2f}")

    # 4. where it goes wrong
    found = explain_classifier(clf, X_te, y_te, out / "classifier")
    pairs = ", ".join(f"{p.true}->{p.predicted} x{p.count}" for p in found.confused_pairs)
    print(f"4. most confused: {pairs or 'none'}; top losses in {out / 'classifier'}")
    print(found.report)

    # 5. unsupervised: what each code unit changes, and the worst reconstructions
    ae = AutoEncoder(kind="plain", latent_dim=8, max_epochs=cfg.max_epochs, random_state=cfg.seed)
    ae.fit(X_tr)
    traversal = ae.latent_traversal(X_te)
    plot_latent_traversal(traversal.decoded, traversal.values, traversal.units,
                          out / "latent_traversal.png")  # fmt: skip
    errors = ae.reconstruction_error(X_te)
    worst = np.argsort(-errors)[:8]
    rebuilt = ae.inverse_transform(ae.transform(X_te[worst]))
    plot_reconstruction_errors(X_te[worst], rebuilt, errors[worst], out / "worst.png")
    print(f"5. latent traversal of units {traversal.units}; worst reconstruction error "
          f"{errors[worst[0]]:.2f} (test mean {errors.mean():.2f})")  # fmt: skip

    # 6. reinforcement: which state variables drive the greedy action
    agent = Agent("CartPole-v1", algo="ppo", seed=cfg.seed, num_threads=1)
    agent.learn(cfg.timesteps, progress_bar=False)
    seen = agent.observation_importance(n_episodes=3)
    names = ["cart position", "cart velocity", "pole angle", "pole angular velocity"]
    plot_feature_importance(seen.attributions, out / "cartpole.png", names)
    ranked = sorted(zip(seen.importance, names, strict=True), reverse=True)
    print(f"6. CartPole return {agent.evaluate(5)[0]:.0f}; importance: "
          + ", ".join(f"{n} {v:.3f}" for v, n in ranked))  # fmt: skip

    def act(batch: np.ndarray) -> np.ndarray:
        return agent.predict(batch)[0]

    kept = act(seen.observations)
    ours = deletion_curve(act, seen.observations, kept, seen.attributions, step=1).area
    chance = deletion_curve(act, seen.observations, kept, random_scores(seen.observations.shape),
                            step=1).area  # fmt: skip
    print(f"   greedy actions kept while zeroing variables: area {ours:.3f} in attribution "
          f"order, {chance:.3f} in random order")  # fmt: skip
    print(f"pictures in {out}")


if __name__ == "__main__":
    main(parse_args())
