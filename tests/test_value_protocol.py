"""mixphase.value: targets, heuristics, the memoriser, and the protocol's anchor separation."""

import numpy as np
import pytest

from mixphase.value.data import ValuationData


def _blobs(seed=0):
    """Two well separated classes; A has both, B only class 0, C = a copy of A's rows."""
    rng = np.random.default_rng(seed)
    centre = np.array([[-3.0, 0.0], [3.0, 0.0]])

    def draw(n, classes):
        y = rng.choice(classes, size=n)
        return centre[y] + 0.3 * rng.normal(size=(n, 2)), y

    xa, ya = draw(40, [0, 1])
    xb, yb = draw(40, [0])
    xt, yt = draw(60, [0, 1])
    x = np.vstack([xa, xb, xa])
    y = np.concatenate([ya, yb, ya])
    c = np.repeat(["A", "B", "C"], 40)
    return ValuationData(x, y, c, np.zeros(120, bool), xt, yt)


# ----------------------------------------------------------------------------------- targets
def test_targets_use_their_own_seeds_and_the_right_training_sets(monkeypatch):
    """With a stub learner that returns (rows, seed), each target is exactly its definition."""
    import mixphase.value.targets as tg

    calls = []

    def stub(x, y, xt, yt, n_classes, seed=0, cfg=None):
        calls.append(seed)
        return len(x) / 1000 + seed * 1e-9

    monkeypatch.setattr(tg, "retrain_accuracy", stub)
    data = _blobs()
    sa = tg.compute_target(data, "stand_alone", seed=3, repeats=2)
    seeds = tg.truth_seeds(3, 2)
    assert sa.seeds == seeds and 3 not in seeds
    assert np.allclose(sa.values, 40 / 1000 + np.mean(seeds) * 1e-9)
    mg = tg.compute_target(data, "marginal", seed=3, repeats=2)
    assert np.allclose(mg.values, 40 / 1000)  # |pool| - |pool without c| rows
    assert set(calls) == set(seeds)  # never the method seed
    assert sa.per_seed.shape == (2, 3) and sa.seconds_one_seed > 0


def test_targets_on_a_tiny_task_with_the_real_learner():
    """Stand-alone: A (both classes) ~1, B (one class) = the class-0 share; C copies A.
    Marginal: removing the copy C (or A) changes nothing, removing B changes nothing."""
    pytest.importorskip("torch")
    from mixphase.value.targets import compute_target

    data = _blobs()
    sa = compute_target(data, "stand_alone", seed=0, repeats=1).values
    share0 = float(np.mean(data.y_test == 0))
    assert sa[0] > 0.95 and sa[2] == sa[0]
    assert sa[1] == pytest.approx(share0, abs=1e-12)
    mg = compute_target(data, "marginal", seed=0, repeats=1).values
    assert np.all(np.abs(mg) <= 0.05)


# -------------------------------------------------------------------------------- heuristics
def test_heuristics_exact_on_a_hand_built_problem():
    from mixphase.value.heuristics import heuristic_scores

    x = np.arange(14, dtype=float)[:, None]
    y = np.array([0, 0, 1, 1, 2, 2, 0, 0, 0, 0, 1, 2, 2, 2])
    item = np.array([1, 1, 2, 3, 4, 4, 1, 5, 5, 5, 9, 9, 9, 9])
    c = np.array(["a"] * 6 + ["b"] * 4 + ["c"] * 4)
    yt = np.array([0, 1, 2, 0])
    it = np.array([1, 2, 4, 5])
    data = ValuationData(x, y, c, np.zeros(14, bool), x[:4], yt, item, it)
    s, secs = heuristic_scores(data)
    assert list(s["size"]) == [6, 4, 4]
    assert list(s["distinct_items"]) == [4, 2, 1]
    assert list(s["distinct_labels"]) == [3, 1, 2]
    assert np.allclose(s["test_mass"], [3 / 4, 2 / 4, 0])  # items {1,2,4}, {1,5}, {9}
    assert set(secs) == set(s)


