"""One training run: build the data, the model, train, evaluate, write ``result.json``.

The loop follows nanoGPT's ``train.py``: AdamW (betas 0.9/0.98, weight decay on matrices only),
linear warmup then cosine decay to ``min_lr_frac * lr``, gradient clipping, bf16 autocast and
``torch.compile`` on CUDA (float32, eager on CPU), no host-device synchronisation in the hot loop
(batches are generated on the device; the loss is read only at log steps). Everything is seeded:
on CPU a run is bit-for-bit reproducible.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
import torch.nn.functional as F

from mixphase.errors import MixphaseInputError
from mixphase.io import atomic_write
from mixphase.records import dumps
from mixphase.validate.data import SymbolicCorpus, TextCorpus, load_web_text
from mixphase.validate.model import GPT, GPTConfig, mfu
from mixphase.validate.presets import ModelSize, get_preset


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run. ``None`` fields take the preset's value."""

    preset: str = "tiny"
    ratio: float = 0.05
    seed: int = 0
    data_seed: int = 0
    size: int | None = None  # index into the preset's sizes
    n_layer: int | None = None
    d_model: int | None = None
    n_head: int | None = None
    steps: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    warmup: int | None = None
    n_people: int | None = None  # override the preset's number of biographies
    web_facts: int | None = None  # override the synthetic web's number of facts
    web_data: str | None = None  # path: train on this text instead of the synthetic web
    bio_groups: int | None = None  # power-law frequency groups of people (BioSpec.n_groups)
    group_exponent: float = 1.5  # their exponent (used only with bio_groups)
    seq_len: int = 256  # text mode only
    device: str = "auto"
    compile: str = "auto"  # auto: on CUDA only
    eval_every: int | None = None
    log_every: int = 100
    max_eval_people: int = 2000

    def resolved(self) -> RunConfig:
        """Fill every ``None`` from the preset and check the values (raises input errors)."""
        p = get_preset(self.preset)
        if not (isinstance(self.ratio, int | float) and 0.0 <= self.ratio <= 1.0):
            raise MixphaseInputError(f"--ratio must lie in [0, 1], got {self.ratio!r}")
        if self.size is not None and not 0 <= self.size < len(p.sizes):
            raise MixphaseInputError(
                f"--size (an index into the preset's sizes) must be in 0..{len(p.sizes) - 1}, "
                f"got {self.size}"
            )
        ms = p.sizes[p.default_size if self.size is None else self.size]

        def pick(value, default):  # None takes the preset's value; 0 is a value (and refused)
            return default if value is None else value

        c = replace(
            self,
            n_layer=pick(self.n_layer, ms.n_layer),
            d_model=pick(self.d_model, ms.d_model),
            n_head=pick(self.n_head, ms.n_head),
            steps=pick(self.steps, p.steps),
            batch_size=pick(self.batch_size, p.batch_size),
            lr=pick(self.lr, p.lr),
            warmup=pick(self.warmup, p.warmup),
            eval_every=pick(self.eval_every, p.eval_every),
            device=pick_device(self.device),
        )
        for name in ("n_layer", "d_model", "n_head", "steps", "batch_size", "n_people",
                     "web_facts", "bio_groups"):  # fmt: skip
            v = getattr(c, name)
            if v is not None and (not isinstance(v, int) or v < 1):
                raise MixphaseInputError(f"{_option(name)} must be an integer >= 1, got {v!r}")
        for name in ("warmup", "eval_every", "seed", "data_seed"):
            v = getattr(c, name)
            if not isinstance(v, int) or v < 0:
                raise MixphaseInputError(f"{_option(name)} must be an integer >= 0, got {v!r}")
        if c.d_model % c.n_head:
            raise MixphaseInputError(
                f"--d-model ({c.d_model}) must be a multiple of --n-head ({c.n_head})"
            )
        if not (math.isfinite(c.lr) and 0 < c.lr <= 10):
            raise MixphaseInputError(f"--lr must lie in (0, 10], got {c.lr}")
        if self.compile not in ("auto", "yes", "no"):
            raise MixphaseInputError("compile must be auto, yes or no")
        return c

    @property
    def model_size(self) -> ModelSize:
        return ModelSize(self.n_layer, self.d_model, self.n_head)

    def key(self) -> str:
        """Identity of a run for resuming sweeps (resolved config)."""
        web = f"|web={self.web_data}" if self.web_data else ""
        web += f"|facts={self.web_facts}" if self.web_facts else ""
        web += f"|people={self.n_people}" if self.n_people else ""
        web += f"|groups={self.bio_groups}x{self.group_exponent:g}" if self.bio_groups else ""
        return (f"{self.preset}|{self.model_size.name}|r={self.ratio:g}|seed={self.seed}"
                f"|data={self.data_seed}|steps={self.steps}|bs={self.batch_size}|lr={self.lr:g}{web}")  # fmt: skip

    def to_dict(self) -> dict:
        return asdict(self)


