"""Which pending runs train together: ensembles by model shape, split to fit memory and workers.

Runs with the same :meth:`RunConfig.group_key` (preset, model shape, batch size, device, web
data) can share an ensemble. A group is split into chunks of at most ``max_members`` runs and of
at most ``budget / member_bytes`` runs, where the memory of one member is estimated as

    16 P  +  1.5 x 4 B T (L (16 d + 2 H T) + 4 V + 2 d)   bytes

(weights, gradient and two AdamW moments in float32; the activations kept for the backward pass:
per layer and token ~16 d values and the H x T attention probabilities, the logits, their
log-softmax and gradient, the embeddings; x1.5 for temporaries). WSD siblings (runs that differ
only in length) stay in one chunk so they share their stable phase. Chunks are then split further
while that shortens the estimated wall time on ``jobs`` workers (longest-processing-time-first
assignment, cost = steps x tokens per step x FLOPs per token), down to ``min_members`` runs.
"""

from __future__ import annotations

from mixphase.validate.branching import trunk_key
from mixphase.validate.presets import get_preset

#: Memory budget of one ensemble on CPU (bytes) unless stated.
CPU_BUDGET = 2 << 30


def _vocab_and_seq(cfg) -> tuple[int, int]:
    if cfg.web_data:
        return 258, cfg.seq_len
    p = get_preset(cfg.preset)
    n_attr = len(p.bio.attribute_names)
    vlen = 2
    while p.n_content**vlen < max(c for _, c in p.bio.attributes):
        vlen += 1
    doc = max(
        1 + n_attr * (5 + vlen), 1 + p.web.facts_per_doc * (p.web.key_len + p.web.value_len + 2)
    )
    return 4 + n_attr * p.bio.n_templates + p.n_content, p.docs_per_seq * doc


def member_bytes(cfg) -> int:
    """Estimated memory of one member while training (bytes; see the module docstring)."""
    v, t = _vocab_and_seq(cfg)
    d, L, h = cfg.d_model, cfg.n_layer, cfg.n_head
    params = v * d + t * d + L * (12 * d * d + 2 * d) + d
    act = 4 * cfg.batch_size * t * (L * (16 * d + 2 * h * t) + 4 * v + 2 * d)
    return int(16 * params + 1.5 * act)


def run_cost(cfg) -> float:
    """Relative cost of a run: steps x tokens per step x FLOPs per token (6 N + 12 L T d)."""
    v, t = _vocab_and_seq(cfg)
    d, L = cfg.d_model, cfg.n_layer
    flops = 6 * (v * d + L * 12 * d * d) + 12 * L * t * d
    return cfg.steps * cfg.batch_size * t * flops


def _units(runs: list) -> list[list]:
    """Runs, with WSD siblings kept together as one unit (longest first within)."""
    fam: dict[str, list] = {}
    units = []
    for c in runs:
        k = trunk_key(c)
        if k is None:
            units.append([c])
        elif k in fam:
            fam[k].append(c)
        else:
            fam[k] = [c]
            units.append(fam[k])
    return units


def _unit_cost(unit: list) -> float:
    return max(run_cost(c) for c in unit) + 0.1 * sum(run_cost(c) for c in unit[1:])


def _makespan(chunks: list[list[list]], jobs: int) -> float:
    loads = [0.0] * jobs
    for cost in sorted((sum(_unit_cost(u) for u in ch) for ch in chunks), reverse=True):
        loads[loads.index(min(loads))] += cost
    return max(loads)


def plan_groups(runs: list, *, jobs: int = 1, budget: int | None = None,
                max_members: int = 64, min_members: int = 2) -> list[list]:  # fmt: skip
    """Chunks of runs to train as ensembles, costliest first."""
    by_key: dict[tuple, list] = {}
    for c in runs:
        by_key.setdefault(c.group_key(), []).append(c)
    chunks: list[list[list]] = []
    for group in by_key.values():
        cap = max(1, min(max_members, (budget or CPU_BUDGET) // member_bytes(group[0])))
        units, cur, n = _units(group), [], 0
        for u in units:
            if cur and n + len(u) > cap:
                chunks.append(cur)
                cur, n = [], 0
            cur.append(u)
            n += len(u)
        if cur:
            chunks.append(cur)
    while True:
        best = _makespan(chunks, jobs)
        big = max(chunks, key=lambda ch: sum(_unit_cost(u) for u in ch), default=None)
        if big is None or (len(big) < 2 * min_members and len(chunks) >= jobs) or len(big) < 2:
            break
        half = len(big) // 2
        trial = [ch for ch in chunks if ch is not big] + [big[:half], big[half:]]
        if _makespan(trial, jobs) >= 0.95 * best:
            break
        chunks = trial
    chunks.sort(key=lambda ch: -sum(_unit_cost(u) for u in ch))
    return [[c for u in ch for c in u] for ch in chunks]


__all__ = ["member_bytes", "plan_groups", "run_cost"]
