"""What defines a validation run (:class:`RunConfig`), its key, its data and its ensemble group."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from mixphase.errors import MixphaseInputError
from mixphase.validate.data import WEB_MODES
from mixphase.validate.presets import ModelSize, get_preset
from mixphase.validate.schedule import SCHEDULES, Schedule


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
    n_people: int | None = None  # the first n people of the preset's set (prefix-stable)
    web_facts: int | None = None  # the n most frequent facts of the preset's web
    web_data: str | None = None  # path: train on this text instead of the synthetic web
    bio_groups: int | None = None  # power-law frequency groups of people (BioSpec.n_groups)
    group_exponent: float = 1.5  # their exponent (used only with bio_groups)
    web_mode: str = "fixed"  # "incompressible": web values redrawn at every occurrence
    schedule: str = "cosine"  # or "wsd" (warmup-stable-decay)
    cooldown_frac: float = 0.1  # WSD: share of the steps in the final linear decay
    seq_len: int = 256  # text mode only
    device: str = "auto"
    compile: str = "auto"  # auto: on CUDA only
    eval_every: int | None = None
    log_every: int = 100
    max_eval_people: int = 2000

    def resolved(self) -> RunConfig:
        """Fill every ``None`` from the preset and check the values (raises input errors).
        ``None`` takes the preset's value; 0 is a value (and refused where it makes no sense)."""
        p = get_preset(self.preset)
        if not (isinstance(self.ratio, int | float) and 0.0 <= self.ratio <= 1.0):
            raise MixphaseInputError(f"--ratio must lie in [0, 1], got {self.ratio!r}")
        if self.size is not None and not 0 <= self.size < len(p.sizes):
            raise MixphaseInputError(
                f"--size (an index into the preset's sizes) must be in 0..{len(p.sizes) - 1}, "
                f"got {self.size}"
            )
        ms = p.sizes[p.default_size if self.size is None else self.size]

        def pick(value, default):
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
        if not (isinstance(c.lr, int | float) and math.isfinite(c.lr) and 0 < c.lr <= 10):
            raise MixphaseInputError(f"--lr must lie in (0, 10], got {c.lr}")
        if self.web_mode not in WEB_MODES:
            raise MixphaseInputError(f"--web-mode must be one of {', '.join(WEB_MODES)}")
        if self.schedule not in SCHEDULES:
            raise MixphaseInputError(f"--schedule must be one of {', '.join(SCHEDULES)}")
        if not (isinstance(self.cooldown_frac, int | float) and 0.0 < self.cooldown_frac <= 1.0):
            raise MixphaseInputError(
                f"--cooldown-frac must lie in (0, 1], got {self.cooldown_frac!r}"
            )
        if self.web_data and (self.web_mode != "fixed" or self.web_facts):
            raise MixphaseInputError("--web-mode and --web-facts apply to the synthetic web only")
        if self.compile not in ("auto", "yes", "no"):
            raise MixphaseInputError("compile must be auto, yes or no")
        return c

    @property
    def model_size(self) -> ModelSize:
        return ModelSize(self.n_layer, self.d_model, self.n_head)

    def key(self) -> str:
        """Identity of a run for resuming sweeps (resolved config). Options added after the first
        engine enter the key only when they differ from their defaults, so the keys of older
        configurations are unchanged."""
        web = f"|web={self.web_data}" if self.web_data else ""
        web += f"|facts={self.web_facts}" if self.web_facts else ""
        web += f"|people={self.n_people}" if self.n_people else ""
        web += f"|groups={self.bio_groups}x{self.group_exponent:g}" if self.bio_groups else ""
        web += f"|webmode={self.web_mode}" if self.web_mode != "fixed" else ""
        if self.schedule != "cosine":
            web += f"|sched={self.schedule}"
            web += f"-cd{self.cooldown_frac:g}" if self.cooldown_frac != 0.1 else ""
        if self.warmup is not None and self.warmup != get_preset(self.preset).warmup:
            web += f"|warmup={self.warmup}"
        if self.web_data and self.seq_len != 256:
            web += f"|seq={self.seq_len}"
        return (f"{self.preset}|{self.model_size.name}|r={self.ratio:g}|seed={self.seed}"
                f"|data={self.data_seed}|steps={self.steps}|bs={self.batch_size}|lr={self.lr:g}{web}")  # fmt: skip

    def lr_schedule(self) -> Schedule:
        p = get_preset(self.preset)
        return Schedule(self.schedule, self.lr, self.steps, self.warmup, p.min_lr_frac,
                        self.cooldown_frac)  # fmt: skip

    def group_key(self) -> tuple:
        """Runs with equal group keys can train together as one ensemble (same model shape,
        batch, data layout and device)."""
        return (self.preset, self.n_layer, self.d_model, self.n_head, self.batch_size,
                self.web_data, self.seq_len if self.web_data else None, self.device,
                self.compile)  # fmt: skip

    def data_key(self) -> tuple:
        """Runs with equal data keys train on the same corpus."""
        return (self.preset, self.n_people, self.web_facts, self.web_data, self.bio_groups,
                self.group_exponent if self.bio_groups else None, self.web_mode,
                self.data_seed, self.seq_len if self.web_data else None)  # fmt: skip

    def to_dict(self) -> dict:
        return asdict(self)


def _option(field_name: str) -> str:
    """The command-line option that sets a :class:`RunConfig` field (for messages)."""
    return {"n_people": "--people"}.get(field_name, "--" + field_name.replace("_", "-"))


def pick_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise MixphaseInputError("device cuda requested but no CUDA device is available")
    if device.split(":")[0] not in ("cpu", "cuda", "mps"):
        raise MixphaseInputError(f"unknown device {device!r}")
    return device


def build_corpus(cfg: RunConfig):
    """The corpus of a resolved config (symbolic, or byte-level with ``web_data``)."""
    p = get_preset(cfg.preset)
    bio = p.bio if cfg.n_people is None else replace(p.bio, n_people=cfg.n_people)
    if cfg.bio_groups:
        bio = replace(bio, n_groups=cfg.bio_groups, group_exponent=cfg.group_exponent)
    if cfg.web_data:
        from mixphase.validate.text_data import TextCorpus, load_web_text

        return TextCorpus(bio, load_web_text(cfg.web_data), seq_len=cfg.seq_len,
                          data_seed=cfg.data_seed)  # fmt: skip
    from mixphase.validate.data import SymbolicCorpus

    web = p.web if cfg.web_facts is None else replace(p.web, n_facts=cfg.web_facts)
    return SymbolicCorpus(bio, web, n_content=p.n_content, docs_per_seq=p.docs_per_seq,
                          data_seed=cfg.data_seed, web_mode=cfg.web_mode)  # fmt: skip


__all__ = ["RunConfig", "build_corpus", "pick_device"]
