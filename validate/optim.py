"""The weights and optimizer state of an ensemble, flat: one ``(E, P)`` tensor per kind.

Every member's ``P`` parameters sit in one row of a leaf tensor ``flat (E, P)``; the model's
weights are views into it (:meth:`FlatLayout.unflatten`), so the backward pass produces one
``(E, P)`` gradient and the optimizer is a handful of whole-tensor operations whatever the depth.

**AdamW** (Loshchilov & Hutter 2019, as in ``torch.optim.AdamW``), per member ``e`` with its own
learning rate ``lr_e`` and step count ``t_e``::

    g   <- g * min(1, clip / (||g||_2 + 1e-6))      gradient-norm clipping, per member
    w   <- w * (1 - lr_e * wd * [w is a matrix])    decoupled weight decay
    m   <- m + (1 - b1) (g - m)
    v   <- b2 v + (1 - b2) g^2
    w   <- w - (lr_e / (1 - b1^t_e)) m / (sqrt(v) / sqrt(1 - b2^t_e) + eps)

Members never interact: every operation is elementwise or a reduction within a row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from mixphase.validate.model import GPTConfig, decays


@dataclass(frozen=True)
class FlatLayout:
    """Where each weight of one member lies in its row of ``flat``."""

    cfg: GPTConfig

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        return self.cfg.shapes()

    @property
    def size(self) -> int:
        return self.cfg.num_params()

    def flatten(self, member: dict[str, torch.Tensor]) -> torch.Tensor:
        return torch.cat([member[k].reshape(-1) for k in self.shapes])

    def unflatten(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        """Views ``(E, *shape)`` of ``flat (E, P)`` (differentiable)."""
        sizes = [math.prod(s) for s in self.shapes.values()]
        parts = torch.split(flat, sizes, dim=1)
        e = flat.shape[0]
        return {k: p.view(e, *s) for (k, s), p in zip(self.shapes.items(), parts, strict=True)}

    def decay_mask(self, device) -> torch.Tensor:
        """1 where weight decay applies (matrices), else 0: ``(P,)``."""
        parts = [torch.full((math.prod(s),), float(decays(k))) for k, s in self.shapes.items()]
        return torch.cat(parts).to(device)


class AdamW:
    """AdamW over ``flat (E, P)`` with a learning rate and step count per member."""

    def __init__(self, flat: torch.Tensor, decay_mask: torch.Tensor, *, weight_decay: float,
                 betas: tuple[float, float] = (0.9, 0.98), eps: float = 1e-8) -> None:  # fmt: skip
        self.flat, self.mask = flat, decay_mask
        self.wd, (self.b1, self.b2), self.eps = weight_decay, betas, eps
        self.m = torch.zeros_like(flat, requires_grad=False)
        self.v = torch.zeros_like(flat, requires_grad=False)
        self.t = [0] * flat.shape[0]

    def _col(self, values: list[float]) -> torch.Tensor:
        t = torch.tensor(values, dtype=self.flat.dtype)
        if self.flat.device.type == "cuda":  # no host-device synchronisation in the hot loop
            return t.pin_memory().to(self.flat.device, non_blocking=True)[:, None]
        return t[:, None]

    @torch.no_grad()
    def clip_(self, max_norm: float) -> torch.Tensor:
        """Scale each member's gradient to norm <= ``max_norm``; return the norms before."""
        g = self.flat.grad
        norm = torch.linalg.vector_norm(g, dim=1)
        g.mul_((max_norm / (norm + 1e-6)).clamp(max=1.0)[:, None])
        return norm

    @torch.no_grad()
    def step(self, lr: list[float]) -> None:
        """One update of every member with its own learning rate ``lr[e]``."""
        w, g = self.flat, self.flat.grad
        self.t = [t + 1 for t in self.t]
        w.mul_(1.0 - self._col([x * self.wd for x in lr]) * self.mask)
        self.m.lerp_(g, 1.0 - self.b1)
        self.v.mul_(self.b2).addcmul_(g, g, value=1.0 - self.b2)
        step_size = self._col([-x / (1.0 - self.b1**t) for x, t in zip(lr, self.t, strict=True)])
        bc2 = self._col([math.sqrt(1.0 - self.b2**t) for t in self.t])
        w.add_(self.m * step_size / (self.v.sqrt() / bc2 + self.eps))
        self.flat.grad = None

    def select(self, flat: torch.Tensor, rows: list[int]) -> None:
        """Keep (or repeat) members ``rows``: the state follows ``flat = old_flat[rows]``."""
        idx = torch.as_tensor(rows, device=self.m.device)
        self.flat = flat
        self.m, self.v = self.m[idx], self.v[idx]
        self.t = [self.t[i] for i in rows]

    def member_state(self, e: int) -> dict:
        return {"m": self.m[e].detach().cpu().clone(), "v": self.v[e].detach().cpu().clone(),
                "t": self.t[e]}  # fmt: skip

    def load_member_state(self, e: int, sd: dict) -> None:
        self.m[e] = sd["m"].to(self.m.device)
        self.v[e] = sd["v"].to(self.v.device)
        self.t[e] = int(sd["t"])


__all__ = ["AdamW", "FlatLayout"]
