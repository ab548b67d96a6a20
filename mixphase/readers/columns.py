"""The one table of column names mixphase recognises for each quantity it reads.

A *role* (``"model_size"``, ``"ratio"``, ...) is looked up by trying its names in order: the first
one the file has is used, matched exactly or, failing that, ignoring case. Named columns
(``--x-col``, ``--y-col``) never fall back to a role: they must exist.
"""

from __future__ import annotations

#: role -> accepted column names, most specific first.
ROLES: dict[str, tuple[str, ...]] = {
    # curves
    "x": ("x", "step", "_step", "global_step", "trainer/global_step", "iteration", "iter"),
    "curve": ("curve", "run", "run_name", "run_id", "name"),
    # runs (advise --calibrate / --web-runs, the figures' validate results)
    "model_size": (
        "model_size",
        "params",
        "n_params",
        "num_params",
        "model_params",
        "parameters",
        "size",
        "n",
    ),
    "ratio": ("ratio", "mixing_ratio", "r"),
    "accuracy": (
        "memorization_accuracy",
        "memorisation_accuracy",
        "accuracy",
        "bio_accuracy",
        "knowledge_accuracy",
        "acc",
        "y",
    ),
    "correct": ("correct", "bio_correct", "n_correct"),
    "total": ("total", "bio_total", "n_total", "n_eval"),
    "web_loss": ("web_loss", "loss", "eval_loss"),
    # a run's configuration (advise --calibrate: runs in other configurations than the target)
    "facts": ("facts", "n_people", "n_facts"),
    "bits_per_fact": ("bits_per_fact", "bits_per_bio"),
    "tokens_per_fact": ("tokens_per_fact", "doc_len"),
    "training_tokens": ("training_tokens", "tokens"),
    "seed": ("seed",),
    "bits_per_param": ("bits_per_param",),
    # threshold popularity (predict threshold-popularity --data)
    "popularity": ("popularity", "frequency", "count"),
    # swarms (fit swarm): the run identifier shared by a ratios file and a metrics file
    "run_id": ("run", "run_id", "id", "name", "run_name"),
}


def aliases(role: str) -> tuple[str, ...]:
    """The accepted names of ``role`` (a ``KeyError`` names an unknown role)."""
    return ROLES[role]
