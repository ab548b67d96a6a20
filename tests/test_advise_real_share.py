"""advise real-share: the critical share against the theory's breakpoints and the exact error
curve, and the bound's minimiser against a brute-force grid."""

import numpy as np
import pytest

from mixphase.advise.real_share import advise_real_share
from mixphase.errors import MixphaseInputError
from mixphase.theory import Truncation, breakpoints, mixture_bound, truncation_term

BETA, N_ITEMS, TRUNC = 1.5, 20_000, Truncation(cutoff=100)


def test_critical_share_puts_the_tail_breakpoint_at_the_budget():
    adv = advise_real_share(BETA, TRUNC, data_size=1e6, n_items=N_ITEMS)
    pi_c = adv.critical_real_share
    assert 0 < pi_c < 1
    assert breakpoints(BETA, TRUNC, pi_c, N_ITEMS).second == pytest.approx(1e6, rel=1e-9)
    # just above pi_c the budget is in phase 3, just below still on the plateau
    assert (
        advise_real_share(BETA, TRUNC, data_size=1e6, real_share=pi_c * 1.01, n_items=N_ITEMS).phase
        == 3
    )
    assert (
        advise_real_share(BETA, TRUNC, data_size=1e6, real_share=pi_c * 0.99, n_items=N_ITEMS).phase
        == 2
    )


def test_no_share_reaches_tail_learning_on_a_tiny_budget():
    adv = advise_real_share(BETA, TRUNC, data_size=100, n_items=N_ITEMS)
    assert adv.critical_real_share > 1
    assert "no share reaches" in str(adv)


TERMS = {
    "loss_real": 0.5,
    "loss_synthetic": 0.45,
    "mmd_real": 0.05,
    "mmd_synthetic": 0.1,
    "ntk_quadratic": 50.0,
}


def test_bound_minimiser_matches_brute_force_grid():
    n = 5000
    adv = advise_real_share(
        BETA, TRUNC, data_size=n, real_share=0.3, n_items=N_ITEMS, bound_terms=TERMS
    )
    grid = np.linspace(1e-3, 1, 400)
    totals = [
        mixture_bound(w, **TERMS, n=n, truncation=truncation_term(BETA, TRUNC, w, n, N_ITEMS)).total
        for w in grid
    ]
    b = adv.bound
    assert b["at"]["best"]["total"] <= min(totals) + 1e-9
    assert b["best_share"] == pytest.approx(grid[int(np.argmin(totals))], abs=5e-3)
    terms = b["at"]["best"]
    parts = ("empirical", "mmd", "complexity", "finite_sample", "truncation")
    assert sum(terms[k] for k in parts) == pytest.approx(terms["total"])
    assert set(b["at"]) == {"best", "yours", "all_real"}


def test_bound_needs_all_terms_and_a_data_size():
    with pytest.raises(MixphaseInputError, match="missing: --mmd-real"):
        advise_real_share(BETA, TRUNC, data_size=1e4, bound_terms={**TERMS, "mmd_real": None})
    with pytest.raises(MixphaseInputError, match="data size"):
        advise_real_share(BETA, TRUNC, real_share=0.5, bound_terms=TERMS)
