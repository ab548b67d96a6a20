"""simulate -> fit round trip: `fit` recovers the simulated breakpoints.

Tolerance, honestly: the theory's breakpoints ``1/q_k`` and ``1/(pi*p_{k+1})`` are conventions
("the boundary item has been seen once in expectation") on a *smooth* curve, while the fit places
the kinks of a piecewise power law. A noise-free least-squares piecewise-linear fit of the exact
expectation (log-log) puts the kinks at 0.55-0.78x the first and 1.15-1.7x the second breakpoint
over beta in [1.5, 2.5], pi in [0.01, 0.1] (measured while writing this test). So we check
(1) the fit's 90% interval from the *simulated* curve contains the fit of the *exact* curve (the
simulation's noise does not mislead the fit: this is the round trip proper), and
(2) each theory breakpoint lies within a factor 2 of that interval.
"""

import numpy as np
import pytest

from mixphase.fit import fit_breakpoints, read_curves
from mixphase.simulate import simulate_mixture_curves, write_simulation
from mixphase.theory import Truncation


@pytest.mark.parametrize(("beta", "k", "pi"), [(2.0, 100, 0.01), (1.5, 300, 0.02)])
def test_fit_recovers_simulated_breakpoints(tmp_path, beta, k, pi):
    sim = simulate_mixture_curves(beta, Truncation(cutoff=k), pi, n_items=200_000,
                                  repetitions=10, seed=0, n_sizes=30)  # fmt: skip
    out = tmp_path / "curve.csv"
    write_simulation(out, sim, aggregate="mean")
    (curve,) = read_curves(out).values()  # what `mixphase fit` reads
    x, y = curve["x"], curve["y"]
    np.testing.assert_allclose(y, sim.mean)

    fit = fit_breakpoints(x, y, n_breakpoints=2, ci=0.9, seed=0, engine="fast")
    ref = fit_breakpoints(sim.sizes, sim.exact, n_breakpoints=2, ci=0.9, seed=0, engine="fast")
    truth = [sim.breakpoints.first, sim.breakpoints.second]
    for est, ref_est, true in zip(fit.breakpoints, ref.breakpoints, truth, strict=True):
        assert est.contains(ref_est.median), (str(est), str(ref_est))
        assert est.lower / 2 <= true <= est.upper * 2, (str(est), true)
