"""Evaluation of every member of an ensemble at once: biographies over all templates, the web.

**Biographies.** A prompt is a person's name and an attribute's relation token, for *every*
template; the answer is the attribute's value, scored by exact match of greedy decoding, computed
in one teacher-forced pass (greedy decoding reproduces the answer iff each answer token is the
arg-max given the correct prefix). Recorded: ``memorization_accuracy`` (the mean over people x
attributes x templates), ``accuracy_by_template``, ``per_attribute`` (mean over people and
templates), ``bio_correct`` / ``bio_total`` (prompts), ``bio_correct_by_person`` (correct prompts
of each evaluated person, out of ``bio_prompts_per_person`` = attributes x templates; people, not
prompts, are the independent units) and ``n_people_evaluated`` (the first ``max_people``).

**Web** (synthetic): Zipf-weighted value-token loss (nats per value token), the Zipf-weighted
accuracy, the facts stored (exact match of both value tokens) and accuracy by frequency rank,
coarse (decades) and fine (1-2-5 bins). The **marginal web fact** is the rank ``m`` where the
fine-binned accuracy first falls below 1/2 (log-interpolated between bin centres); its expected
number of occurrences in training is ``web documents x facts per document x p_m`` (the Zipf
probability at rank ``m``), recorded as ``marginal_web_fact_exposures``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
import torch.nn.functional as F

from mixphase.validate.data import BOS, EQ, PAD
from mixphase.validate.model import GPTConfig, forward, head, hidden

#: Sequences per member and evaluation chunk.
EVAL_ROWS = 512


@torch.no_grad()
def score_answers(params: dict, cfg: GPTConfig, seqs: torch.Tensor, start: torch.Tensor,
                  length: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """Per member and sequence ``(E, N)``: exact match of the answer tokens at
    ``[start, start+length)`` and their summed cross-entropy (nats), one teacher-forced pass.
    The output head runs only at the answer positions."""
    e, n, width = seqs.shape
    rows = EVAL_ROWS  # fixed, so that a member's numbers do not depend on the ensemble's size
    lmax = int(length.max())
    offs = torch.arange(lmax, device=seqs.device)
    correct, nll = [], []
    for i in range(0, n, rows):
        s, st, ln = seqs[:, i : i + rows], start[:, i : i + rows], length[:, i : i + rows]
        h = hidden(params, s[..., :-1], cfg)  # (E, r*(width-1), d)
        r = s.shape[1]
        pos = (st[..., None] - 1 + offs).clamp(max=width - 2)  # (E, r, lmax): predicting positions
        rowbase = (torch.arange(r, device=s.device) * (width - 1))[None, :, None]
        hs = h.gather(1, (rowbase + pos).reshape(e, -1, 1).expand(-1, -1, cfg.d_model))
        logits = head(params, hs, cfg).float().view(e, r, lmax, cfg.vocab_size)
        tgt = s.gather(2, (pos + 1).reshape(e, r, lmax))
        mask = offs < ln[..., None]
        ce = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), tgt.reshape(-1),
                             reduction="none").view(tgt.shape)  # fmt: skip
        hit = (logits.argmax(-1) == tgt) | ~mask
        correct.append(hit.all(dim=-1))
        nll.append((ce * mask).sum(dim=-1))
    return torch.cat(correct, dim=1), torch.cat(nll, dim=1)


def _stack(rows: list[np.ndarray], fill: int = PAD) -> np.ndarray:
    """Stack ``(N_e, L)`` arrays into ``(E, max N, L)``, padding with ``fill`` rows."""
    n = max(len(r) for r in rows)
    out = np.full((len(rows), n, rows[0].shape[1]), fill, dtype=np.int64)
    for e, r in enumerate(rows):
        out[e, : len(r)] = r
    return out


def bio_prompts(corpus, max_people: int | None) -> np.ndarray:
    """``(K * A * T, 5 + vlen)`` prompts + answers, ordered (person, attribute, template)."""
    c = corpus
    k = min(c.bio.n_people, max_people or c.bio.n_people)
    a, t = c.n_attributes, c.bio.n_templates
    seq = np.zeros((k, a, t, 5 + c.vlen), dtype=np.int64)
    seq[..., 0] = BOS
    seq[..., 1:4] = c.names[:k, None, None, :]
    seq[..., 4] = c.rel_base + np.arange(a)[:, None] * t + np.arange(t)[None, :]
    seq[..., 5:] = c.values[:k, :, None, :]
    return seq.reshape(k * a * t, -1)


def web_facts(corpus, max_facts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluated fact ranks (0-based), their Zipf weights and count weights: exact over the
    ``max_facts`` most frequent facts, beyond that a uniform sample of 5000 tail facts (weights
    scaled up)."""
    nf = corpus.web.n_facts
    head = np.arange(min(nf, max_facts))
    idx, weight, count_w = head, corpus.web_p[head], np.ones(len(head))
    if nf > max_facts:
        rng = np.random.default_rng(12345)
        tail = np.sort(rng.choice(np.arange(max_facts, nf), size=5000, replace=False))
        scale = (nf - max_facts) / len(tail)
        idx = np.concatenate([head, tail])
        weight = np.concatenate([weight, corpus.web_p[tail] * scale])
        count_w = np.concatenate([count_w, np.full(len(tail), scale)])
    return idx, weight, count_w


