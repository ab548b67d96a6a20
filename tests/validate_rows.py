"""Synthetic ``validate`` result rows with known answers, shared by the validate tests."""

from __future__ import annotations

import numpy as np

SIZES = [(f"L1-d{d}-h2", n) for d, n in ((16, 6000), (24, 12000), (32, 20000), (48, 40000),
                                          (64, 80000))]  # fmt: skip
RATIOS = [round(float(r), 5) for r in np.geomspace(0.0015, 0.3, 12)]
PEOPLE, ATTRS = 40, 5
DESC = {"kind": "synthetic", "web": {"value_len": 2, "facts_per_doc": 5, "n_facts": 50000},
        "doc_len": 36, "bio": {"n_people": PEOPLE, "bits_per_bio": 33.2}}  # fmt: skip


def key(size, ratio, seed=0, steps=2000, extra=""):
    return f"tiny|{size}|r={ratio:g}|seed={seed}|data=0|steps={steps}|bs=128|lr=0.01{extra}"


def row(size, params, ratio, acc, seed=0, steps=2000, extra="", people=PEOPLE, **kw):
    total = people * ATTRS
    c = round(acc * total)
    out = {"key": key(size, ratio, seed, steps, extra), "size": size, "params": params,
           "ratio": ratio, "seed": seed, "data_seed": 0, "steps": steps, "d_model": 0,
           "bio_correct": c, "bio_total": total, "memorization_accuracy": c / total,
           "n_people": people, "bits_per_bio": 33.2, "exposures_per_bio": 1e4 * ratio,
           "web_facts_learned": 0.0, "bits_per_web_fact": 14.0, "web_loss": 1.0,
           "bits_per_param": 0.3, "data": DESC}  # fmt: skip
    out.update(kw)
    return out


def odds_c(n, exponent):
    return 0.03 * (n / 12000) ** exponent


def point(size, n, ratio, seed=0, width=0.2, exponent=-1.0, web_exponent=-1.0, **kw):
    """One run of the planted sweep (below): accuracy on the sigmoid, total stored bits conserved
    (biographies displace web facts)."""
    q = odds_c(n, exponent)
    rc = q / (1 + q)
    m = 3000 * (n / 6000) ** -web_exponent
    if ratio == 0:
        return row(size, n, 0.0, 0.0, seed=seed, web_facts_learned=m / 14,
                   web_loss=6 - 0.5 * np.log(m), **kw)  # fmt: skip
    a = float(1 / (1 + np.exp(-(np.log(ratio) - np.log(rc)) / width)))
    bits = m - a * PEOPLE * 33.2
    return row(size, n, ratio, a, seed=seed, web_facts_learned=max(bits, 0) / 14, **kw)


def sweep(width=0.2, exponent=-1.0, sizes=SIZES, ratios=RATIOS, seeds=(0,), steps=2000,
          extra="", web_exponent=-1.0):  # fmt: skip
    """Sigmoid-in-log-ratio accuracies; odds(r_c) = 0.03 (N/12000)^exponent. Web-only runs: a log
    law in stored bits (loss = 6 - 0.5 ln M) with M ∝ N, so the predicted exponent is -1 (and a
    stored-bits law M ∝ N^(-web_exponent) gives web_exponent)."""
    kw = {"width": width, "exponent": exponent, "web_exponent": web_exponent, "steps": steps,
          "extra": extra}  # fmt: skip
    rows = []
    for size, n in sizes:
        rows.append(point(size, n, 0.0, **kw))
        rows += [point(size, n, r, seed=s, **kw) for r in ratios for s in seeds]
    return rows
