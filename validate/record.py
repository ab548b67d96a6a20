"""The result record of one run (``result.json`` and its line in ``results.jsonl``).

Fields of the first engine keep their names and meaning; those added since (``engine_version``
2) are listed in ``validate/README.md``. Stored bits: ``bits_stored_bio`` = accuracy (over people x
attributes x templates) x people x bits per biography; ``bits_stored_web`` = facts stored x bits
per fact (exact match of the value); ``bits_stored`` their sum; ``bits_per_param`` = total /
parameters.
"""

from __future__ import annotations

import torch

from mixphase.validate.model import GPTConfig, mfu
from mixphase.validate.seeds import ENGINE_VERSION

_EVAL_KEYS = ("accuracy_by_template", "per_attribute", "bio_correct", "bio_total",
              "bio_correct_by_person", "bio_prompts_per_person", "n_people_evaluated",
              "n_templates", "web_accuracy", "web_facts_learned", "web_accuracy_by_rank",
              "web_accuracy_by_rank_fine", "bits_per_web_fact", "marginal_web_rank",
              "marginal_web_fact_exposures")  # fmt: skip


def make_result(cfg, corpus, stream, ev: dict, gcfg: GPTConfig, *, seconds: float,
                cpu_seconds: float, tokens_per_second: float, ensemble_size: int,
                ensemble_tokens_per_second: float, device_name: str, compiled: bool,
                branched_from_step: int | None) -> dict:  # fmt: skip
    """Everything a run records, from its config, corpus, stream and final evaluation."""
    n_params = gcfg.num_params()
    tokens = cfg.batch_size * corpus.seq_len * cfg.steps
    bio = corpus.bio
    bits_bio = ev["memorization_accuracy"] * bio.total_bits
    bits_web = ev.get("web_facts_learned", 0.0) * ev.get("bits_per_web_fact", 0.0)
    fpt = gcfg.flops_per_token(corpus.seq_len)
    cuda = device_name.startswith("cuda") or "cpu" not in device_name
    sched = cfg.lr_schedule()
    res = {
        "key": cfg.key(),
        "engine_version": ENGINE_VERSION,
        "preset": cfg.preset,
        "size": cfg.model_size.name,
        "n_layer": cfg.n_layer,
        "d_model": cfg.d_model,
        "n_head": cfg.n_head,
        "params": n_params,
        "tokens": tokens,
        "training_tokens": tokens,
        "ratio": cfg.ratio,
        "seed": cfg.seed,
        "data_seed": cfg.data_seed,
        "steps": cfg.steps,
        "batch_size": cfg.batch_size,
        "lr": cfg.lr,
        "warmup": cfg.warmup,
        "schedule": cfg.schedule,
        "schedule_detail": sched.to_dict(),
        "branched_from_step": branched_from_step,
        "web_mode": cfg.web_mode,
        "memorization_accuracy": ev["memorization_accuracy"],
        "web_loss": ev["web_loss"],
        "web_loss_unit": "nats per value token" if not cfg.web_data else "nats per byte",
        "n_people": bio.n_people,
        "n_attributes": len(bio.attribute_names),
        "bits_per_bio": bio.bits_per_bio,
        "exposures_per_bio": stream.bio_docs / bio.n_people,
        "bio_docs": stream.bio_docs,
        "web_docs": stream.web_docs,
        "bits_stored_bio": bits_bio,
        "bits_stored_web": bits_web,
        "bits_stored": bits_bio + bits_web,
        "bits_per_param": (bits_bio + bits_web) / n_params,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "tokens_per_second": tokens_per_second,
        "ensemble_size": ensemble_size,
        "ensemble_tokens_per_second": ensemble_tokens_per_second,
        "flops_per_token": fpt,
        "mfu": mfu(fpt, ensemble_tokens_per_second, device_name) if cuda else None,
        "device": device_name,
        "torch_threads": torch.get_num_threads(),
        "compiled": compiled,
        "torch": torch.__version__,
        "data": corpus.describe(),
    }
    for k in _EVAL_KEYS:
        if k in ev:
            res[k] = ev[k]
    if "person_weight" in ev:  # frequency groups: expected exposures of each person
        res["person_exposures"] = [w * stream.bio_docs for w in ev["person_weight"]]
    if getattr(stream, "realised_ratio", None):
        rr = stream.realised_ratio
        res["realised_ratio"] = sum(rr) / len(rr)
    return res


__all__ = ["make_result"]
