"""Sweep backends beyond this machine: Ray (on a local Ray) and submitit (its local executor).

Each backend must leave what the local pool leaves: ``results.jsonl`` written by the driver alone,
every run exactly once, ``runs/<name>/result.json``, resumable (a finished run is not trained
again), and the same numbers as a run trained here (CPU runs are bit-reproducible).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mixphase.errors import MixphaseInputError, MixphaseRunError
from mixphase.validate import sweep as sw
from mixphase.validate.backends import Backend, parse_time

FAST = {"steps": 15, "batch_size": 8, "n_people": 4, "web_facts": 100, "warmup": 2,
        "log_every": 5}  # fmt: skip


def two_runs(**kw):
    """Two tiny runs (seeds 0 and 1) of one shape, planned on CPU."""
    return sw.plan("tiny", sizes=[0], ratios=[0.1], seeds=(0, 1), web_only=False, device="cpu",
                   **{**FAST, **kw})  # fmt: skip


def journal_keys(out: Path) -> list[str]:
    return [json.loads(ln)["key"] for ln in (out / "results.jsonl").read_text().splitlines()]


def prepopulate(out: Path, cfg) -> dict:
    """One run finished (by the local backend) before the sweep starts."""
    return sw.execute([cfg], out)[0]


# ---------------------------------------------------------------- options (no cluster needed)


@pytest.mark.parametrize(("text", "minutes"), [("90", 90), ("1:30", 2), ("2:00:00", 120),
                                               ("1-0", 1440), ("1-2:30", 1590),
                                               ("0-0:0:1", 1)])  # fmt: skip
def test_slurm_time_forms(text, minutes):
    assert parse_time(text) == minutes


@pytest.mark.parametrize("text", ["", "abc", "1:2:3:4", "-5", "0", "0:00:00", "1.5"])
def test_bad_slurm_times_are_refused(text):
    with pytest.raises(MixphaseInputError, match="--slurm-time"):
        parse_time(text)


@pytest.mark.parametrize(("kw", "flag"), [({"name": "dask"}, "backend"),
                                          ({"cluster": "pbs"}, "--submitit-cluster"),
                                          ({"max_parallel": 0}, "--max-parallel"),
                                          ({"gpus_per_task": -1}, "--slurm-gpus-per-task"),
                                          ({"time_min": 0}, "--slurm-time")])  # fmt: skip
def test_bad_backend_options_are_refused(kw, flag):
    with pytest.raises(MixphaseInputError, match=flag):
        Backend(**kw).check()


def test_device_is_decided_by_the_cluster_not_the_driver():
    from mixphase.validate.ray_backend import device_for

    assert device_for("auto", {"CPU": 8.0, "GPU": 2.0}) == "cuda"
    assert device_for("auto", {"CPU": 8.0}) == "cpu"
    assert device_for("cpu", {"GPU": 2.0}) == "cpu"
    with pytest.raises(MixphaseInputError, match="no GPU"):
        device_for("cuda", {"CPU": 8.0})
    assert Backend("submitit", gpus_per_task=1).submitit_device("auto") == "cuda"
    assert Backend("submitit").submitit_device("auto") == "cpu"
    with pytest.raises(MixphaseInputError, match="--slurm-gpus-per-task"):
        Backend("submitit").submitit_device("cuda")
    # remote backends plan on CPU (the driver may have no GPU); local keeps what was asked
    assert Backend("ray").planning_device("cuda") == "cpu"
    assert Backend("local").planning_device("auto") == "auto"


def test_task_errors_become_one_line():
    from mixphase.validate import ray_backend, slurm_backend

    class RayTaskError(Exception):
        def __init__(self, cause):
            super().__init__("traceback\nlines")
            self.cause = cause

    err = ray_backend._one_line(RayTaskError(MixphaseInputError("out of memory for 4 x L1")))
    assert isinstance(err, MixphaseInputError) and str(err) == "out of memory for 4 x L1"
    err = ray_backend._one_line(RayTaskError(ZeroDivisionError("division\nby zero")))
    assert isinstance(err, MixphaseRunError) and "ZeroDivisionError: division by zero" in str(err)

    class Job:
        job_id = "42"

        class paths:
            stderr = Path("/x/42_0_log.err")

    trace = ("Job (task=0) failed during processing with trace:\n----------------------\n"
             "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n"
             "    f()\nValueError: bad value\n\n----------------------\nYou can check full "
             "logs with 'job.stderr(0)' and 'job.stdout(0)'or at paths:\n  - /x/42_0_log.err\n")  # fmt: skip
    err = slurm_backend._one_line(Exception(trace), Job())
    assert isinstance(err, MixphaseRunError) and "ValueError: bad value" in str(err)
    assert "\n" not in str(err)
    user = trace.replace("ValueError", "mixphase.errors.MixphaseInputError")
    err = slurm_backend._one_line(Exception(user), Job())
    assert isinstance(err, MixphaseInputError) and str(err) == "bad value"


def test_a_run_error_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    from mixphase.cli import main
    from mixphase.validate import sweep as module

    def failing(*a, **k):
        raise MixphaseRunError("a Ray task failed (ValueError: x); rerun to resume")

    monkeypatch.setattr(module, "sweep", failing)
    with pytest.raises(SystemExit) as ex:
        main(["validate", "sweep", "-o", str(tmp_path / "sw"), "--steps", "2"])
    assert ex.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["mixphase: error: a Ray task failed (ValueError: x); rerun to resume"]


# ---------------------------------------------------------------- submitit (local executor)


def test_submitit_task_skips_finished_runs_and_requeues_itself(tmp_path):
    """What a preempted, requeued array task does: train only the runs without a result."""
    from mixphase.validate.slurm_backend import SweepTask

    runs = two_runs()
    dirs = [sw.run_dir(tmp_path, c) for c in runs]
    first = sw.execute([runs[0]], tmp_path)[0]
    task = SweepTask()
    assert task(runs, dirs, 1, None) == [runs[1].key()]  # the finished run is not trained again
    assert sw.finished_result(runs[1], dirs[1])["key"] == runs[1].key()
    assert sw.finished_result(runs[0], dirs[0]) == first
    assert task(runs, dirs, 1, None) == []  # a second requeue trains nothing
    again = task.checkpoint(runs, dirs, 1, None)  # submitit's hook on SIGUSR2: resubmit as is
    assert again.function is task and again.args == (runs, dirs, 1, None)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the task by /proc")
def test_a_preempted_submitit_task_is_requeued_and_trains_only_its_unfinished_run(tmp_path):
    """SIGUSR2 (what SLURM sends before preemption or the time limit) once the short run of an
    ensemble has finished: submitit checkpoints and requeues the task, and the second attempt
    trains the long run alone; the short one's result is left as it was."""
    import os
    import signal
    import time

    from mixphase.validate import slurm_backend as sb

    short, long = two_runs()[0], two_runs(steps=300)[1]  # one ensemble (same shape)
    dirs = [sw.run_dir(tmp_path, c) for c in (short, long)]
    ex = sb.executor(tmp_path / "submitit", Backend("submitit", cluster="local", time_min=5), 1)
    job = ex.submit(sb.SweepTask(), [short, long], dirs, 1, None)
    ctl = job._process.pid  # submitit's controller; the task is its child
    while sw.finished_result(short, dirs[0]) is None:
        assert not job.done(), job.stderr()
        time.sleep(0.1)
    stamp = (Path(dirs[0]) / "result.json").stat().st_mtime_ns
    task = int(Path(f"/proc/{ctl}/task/{ctl}/children").read_text().split()[0])
    os.kill(task, signal.SIGUSR2)
    assert job.result() == [long.key()]  # the requeued attempt trained the long run only
    assert "Requeued" in (job.stderr() or "") + (job.stdout() or "")
    assert (Path(dirs[0]) / "result.json").stat().st_mtime_ns == stamp
    assert sw.finished_result(long, dirs[1])["steps"] == 300


