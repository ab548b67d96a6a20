"""Batches of several runs' streams, assembled together on the training device.

Each run's :class:`~mixphase.validate.data.Stream` draws its own step (uniforms, number of
biographies, people) on the host; the token layout is then built for all runs at once from the
tables of every corpus involved (stacked, with offsets), after one host-to-device copy of the
indices (pinned and non-blocking on CUDA).
"""

from __future__ import annotations

import numpy as np
import torch

from mixphase.validate.data import BOS, DOT, EQ, PAD, Stream, SymbolicCorpus


def to_device(arr: np.ndarray, device: torch.device) -> torch.Tensor:
    """A host array on ``device``; on CUDA through pinned memory without blocking the host."""
    t = torch.from_numpy(np.ascontiguousarray(arr))
    if device.type == "cuda":
        return t.pin_memory().to(device, non_blocking=True)
    return t.to(device)


class Batcher:
    """Assembles the batches of several streams at once (tables of every corpus stacked)."""

    def __init__(self, corpora: list[SymbolicCorpus], batch_size: int,
                 device: str | torch.device = "cpu") -> None:  # fmt: skip
        uniq = list({id(c): c for c in corpora}.values())
        if len({c.layout_key() for c in uniq}) != 1:
            raise ValueError("corpora with different layouts cannot be batched together")
        self.c0, self.batch_size, self.device = uniq[0], batch_size, torch.device(device)
        self.n = batch_size * self.c0.docs_per_seq
        self.name_off, self.key_off = {}, {}
        pos_p = pos_k = 0
        for c in uniq:
            self.name_off[id(c)], self.key_off[id(c)] = pos_p, pos_k
            pos_p += c.bio.n_people
            pos_k += c.web.n_facts
        d = self.device
        self.names = torch.as_tensor(np.concatenate([c.names for c in uniq]), device=d)
        self.values = torch.as_tensor(np.concatenate([c.values for c in uniq]), device=d)
        self.keys = torch.as_tensor(np.concatenate([c.keys for c in uniq]), device=d)
        self.web_values = torch.as_tensor(np.concatenate([c.web_values for c in uniq]), device=d)
        self.rel0 = (
            self.c0.rel_base
            + torch.arange(self.c0.n_attributes, device=d) * self.c0.bio.n_templates
        )

    def __call__(self, streams: list[Stream]) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets ``(len(streams), batch_size, seq_len)``; PAD targets are -100."""
        c, n, E = self.c0, self.n, len(streams)
        lay = c.layout(n)
        a, f, vl = c.n_attributes, c.web.facts_per_doc, c.web.value_len
        draws = [s.draw(n) for s in streams]
        u = np.stack([dr[0] for dr in draws])
        perm = np.argsort(u[:, lay.slots], axis=1, kind="stable")
        person = np.full((E, n), -1, dtype=np.int64)
        facts = np.empty((E, n, f), dtype=np.int64)
        for e, (s, (ue, k, people)) in enumerate(zip(streams, draws, strict=True)):
            person[e, perm[e, :k]] = people + self.name_off[id(s.corpus)]
            fe = np.searchsorted(s.corpus.web_cdf, ue[lay.facts]).clip(max=s.corpus.web.n_facts - 1)
            facts[e] = fe.reshape(n, f) + self.key_off[id(s.corpus)]
        tmpl = np.minimum(
            (u[:, lay.tmpl] * c.bio.n_templates).astype(np.int64), c.bio.n_templates - 1
        )
        order = np.argsort(u[:, lay.order].reshape(E, n, a), axis=2, kind="stable")
        inc = np.array([s.corpus.web_mode == "incompressible" for s in streams])
        parts = [person[..., None], facts, tmpl.reshape(E, n, a), order]
        if inc.any():
            fresh = np.minimum((u[:, lay.values] * c.n_content).astype(np.int64), c.n_content - 1)
            parts.append(fresh.reshape(E, n, f * vl) + c.content_base)
        packed = to_device(np.concatenate(parts, axis=2), self.device)  # one host-device copy
        person_t, facts_t = packed[..., 0], packed[..., 1 : 1 + f]
        tmpl_t, order_t = packed[..., 1 + f : 1 + f + a], packed[..., 1 + f + a : 1 + f + 2 * a]
        # Web documents in every slot.
        key_t = self.keys[facts_t]  # (E, n, F, key_len)
        val_t = self.web_values[facts_t]  # (E, n, F, value_len)
        if inc.any():
            fresh_t = packed[..., 1 + f + 2 * a :].reshape(E, n, f, vl)
            val_t = torch.where(to_device(inc, self.device)[:, None, None, None], fresh_t, val_t)
        col = lambda tok, *shape: torch.full((*shape, 1), tok, dtype=torch.long, device=self.device)  # noqa: E731
        fact = torch.cat([key_t, col(EQ, E, n, f), val_t, col(DOT, E, n, f)], dim=3)
        web_doc = torch.cat([col(BOS, E, n), fact.reshape(E, n, -1)], dim=2)
        # Biographies where a person is shown.
        p = person_t.clamp(min=0)
        sent = torch.cat([self.names[p][:, :, None, :].expand(E, n, a, 3),
                          (self.rel0 + tmpl_t)[..., None], self.values[p],
                          col(DOT, E, n, a)], dim=3)  # fmt: skip
        sent = sent.gather(2, order_t[..., None].expand(E, n, a, c.sent_len))
        bio_doc = torch.cat([col(BOS, E, n), sent.reshape(E, n, -1)], dim=2)
        L = c.doc_len
        web_doc = torch.nn.functional.pad(web_doc, (0, L - web_doc.shape[2]), value=PAD)
        bio_doc = torch.nn.functional.pad(bio_doc, (0, L - bio_doc.shape[2]), value=PAD)
        docs = torch.where((person_t >= 0)[..., None], bio_doc, web_doc)
        x = docs.reshape(E, self.batch_size, c.seq_len)
        y = torch.full_like(x, -100)
        y[..., :-1] = x[..., 1:]
        y.masked_fill_(y == PAD, -100)
        return x, y


__all__ = ["Batcher", "to_device"]
