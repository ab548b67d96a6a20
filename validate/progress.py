"""Progress of the runs of a sweep: one tqdm bar per run in training, on stderr.

Silent unless stderr is a terminal (and never with ``--json``): logs and captured output stay
clean. Workers report ``(key, step, total)``; the bar of a run closes when it finishes.
"""

from __future__ import annotations

import sys
import threading


class Bars:
    """Per-run progress bars (thread-safe; a no-op when disabled)."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bars: dict[str, object] = {}
        self._lock = threading.Lock()

    def update(self, key: str, step: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        with self._lock:
            bar = self._bars.get(key)
            if bar is None:
                parts = key.split("|")[1:]
                label = " ".join(p for p in parts if not p.startswith(("data=", "bs=", "lr=")))
                bar = self._bars[key] = tqdm(total=total, desc=label, file=sys.stderr,
                                             leave=False, dynamic_ncols=True)  # fmt: skip
            bar.update(min(step, total) - bar.n)
            if step >= total:
                bar.close()
                del self._bars[key]

    def close(self) -> None:
        with self._lock:
            for bar in self._bars.values():
                bar.close()
            self._bars.clear()


__all__ = ["Bars"]
