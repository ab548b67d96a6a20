"""Sweep tasks as one SLURM array job through submitit (``--backend submitit``;
``pip install 'mixphase[submitit]'``).

One array task per ensemble (:class:`SweepTask`), submitted together with ``map_array`` (one array
job; ``--max-parallel`` caps how many run at once: ``slurm_array_parallelism``). Options:
``--slurm-partition``, ``--slurm-time`` (wall time of one task), ``--slurm-gpus-per-task`` (GPUs
per task; ``--device auto`` trains on CUDA when it is >= 1), ``--threads`` (CPUs per task).
``--submitit-cluster local`` runs the tasks as processes on this machine (no SLURM; every task at
once, the cap is SLURM's) and ``debug`` in this process (a failure opens pdb) - for testing.

The output folder must be shared with the nodes (as SLURM's working directories are). Each run
writes its own ``runs/<name>/result.json`` atomically when it finishes (the training loop,
:mod:`mixphase.validate.ensemble`); the driver polls those files and appends ``results.jsonl``
from them (through :mod:`mixphase.journal`; no task writes the journal), so runs are recorded as
they finish and a rerun after a killed driver records what finished meanwhile and trains only
the rest. submitit's logs and pickles go to ``OUT/submitit/``.

**Preemption and time limits**: a task is checkpointable (submitit calls
:meth:`SweepTask.checkpoint` on SIGUSR2 and requeues it). The requeued task skips its runs that
have a ``result.json`` and trains the others again: from their WSD trunk checkpoint when one
exists (``OUT/wsd_trunks``), otherwise from the start (seeded, so the result is the same). A
failed task cancels the pending ones and ends the sweep with a one-line error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from mixphase.errors import MixphaseInputError, MixphaseRunError
from mixphase.validate.backends import Backend, import_backend


class SweepTask:
    """One array task: train the runs of one ensemble that have no ``result.json`` yet."""

    def __call__(self, cfgs: list, out_dirs: list[str], threads: int | None,
                 trunk_dir: str | None) -> list[str]:  # fmt: skip
        """Train what is missing; return the keys trained in this attempt."""
        from mixphase.validate.sweep import finished_result
        from mixphase.validate.workers import run_group

        todo = [(c, d) for c, d in zip(cfgs, out_dirs, strict=True)
                if finished_result(c, d) is None]  # fmt: skip
        if todo:
            run_group([c for c, _ in todo], [d for _, d in todo], threads, trunk_dir)
        return [c.key() for c, _ in todo]

    def checkpoint(self, *args, **kwargs):
        """Preempted or out of time: requeue the same task (it skips its finished runs)."""
        submitit = import_backend("submitit")
        return submitit.helpers.DelayedSubmission(self, *args, **kwargs)


def executor(folder: Path, be: Backend, threads: int | None):
    """An ``AutoExecutor`` for ``be`` (cluster, partition, time, GPUs, array cap)."""
    submitit = import_backend("submitit")
    ex = submitit.AutoExecutor(folder=str(folder), cluster=be.cluster)
    params = {"name": "mixphase-sweep", "timeout_min": be.time_min,
              "cpus_per_task": max(1, threads or 1)}  # fmt: skip
    if be.cluster == "slurm":
        params.update(slurm_partition=be.partition, slurm_array_parallelism=be.max_parallel)
        if be.gpus_per_task:
            params["slurm_gpus_per_task"] = be.gpus_per_task
    elif be.gpus_per_task:
        params["gpus_per_node"] = be.gpus_per_task
    ex.update_parameters(**{k: v for k, v in params.items() if v is not None})
    return ex


def run(tasks: list[tuple[list, list[str], str | None]], out: Path, be: Backend, *,
        threads: int | None, device: str, record: Callable[[dict], None],
        poll: float = 1.0) -> None:  # fmt: skip
    """Submit ``tasks`` (``(configs, run folders, trunk folder)``) as one array job; record each
    run's ``result.json`` as it appears; raise a one-line error when a task fails."""
    from mixphase.validate.sweep import finished_result

    target = be.submitit_device(device)
    ex = executor(out / "submitit", be, threads)
    cfgs = [[replace(c, device=target) for c in t[0]] for t in tasks]
    n = len(tasks)
    jobs = ex.map_array(SweepTask(), cfgs, [t[1] for t in tasks], [threads] * n,
                        [t[2] for t in tasks])  # fmt: skip
    pending = dict(zip(jobs, zip(cfgs, (t[1] for t in tasks), strict=True), strict=True))
    seen: set[str] = set()

    def collect(runs) -> list[str]:
        missing = []
        for c, d in zip(*runs, strict=True):
            if c.key() in seen:
                continue
            rec = finished_result(c, d)
            if rec is None:
                missing.append(c.key())
            else:
                seen.add(c.key())
                record(rec)
        return missing

    try:
        while pending:
            for job, runs in list(pending.items()):
                done = job.done()  # before collecting: no result written after it is missed
                missing = collect(runs)
                if not done:
                    continue
                del pending[job]
                exc = job.exception()
                if exc is not None:
                    raise _one_line(exc, job) from None
                if missing:
                    raise MixphaseRunError(f"submitit task {job.job_id} ended without the result "
                                           f"of {missing[0]}; rerun to resume")  # fmt: skip
            if pending:
                time.sleep(poll)
    finally:
        for job in pending:  # a failure or an interrupt: cancel what has not finished
            try:
                job.cancel(check=False)
            except Exception:  # already gone
                pass


def _one_line(exc: BaseException, job) -> Exception:
    """The task's own last error line (a user error stays one), else a run error."""
    if isinstance(exc, MixphaseInputError | MixphaseRunError):  # the debug executor's own
        return exc
    lines = [ln.rstrip() for ln in str(exc).splitlines()]
    errs = [ln for ln in lines if ln and not ln[0].isspace() and ": " in ln
            and ln.split(": ", 1)[0].replace(".", "").replace("_", "").isalnum()]  # fmt: skip
    last = errs[-1] if errs else (lines[0] if lines else type(exc).__name__)
    name, _, msg = last.partition(": ")
    if name.endswith("MixphaseInputError"):
        return MixphaseInputError(msg)
    return MixphaseRunError(
        f"submitit task {job.job_id} failed ({last[:300]}); pending tasks were cancelled and "
        f"finished runs kept (logs: {job.paths.stderr.parent}): rerun to resume"
    )


__all__ = ["SweepTask", "executor", "run"]