@pytest.mark.slow
def test_submitit_sweep_runs_only_what_is_missing(tmp_path, monkeypatch):
    runs = two_runs()
    done_first = prepopulate(tmp_path, runs[0])
    alone = sw.execute([runs[1]], tmp_path / "alone")[0]  # the same run, trained here
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.delenv("MIXPHASE_NO_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", term)  # progress bars are drawn on a terminal only
    msgs = []
    res = sw.execute(runs, tmp_path, backend=Backend("submitit", cluster="local", time_min=5),
                     echo=msgs.append, progress=None)  # fmt: skip
    bar = term.getvalue()
    assert "runs (submitit)" in bar and "1/1" in bar and "<" in bar  # [elapsed<ETA]
    assert msgs[0] == "1 of 2 runs already done; 1 to run"
    assert [m.split(":")[0] for m in msgs if m.startswith("done ")] == [f"done {runs[1].key()}"]
    assert sorted(journal_keys(tmp_path)) == sorted(c.key() for c in runs)  # once each
    by_key = {r["key"]: r for r in res}
    assert by_key[runs[0].key()] == done_first
    got = by_key[runs[1].key()]
    for k in ("memorization_accuracy", "web_loss", "bio_correct_by_person"):
        assert got[k] == alone[k], k  # bit-reproducible on CPU, wherever it trained
    assert (Path(sw.run_dir(tmp_path, runs[1])) / "log.jsonl").exists()
    assert list((tmp_path / "submitit").glob("*_log.out"))  # submitit's own logs, under OUT