def _fine_edges(n: int) -> list[int]:
    """Bin edges 1, 2, 5, 10, 20, 50, ... (1-based ranks) up to ``n``, closed by ``n + 1``."""
    edges, dec = [], 1
    while dec <= n:
        edges += [m * dec for m in (1, 2, 5) if m * dec <= n]
        dec *= 10
    return [*edges, n + 1]


def marginal_rank(idx: np.ndarray, ok: np.ndarray, count_w: np.ndarray, n_facts: int) -> dict:
    """Accuracy in 1-2-5 rank bins and the (1-based) rank where it first falls below 1/2."""
    rank = idx + 1
    edges = _fine_edges(n_facts)
    acc, centres = [], []
    for lo, hi in itertools.pairwise(edges):
        sel = (rank >= lo) & (rank < hi)
        if sel.any():
            acc.append(float((ok[sel] * count_w[sel]).sum() / count_w[sel].sum()))
            centres.append(math.sqrt(lo * (hi - 1)))
    m = None
    for j, a in enumerate(acc):
        if a < 0.5:
            if j > 0:  # log-linear interpolation between the bin centres
                a0, x0, x1 = acc[j - 1], math.log(centres[j - 1]), math.log(centres[j])
                m = math.exp(x0 + (a0 - 0.5) / (a0 - a) * (x1 - x0))
            break
    else:
        m = float(n_facts) if acc else None
    return {"edges": edges, "accuracy": acc, "marginal_rank": m,
            "all_stored": bool(acc) and min(acc) >= 0.5}  # fmt: skip


def evaluate_symbolic(params: dict, cfg: GPTConfig, corpora: list, streams: list, *,
                      max_people: int | None = 2000, max_facts: int = 50_000) -> list[dict]:  # fmt: skip
    """One evaluation dict per member (``corpora[e]``, ``streams[e]`` for exposures)."""
    device = next(iter(params.values())).device
    prompts = [bio_prompts(c, max_people) for c in corpora]
    seqs = torch.as_tensor(_stack(prompts), device=device)
    e, n = seqs.shape[:2]
    vlen = corpora[0].vlen
    ok, _ = score_answers(params, cfg, seqs, torch.full((e, n), 5, device=device),
                          torch.full((e, n), vlen, device=device))  # fmt: skip
    ok = ok.cpu().numpy()
    facts = [web_facts(c, max_facts) for c in corpora]
    wrows = []
    for c, (idx, _, _) in zip(corpora, facts, strict=True):
        w, kl = c.web, c.web.key_len
        s = np.empty((len(idx), 2 + kl + w.value_len), dtype=np.int64)
        s[:, 0], s[:, 1 : 1 + kl], s[:, 1 + kl] = BOS, c.keys[idx], EQ
        s[:, 2 + kl :] = c.web_values[idx]
        wrows.append(s)
    wseqs = torch.as_tensor(_stack(wrows), device=device)
    kl, vl = corpora[0].web.key_len, corpora[0].web.value_len
    shape = wseqs.shape[:2]
    wok, wnll = score_answers(params, cfg, wseqs, torch.full(shape, 2 + kl, device=device),
                              torch.full(shape, vl, device=device))  # fmt: skip
    wok, wnll = wok.cpu().numpy().astype(float), wnll.cpu().numpy()
    out = []
    for m, (c, st) in enumerate(zip(corpora, streams, strict=True)):
        k = min(c.bio.n_people, max_people or c.bio.n_people)
        a, t = c.n_attributes, c.bio.n_templates
        okm = ok[m, : k * a * t].reshape(k, a, t)
        names = c.bio.attribute_names
        res = {
            "memorization_accuracy": float(okm.mean()),
            "accuracy_by_template": [float(okm[:, :, j].mean()) for j in range(t)],
            "per_attribute": {nm: float(okm[:, i].mean()) for i, nm in enumerate(names)},
            "bio_correct": int(okm.sum()),
            "bio_total": int(okm.size),
            "bio_correct_by_person": okm.sum(axis=(1, 2)).astype(int).tolist(),
            "bio_prompts_per_person": a * t,
            "n_people_evaluated": k,
            "n_templates": t,
        }
        if c.bio.n_groups:
            res["person_weight"] = c.bio.person_weights()[:k].tolist()
        idx, weight, count_w = facts[m]
        f = len(idx)
        okw, nll = wok[m, :f], wnll[m, :f]
        ranks, lo = {}, 0
        for hi in (10, 100, 1000, 10_000, 100_000, 1_000_000):
            sel = (idx >= lo) & (idx < hi)
            if sel.any():
                ranks[f"{lo}-{hi - 1}"] = float(okw[sel].mean())
            lo = hi
        fine = marginal_rank(idx, okw, count_w, c.web.n_facts)
        mr = fine.pop("marginal_rank")
        p_m = None
        if mr is not None:
            z = float(np.sum(np.arange(1, c.web.n_facts + 1, dtype=np.float64) ** -c.web.zipf))
            p_m = mr**-c.web.zipf / z
        res.update({
            "web_loss": float((weight * nll).sum() / weight.sum() / vl),
            "web_accuracy": float((weight * okw).sum() / weight.sum()),
            "web_facts_learned": float((okw * count_w).sum()),
            "web_accuracy_by_rank": ranks,
            "web_accuracy_by_rank_fine": fine,
            "bits_per_web_fact": vl * math.log2(c.n_content),
            "marginal_web_rank": mr,
            "marginal_web_fact_exposures": None if p_m is None
            else st.web_docs * c.web.facts_per_doc * p_m,
        })  # fmt: skip
        out.append(res)
    return out


