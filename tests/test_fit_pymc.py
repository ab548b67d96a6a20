"""The fast engine and the PyMC (NUTS) engine agree on the same data, model and priors."""

import numpy as np
import pytest

from mixphase.fit import fit_breakpoints


@pytest.mark.slow
def test_fast_and_pymc_agree(tmp_path):
    rng = np.random.default_rng(3)
    x = np.logspace(0, 4, 30)
    lx = np.log(x)
    y = np.exp(-0.7 * lx + 0.6 * np.maximum(lx - np.log(100), 0) + 0.08 * rng.standard_normal(30))
    fast = fit_breakpoints(x, y, 1, seed=1)
    nuts = fit_breakpoints(x, y, 1, seed=1, engine="pymc", chains=2, draws=300, tune=300,
                           target_accept=0.9)  # fmt: skip
    d = nuts.diagnostics
    assert set(d) == {"r_hat_max", "ess_bulk_min", "divergences"}
    assert d["ess_bulk_min"] > 50
    for a, b in zip(fast.breakpoints + fast.slopes, nuts.breakpoints + nuts.slopes, strict=True):
        width = a.upper - a.lower
        # medians within a quarter of the interval width, interval ends within 30% of it
        assert abs(a.median - b.median) < 0.25 * width
        assert abs(a.lower - b.lower) < 0.3 * width
        assert abs(a.upper - b.upper) < 0.3 * width
    nuts.save(tmp_path / "trace.nc")
    assert (tmp_path / "trace.nc").stat().st_size > 0
