"""Named presets: a data scale, a training recipe and a ladder of model sizes.

``run --preset P`` trains the preset's default size; ``sweep --preset P`` trains every size at
every ratio. The ``tiny`` preset is the capacity-limited CPU design measured in the project's
validation notes (1-layer GPTs of 7k-20k parameters, trained long on 20 biographies mixed with
20k Zipf(1.0) facts, so the marginal web fact is seen thousands of times and capacity, not
exposures, binds). ``small`` is the same design scaled for one GPU (more sizes, more
biographies, larger batches). ``base`` is a GPT-2-small-like shape for throughput / MFU.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from mixphase.errors import MixphaseInputError
from mixphase.validate.data import BIOS_ATTRIBUTES, SMALL_ATTRIBUTES, BioSpec, WebSpec


@dataclass(frozen=True)
class ModelSize:
    n_layer: int
    d_model: int
    n_head: int

    @property
    def name(self) -> str:
        return f"L{self.n_layer}-d{self.d_model}-h{self.n_head}"


@dataclass(frozen=True)
class Preset:
    name: str
    sizes: tuple[ModelSize, ...]
    default_size: int  # index into sizes
    bio: BioSpec
    web: WebSpec
    ratios: tuple[float, ...]
    steps: int
    batch_size: int
    lr: float
    warmup: int
    docs_per_seq: int = 2
    n_content: int = 128
    min_lr_frac: float = 0.05
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_every: int = 0  # 0: evaluate at the end only
    description: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["bio"] = self.bio.to_dict()
        return d


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        name="tiny",
        sizes=(ModelSize(1, 16, 2), ModelSize(1, 24, 2), ModelSize(1, 32, 2)),
        default_size=1,
        bio=BioSpec(n_people=20, attributes=SMALL_ATTRIBUTES),
        web=WebSpec(n_facts=20_000, zipf=1.0),
        ratios=(0.01, 0.02, 0.04, 0.08, 0.16),
        steps=2000,
        batch_size=128,
        docs_per_seq=1,
        lr=1e-2,
        warmup=100,
        description="CPU: 1-layer GPTs (7k-20k params), 20 bios x 5 attributes, 20k Zipf(1.0) facts",
    ),
    "small": Preset(
        name="small",
        sizes=(
            ModelSize(1, 16, 2),
            ModelSize(1, 24, 2),
            ModelSize(1, 32, 2),
            ModelSize(1, 48, 2),
            ModelSize(1, 64, 2),
        ),
        default_size=2,
        bio=BioSpec(n_people=40, attributes=SMALL_ATTRIBUTES),
        web=WebSpec(n_facts=50_000, zipf=1.0),
        ratios=(0.005, 0.01, 0.02, 0.04, 0.08, 0.16),
        steps=4000,
        batch_size=1024,
        lr=1e-2,
        warmup=100,
        description="GPU: the tiny design with 5 sizes (7k-60k params), 40 bios, 50k facts",
    ),
    "base": Preset(
        name="base",
        sizes=(
            ModelSize(4, 256, 4),
            ModelSize(8, 512, 8),
            ModelSize(12, 768, 12),
            ModelSize(16, 1024, 16),
        ),
        default_size=3,
        bio=BioSpec(n_people=100_000, attributes=BIOS_ATTRIBUTES, employer_city=True),
        web=WebSpec(n_facts=1_000_000, zipf=1.0, facts_per_doc=6),
        ratios=(0.05, 0.1, 0.2, 0.3, 0.4, 0.5),
        steps=20_000,
        batch_size=32,
        lr=1e-3,
        warmup=500,
        docs_per_seq=24,
        n_content=256,
        description="GPU: bioS pools (45.6 bits/bio, 1e5 people), 1e6 facts, GPT-2-like shapes",
    ),
}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise MixphaseInputError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    return PRESETS[name]
