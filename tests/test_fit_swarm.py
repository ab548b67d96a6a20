"""``mixphase fit swarm``: a planted olmix-style swarm (3 domains, a threshold in one) is found, the
smooth domains and a smooth metric are not; bad swarms are one-line errors (exit 2)."""

import json

import numpy as np
import pytest
from cli_helpers import one_line_error, run

from mixphase.errors import MixphaseInputError
from mixphase.fit.swarm import check_swarm

DOMAINS = ("knowledge", "web", "code")
W_C = 0.1  # planted critical weight of the knowledge domain


def planted_swarm(n=48, seed=0):
    """Dirichlet(1,1,1) mixtures. qa_accuracy: a sharp step at knowledge weight 0.1 plus smooth
    effects of web (a data-mixing-law exponential) and code (linear); web_bpb: smooth in all."""
    rng = np.random.default_rng(seed)
    w = rng.dirichlet([1.0, 1.0, 1.0], size=n)
    k, web, code = w.T
    step = 1 / (1 + np.exp(-(np.log(k) - np.log(W_C)) / 0.08))
    acc = 0.05 + 0.7 * step + 0.15 * np.exp(-4 * web) + 0.05 * code
    acc += 0.03 * rng.standard_normal(n)
    bpb = 1.0 + 0.5 * np.exp(-3 * web) + 0.2 * np.exp(-2 * code) + 0.01 * rng.standard_normal(n)
    return w, {"qa_accuracy": acc, "web_bpb": bpb}


def write_olmix(tmp_path, n=48, seed=0):
    """olmix's ratios.csv / metrics.csv (run_id, name; metrics rows in another order)."""
    w, m = planted_swarm(n, seed)
    ids = [f"run-{i:03d}" for i in range(n)]
    ratios = tmp_path / "ratios.csv"
    ratios.write_text("run_id,name," + ",".join(DOMAINS) + "\n" + "".join(
        f"{r},swarm-{r},{','.join(f'{v:.10f}' for v in row)}\n" for r, row in zip(ids, w, strict=True)))  # fmt: skip
    metrics = tmp_path / "metrics.csv"
    order = np.random.default_rng(1).permutation(n)
    metrics.write_text("run_id,name,qa_accuracy,web_bpb\n" + "".join(
        f"{ids[i]},swarm-{ids[i]},{m['qa_accuracy'][i]:.8f},{m['web_bpb'][i]:.8f}\n" for i in order))  # fmt: skip
    return ratios, metrics, ids


def test_planted_threshold_found_smooth_domains_not(tmp_path, capsys):
    ratios, metrics, _ = write_olmix(tmp_path)
    code, out, _ = run(["fit", "swarm", str(ratios), str(metrics), "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["domains"] == list(DOMAINS) and d["n_runs"] == 48 and "Bayes factor" in d["criterion"]
    got = {(c["metric"], c["domain"]): c for c in d["checks"]}
    k = got[("qa_accuracy", "knowledge")]
    assert k["threshold_detected"] and k["log_bayes_factor"] > 10
    cw = k["critical_weight"]
    assert cw["lower"] <= W_C <= cw["upper"] and cw["upper"] / cw["lower"] < 1.5
    assert 0.5 < k["jump"]["median"] < 0.9  # planted 0.7
    for key, c in got.items():
        if key != ("qa_accuracy", "knowledge"):
            assert not c["threshold_detected"], (key, c)
            assert c["critical_weight"] is None and c["note"]
    # the smooth domains of the threshold metric were re-tested given the knowledge step
    assert got[("qa_accuracy", "web")]["given_thresholds_in"] == ["knowledge"]


def test_one_file_with_domains_and_text_output(tmp_path, capsys):
    w, m = planted_swarm(40, seed=3)
    f = tmp_path / "swarm.jsonl"
    f.write_text("".join(json.dumps({"run": f"r{i}", **dict(zip(DOMAINS, row.tolist(), strict=True)),
                                     "qa_accuracy": float(m["qa_accuracy"][i])}) + "\n"
                         for i, row in enumerate(w)))  # fmt: skip
    code, out, _ = run(["fit", "swarm", str(f), "--domains", "knowledge,web,code"], capsys)
    assert code == 0
    assert "knowledge" in out and "THRESHOLD at weight" in out and out.count("no threshold") == 2
    code, out, err = run(["fit", "swarm", str(f)], capsys)
    one_line_error(code, out, err, "--domains")


def test_bad_swarms_exit_2(tmp_path, capsys):
    ratios, metrics, ids = write_olmix(tmp_path, n=20)
    lines = ratios.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",0.9"  # row 3 no longer sums to 1
    bad = tmp_path / "bad_ratios.csv"
    bad.write_text("\n".join(lines) + "\n")
    code, out, err = run(["fit", "swarm", str(bad), str(metrics)], capsys)
    one_line_error(code, out, err, "line 4", "sum to", "not 1")
    # mismatched run ids: one run missing from the metrics, one unknown run in them
    m_lines = metrics.read_text().splitlines()
    dropped = next(ln for ln in m_lines[1:] if ln.startswith(ids[5] + ","))
    m_lines = [ln for ln in m_lines if ln is not dropped] + ["run-999,x,0.5,1.2"]
    other = tmp_path / "other_metrics.csv"
    other.write_text("\n".join(m_lines) + "\n")
    code, out, err = run(["fit", "swarm", str(ratios), str(other)], capsys)
    one_line_error(code, out, err, "different runs", ids[5], "run-999")
    code, out, err = run(["fit", "swarm", str(ratios), str(metrics), "--metric", "mmlu"], capsys)
    one_line_error(code, out, err, "missing column 'mmlu'")
    no_id = tmp_path / "no_id.csv"
    no_id.write_text("knowledge,web,code\n0.2,0.3,0.5\n")
    code, out, err = run(["fit", "swarm", str(no_id), str(metrics)], capsys)
    one_line_error(code, out, err, "run id", "run_id")


def test_library_checks():
    w, m = planted_swarm(30)
    with pytest.raises(MixphaseInputError, match="sum to"):
        check_swarm(w * 1.1, m, DOMAINS)
    with pytest.raises(MixphaseInputError, match="too few"):
        check_swarm(w[:8], {"y": m["web_bpb"][:8]}, DOMAINS)