@torch.no_grad()
def evaluate_text(params: dict, cfg: GPTConfig, corpora: list, streams: list, *,
                  max_people: int | None = 2000, max_windows: int = 64) -> list[dict]:  # fmt: skip
    """Byte-level corpora: prompts over every template; web loss on held-out windows."""
    from mixphase.validate.text_data import BYTE_BOS, BYTE_PAD

    device = next(iter(params.values())).device
    rows_all, starts_all, lens_all, meta = [], [], [], []
    for c in corpora:
        k = min(c.bio.n_people, max_people or c.bio.n_people)
        rows, starts, lens = [], [], []
        for i in range(k):
            for a in c.bio.attribute_names:
                for tm in c.templates(a):
                    p = tm.split("{v}")[0].format(n=c.names[i]).encode()
                    v = c.values[a][i].encode()
                    rows.append([BYTE_BOS, *p, *v])
                    starts.append(1 + len(p))
                    lens.append(len(v))
        rows_all.append(rows)
        starts_all.append(starts)
        lens_all.append(lens)
        meta.append((k, len(c.bio.attribute_names), c.bio.n_templates))
    width = max(len(r) for rows in rows_all for r in rows)
    n = max(len(rows) for rows in rows_all)
    seq = np.full((len(corpora), n, width), BYTE_PAD, dtype=np.int64)
    st = np.ones((len(corpora), n), dtype=np.int64)
    ln = np.zeros((len(corpora), n), dtype=np.int64)
    for e, rows in enumerate(rows_all):
        for r, row in enumerate(rows):
            seq[e, r, : len(row)] = row
        st[e, : len(rows)], ln[e, : len(rows)] = starts_all[e], lens_all[e]
    t = lambda x: torch.as_tensor(x, device=device)  # noqa: E731
    ok, _ = score_answers(params, cfg, t(seq), t(st), t(ln))
    ok = ok.cpu().numpy()
    c0 = corpora[0]
    n_win = min(max_windows, max(1, len(c0.web_val) - c0.seq_len - 1))
    starts = np.linspace(0, len(c0.web_val) - c0.seq_len - 1, n_win).astype(int)
    win = t(np.stack([c0.web_val[s : s + c0.seq_len + 1] for s in starts]).astype(np.int64))
    e = len(corpora)
    losses = []
    for i in range(0, len(win), 32):
        w = win[i : i + 32].expand(e, -1, -1)
        logits = forward(params, w[..., :-1], cfg).float()
        ce = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), w[..., 1:].reshape(-1),
                             reduction="none").view(e, -1)  # fmt: skip
        losses.append(ce)
    web_loss = torch.cat(losses, dim=1).mean(dim=1).cpu().numpy()
    out = []
    for m, (k, a, tt) in enumerate(meta):
        okm = ok[m, : k * a * tt].reshape(k, a, tt)
        names = corpora[m].bio.attribute_names
        out.append({
            "memorization_accuracy": float(okm.mean()),
            "accuracy_by_template": [float(okm[:, :, j].mean()) for j in range(tt)],
            "per_attribute": {nm: float(okm[:, i].mean()) for i, nm in enumerate(names)},
            "bio_correct": int(okm.sum()), "bio_total": int(okm.size),
            "bio_correct_by_person": okm.sum(axis=(1, 2)).astype(int).tolist(),
            "bio_prompts_per_person": a * tt, "n_people_evaluated": k, "n_templates": tt,
            "web_loss": float(web_loss[m]),
        })  # fmt: skip
    return out


__all__ = ["evaluate_symbolic", "evaluate_text", "marginal_rank", "score_answers"]
