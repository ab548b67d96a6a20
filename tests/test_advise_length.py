"""Web-only runs at several training lengths: the law is fitted at the reference length, the others
measure capacity vs length, and predictions at a length no run covers say what they rest on."""

import json
import math

import numpy as np
import pytest
from cli_helpers import one_line_error, run

from mixphase.advise.runs import at_reference, reference_length, web_runs_by_length
from mixphase.advise.web import web_from_runs_by_length
from mixphase.errors import MixphaseInputError
from mixphase.theory.web_law import LogLaw

LAW = LogLaw(a=3.0, c=0.25)
T0 = 1e9
SIZES = [1e7, 3e7, 1e8, 3e8]


def rows(rho_short: float = 0.5) -> list[dict]:
    out = [{"model_size": n, "web_loss": float(LAW.loss(n)), "training_tokens": T0} for n in SIZES]
    out += [{"model_size": n, "web_loss": float(LAW.loss(rho_short * n)),
             "training_tokens": T0 / 3} for n in SIZES[:3]]  # fmt: skip
    return out


def test_reference_length_is_the_most_common_then_the_longest():
    assert reference_length(np.array([1.0, 1.0, 3.0])) == 1.0
    assert reference_length(np.array([1.0, 3.0, 3.0, 1.0])) == 3.0
    assert math.isnan(reference_length(np.array([np.nan, np.nan])))


def test_law_fitted_at_the_reference_and_planted_factor_recovered():
    sizes, loss, tokens = web_runs_by_length(rows())
    assert sizes.size == 7 and np.sum(tokens == T0) == 4
    assert sizes[at_reference(tokens)].tolist() == SIZES
    web = web_from_runs_by_length(sizes, loss, tokens, "log", n_draws=200)
    assert web.length is not None and web.length.reference_tokens == T0
    factors = dict(web.length_factors())
    assert np.median(factors[T0 / 3]) == pytest.approx(0.5, rel=0.02)
    assert np.all(factors[T0] == 1.0)
    assert any("capacity at T=3.33e+08" in line for line in web.lines())


def test_one_length_gives_no_scaling_and_unknown_lengths_are_one():
    plain = [{k: v for k, v in r.items() if k != "training_tokens"} for r in rows()[:4]]
    sizes, loss, tokens = web_runs_by_length(plain)
    assert np.all(np.isnan(tokens))
    assert web_from_runs_by_length(sizes, loss, tokens, "log", n_draws=50).length is None


def test_a_loss_beyond_the_law_is_one_line(tmp_path):
    bad = rows()
    bad[-1]["web_loss"] = 1e-6  # far below anything the law reaches over these sizes
    sizes, loss, tokens = web_runs_by_length(bad)
    with pytest.raises(MixphaseInputError, match="beyond the reach"):
        web_from_runs_by_length(sizes, loss, tokens, "power", n_draws=50)


def _write(path, recs):
    path.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    return str(path)


def test_cli_prints_the_factor_and_warns_where_lengths_are_not_measured(tmp_path, capsys):
    web = _write(tmp_path / "web.jsonl", rows())
    cal = _write(tmp_path / "cal.jsonl", [
        {"model_size": 3e7, "ratio": r, "accuracy": a, "training_tokens": T0, "facts": 1000}
        for r, a in ((0.01, 0.05), (0.03, 0.4), (0.1, 0.9))])  # fmt: skip
    base = ["advise", "-n", "3e7", "-r", "0.05", "--facts", "1000", "--calibrate", cal,
            "--draws", "200", "--json"]  # fmt: skip
    code, out, err = run([*base, "--web-runs", web, "--training-tokens", str(T0 / 3)], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert "length_scaling" in d["calibration"]["web"]
    assert not any("training length" in w for w in d["warnings"])
    code, out, _ = run([*base, "--web-runs", web, "--training-tokens", str(10 * T0)], capsys)
    assert any("outside the web-only runs' lengths" in w for w in json.loads(out)["warnings"])
    code, out, _ = run([*base, "--training-tokens", str(T0 / 3)], capsys)
    assert any("exposure prior alone" in w for w in json.loads(out)["warnings"])


def test_cli_bad_length_runs_exit_2(tmp_path, capsys):
    bad = rows()
    bad[-1]["web_loss"] = -1.0
    web = _write(tmp_path / "web.jsonl", bad)
    code, out, err = run(["advise", "-n", "3e7", "-r", "0.05", "--web-runs", web], capsys)
    one_line_error(code, out, err, "positive")