@pytest.mark.slow
def test_submitit_resumes_after_the_driver_is_killed(tmp_path):
    """The driver dies after recording its first run; a rerun records each run exactly once."""
    runs = two_runs()
    be = Backend("submitit", cluster="local", time_min=5)

    def killed_at_first_result(msg: str) -> None:
        if msg.startswith("done "):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sw.execute(runs, tmp_path, backend=be, ensemble=False, echo=killed_at_first_result)
    assert len(journal_keys(tmp_path)) == 1
    msgs = []
    sw.execute(runs, tmp_path, backend=be, ensemble=False, echo=msgs.append)
    assert msgs[0].startswith("1 of 2 runs already done") or any(
        m.startswith("recovered") for m in msgs
    )
    keys = journal_keys(tmp_path)
    assert sorted(keys) == sorted(c.key() for c in runs)


@pytest.mark.slow
def test_submitit_failure_cancels_the_pending_tasks(tmp_path, monkeypatch):
    from submitit.local.local import LocalJob

    cancelled = []
    real = LocalJob.cancel

    def spy(self, check=True):
        cancelled.append(self.job_id)
        return real(self, check=check)

    monkeypatch.setattr(LocalJob, "cancel", spy)
    bad = two_runs(web_data=str(tmp_path / "missing.txt"), web_facts=None)[0]
    long = two_runs(steps=10**7)[1]
    be = Backend("submitit", cluster="local", time_min=5)
    with pytest.raises(MixphaseInputError, match=r"missing\.txt: no such file"):
        sw.execute([bad, long], tmp_path / "out", backend=be, ensemble=False)
    assert len(cancelled) == 1  # the long run's task
    assert not (tmp_path / "out" / "results.jsonl").exists()  # nothing recorded