def test_neg_mmd_prefers_the_test_distribution():
    from mixphase.value.heuristics import heuristic_scores

    rng = np.random.default_rng(1)
    xt = rng.normal(size=(200, 3))
    yt = (xt[:, 0] > 0).astype(int)
    same = rng.normal(size=(200, 3))
    shifted = rng.normal(size=(200, 3)) + 1.5
    x = np.vstack([same, shifted])
    y = (x[:, 0] > 0).astype(int)
    c = np.repeat(["same", "shifted"], 200)
    s, _ = heuristic_scores(ValuationData(x, y, c, np.zeros(400, bool), xt, yt))
    assert s["neg_mmd"][0] > s["neg_mmd"][1]


# ---------------------------------------------------------------------------------- memoriser
def test_memoriser_answers_from_the_items_rows_with_a_majority_vote():
    from mixphase.value.memoriser import denoised_labels, memoriser_outcome

    # item 7: three rows, one flipped -> outvoted; item 8: one (flipped) row -> kept
    x = np.array([[0.0], [0.1], [0.2], [5.0]])
    y = np.array([1, 1, 0, 0])
    items = np.array([7, 7, 7, 8])
    assert list(denoised_labels(x, y, items, 2)) == [1, 1, 1, 0]
    # a test row of item 7 sitting next to the item-8 row is still answered by item 7's rows;
    # item 9 is uncovered (answered by the nearest row: label 0, wrong)
    xt = np.array([[4.9], [0.0], [9.0]])
    yt = np.array([1, 1, 1])
    out = memoriser_outcome(x, y, items, xt, yt, np.array([7, 8, 9]), 2)
    assert out.covered == pytest.approx(2 / 3)
    assert out.accuracy == pytest.approx(1 / 3)  # item 7 right; item 8 (label 0) wrong; 9 wrong
    assert out.missing == pytest.approx(1 / 3) and out.covered_error == pytest.approx(1 / 3)
    assert out.noise == pytest.approx(1 / 4)
    assert out.accuracy == pytest.approx(1 - out.missing - out.covered_error)


def test_memoriser_without_items_is_a_one_nn_learner_that_misses_unseen_labels():
    from mixphase.value.memoriser import memoriser_outcome

    x = np.array([[0.0], [0.2], [5.0], [5.2]])
    y = np.array([0, 0, 1, 1])
    xt = np.array([[0.1], [5.1], [9.0]])
    yt = np.array([0, 1, 2])  # label 2 never seen: uncovered and wrong
    out = memoriser_outcome(x, y, None, xt, yt, None, 3)
    assert out.accuracy == pytest.approx(2 / 3) and out.covered == pytest.approx(2 / 3)
    assert out.missing == pytest.approx(1 / 3) and out.covered_error == 0


def test_memoriser_matches_the_exact_memoriser_value_on_clean_knowledge_shards():
    """Planted truth: for noise-free shards of the longtail task that cover >= 70% of the test
    mass, the memoriser's accuracy on the test set equals the exact expected accuracy of a
    memorising learner (sampling error of the shard and the 2,000-row test set: tolerance 0.035).
    Shards that miss the head are excluded: one guess then decides a large share of the test
    set, which the expectation (a uniform guess) does not model."""
    from mixphase.value.score import memoriser_table
    from mixphase.value.tasks import load_task

    data = load_task("longtail", 0)
    known = data.meta["known_value"]
    noise = data.meta["label_noise"]
    checked = 0
    for name, out in zip(data.contributors, memoriser_table(data), strict=True):
        if noise[name] == 0 and name in known and out.covered >= 0.7:
            checked += 1
            assert out.accuracy == pytest.approx(known[name], abs=0.035), name
    assert checked >= 7


