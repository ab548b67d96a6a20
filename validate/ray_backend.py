"""Sweep tasks on a Ray cluster (``--backend ray``; ``pip install 'mixphase[ray]'``).

The driver connects to ``RAY_ADDRESS`` (or a cluster started here with ``ray start``) or starts a
local Ray for the session (:func:`connect`). Whether tasks train on a GPU is decided by the
**cluster's** resources (``ray.cluster_resources()``), not by the driver's CUDA: ``--device auto``
trains on CUDA when the cluster has GPUs, each task taking a quarter GPU (a few small ensembles
share one) and ``--threads`` CPUs.

A task trains one ensemble in a private temporary folder on its worker and **returns** each
run's result record and training log to the driver (:func:`ray_task`); the driver writes
``runs/<name>/result.json`` and ``log.jsonl`` and appends ``results.jsonl`` (no worker writes to
the driver's paths, so workers need no shared disk). WSD trunk checkpoints live in that temporary
folder: WSD siblings share their stable phase inside one task, not across tasks. A failed task
cancels every pending one (``ray.cancel``) and ends the sweep with a one-line error; what had
finished stays recorded, so a rerun resumes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from mixphase.errors import MixphaseInputError, MixphaseRunError
from mixphase.validate.backends import import_backend

GPU_SHARE = 0.25  # a GPU per task on a GPU cluster: four small ensembles share one


@contextlib.contextmanager
def connect() -> Iterator[dict]:
    """Ray initialised for the block (connect to ``RAY_ADDRESS``, else a cluster started on this
    machine, else a new local Ray shut down afterwards); yields ``ray.cluster_resources()``."""
    ray = import_backend("ray")
    started = False
    if not ray.is_initialized():
        ray.init(address=os.environ.get("RAY_ADDRESS") or None, include_dashboard=False,
                 logging_level="ERROR", log_to_driver=False)  # fmt: skip
        started = True
    try:
        yield dict(ray.cluster_resources())
    finally:
        if started:
            ray.shutdown()


def device_for(device: str, resources: dict) -> str:
    """The tasks' device from the cluster's resources: ``auto`` is CUDA when it has GPUs."""
    gpus = float(resources.get("GPU", 0) or 0)
    if device == "auto":
        return "cuda" if gpus > 0 else "cpu"
    if device.startswith("cuda") and gpus <= 0:
        raise MixphaseInputError(f"--device {device}: the Ray cluster has no GPU")
    return device


def ray_task(cfgs: list, threads: int | None) -> list[tuple[dict, str]]:
    """Worker side: train ``cfgs`` as one ensemble in a temporary folder; return ``(result,
    log.jsonl text)`` per run, in order."""
    from mixphase.validate.workers import run_group

    with tempfile.TemporaryDirectory(prefix="mixphase-ray-") as tmp:
        outs = [os.path.join(tmp, f"run{i}") for i in range(len(cfgs))]
        results = run_group(cfgs, outs, threads, os.path.join(tmp, "trunks"))
        logs = []
        for o in outs:
            p = Path(o) / "log.jsonl"
            logs.append(p.read_text() if p.exists() else "")
    return list(zip(results, logs, strict=True))


def run(tasks: list[tuple[list, list[str]]], *, threads: int | None, device: str,
        resources: dict, record: Callable[[dict, str, str], None]) -> None:  # fmt: skip
    """Run ``tasks`` (``(configs, run folders)``) as Ray tasks; ``record(result, folder, log)``
    for each run, on the driver, as its task returns. Call inside :func:`connect`."""
    ray = import_backend("ray")
    target = device_for(device, resources)
    gpus = GPU_SHARE if target.startswith("cuda") else 0
    remote = ray.remote(num_cpus=max(1, threads or 1), num_gpus=gpus)(ray_task)
    folders = {}
    for cfgs, dirs in tasks:
        ref = remote.remote([replace(c, device=target) for c in cfgs], threads)
        folders[ref] = dirs
    pending = list(folders)
    try:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                try:
                    out = ray.get(ref)
                except Exception as exc:  # a task failed: the sweep stops here
                    raise _one_line(exc) from None
                for (res, log), d in zip(out, folders[ref], strict=True):
                    record(res, d, log)
    finally:
        for ref in pending:  # a failure or an interrupt: cancel what has not finished
            ray.cancel(ref, force=True)


def _one_line(exc: Exception) -> Exception:
    """The task's own error (a user error stays one), else a run error naming its cause."""
    cause = getattr(exc, "cause", None) or exc
    if isinstance(cause, MixphaseInputError):
        return MixphaseInputError(str(cause))
    msg = " ".join(str(cause).split()) if cause is not exc else type(exc).__name__
    return MixphaseRunError(
        f"a Ray task failed ({type(cause).__name__}: {msg[:300]}); pending tasks were cancelled "
        "and finished runs kept: rerun to resume"
    )


__all__ = ["connect", "device_for", "ray_task", "run"]
