"""Learning-rate schedules: cosine (the default) and warmup-stable-decay (WSD).

Both start with a linear warmup ``lr (s+1) / warmup`` over the first ``warmup`` steps.

- **cosine** (nanoGPT): after warmup, ``lr (f + (1 - f) (1 + cos(pi p)) / 2)`` with progress
  ``p = (s - warmup) / (steps - warmup)``, reaching ``f lr`` (``f = min_frac``) at the last step.
  A longer run therefore also keeps a high rate longer: runs of different lengths differ from
  their first step after warmup.
- **wsd** (warmup-stable-decay; Hu et al. 2024, MiniCPM; used by the knapsack paper's training
  runs): after warmup the rate stays at the peak until ``stable_end = steps - cooldown``, then
  falls linearly to ``f lr`` at the last step, ``cooldown = max(1, round(cooldown_frac steps))``
  (10% of the steps by default). Before ``stable_end`` the rate does not depend on ``steps``, so
  runs of several lengths that are otherwise the same share their first ``stable_end`` steps
  exactly and can *branch* from one trained stable phase (:mod:`mixphase.validate.branching`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

SCHEDULES = ("cosine", "wsd")


@dataclass(frozen=True)
class Schedule:
    kind: str
    lr: float
    steps: int
    warmup: int
    min_frac: float = 0.05
    cooldown_frac: float = 0.1

    def __post_init__(self) -> None:
        if self.kind not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.kind!r}")

    @property
    def cooldown(self) -> int:
        """Steps of the WSD cooldown (0 for cosine)."""
        if self.kind != "wsd":
            return 0
        return min(self.steps, max(1, round(self.cooldown_frac * self.steps)))

    @property
    def stable_end(self) -> int:
        """First step whose rate depends on ``steps`` (WSD: the first cooldown step)."""
        if self.kind == "wsd":
            return self.steps - self.cooldown
        return min(self.warmup, self.steps)

    def lr_at(self, step: int) -> float:
        warm = (step + 1) / self.warmup if step < self.warmup else 1.0
        f = self.min_frac
        if self.kind == "cosine":
            if step < self.warmup:
                return self.lr * warm
            p = min((step - self.warmup) / max(1, self.steps - self.warmup), 1.0)
            return self.lr * (f + (1 - f) * 0.5 * (1 + math.cos(math.pi * p)))
        cool = 1.0
        if step >= self.stable_end:
            cool = 1.0 - (1.0 - f) * (step - self.stable_end + 1) / self.cooldown
        return self.lr * min(warm, cool)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["stable_end"] = self.stable_end
        d["cooldown_steps"] = self.cooldown
        return d


__all__ = ["SCHEDULES", "Schedule"]
