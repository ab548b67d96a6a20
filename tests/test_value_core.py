"""mixphase.value: NTK Gram, tail estimates, K-NN Shapley, weight fit, terms on a task."""

import numpy as np
import pytest

from mixphase.theory import Truncation, ntk_quadratic_form, synthetic_distribution, zipf_pmf
from mixphase.value.baselines import knn_shapley_points
from mixphase.value.ntk import NTKAtInit, block_quadratic
from mixphase.value.tail import fit_cutoff, fit_zipf_beta, item_ranks
from mixphase.value.terms import TERMS
from mixphase.value.weights import choose_anchors, fit_weights


def test_ntk_gram_matches_torch_per_example_gradients():
    torch = pytest.importorskip("torch")
    from torch import nn

    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 5))
    ntk = NTKAtInit(5, 3, hidden=7, seed=1)
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3)).double()
    model.load_state_dict({k: torch.as_tensor(v) for k, v in ntk.state_dict().items()})
    grads = []
    for xi in x:
        model.zero_grad()
        (model(torch.as_tensor(xi[None])).sum() / np.sqrt(3)).backward()
        grads.append(torch.cat([p.grad.ravel() for p in model.parameters()]).numpy())
    g = np.array(grads)
    assert np.allclose(ntk.gram(x), g @ g.T, rtol=1e-10, atol=1e-10)
    with torch.no_grad():
        assert np.allclose(ntk.forward(x), model(torch.as_tensor(x)).numpy())


def test_block_quadratic_equals_theory_column_by_column():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(20, 30))
    gram = a @ a.T
    r = rng.normal(size=(20, 4))
    want = sum(ntk_quadratic_form(gram, r[:, c], ridge=1e-3) for c in range(4))
    assert block_quadratic(gram, r, ridge=1e-3) == pytest.approx(want, rel=1e-8)


def test_noisy_labels_raise_ntk_complexity():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 4))
    y = (x[:, 0] > 0).astype(int)
    ntk = NTKAtInit(4, 2, seed=0)
    ntk.calibrate(x)
    clean = ntk.quadratic_form(x, y, block=100)
    noisy = ntk.quadratic_form(x, rng.integers(0, 2, 300), block=100)
    assert noisy > 1.5 * clean


def test_zipf_beta_mle_recovers_exponent():
    rng = np.random.default_rng(3)
    p = zipf_pmf(1.4, 200)
    items = rng.choice(200, size=20000, p=p)
    ranks = item_ranks(items, items)
    beta, clamped = fit_zipf_beta(ranks.test_counts)
    assert beta == pytest.approx(1.4, abs=0.08) and not clamped
    flat, clamped = fit_zipf_beta(np.full(10, 50.0))
    assert clamped and flat == pytest.approx(1.01)


@pytest.mark.parametrize("k", [5, 40])
def test_cutoff_mle_finds_truncation_and_not_finite_sampling(k):
    rng = np.random.default_rng(4)
    beta, n_items = 1.3, 500
    q = synthetic_distribution(beta, Truncation(cutoff=k), n_items)
    covered = np.unique(rng.choice(n_items, size=2000, p=q)) + 1
    assert abs(fit_cutoff(covered, 2000, beta, n_items) - k) <= max(2, k // 5)
    real = np.unique(rng.choice(n_items, size=300, p=zipf_pmf(beta, n_items))) + 1
    assert fit_cutoff(real, 300, beta, n_items) > 0.8 * n_items


def test_knn_shapley_efficiency():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(40, 2)), rng.integers(0, 2, 40)
    xt, yt = rng.normal(size=(7, 2)), rng.integers(0, 2, 7)
    k = 3
    vals = knn_shapley_points(x, y, xt, yt, k)
    d = ((xt[:, None] - x[None]) ** 2).sum(-1)
    util = np.mean([np.mean(y[np.argsort(d[t])[:k]] == yt[t]) for t in range(7)])
    assert vals.sum() == pytest.approx(util, abs=1e-12)


def test_knn_shapley_matches_brute_force_permutations():
    from itertools import permutations

    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(4, 2)), np.array([0, 1, 0, 1])
    xt, yt = rng.normal(size=(1, 2)), np.array([0])
    k = 2
    d = ((xt[0] - x) ** 2).sum(1)

    def u(s):
        if not s:
            return 0.0
        near = sorted(s, key=lambda i: d[i])[:k]
        return sum(y[i] == yt[0] for i in near) / k

    phi = np.zeros(4)
    perms = list(permutations(range(4)))
    for p in perms:
        for j, i in enumerate(p):
            phi[i] += u(list(p[: j + 1])) - u(list(p[:j]))
    assert np.allclose(knn_shapley_points(x, y, xt, yt, k), phi / len(perms))