# ---------------------------------------------------------------- Ray (a local Ray, 2 CPUs)


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_sweep_runs_only_what_is_missing_on_the_clusters_device(tmp_path, monkeypatch,
                                                                     local_ray):  # fmt: skip
    import torch

    runs = two_runs()
    done_first = prepopulate(tmp_path, runs[0])
    alone = sw.execute([runs[1]], tmp_path / "alone")[0]
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # a GPU driver, CPU cluster
    msgs = []
    res = sw.execute(runs, tmp_path, backend="ray", echo=msgs.append, device="auto")
    assert msgs[0] == "1 of 2 runs already done; 1 to run"
    assert [m.split(":")[0] for m in msgs if m.startswith("done ")] == [f"done {runs[1].key()}"]
    assert sorted(journal_keys(tmp_path)) == sorted(c.key() for c in runs)
    by_key = {r["key"]: r for r in res}
    assert by_key[runs[0].key()] == done_first
    got = by_key[runs[1].key()]
    assert got["device"].startswith("cpu")  # the cluster's device, not the driver's
    for k in ("memorization_accuracy", "web_loss", "bio_correct_by_person"):
        assert got[k] == alone[k], k
    folder = Path(sw.run_dir(tmp_path, runs[1]))  # written by the driver from the returned record
    assert json.loads((folder / "result.json").read_text()) == got
    logged = (folder / "log.jsonl").read_text().splitlines()
    assert logged and json.loads(logged[-1])["step"] == FAST["steps"]
    assert local_ray.is_initialized()  # a Ray the caller started is left running


def test_ray_failure_cancels_the_pending_tasks(tmp_path, monkeypatch, local_ray):
    cancelled = []
    real = local_ray.cancel

    def spy(ref, **kw):
        cancelled.append(ref)
        return real(ref, **kw)

    monkeypatch.setattr(local_ray, "cancel", spy)
    bad = two_runs(web_data=str(tmp_path / "missing.txt"), web_facts=None)[0]
    long = two_runs(steps=10**7)[1]
    with pytest.raises(MixphaseInputError, match=r"missing\.txt: no such file"):
        sw.execute([bad, long], tmp_path / "out", backend="ray", ensemble=False)
    assert len(cancelled) == 1  # the long run's task
    assert not (tmp_path / "out" / "results.jsonl").exists()  # nothing recorded


def test_ray_resumes_after_the_driver_is_killed(tmp_path, local_ray):
    runs = two_runs()

    def killed_at_first_result(msg: str) -> None:
        if msg.startswith("done "):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sw.execute(runs, tmp_path, backend="ray", ensemble=False, echo=killed_at_first_result)
    assert len(journal_keys(tmp_path)) == 1
    msgs = []
    sw.execute(runs, tmp_path, backend="ray", ensemble=False, echo=msgs.append)
    assert msgs[0] == "1 of 2 runs already done; 1 to run"
    assert sorted(journal_keys(tmp_path)) == sorted(c.key() for c in runs)


# ---------------------------------------------------------------- the command line


def test_cli_sweep_through_submitit_in_process(tmp_path, monkeypatch, capsys):
    """The options reach the backend: a 2-run sweep on submitit's debug executor, as JSON."""
    from mixphase.cli import main

    out = tmp_path / "sw"
    argv = ["validate", "sweep", "-o", str(out), "--steps", "10", "--batch-size", "8",
            "--people", "4", "--web-facts", "100", "--size", "0", "-r", "0.1", "--seeds", "2",
            "--no-web-only", "--backend", "submitit", "--submitit-cluster", "debug",
            "--slurm-time", "0:10:00", "--json"]  # fmt: skip
    with pytest.raises(SystemExit) as ex:
        main(argv)
    assert ex.value.code == 0
    assert len(journal_keys(out)) == 2
    assert json.loads(capsys.readouterr().out)["n_runs"] == 2


def test_cli_reproduce_passes_its_backend(tmp_path, monkeypatch):
    from mixphase.cli import main
    from mixphase.validate import reproduce as module

    seen = {}

    def fake(out, design, **kw):
        seen.update(kw, design=design)
        raise MixphaseInputError("stop here")

    monkeypatch.setattr(module, "reproduce", fake)
    with pytest.raises(SystemExit):
        main(["validate", "reproduce", "-o", str(tmp_path / "r"), "--quick", "--backend",
              "submitit", "--slurm-partition", "gpu", "--slurm-time", "1-0",
              "--slurm-gpus-per-task", "1", "--max-parallel", "3"])  # fmt: skip
    assert seen["backend"] == Backend("submitit", "slurm", "gpu", 1440, 1, 3)
    assert seen["execution"]["device"] == "auto"  # decided where the runs train
    assert seen["design"].overrides["device"] == "cpu"  # planned on the driver