def _option(field_name: str) -> str:
    """The command-line option that sets a :class:`RunConfig` field (for messages)."""
    return {"n_people": "--people"}.get(field_name, "--" + field_name.replace("_", "-"))


def pick_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise MixphaseInputError("device cuda requested but no CUDA device is available")
    if device.split(":")[0] not in ("cpu", "cuda", "mps"):
        raise MixphaseInputError(f"unknown device {device!r}")
    return device


def build_corpus(cfg: RunConfig):
    p = get_preset(cfg.preset)
    bio = p.bio if cfg.n_people is None else replace(p.bio, n_people=cfg.n_people)
    if cfg.bio_groups:
        bio = replace(bio, n_groups=cfg.bio_groups, group_exponent=cfg.group_exponent)
    if cfg.web_data:
        tokens = load_web_text(cfg.web_data)
        return TextCorpus(
            bio, tokens, seq_len=cfg.seq_len, data_seed=cfg.data_seed, device=cfg.device
        )
    web = p.web if cfg.web_facts is None else replace(p.web, n_facts=cfg.web_facts)
    return SymbolicCorpus(bio, web, n_content=p.n_content, docs_per_seq=p.docs_per_seq,
                          data_seed=cfg.data_seed, device=cfg.device)  # fmt: skip


def lr_at(step: int, cfg: RunConfig, min_frac: float) -> float:
    """Linear warmup to ``lr``, then cosine decay to ``min_frac * lr`` at the last step."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    prog = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return cfg.lr * (min_frac + (1 - min_frac) * 0.5 * (1 + math.cos(math.pi * min(prog, 1.0))))


def train(cfg: RunConfig, out_dir: str | os.PathLike | None = None, *, quiet: bool = True) -> dict:
    """Train one model; return the result dict (also written to ``out_dir/result.json``).

    ``out_dir/log.jsonl`` receives the training log (loss every ``log_every`` steps, evaluations).
    ``result.json`` is written atomically at the end only: a failed run leaves none.
    """
    cfg = cfg.resolved()
    preset = get_preset(cfg.preset)
    t_start = time.perf_counter()
    cpu_start = time.process_time()
    out = Path(out_dir) if out_dir is not None else None
    log_path = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        log_path = out / "log.jsonl"
        log_path.unlink(missing_ok=True)
    try:
        return _train(cfg, preset, out, log_path, t_start, cpu_start, quiet)
    except torch.cuda.OutOfMemoryError:
        raise MixphaseInputError(
            f"out of memory for {cfg.model_size.name} at batch {cfg.batch_size}: "
            "lower --batch-size or the model size"
        ) from None


def _log(path: Path | None, rec: dict, quiet: bool) -> None:
    if path is not None:
        with open(path, "a") as fh:
            fh.write(dumps(rec) + "\n")
    if not quiet:  # the log is diagnostics: stderr, so that stdout holds only the result
        print(dumps(rec), file=sys.stderr, flush=True)


def _train(
    cfg: RunConfig, preset, out, log_path, t_start: float, cpu_start: float, quiet: bool
) -> dict:
    torch.manual_seed(cfg.seed)
    device = torch.device(cfg.device)
    cuda = device.type == "cuda"
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    corpus = build_corpus(cfg)
    gcfg = GPTConfig(vocab_size=corpus.vocab_size, block_size=corpus.seq_len, n_layer=cfg.n_layer,
                     n_head=cfg.n_head, d_model=cfg.d_model)  # fmt: skip
    model = GPT(gcfg).to(device)
    n_params = model.num_params()
    opt = model.configure_optimizer(cfg.lr, preset.weight_decay, fused=cuda)
    use_compile = cfg.compile == "yes" or (cfg.compile == "auto" and cuda)
    amp = (
        torch.autocast("cuda", dtype=torch.bfloat16)
        if cuda
        else torch.autocast("cpu", enabled=False)
    )

    def loss_fn(m, x, y):
        with amp:
            logits = m(x)
        return F.cross_entropy(
            logits.float().view(-1, logits.size(-1)), y.reshape(-1), ignore_index=-100
        )

    step_model = torch.compile(model) if use_compile else model
    corpus.start(cfg.seed)
    tokens_per_step = cfg.batch_size * corpus.seq_len
    warm_steps = min(10, cfg.steps // 2)  # excluded from throughput (compilation, warm-up)
    t_warm = None
    model.train()
    for step in range(cfg.steps):
        if step == warm_steps:
            if cuda:
                torch.cuda.synchronize()
            t_warm = time.perf_counter()
        lr = lr_at(step, cfg, preset.min_lr_frac)
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = corpus.batch(cfg.batch_size, cfg.ratio)
        loss = loss_fn(step_model, x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), preset.grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if (cfg.log_every and step % cfg.log_every == 0) or step == cfg.steps - 1:
            _log(log_path, {"step": step, "lr": lr, "train_loss": float(loss.detach())}, quiet)
        if cfg.eval_every and step and step % cfg.eval_every == 0:
            model.eval()
            ev = corpus.evaluate(model, max_people=cfg.max_eval_people)
            model.train()
            _log(log_path, {"step": step, "eval": ev}, quiet)
    if cuda:
        torch.cuda.synchronize()
    t_end = time.perf_counter()
    model.eval()
    ev = corpus.evaluate(model, max_people=cfg.max_eval_people)
    _log(log_path, {"step": cfg.steps, "eval": ev}, quiet)
    timed_steps = cfg.steps - warm_steps
    tps = tokens_per_step * timed_steps / max(t_end - (t_warm or t_start), 1e-9)
    dev_name = (
        torch.cuda.get_device_name(device) if cuda else f"cpu ({torch.get_num_threads()} threads)"
    )
    fpt = model.flops_per_token(corpus.seq_len)
    bio = corpus.bio
    bits_bio = ev["memorization_accuracy"] * bio.total_bits
    bits_web = ev.get("web_facts_learned", 0.0) * ev.get("bits_per_web_fact", 0.0)
    result = {
        "key": cfg.key(),
        "preset": cfg.preset,
        "size": cfg.model_size.name,
        "n_layer": cfg.n_layer,
        "d_model": cfg.d_model,
        "n_head": cfg.n_head,
        "params": n_params,
        "tokens": tokens_per_step * cfg.steps,
        "ratio": cfg.ratio,
        "seed": cfg.seed,
        "data_seed": cfg.data_seed,
        "steps": cfg.steps,
        "batch_size": cfg.batch_size,
        "lr": cfg.lr,
        "memorization_accuracy": ev["memorization_accuracy"],
        "per_attribute": ev["per_attribute"],
        "bio_correct": ev["bio_correct"],
        "bio_total": ev["bio_total"],
        "web_loss": ev["web_loss"],
        "web_loss_unit": "nats per value token" if not cfg.web_data else "nats per byte",
        "n_people": bio.n_people,
        "bits_per_bio": bio.bits_per_bio,
        "exposures_per_bio": corpus.bio_docs_seen / bio.n_people,
        "bits_stored": bits_bio + bits_web,
        "bits_per_param": (bits_bio + bits_web) / n_params,
        "seconds": time.perf_counter() - t_start,
        "cpu_seconds": time.process_time() - cpu_start,  # this process's CPU time (all threads)
        "tokens_per_second": tps,
        "flops_per_token": fpt,
        "mfu": mfu(fpt, tps, dev_name) if cuda else None,
        "device": dev_name,
        "compiled": use_compile,
        "torch": torch.__version__,
        "data": corpus.describe(),
    }
    if "person_weight" in ev:  # frequency groups: expected exposures of each person
        result["bio_correct_by_person"] = ev["bio_correct_by_person"]
        result["person_exposures"] = [w * corpus.bio_docs_seen for w in ev["person_weight"]]
        result["n_attributes"] = len(bio.attribute_names)
    for k in ("web_accuracy", "web_facts_learned", "web_accuracy_by_rank", "bits_per_web_fact"):
        if k in ev:
            result[k] = ev[k]
    if getattr(corpus, "realised_ratio", None):
        rr = corpus.realised_ratio
        result["realised_ratio"] = sum(rr) / len(rr)
    if out is not None:
        with atomic_write(out / "result.json") as fh:
            json.dump(json.loads(dumps(result)), fh, indent=1)
    return result
