"""Worker processes of a sweep: spawned, one torch thread each, dying with their parent.

Each task trains one ensemble (:func:`run_group`). Workers report progress and every finished
run at once through a queue, so the parent (the only writer of ``results.jsonl``) records runs
as they finish, not when their whole ensemble does. On Linux a worker asks the kernel for SIGKILL
when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and exits if the parent is already gone, so a
``kill -9`` of the sweep leaves no worker behind (elsewhere the workers notice the broken queue
only when they next report).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator

_QUEUE = None
_LAST: dict[str, float] = {}


def die_with_parent(parent_pid: int) -> None:
    """SIGKILL this process when its parent dies (Linux); exit now if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    if os.getppid() != parent_pid:
        os._exit(1)


def _init(parent_pid: int, queue) -> None:
    global _QUEUE
    die_with_parent(parent_pid)
    _QUEUE = queue


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run with ``n`` torch threads (None: leave as is), restoring the previous number."""
    import torch

    old = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _progress(key: str, step: int, total: int) -> None:
    now = time.monotonic()
    if step >= total or now - _LAST.get(key, 0.0) > 0.5:
        _LAST[key] = now
        _QUEUE.put(("progress", key, step, total))


def _result(_: int, res: dict) -> None:
    _QUEUE.put(("result", res))


def run_group(cfgs: list, out_dirs: list[str], threads: int | None, trunk_dir: str | None,
              progress: Callable | None = None, on_result: Callable | None = None) -> list[dict]:  # fmt: skip
    """Train ``cfgs`` as one ensemble (in this process) and return their results."""
    from mixphase.validate.ensemble import train_ensemble

    if _QUEUE is not None:
        progress, on_result = _progress, _result
    with torch_threads(threads):
        return train_ensemble(cfgs, out_dirs, trunk_dir=trunk_dir, progress=progress,
                              on_result=on_result)  # fmt: skip


class Pool:
    """``jobs`` spawned workers; ``on_progress(key, step, total)`` and ``on_result(res)`` are
    called in the parent (from a reader thread) as workers report."""

    def __init__(self, jobs: int, on_progress: Callable, on_result: Callable) -> None:
        ctx = mp.get_context("spawn")
        self.queue = ctx.SimpleQueue()
        self.pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init,
                                           initargs=(os.getpid(), self.queue))  # fmt: skip
        self.on_progress, self.on_result = on_progress, on_result
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                msg = self.queue.get()
            except (OSError, EOFError, ValueError):  # closed after a failure
                return
            if msg is None:
                return
            if msg[0] == "progress":
                self.on_progress(*msg[1:])
            else:
                self.on_result(msg[1])

    def submit(self, *args) -> cf.Future:
        return self.pool.submit(run_group, *args)

    def close(self, ok: bool) -> None:
        if not ok:  # interrupted or a run failed: stop the workers now
            procs = list(getattr(self.pool, "_processes", {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                p.terminate()
            self.queue.close()  # a killed worker may hold the queue's lock: no sentinel
        else:
            self.pool.shutdown()
            self.queue.put(None)
        self.reader.join(timeout=5)


__all__ = ["Pool", "die_with_parent", "run_group", "torch_threads"]
