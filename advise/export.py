"""Recipe export: the advised mixture in the units data loaders take.

mixphase's mixing ratio ``r`` is a **token share**: the knowledge set's fraction of training
tokens (web: ``1 - r``). Loaders take other units [ours, from their documentation]:

- **HF datasets** ``interleave_datasets(datasets, probabilities=p)`` draws one *example*
  (document) at a time from dataset ``i`` with probability ``p_i`` (torchtitan-style document
  samplers likewise);
- **MosaicML streaming** ``Stream(proportion=p_i)`` gives each stream a share ``p_i`` of the
  *samples* of an epoch (a sample: a document, or a fixed-length sequence);
- **olmix** ``mix: {source: {weight, repetition_factor}}``: ``weight`` is a token share (OLMo
  Core mixes sources by tokens) and ``repetition_factor`` caps how many times a source's tokens
  may be repeated (OLMo Core's ``max_repetition_ratio``).

With ``L_i`` the mean document length of source ``i`` in tokens, token shares ``s`` and document
(sample) probabilities ``p`` convert as [derived]::

    p_i = (s_i / L_i) / sum_j (s_j / L_j)        s_i = p_i L_i / sum_j p_j L_j

(a document of source ``i`` brings ``L_i`` tokens, so the expected token share of ``p`` is the
second formula; the first is its inverse). A run of ``T`` tokens repeats source ``i`` (one pass:
``S_i`` tokens) ``s_i T / S_i`` times.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from mixphase.errors import MixphaseInputError

FORMATS = ("hf", "mosaicml", "olmix")
SOURCES = ("knowledge", "web")


# -- the conversions (pure) ------------------------------------------------------------------------
def document_probabilities(token_shares: dict, doc_tokens: dict) -> dict:
    """``p_i = (s_i / L_i) / sum_j (s_j / L_j)``: per-document draw probabilities."""
    w = {k: float(s) / float(doc_tokens[k]) for k, s in token_shares.items()}
    total = sum(w.values())
    return {k: v / total for k, v in w.items()}


def token_shares(doc_probabilities: dict, doc_tokens: dict) -> dict:
    """``s_i = p_i L_i / sum_j p_j L_j``: the token shares a document sampler produces."""
    w = {k: float(p) * float(doc_tokens[k]) for k, p in doc_probabilities.items()}
    total = sum(w.values())
    return {k: v / total for k, v in w.items()}


def repetitions(share: float, training_tokens: float, source_tokens: float) -> float:
    """Passes over a source of ``source_tokens`` tokens at token share ``share`` of ``T``."""
    return float(share) * float(training_tokens) / float(source_tokens)


def parse_doc_tokens(text: str, sources=SOURCES) -> dict[str, float]:
    """``"knowledge=120,web=900"`` -> ``{"knowledge": 120.0, "web": 900.0}`` (every source)."""
    out = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in sources:
            raise MixphaseInputError(
                f"--doc-tokens: expected {'=N,'.join(sources)}=N, got {part!r}"
            )
        try:
            v = float(value)
        except ValueError:
            raise MixphaseInputError(f"--doc-tokens: {name} is not a number: {value!r}") from None
        if not (math.isfinite(v) and v > 0):
            raise MixphaseInputError(f"--doc-tokens: {name} must be a positive number of tokens")
        out[name] = v
    missing = [s for s in sources if s not in out]
    if missing:
        raise MixphaseInputError(f"--doc-tokens: no mean document length for {', '.join(missing)}")
    return out


# -- the recipe ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recipe:
    """An advised mixture: token shares per source and what is known to convert them."""

    shares: dict[str, float]
    doc_tokens: dict[str, float] | None = None
    training_tokens: float | None = None
    source_tokens: dict[str, float] = field(default_factory=dict)  # one pass over a source
    max_repetitions: float | None = None
    context: dict = field(default_factory=dict)

    def repetitions(self) -> dict[str, float]:
        if self.training_tokens is None:
            return {}
        return {k: repetitions(self.shares[k], self.training_tokens, t)
                for k, t in self.source_tokens.items()}  # fmt: skip

    def warnings(self) -> list[str]:
        out = []
        limit = self.max_repetitions
        for k, reps in self.repetitions().items():
            if limit is not None and reps > limit:
                out.append(f"the {k} set is repeated {reps:.3g} times at token share "
                           f"{self.shares[k]:.4g}, more than --max-repetitions {limit:g} (repeated "
                           "tokens are worth less than fresh ones beyond ~4 passes: Muennighoff "
                           "et al. 2023)")  # fmt: skip
        return out

    def probabilities(self) -> dict[str, float]:
        if self.doc_tokens is None:
            raise MixphaseInputError("this format draws documents: give --doc-tokens "
                                     "knowledge=N,web=N (mean tokens per document)")  # fmt: skip
        return document_probabilities(self.shares, self.doc_tokens)

    def render(self, fmt: str) -> str:
        if fmt == "hf":
            return _hf(self)
        if fmt == "mosaicml":
            return _yaml_doc(self, "MosaicML streaming: Stream(proportion=...) per source; in "
                             "LLM Foundry, train_loader.dataset.streams", "streams",
                             {k: {"proportion": p} for k, p in self.probabilities().items()})  # fmt: skip
        if fmt == "olmix":
            reps = self.repetitions()
            if not reps:
                raise MixphaseInputError("olmix's repetition factors need --training-tokens")
            mix = {k: {"weight": s, "repetition_factor": max(1.0, math.ceil(reps.get(k, 1.0) * 100)
                                                              / 100)}
                   for k, s in self.shares.items()}  # fmt: skip
            return _yaml_doc(self, "olmix: mix weights (token shares) and repetition factors "
                             "(OLMo Core max_repetition_ratio)", "mix", mix)  # fmt: skip
        raise MixphaseInputError(f"--export must be one of {', '.join(FORMATS)}, got {fmt!r}")

    def notes(self) -> list[str]:
        """What the file states besides the numbers: units, lengths, where the ratio came from."""
        lines = [f"token shares: {_kv(self.shares)}"]
        if self.doc_tokens is not None:
            lines.append(f"mean document length in tokens (--doc-tokens): {_kv(self.doc_tokens)}")
        if self.training_tokens is not None:
            lines.append(f"training tokens: {self.training_tokens:.4g}; passes over each source: "
                         f"{_kv(self.repetitions()) or 'n/a'}")  # fmt: skip
        lines += [f"{k}: {v}" for k, v in self.context.items()]
        lines += [f"WARNING: {w}" for w in self.warnings()]
        return lines


def _kv(d: dict) -> str:
    return ", ".join(f"{k}={v:.6g}" for k, v in d.items())


def _hf(recipe: Recipe) -> str:
    p = recipe.probabilities()
    names = list(p)
    doc = {
        "format": "huggingface datasets.interleave_datasets",
        "sources": names,
        "probabilities": [p[k] for k in names],
        "stopping_strategy": "all_exhausted",
        "unit": "probability of drawing the next example (document) from each source",
        "usage": f"interleave_datasets([{', '.join(names)}], probabilities="
                 f"[{', '.join(f'{p[k]:.6g}' for k in names)}], seed=0, "
                 "stopping_strategy='all_exhausted')  # repeats the smaller set; stop by steps",
        "token_shares": recipe.shares,
        "mean_document_tokens": recipe.doc_tokens,
        "notes": recipe.notes(),
    }  # fmt: skip
    return json.dumps(doc, indent=1) + "\n"


def _yaml_doc(recipe: Recipe, title: str, key: str, body: dict) -> str:
    lines = [f"# mixphase recipe for {title}", *[f"# {n}" for n in recipe.notes()], f"{key}:"]
    for name, fields in body.items():
        lines.append(f"  {name}:")
        lines += [f"    {k}: {v:.6g}" for k, v in fields.items()]
    return "\n".join(lines) + "\n"


def recipe_from_advice(advice, doc_tokens: dict | None = None,
                       max_repetitions: float | None = None) -> Recipe:  # fmt: skip
    """The recipe for the advice's model size: its budgeted plan if a budget was given, else the
    ratio that learns the target share (the knowledge set kept whole); the median where the
    calibration gives an interval."""
    if len(advice.rows) != 1:
        raise MixphaseInputError("--export writes one recipe: give one --model-size")
    row = advice.rows[0]
    if "budget" in row:
        ratio, keep = row["budget"]["ratio"], row["budget"]["keep_fraction"]
        why = "the best plan within your budget (--max-ratio / --max-web-loss-increase)"
    else:
        ratio, keep = row["target"]["ratio"], 1.0
        why = f"the ratio that learns {row['target']['share']:.0%} of the set (--target-share)"
    r, k = _median(ratio), _median(keep)
    if not (math.isfinite(r) and 0 < r < 1):
        raise MixphaseInputError(f"no mixing ratio reaches the target at this model size "
                                 f"(r = {r:g}): nothing to export")  # fmt: skip
    s1 = advice.model.knowledge.tokens * k
    shown = str(ratio) if hasattr(ratio, "median") else f"{r:.4g}"
    context = {"model size": f"{row['model_size']:.4g} parameters", "knowledge ratio": f"{shown} ({why})",
               "knowledge kept": f"{k:.4g} of the set ({s1:.4g} tokens per pass)",
               "calibrated": "yes" if advice.calibration.calibrated else "NO (uncalibrated theory)"}  # fmt: skip
    return Recipe({"knowledge": r, "web": 1 - r}, doc_tokens, advice.settings.get("training_tokens"),
                  {"knowledge": s1}, max_repetitions, context)  # fmt: skip


def _median(v) -> float:
    return float(getattr(v, "median", v))


def write_recipe(recipe: Recipe, fmt: str, path) -> list[str]:
    """Render ``recipe`` as ``fmt`` and write it atomically; returns its warnings."""
    from mixphase.io import atomic_write

    text = recipe.render(fmt)
    with atomic_write(path) as fh:
        fh.write(text)
    return recipe.warnings()
