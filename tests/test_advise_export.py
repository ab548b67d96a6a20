"""advise --export: token shares <-> loader units (round trip, Monte Carlo of a document sampler),
the three file formats, the repetition warning, and bad options (exit 2)."""

import json

import numpy as np
import pytest
from cli_helpers import run

from mixphase.advise import export as ex
from mixphase.errors import MixphaseInputError


@pytest.mark.parametrize("seed", range(5))
def test_round_trip_token_share_document_probability(seed):
    rng = np.random.default_rng(seed)
    names = [f"s{i}" for i in range(rng.integers(2, 6))]
    shares = dict(zip(names, rng.dirichlet(np.ones(len(names))), strict=True))
    docs = dict(zip(names, rng.uniform(20, 5000, len(names)), strict=True))
    p = ex.document_probabilities(shares, docs)
    assert abs(sum(p.values()) - 1) < 1e-12
    back = ex.token_shares(p, docs)
    assert all(abs(back[k] - shares[k]) < 1e-12 for k in names)


def test_known_numbers_and_a_document_sampler_gets_the_token_share():
    p = ex.document_probabilities({"knowledge": 0.5, "web": 0.5}, {"knowledge": 100, "web": 900})
    assert p["knowledge"] == pytest.approx(0.9)  # 9 short documents per long one
    # Monte Carlo: draw documents with p (as interleave_datasets does); tokens land at the share
    shares, docs = {"knowledge": 0.05, "web": 0.95}, {"knowledge": 120, "web": 900}
    p = ex.document_probabilities(shares, docs)
    draws = np.random.default_rng(0).random(400_000) < p["knowledge"]
    tokens_k = draws.sum() * 120
    share = tokens_k / (tokens_k + (~draws).sum() * 900)
    assert share == pytest.approx(0.05, abs=0.002)
    assert ex.repetitions(0.05, 2e9, 3.2e7) == pytest.approx(3.125)


def test_parse_doc_tokens():
    assert ex.parse_doc_tokens("knowledge=120, web=9e2") == {"knowledge": 120.0, "web": 900.0}
    for bad, msg in [("knowledge=120", "no mean document length for web"),
                     ("knowledge=0,web=1", "positive"), ("code=1", "expected"),
                     ("knowledge=x,web=1", "not a number")]:  # fmt: skip
        with pytest.raises(MixphaseInputError, match=msg):
            ex.parse_doc_tokens(bad)


ADVISE = ["advise", "-n", "70e6", "-r", "0.05", "--training-tokens", "2e9"]


def test_export_three_formats(tmp_path, capsys):
    for fmt in ("hf", "mosaicml", "olmix"):
        out = tmp_path / f"recipe.{fmt}"
        code, stdout, err = run([*ADVISE, "--export", fmt, "-o", str(out), "--doc-tokens",
                                 "knowledge=120,web=900", "--json"], capsys)  # fmt: skip
        assert code == 0 and err == "" and json.loads(stdout)["ratio"] == 0.05
        text = out.read_text()
        assert "knowledge=120, web=900" in text  # the document lengths are stated
        if fmt == "hf":
            d = json.loads(text)
            r = d["token_shares"]["knowledge"]
            assert d["probabilities"][0] == pytest.approx(
                ex.document_probabilities({"knowledge": r, "web": 1 - r},
                                          {"knowledge": 120, "web": 900})["knowledge"])  # fmt: skip
        elif fmt == "mosaicml":
            assert "streams:\n  knowledge:\n    proportion:" in text
        else:
            assert "mix:\n  knowledge:\n    weight:" in text and "repetition_factor:" in text
    # the three agree: HF and MosaicML probabilities, olmix weight = the token share
    hf = json.loads((tmp_path / "recipe.hf").read_text())
    share = hf["token_shares"]["knowledge"]
    assert f"weight: {share:.6g}" in (tmp_path / "recipe.olmix").read_text()
    assert f"proportion: {hf['probabilities'][0]:.6g}" in (tmp_path / "recipe.mosaicml").read_text()


def test_repetition_warning(tmp_path, capsys):
    out = tmp_path / "mix.yaml"
    code, _, err = run([*ADVISE, "--export", "olmix", "-o", str(out), "--max-repetitions", "4"],
                       capsys)  # fmt: skip
    assert code == 0 and err.startswith("mixphase: warning: the knowledge set is repeated")
    reps = float(err.split("repeated ")[1].split(" times")[0])
    assert reps > 4 and "WARNING" in out.read_text()
    code, _, err = run([*ADVISE, "--export", "olmix", "-o", str(out), "--max-repetitions", "50"],
                       capsys)  # fmt: skip
    assert code == 0 and err == ""


@pytest.mark.parametrize(("extra", "needle"), [
    (["--export", "hf"], "go together"),
    (["--export", "hf", "-o", "r.json"], "--doc-tokens"),
    (["-n", "410e6", "--export", "olmix", "-o", "r.yaml"], "one --model-size"),
    (["--doc-tokens", "knowledge=1,web=2"], "belong to --export"),
    (["--export", "hf", "-o", "r.json", "--doc-tokens", "knowledge=1"], "no mean document length"),
])  # fmt: skip
def test_bad_export_options(tmp_path, capsys, extra, needle):
    extra = [str(tmp_path / e) if e.startswith("r.") else e for e in extra]
    code, out, err = run([*ADVISE, *extra], capsys)
    assert code == 2 and out == "" and needle in err and err.count("\n") == 1
    assert not any(tmp_path.iterdir())  # nothing written
