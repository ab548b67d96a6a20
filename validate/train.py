"""One training run: build the data, the model, train, evaluate, write ``result.json``.

A single run is an ensemble of one (:func:`mixphase.validate.ensemble.train_ensemble`), so it
computes exactly what the same run computes as a member of a larger ensemble. The loop follows
nanoGPT's ``train.py``: AdamW (betas 0.9/0.98, weight decay on matrices only), linear warmup then
cosine decay to ``min_lr_frac * lr`` (or WSD, :mod:`mixphase.validate.schedule`), gradient
clipping, bf16 autocast and ``torch.compile`` on CUDA (float32, eager on CPU), no host-device
synchronisation in the hot loop (the loss is read only at log steps). Everything is seeded
(:mod:`mixphase.validate.seeds`): on CPU a run is bit-for-bit reproducible for a given number of
torch threads (sweeps use one per process).
"""

from __future__ import annotations

import os

from mixphase.validate.config import RunConfig, build_corpus, pick_device


def train(cfg: RunConfig, out_dir: str | os.PathLike | None = None, *, quiet: bool = True,
          trunk_dir: str | os.PathLike | None = None) -> dict:  # fmt: skip
    """Train one model; return the result dict (also written to ``out_dir/result.json``).

    ``out_dir/log.jsonl`` receives the training log (loss every ``log_every`` steps, evaluations).
    ``result.json`` is written atomically at the end only: a failed run leaves none.
    ``trunk_dir``: where a WSD run looks for (and leaves) stable-phase checkpoints.
    """
    from mixphase.validate.ensemble import train_ensemble

    cfg = cfg.resolved()
    return train_ensemble([cfg], [out_dir], trunk_dir=trunk_dir, quiet=quiet)[0]


__all__ = ["RunConfig", "build_corpus", "pick_device", "train"]
