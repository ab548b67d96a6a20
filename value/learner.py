"""The retrained model behind the ground truth, the anchors and the retraining baselines.

A one-hidden-layer MLP (``d -> 128 -> C``, ReLU) trained with Adam (lr 5e-3, weight decay
1e-4, mini-batches of 256) for ``epochs`` passes over its data and at least ``min_steps`` steps:
cost grows with the data, like any real retraining. Seeded, so a retrain is reproducible on CPU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LearnerConfig:
    hidden: int = 128
    epochs: int = 30
    min_steps: int = 100
    batch: int = 256
    lr: float = 5e-3
    weight_decay: float = 1e-4


DEFAULT_LEARNER = LearnerConfig()


def train_mlp(x: np.ndarray, y: np.ndarray, n_classes: int, seed: int = 0,
              cfg: LearnerConfig = DEFAULT_LEARNER, checkpoints: int = 0):  # fmt: skip
    """Train the MLP; returns the model (and, with ``checkpoints > 0``, that many snapshots)."""
    import copy

    import torch
    from torch import nn

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    xt = torch.as_tensor(x, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.long)
    model = nn.Sequential(nn.Linear(x.shape[1], cfg.hidden), nn.ReLU(),
                          nn.Linear(cfg.hidden, n_classes))  # fmt: skip
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    n = len(x)
    steps = max(cfg.min_steps, cfg.epochs * int(np.ceil(n / cfg.batch)))
    marks = set() if checkpoints <= 0 else {int(steps * (j + 1) / checkpoints) - 1
                                            for j in range(checkpoints)}  # fmt: skip
    snaps = []
    loss_fn = nn.CrossEntropyLoss()
    for step in range(steps):
        if n <= cfg.batch:
            xb, yb = xt, yt
        else:
            idx = torch.as_tensor(rng.integers(0, n, cfg.batch))
            xb, yb = xt[idx], yt[idx]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        if step in marks:
            snaps.append(copy.deepcopy(model).eval())
    model.eval()
    return (model, snaps) if checkpoints > 0 else model


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    import torch

    with torch.no_grad():
        pred = model(torch.as_tensor(x, dtype=torch.float32)).argmax(dim=1).numpy()
    return float(np.mean(pred == y))


def retrain_accuracy(x, y, x_test, y_test, n_classes, seed=0, cfg=DEFAULT_LEARNER) -> float:
    """Test accuracy of the MLP retrained on ``(x, y)``."""
    if len(x) == 0:
        return float(np.mean(y_test == np.bincount(y_test).argmax()))
    return accuracy(train_mlp(x, y, n_classes, seed, cfg), x_test, y_test)
