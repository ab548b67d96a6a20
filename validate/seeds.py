"""Independent random streams of a validation run, each derived from the seeds that own it.

Every source of randomness has its own stream, a :class:`numpy.random.SeedSequence` built from the
seeds it depends on and a fixed tag, so that changing one seed never shifts another stream:

========================  ==========================  ==============================================
stream                    seeds                       draws
========================  ==========================  ==============================================
``init``                  ``seed``                    the model's initial weights
``order``                 ``seed``, ``data_seed``     the training stream: mixing, slots, templates,
                                                      sentence order, web facts (and, for the
                                                      incompressible web, the values)
``people_order``          ``seed``, ``data_seed``     the order in which people are shown (epochs)
``names``, ``keys``       ``data_seed``               people's names, web keys (disjoint halves of
                                                      the code space)
``values/<a>``            ``data_seed``               attribute ``a``'s value for every person
``pool/<a>``              ``data_seed``               the codes of attribute ``a``'s pool
``web_values``            ``data_seed``               the web facts' values
========================  ==========================  ==============================================

Draws that depend on a count (people, facts) are *prefix-stable*: the first ``n`` people of a run
with ``n`` people are the first ``n`` of any larger run with the same ``data_seed`` (same names and
attribute values), and a web of ``m`` facts is the ``m`` most frequent facts of any larger one.
"""

from __future__ import annotations

import zlib

import numpy as np

#: Version of the random-stream and evaluation scheme recorded with every result
#: (``engine_version``). 1: the engine before seed streams (no field in the record).
ENGINE_VERSION = 2


def stream(name: str, *seeds: int) -> np.random.SeedSequence:
    """The seed sequence of stream ``name`` for ``seeds`` (non-negative integers)."""
    for s in seeds:
        if int(s) < 0:
            raise ValueError(f"seeds must be >= 0, got {s}")
    tag = zlib.crc32(name.encode())
    return np.random.SeedSequence([int(s) for s in seeds], spawn_key=(tag,))


def rng(name: str, *seeds: int) -> np.random.Generator:
    """A PCG64 generator for stream ``name``."""
    return np.random.Generator(np.random.PCG64(stream(name, *seeds)))


def torch_seed(name: str, *seeds: int) -> int:
    """A 63-bit integer seed for a ``torch.Generator`` of stream ``name``."""
    return int(stream(name, *seeds).generate_state(1, np.uint64)[0] >> np.uint64(1))


def _hash_half(codes: np.ndarray) -> np.ndarray:
    """0/1 per code: a fixed multiplicative hash (Knuth) splits the code space into two halves."""
    return ((codes.astype(np.int64) * 2654435761) % (1 << 32)) >> 31


def prefix_distinct(gen: np.random.Generator, n: int, space: int, half: int | None = None,
                    block: int = 4096) -> np.ndarray:  # fmt: skip
    """``n`` distinct integers in ``[0, space)``, prefix-stable in ``n``.

    Candidates are drawn in blocks of fixed size and kept in order of first appearance (dropping
    repeats, and codes outside hash half ``half`` when given), so the first ``k`` of ``n`` draws
    do not depend on ``n``.
    """
    limit = space if half is None else space // 2
    if n > limit * 0.9:
        raise ValueError(f"cannot draw {n} distinct codes from {limit}")
    out = np.empty(0, dtype=np.int64)
    seen: set[int] = set()
    while len(out) < n:
        cand = gen.integers(0, space, size=block)
        if half is not None:
            cand = cand[_hash_half(cand) == half]
        _, first = np.unique(cand, return_index=True)
        cand = cand[np.sort(first)]
        new = [v for v in cand.tolist() if v not in seen]
        seen.update(new)
        out = np.concatenate([out, np.asarray(new, dtype=np.int64)])
    return out[:n]


def digits(ints: np.ndarray, length: int, base: int) -> np.ndarray:
    """Base-``base`` digits of ``ints`` -> ``(len(ints), length)`` (least significant first)."""
    return np.stack([(ints // base**j) % base for j in range(length)], axis=1).astype(np.int64)


__all__ = ["ENGINE_VERSION", "digits", "prefix_distinct", "rng", "stream", "torch_seed"]
