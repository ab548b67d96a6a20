"""Any number given to the closed-form commands: a finite answer (exit 0, nothing on stderr) or
one clean error line (exit 2), never NaN/inf in the output, a traceback or a raw numpy warning
(``mixphase: warning: ...`` lines are allowed with an answer).

Each option draws mostly from around its valid range (log-uniform, so the edges of the ranges
and the overflow regions are reached) and sometimes from anything at all (NaN, inf, subnormal).
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bad_inputs.runner import run_cli

ANY = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=1e-320, max_value=1e308),
    st.sampled_from([0.0, -1.0, 1.0, 0.5, 1e-300, 1e300, 1e18, 1e-18, 10.0, 64.0, 1e12]),
)


def around(lo_exp: float, hi_exp: float, shift: float = 0.0):
    """``shift + 10**e`` with ``e`` uniform in [lo_exp, hi_exp], or (1 in 4) anything."""
    valid = st.floats(min_value=lo_exp, max_value=hi_exp).map(lambda e: shift + 10.0**e)
    return mostly(valid)


def mostly(valid):
    """``valid`` three times in four, else :data:`ANY`."""
    return st.integers(0, 3).flatmap(lambda i: ANY if i == 0 else valid)


KNAPSACK = {"--alpha": around(-7, 1.2), "--web-e": around(-3, 6.5), "--web-a": around(-13, 13),
            "--web-size-unit": around(-7, 19), "--bits-per-param": around(-7, 2),
            "--facts": around(0, 19), "--bits-per-fact": around(-7, 13),
            "--tokens-per-fact": around(-7, 13)}  # fmt: skip
SIZE, RATIO, SHARE = around(0, 18.3), around(-12, -1e-4), around(-12, 0)
BETA = around(-3, 0.95, shift=1.0)
COUNT = mostly(st.integers(2, 10**6))
TRUNCATION = {"-k": COUNT, "--top-p": around(-3, 0), "--temperature": around(-3, 3),
              "--synthetic-samples": around(0, 12)}  # fmt: skip
NON_FINITE = re.compile(r"(?<![A-Za-z])(nan|inf)(?![A-Za-z])", re.IGNORECASE)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(argv: list[str]) -> None:
    res = run_cli(argv)
    assert not res.error, res.error
    if res.code == 0:  # only mixphase's own warnings on stderr
        assert all(line.startswith("mixphase: warning: ") for line in res.stderr_lines()), (
            res.stderr
        )
        assert not NON_FINITE.search(res.stdout), res.stdout
    else:
        assert res.code == 2, (res.code, res.stderr)
        lines = res.stderr_lines()
        assert len(lines) == 1 and lines[0].startswith("mixphase: error: "), res.stderr


def _num(draw, strategy) -> str:
    v = draw(strategy)
    return str(round(v)) if v == v and abs(v) < 1e15 and v == round(v) else repr(v)


def _knapsack(draw) -> list[str]:
    argv = []
    for name in draw(st.lists(st.sampled_from(sorted(KNAPSACK)), max_size=4, unique=True)):
        argv += [name, _num(draw, KNAPSACK[name])]
    return argv


@SETTINGS
@given(st.data())
def test_predict_knapsack(data):
    cmd = data.draw(st.sampled_from(["critical-ratio", "critical-size", "threshold-popularity"]))
    extra = ["-r", _num(data.draw, RATIO)] if cmd != "critical-ratio" else []
    if cmd != "critical-size":
        extra += ["-n", _num(data.draw, SIZE)]
    _check(["predict", cmd, *extra, *_knapsack(data.draw)])


@SETTINGS
@given(st.data())
def test_predict_breakpoints_and_advise_real_share(data):
    trunc = data.draw(st.sampled_from(sorted(TRUNCATION)))
    argv = ["--beta", _num(data.draw, BETA), trunc, _num(data.draw, TRUNCATION[trunc]),
            "--n-items", _num(data.draw, COUNT)]  # fmt: skip
    if data.draw(st.booleans()):
        _check(["predict", "breakpoints", "--pi", _num(data.draw, SHARE), *argv])
    else:
        _check(["advise", "real-share", "-s", _num(data.draw, around(0, 15)), *argv])


@SETTINGS
@given(st.data())
def test_simulate_knapsack_and_advise(data):
    size, ratio = _num(data.draw, SIZE), _num(data.draw, RATIO)
    cmd = data.draw(st.sampled_from(["phase-diagram", "popularity", "advise"]))
    if cmd == "phase-diagram":
        argv = ["simulate", cmd, "--n-sizes", "2", "--n-ratios", "2", "--verify-cvxpy", "0",
                "-n", size, "-r", ratio]  # fmt: skip
    elif cmd == "popularity":
        argv = ["simulate", cmd, "--groups", "3", "--group-size", "4", "-n", size, "-r", ratio]
    else:
        argv = ["advise", "-n", size, "-r", ratio]
    _check([*argv, *_knapsack(data.draw)])
