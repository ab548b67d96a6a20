"""fit_web_law: the family is recovered from planted data, and its parameters are covered."""

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.fit.web_law import fit_web_law
from mixphase.theory.web_law import BrokenPowerLaw, LogLaw, WebLaw


def _noisy(law, sizes, sd, seed):
    rng = np.random.default_rng(seed)
    return law.loss(sizes) + sd * rng.standard_normal(sizes.size)


def test_log_law_chosen_for_the_committed_synthetic_web():
    # web-only runs of benchmarks/results/reproduce_full_gpu (validate, preset small, 4000 steps)
    n = [6624, 12240, 19392, 38304, 63360, 131904]
    loss = [2.6837, 2.3383, 2.0538, 1.6885, 1.4347, 1.0568]
    f = fit_web_law(n, loss, size_unit=1.0)
    assert f.choice == "log" and f.probabilities["log"] > 0.8
    assert f.families["log"].params["c"].mean() == pytest.approx(0.544, abs=0.03)
    assert f.local_exponent(3e4).median == -1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_power_law_recovered(seed):
    law = WebLaw(E=1.769, A=4.952, alpha=0.283)
    n = np.geomspace(1e7, 7e9, 8)
    f = fit_web_law(n, _noisy(law, n, 0.01, seed), ci=0.9, seed=seed)
    assert f.choice == "power"
    alpha = f.families["power"].params["alpha"]
    lo, hi = np.quantile(alpha, [0.05, 0.95])
    assert lo <= 0.283 <= hi and hi - lo < 0.15
    est = f.local_exponent(1e8)
    assert est.lower <= -1.283 <= est.upper


@pytest.mark.parametrize("seed", [0, 1])
def test_log_law_recovered_and_power_law_not_forced(seed):
    law = LogLaw(a=3.0, c=0.3)
    n = np.geomspace(1e7, 1e9, 6)
    f = fit_web_law(n, _noisy(law, n, 0.005, seed), seed=seed)
    assert f.choice == "log"


def test_broken_power_law_recovered():
    law = BrokenPowerLaw(E=0.5, A=1.0, alpha1=0.05, alpha2=0.8, n_break=1e8, smoothness=0.5)
    n = np.geomspace(1e6, 1e10, 14)
    f = fit_web_law(n, _noisy(law, n, 0.002, 0), seed=0)
    assert f.choice == "broken"
    nb = f.families["broken"].params["n_break"]
    assert 10**7.5 < np.median(nb) < 10**8.5
    lo, hi = f.local_exponent(3e9).lower, f.local_exponent(3e9).upper
    assert lo <= law.local_exponent(3e9) <= hi


def test_fits_are_reproducible_with_a_seed():
    n = np.geomspace(1e7, 1e9, 5)
    y = WebLaw().loss(n)
    a, b = fit_web_law(n, y, seed=3), fit_web_law(n, y, seed=3)
    assert a.to_dict() == b.to_dict()


def test_draws_are_valid_laws_and_table_is_available():
    n = np.geomspace(1e7, 1e9, 5)
    f = fit_web_law(n, WebLaw().loss(n) + 0.01 * np.arange(5) % 0.02)
    for law in f.laws(n=50):
        assert np.all(np.diff(law.loss(n)) < 0)
    assert f.table().family == "table"


def test_bad_inputs():
    with pytest.raises(MixphaseInputError, match=r"3 distinct|three or more"):
        fit_web_law([1e6, 1e6, 2e6], [3.0, 3.1, 2.9])
    with pytest.raises(MixphaseInputError, match="does not fall"):
        fit_web_law([1e6, 2e6, 4e6, 8e6], [1.0, 1.5, 2.0, 2.5])
    with pytest.raises(MixphaseInputError, match="families"):
        fit_web_law([1e6, 2e6, 4e6], [3.0, 2.5, 2.0], families=("cubic",))