def test_fit_weights_recovers_nonnegative_linear_truth():
    rng = np.random.default_rng(7)
    terms = rng.random(size=(12, len(TERMS)))
    true = np.array([0.5, 0.0, 0.2, 0.0, 1.0])
    truth = 0.9 - terms @ true
    idx = choose_anchors(-terms.sum(1), 8)
    coef, b, _lam, _cv = fit_weights(terms, idx, truth[idx], ridge_grid=(1e-6,))
    assert np.all(coef >= 0)
    assert np.corrcoef(b - terms @ coef, truth)[0, 1] > 0.99


def test_terms_on_longtail_task():
    from mixphase.value.tasks import load_task
    from mixphase.value.terms import compute_terms

    data = load_task("longtail", seed=1)
    tab = compute_terms(data)
    row = {n: dict(zip(TERMS, t, strict=True)) for n, t in zip(tab.names, tab.terms, strict=True)}
    k = dict(zip(tab.names, tab.cutoff, strict=True))
    assert 1.15 < tab.beta < 1.45
    assert row["real_n1000"]["truncation"] == 0 and k["real_n1000"] is None
    assert row["syn_top_p0.5_n500"]["truncation"] > row["syn_top_p0.9_n500"]["truncation"]
    assert k["syn_cutoff20_n500"] <= 25
    assert row["real_flip30_n500"]["empirical"] > 3 * row["real_n1000"]["empirical"]
    assert row["real_n100"]["finite_sample"] > row["real_n1000"]["finite_sample"]


def test_fit_weights_shrinks_towards_a_given_prior():
    """With a huge ridge the anchored weights equal the prior; the prior is in raw units."""
    rng = np.random.default_rng(11)
    terms = rng.random(size=(10, 3)) * np.array([1.0, 10.0, 0.1])
    idx = choose_anchors(-terms.sum(1), 6)
    truth = rng.random(6)
    prior = np.array([1.0, 0.0, 2.0])
    coef, _b, lam, _cv = fit_weights(terms, idx, truth, prior=prior, ridge_grid=(1e9,))
    assert lam == 1e9 and np.allclose(coef, prior, atol=1e-6)


def test_mmd_to_test_equals_theory_mmd():
    from mixphase.theory import mmd_multi_kernel
    from mixphase.value.terms import MMDToTest

    rng = np.random.default_rng(8)
    t = rng.normal(size=(60, 5))
    to_test = MMDToTest(t)
    for shift in (0.0, 0.3, 1.5):
        x = rng.normal(size=(45, 5)) + shift
        want = mmd_multi_kernel(x, t, to_test.bandwidths)
        assert to_test.mmd(x) == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_subsampled_mmd_and_ntk_close_to_full():
    """The row caps of compute_terms (MMD: 400 rows, NTK: 512 rows scaled by n/m) stay within a
    stated tolerance of the uncapped estimates on a 2000-row sample, and keep their ordering."""
    from mixphase.value.terms import MMDToTest

    rng = np.random.default_rng(9)
    t = rng.normal(size=(400, 6))
    to_test = MMDToTest(t)
    ntk = NTKAtInit(6, 3, seed=0)
    ntk.calibrate(t)
    full_mmd, sub_mmd, full_q, sub_q = [], [], [], []
    for shift, noise in ((0.2, 0.0), (0.6, 0.2), (1.2, 0.5)):
        x = rng.normal(size=(2000, 6)) + shift
        y = np.where(rng.random(2000) < noise, rng.integers(0, 3, 2000), (x[:, 0] > shift) * 2)
        full_mmd.append(to_test.mmd(x))
        sub_mmd.append(to_test.mmd(x[rng.choice(2000, 400, replace=False)]))
        full_q.append(ntk.quadratic_form(x, y, block=256))
        sub_q.append(ntk.quadratic_form(x, y, block=256, max_rows=512))
    assert np.allclose(sub_mmd, full_mmd, rtol=0.15, atol=0.02)
    assert np.allclose(sub_q, full_q, rtol=0.1)
    assert np.all(np.diff(sub_mmd) > 0) and np.all(np.diff(sub_q) > 0)
    x = rng.normal(size=(300, 6))
    y = rng.integers(0, 3, 300)
    assert ntk.quadratic_form(x, y, block=128, max_rows=512) == ntk.quadratic_form(x, y, block=128)
