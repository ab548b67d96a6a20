"""WSD branching: runs of several lengths share one trained stable phase.

With ``schedule="wsd"`` (:mod:`mixphase.validate.schedule`) the learning rate before a run's
``stable_end = steps - cooldown`` does not depend on ``steps``, and neither do its weights, data
stream or optimizer state: runs that differ only in ``steps`` (same *trunk key*: the run key
without its step count) follow one trajectory, the *trunk*, up to the shortest one's
``stable_end``. Branching means:

- a run of ``S`` steps = the trunk's first ``stable_end(S)`` steps + its own cooldown
  (``steps - stable_end(S)`` steps). A 3x run = the stable prefix it shares with the 1x run, the
  stable steps only the longer runs share, then its own cooldown. Its result equals a
  from-scratch run of the same schedule (tested: the same losses on CPU), so ``branched_from_step``
  in the record says only where the work was reused, not a different run.
- In an ensemble, the siblings train as one trunk member that forks at each sibling's
  ``stable_end`` (:mod:`mixphase.validate.ensemble`).
- Across processes and restarts, the trunk's state at every ``stable_end`` reached is saved to
  ``<sweep folder>/wsd_trunks/<hash of the trunk key>/step<N>.pt`` (weights, AdamW moments and
  step count, the data stream's exact state, the training log so far; written atomically). A WSD
  run starts from the latest checkpoint at or before its own ``stable_end``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import torch

from mixphase.io import atomic_write
from mixphase.validate.seeds import ENGINE_VERSION

TRUNKS = "wsd_trunks"


def trunk_key(cfg) -> str | None:
    """The run key without its step count (WSD runs only; None otherwise)."""
    if cfg.schedule != "wsd":
        return None
    return re.sub(r"\|steps=\d+", "|steps=*", cfg.key()) + f"|engine={ENGINE_VERSION}"


def _dir(root: Path, key: str) -> Path:
    return Path(root) / hashlib.sha1(key.encode()).hexdigest()[:16]


def latest(root: str | Path | None, key: str, max_step: int) -> tuple[int, Path] | None:
    """The checkpoint of trunk ``key`` with the largest step <= ``max_step``, if any."""
    if root is None:
        return None
    d = _dir(Path(root), key)
    best = None
    for p in d.glob("step*.pt") if d.is_dir() else ():
        m = re.fullmatch(r"step(\d+)\.pt", p.name)
        if m and int(m.group(1)) <= max_step and (best is None or int(m.group(1)) > best[0]):
            best = (int(m.group(1)), p)
    return best


def save(root: str | Path, key: str, step: int, state: dict) -> Path:
    """Write a trunk checkpoint atomically (``state``: flat, m, v, t, stream, log)."""
    path = _dir(Path(root), key) / f"step{step:08d}.pt"
    if path.exists():
        return path
    with atomic_write(path, "wb") as fh:
        torch.save({"trunk_key": key, "step": step, **state}, fh)
    return path


def load(path: Path) -> dict:
    state = torch.load(path, map_location="cpu", weights_only=True)
    return state


__all__ = ["TRUNKS", "latest", "load", "save", "trunk_key"]