def test_memoriser_marginal_copy_is_worthless_and_a_unique_shard_is_not():
    from mixphase.value.marginal import memoriser_marginal

    rng = np.random.default_rng(2)
    n_items = 40
    emb = rng.normal(size=(n_items, 4)) * 3
    ans = rng.integers(0, 3, n_items)

    def rows(items):
        return emb[items] + 0.05 * rng.normal(size=(len(items), 4)), ans[items], items

    head = rng.integers(0, 20, 200)
    xa, ya, ia = rows(head)
    xs, ys, is_ = rows(rng.integers(20, 40, 100))  # the only source of items 20..39
    x = np.vstack([xa, xa, xs])
    y = np.concatenate([ya, ya, ys])
    it = np.concatenate([ia, ia, is_])
    c = np.repeat(["head", "head_copy", "tail"], [200, 200, 100])
    xt, yt, itt = rows(rng.integers(0, 40, 300))
    data = ValuationData(x, y, c, np.zeros(500, bool), xt, yt, it, itt)
    m = memoriser_marginal(data)
    assert m[0] == 0 and m[1] == 0
    assert m[2] > 0.2  # expected: half the test mass x (1 - 1/3 guess) = 0.33


# ----------------------------------------------------------------------------------- protocol
def test_held_out_mask_and_scored_correlations_refuse_anchors():
    from mixphase.value.protocol import held_out_mask, scored_correlations

    names = ["a", "b", "c", "d", "e", "f"]
    mask = held_out_mask(names, ["b", "e"])
    assert list(mask) == [True, False, True, True, False, True]
    with pytest.raises(ValueError, match="not contributors"):
        held_out_mask(names, ["z"])
    with pytest.raises(ValueError, match="anchor"):
        scored_correlations(np.arange(6), np.arange(6), np.ones(6, bool), names, ["b"])


def test_benchmark_never_scores_an_anchor():
    """Anchors get perfect scores, the held-out contributors reversed ones: if any anchor were
    scored the correlation would not be exactly -1."""
    from mixphase.value.benchmark import BenchmarkResult
    from mixphase.value.targets import Target

    names = [f"c{i}" for i in range(10)]
    truth = np.arange(10, dtype=float)
    anchors = ["c0", "c3", "c9"]
    score = np.where([n in anchors for n in names], truth, -truth)
    tgt = Target("stand_alone", names, truth[None], [10_000], 1.0, 1.0)
    res = BenchmarkResult("toy", 0, names, {"stand_alone": tgt}, {"mixphase": score},
                          {"mixphase": 0.1}, anchors, [], True)  # fmt: skip
    row = res.method_rows()["mixphase"]
    assert row["spearman"] == pytest.approx(-1.0) and row["pearson"] == pytest.approx(-1.0)
    d = res.to_dict()
    assert set(d["scored_contributors"]).isdisjoint(anchors)
    assert set(d["scores"]["mixphase"]).isdisjoint(anchors)
    assert set(d["ground_truth"]["values"]).isdisjoint(anchors)


def test_detection_auc():
    from mixphase.value.protocol import detection_auc

    names = ["a", "b", "c", "d"]
    assert detection_auc([0.1, 0.9, 0.8, 0.7], names, ["a"]) == 1.0
    assert detection_auc([0.9, 0.1, 0.8, 0.7], names, ["a"]) == 0.0
    assert detection_auc([0.5, 0.5, 0.5, 0.5], names, ["a"]) == 0.5
    assert np.isnan(detection_auc([1, 2, 3, 4], names, []))


# -------------------------------------------------------------------------------------- tasks
def test_every_task_is_large_mixed_and_reproducible():
    from mixphase.value.tasks import TASKS, load_task

    for name in TASKS:
        a, b = load_task(name, 5), load_task(name, 5)
        assert np.array_equal(a.x, b.x) and np.array_equal(a.y_test, b.y_test)
        assert len(a.contributors) >= 12, name
        kinds = set(a.meta["kind"].values())
        assert {"noisy", "duplicates", "copy"} <= kinds, name
        assert len(kinds & {"top_p", "top_k", "cutoff", "temperature", "fitted_generator"}) >= 2
        assert len(a.meta["noisy"]) >= 2
        sizes = [len(a.rows(c)) for c in a.contributors]
        assert max(sizes) >= 5 * min(sizes), name
    bal = load_task("classes_balanced", 0)
    counts = np.bincount(bal.y_test)
    assert counts.max() < 2 * counts.min()  # balanced test set; the pool equals classes'
    assert np.array_equal(load_task("classes", 0).x, bal.x)


