"""Where a sweep's runs train: local processes, a Ray cluster, or SLURM through submitit.

:class:`Backend` holds the choice and its options, checked once (:meth:`Backend.check`). Every
backend leaves the same things behind: ``results.jsonl`` written by the driver alone (through
:mod:`mixphase.journal`) and ``runs/<name>/result.json`` per run, so a sweep resumes the same way
whichever backend trained it, and may change backend between sessions.

- ``local``: :mod:`mixphase.validate.workers` (``--jobs`` processes on this machine).
- ``ray``: :mod:`mixphase.validate.ray_backend`; the driver connects to ``RAY_ADDRESS`` or starts
  a local Ray; tasks get a GPU share when the *cluster* has GPUs; results return to the driver.
- ``submitit``: :mod:`mixphase.validate.slurm_backend`; one SLURM array job (or ``local`` /
  ``debug`` executors without SLURM), each run writes its own ``result.json`` on the shared
  folder and the driver rebuilds ``results.jsonl`` from them; preempted tasks are requeued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mixphase.errors import MixphaseInputError

BACKENDS = ("local", "ray", "submitit")
CLUSTERS = ("slurm", "local", "debug")


@dataclass(frozen=True)
class Backend:
    """A backend and its options (``ray`` and ``local`` use only ``name``)."""

    name: str = "local"
    cluster: str = "slurm"  # submitit: slurm, local (processes here) or debug (in-process)
    partition: str | None = None  # SLURM partition
    time_min: int = 240  # wall-clock limit of one task (minutes); preempted/timed-out: requeued
    gpus_per_task: int = 0  # submitit: GPUs per array task (0: CPU)
    max_parallel: int | None = None  # submitit: array tasks running at once (None: SLURM's cap)

    @classmethod
    def of(cls, backend: str | Backend) -> Backend:
        return backend if isinstance(backend, Backend) else cls(name=backend)

    @property
    def remote(self) -> bool:
        """Tasks run outside this process tree (their device is not this machine's)."""
        return self.name != "local"

    def check(self) -> Backend:
        """Refuse unknown names and bad values; check the backend's package is installed."""
        if self.name not in BACKENDS:
            raise MixphaseInputError(f"unknown backend {self.name!r}: choose {', '.join(BACKENDS)}")
        if self.cluster not in CLUSTERS:
            raise MixphaseInputError(
                f"unknown --submitit-cluster {self.cluster!r}: choose {', '.join(CLUSTERS)}"
            )
        if not (isinstance(self.time_min, int) and self.time_min >= 1):
            raise MixphaseInputError(f"--slurm-time must be at least 1 minute, got {self.time_min}")
        if not (isinstance(self.gpus_per_task, int) and self.gpus_per_task >= 0):
            raise MixphaseInputError(
                f"--slurm-gpus-per-task must be >= 0, got {self.gpus_per_task}"
            )
        if self.max_parallel is not None and not (
            isinstance(self.max_parallel, int) and self.max_parallel >= 1
        ):
            raise MixphaseInputError(f"--max-parallel must be at least 1, got {self.max_parallel}")
        if self.name in ("ray", "submitit"):
            import_backend(self.name)
        return self

    def planning_device(self, device: str) -> str:
        """The device runs are *planned* with on the driver: for remote backends a GPU request
        is checked where the runs train (the driver may have none), so plan on ``cpu``."""
        if self.remote and (device == "auto" or device.startswith("cuda")):
            return "cpu"
        return device

    def submitit_device(self, device: str) -> str:
        """The training device of submitit tasks: ``auto`` is CUDA when tasks get GPUs."""
        if device == "auto":
            return "cuda" if self.gpus_per_task > 0 else "cpu"
        if device.startswith("cuda") and self.gpus_per_task == 0:
            raise MixphaseInputError(f"--device {device} needs --slurm-gpus-per-task >= 1")
        return device


def import_backend(name: str):
    """The backend's package (``ray`` or ``submitit``), or a one-line error naming the extra."""
    try:
        if name == "ray":
            import ray as mod
        else:
            import submitit as mod
    except ImportError:
        raise MixphaseInputError(
            f"backend {name} needs {name}: pip install 'mixphase[{name}]'"
        ) from None
    return mod


_TIME = re.compile(r"^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$")


def parse_time(text: str) -> int:
    """SLURM's ``--time`` forms -> whole minutes (seconds rounded up): ``MM``, ``MM:SS``,
    ``HH:MM:SS``, ``D-HH``, ``D-HH:MM``, ``D-HH:MM:SS``."""
    m = _TIME.match(str(text).strip())
    if not m:
        raise MixphaseInputError(
            f"--slurm-time {text!r}: use minutes, MM:SS, HH:MM:SS or D-HH[:MM[:SS]]"
        )
    d, a, b, c = (int(g) if g is not None else None for g in m.groups())
    if d is not None:  # D-HH[:MM[:SS]]
        seconds = ((d * 24 + a) * 60 + (b or 0)) * 60 + (c or 0)
    elif c is not None:  # HH:MM:SS
        seconds = (a * 60 + b) * 60 + c
    elif b is not None:  # MM:SS
        seconds = a * 60 + b
    else:  # MM
        seconds = a * 60
    if seconds < 1:
        raise MixphaseInputError(f"--slurm-time must be positive, got {text!r}")
    return -(-seconds // 60)


__all__ = ["BACKENDS", "CLUSTERS", "Backend", "import_backend", "parse_time"]
