"""SynBio's attributes and the information content of one biography.

Source: Gu et al. (2025) §5 (after Allen-Zhu & Li, Physics of LMs 3.1/3.3). Each attribute value is
drawn uniformly from its pool, so the bits a model must store per biography are
``H = sum_a log2(|pool_a|)`` (derived here: 45.6 bits for the paper's pools).
"""

from __future__ import annotations

import math

#: Attribute -> number of distinct values in the paper's SynBio.
SYNBIO_CARDINALITIES: dict[str, int] = {
    "birth_date": 28 * 12 * 100,  # day (1-28) x month x 100 years
    "birth_city": 200,
    "university": 300,
    "major": 100,
    "employer": 263,
}


def bits_per_biography(cardinalities: dict[str, int] | None = None) -> float:
    """``H = sum_a log2 |pool_a|`` bits: the entropy of one biography's attribute values."""
    cards = SYNBIO_CARDINALITIES if cardinalities is None else cardinalities
    return float(sum(math.log2(c) for c in cards.values()))


SYNBIO_BITS_PER_BIO: float = bits_per_biography()
