"""Training runs of the validation layer: a CPU smoke run, reproducibility, bad input."""

import json

import pytest
import torch

from mixphase.cli import main
from mixphase.errors import MixphaseInputError
from mixphase.validate.model import GPTConfig
from mixphase.validate.train import RunConfig, train

FAST = {"steps": 150, "batch_size": 32, "n_people": 8, "web_facts": 300, "d_model": 16,
        "warmup": 10, "log_every": 10}  # fmt: skip
FIELDS = ("params", "tokens", "ratio", "memorization_accuracy", "web_loss", "seconds",
          "tokens_per_second", "device")  # fmt: skip


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("run")
    res = train(RunConfig(preset="tiny", ratio=0.3, seed=1, **FAST), out)
    return out, res


def test_result_json_has_the_fields(smoke):
    out, res = smoke
    on_disk = json.loads((out / "result.json").read_text())
    for f in FIELDS:
        assert f in on_disk
    assert on_disk["tokens"] == 150 * 32 * res["data"]["seq_len"]
    assert 0 <= on_disk["memorization_accuracy"] <= 1
    assert set(on_disk["per_attribute"]) == {"birth_date", "birth_city", "university", "major",
                                             "employer"}  # fmt: skip
    assert on_disk["exposures_per_bio"] == pytest.approx(0.3 * 150 * 32 / 8, rel=0.1)


def test_loss_drops(smoke):
    out, _ = smoke
    losses = [r["train_loss"] for r in map(json.loads, (out / "log.jsonl").read_text().splitlines())
              if "train_loss" in r]  # fmt: skip
    assert losses[-1] < 0.8 * losses[0]


def test_seed_reproduces_bit_for_bit(smoke, tmp_path):
    _, res = smoke
    again = train(RunConfig(preset="tiny", ratio=0.3, seed=1, **FAST), tmp_path / "a")
    for k in ("memorization_accuracy", "web_loss", "web_facts_learned", "bio_correct"):
        assert again[k] == res[k]
    log_a = (tmp_path / "a" / "log.jsonl").read_text()
    other = train(
        RunConfig(preset="tiny", ratio=0.3, seed=2, **{**FAST, "steps": 20}), tmp_path / "b"
    )
    assert other["web_loss"] != res["web_loss"]
    assert "train_loss" in log_a


def test_model_param_count_and_flops():
    m = GPTConfig(vocab_size=100, block_size=32, n_layer=2, n_head=2, d_model=16)
    # tied embedding; per block: 2 LN (16 each) + qkv 16*48 + proj 16*16 + fc 16*64 + proj 64*16
    per_block = 2 * 16 + 16 * 48 + 16 * 16 + 16 * 64 + 64 * 16
    assert m.num_params() == 100 * 16 + 32 * 16 + 2 * per_block + 16
    assert m.flops_per_token(32) == 6 * m.num_params(non_embedding=True) + 12 * 2 * 32 * 16


@pytest.mark.parametrize(
    "cfg",
    [RunConfig(preset="huge"), RunConfig(ratio=1.5), RunConfig(ratio=-0.1),
     RunConfig(d_model=30, n_head=4), RunConfig(size=9), RunConfig(web_data="/nonexistent.txt"),
     RunConfig(steps=0), RunConfig(web_facts=0), RunConfig(n_people=0), RunConfig(lr=0.0),
     RunConfig(cooldown_frac=0.0), RunConfig(web_mode="random"), RunConfig(schedule="linear"),
     RunConfig(web_data="/nonexistent.txt", web_mode="incompressible")],
)  # fmt: skip
def test_bad_run_config(cfg, tmp_path):
    with pytest.raises(MixphaseInputError):
        train(cfg, tmp_path / "x")
    assert not (tmp_path / "x" / "result.json").exists()


@pytest.mark.parametrize(
    "args,msg",
    [(["run", "--preset", "nope", "-r", "0.1"], "unknown preset"),
     (["run", "-r", "1.2"], "[0, 1]"),
     (["run", "-r", "0.1", "--web-data", "/no/such.txt"], "no such file"),
     (["sweep", "-r", "-0.5"], "[0, 1]")],
)  # fmt: skip
def test_cli_bad_input(args, msg, tmp_path, capsys):
    out = tmp_path / "o"
    with pytest.raises(SystemExit) as e:
        main(["validate", *args, "--out", str(out)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "mixphase: error:" in err and msg in err
    assert not (out / "results.jsonl").exists() and not (out / "result.json").exists()


def test_cli_run_with_text_web_data(tmp_path, capsys):
    web = tmp_path / "web.txt"
    web.write_text(" ".join(f"The number {i} is followed by {i + 1}." for i in range(600)))
    main_args = ["validate", "run", "-r", "0.2", "--web-data", str(web), "--steps", "20",
                 "--batch-size", "4", "--people", "5", "--out", str(tmp_path / "t"), "--json"]  # fmt: skip
    with pytest.raises(SystemExit) as e:
        main(main_args)
    assert e.value.code == 0
    res = json.loads(capsys.readouterr().out)
    assert res["data"]["kind"] == "text" and res["web_loss"] > 0
    assert (tmp_path / "t" / "result.json").exists()


def test_cli_run_with_the_new_options(tmp_path, capsys):
    args = ["validate", "run", "-r", "0.2", "--steps", "20", "--batch-size", "8", "--people", "4",
            "--web-facts", "50", "--web-mode", "incompressible", "--schedule", "wsd",
            "--threads", "1", "--out", str(tmp_path / "r"), "--json", "-v"]  # fmt: skip
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 0
    res = json.loads(capsys.readouterr().out)  # -v with --json: only the JSON on stdout
    assert res["schedule"] == "wsd" and res["web_mode"] == "incompressible"
    assert res["key"].endswith("|facts=50|people=4|webmode=incompressible|sched=wsd")
    assert res["n_people"] == 4 and res["data"]["web"]["n_facts"] == 50


@pytest.mark.parametrize(
    "args,msg",
    [(["run", "-r", "0.1", "--threads", "0"], "--threads"),
     (["run", "-r", "0.1", "--steps", "0"], "--steps"),
     (["run", "-r", "0.1", "--data-seed", "-1"], "--data-seed"),
     (["run", "-r", "0.1", "--web-facts", "0"], "--web-facts"),
     (["sweep", "--max-members", "0"], "--max-members"),
     (["sweep", "--ensemble-memory", "-1"], "--ensemble-memory")],
)  # fmt: skip
def test_cli_bad_engine_options(args, msg, tmp_path, capsys):
    out = tmp_path / "o"
    with pytest.raises(SystemExit) as e:
        main(["validate", *args, "--out", str(out)])
    assert e.value.code == 2
    assert msg in capsys.readouterr().err
    assert not (out / "results.jsonl").exists() and not (out / "result.json").exists()