def test_truncation_term_is_non_negative_and_orders_cutoffs_on_small_shards():
    from mixphase.value.tasks import load_task
    from mixphase.value.terms import truncation_fit

    data = load_task("smallshards", 0)
    tf = truncation_fit(data)
    t = dict(zip(data.contributors, tf.values, strict=True))
    assert np.all(tf.values >= 0)
    assert t["real_n100"] == 0 and t["real_n200"] == 0
    assert t["syn_cutoff3_n100"] > t["syn_cutoff10_n100"] > t["syn_cutoff30_n100"]


@pytest.mark.parametrize("with_items", [True, False])
def test_memoriser_marginal_equals_independent_evaluations(with_items):
    """The neighbour-list shortcut equals C + 1 separate memoriser runs, also with exact
    duplicate rows (ties) and a contributor holding more than K of a query's nearest rows."""
    from mixphase.value.data import standardise
    from mixphase.value.marginal import K, memoriser_marginal
    from mixphase.value.memoriser import memoriser_outcome

    rng = np.random.default_rng(3)
    n_items = 12
    emb = rng.normal(size=(n_items, 3)) * 2
    ans = rng.integers(0, 3, n_items)

    def rows(n, flip=0.0, items=None):
        it = rng.integers(0, n_items, n) if items is None else items
        y = np.where(rng.random(n) < flip, rng.integers(0, 3, n), ans[it])
        return emb[it] + 0.3 * rng.normal(size=(n, 3)), y, it

    parts = [rows(40), rows(30, 0.4), rows(3 * K, items=np.zeros(3 * K, int)), rows(25)]
    x0, y0, i0 = rows(10)
    parts += [(np.tile(x0, (4, 1)), np.tile(y0, 4), np.tile(i0, 4))]  # duplicated rows
    parts += [parts[0]]  # an exact copy
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    it = np.concatenate([p[2] for p in parts])
    c = np.repeat([f"c{j}" for j in range(len(parts))], [len(p[1]) for p in parts])
    xt, yt, itt = rows(80)
    data = ValuationData(x, y, c, np.zeros(len(y), bool), xt, yt,
                         it if with_items else None, itt if with_items else None)  # fmt: skip
    xs, xts = standardise(data)

    def acc(keep):
        sub = data.item[keep] if with_items else None
        return memoriser_outcome(xs[keep], data.y[keep], sub, xts, data.y_test, data.item_test,
                                 data.n_classes).accuracy  # fmt: skip

    full = acc(np.ones(len(y), bool))
    naive = [full - acc(data.contributor != name) for name in data.contributors]
    assert np.array_equal(memoriser_marginal(data), np.array(naive))


def test_suite_verdicts_best_tied_behind():
    """mixphase vs the best non-mixphase method, by paired per-seed Spearman differences."""
    from mixphase.value.benchmark import BenchmarkResult
    from mixphase.value.suite import SuiteResult
    from mixphase.value.targets import Target

    names = [f"c{i}" for i in range(8)]
    truth = np.arange(8, dtype=float)
    swap = truth.copy()
    swap[[0, 1]] = swap[[1, 0]]  # Spearman 0.976
    far = truth.copy()
    far[[0, 7]] = far[[7, 0]]  # Spearman -0.33

    def run(seed, mix, other):
        tgt = Target("stand_alone", names, truth[None], [1], 1.0, 1.0)
        return BenchmarkResult("t", seed, names, {"stand_alone": tgt},
                               {"mixphase": mix, "one_nn": other, "random": far},
                               {"mixphase": 1.0, "one_nn": 1.0, "random": 0.0}, [], [], True)  # fmt: skip

    best = SuiteResult([run(s, truth, swap) for s in range(3)]).verdicts()["t"]
    assert best["verdict"] == "best" and best["best_other"] == "one_nn"
    tied = SuiteResult([run(s, truth if s else swap, swap if s else truth) for s in range(3)])
    assert tied.verdicts()["t"]["verdict"] == "tied"
    behind = SuiteResult([run(s, swap, truth) for s in range(3)]).verdicts()["t"]
    assert behind["verdict"] == "behind" and behind["gap"] < 0
