"""TensorBoard event folders (the ``tensorboard`` extra, imported only when a folder is read).

Each folder holding ``*tfevents*`` files is one run, named by its path below the folder given
(the folder's own name when the events sit directly in it). Scalars are read with TensorBoard's
``EventAccumulator`` with **no size limit** (its default keeps a 10,000-point reservoir sample of
each tag, silently thinning long runs); TF2 scalar summaries stored as tensors are read too. A run
becomes one record per step: ``{"run", "step", "wall_time", <tag>: value, ...}``; a tag logged
twice at one step keeps the last value.
"""

from __future__ import annotations

import os
from pathlib import Path

from mixphase.errors import MixphaseInputError
from mixphase.readers.table import Record, Table

MARKER = "tfevents"


def is_event_file(path: Path) -> bool:
    return MARKER in path.name and path.is_file()


def run_folders(root: Path) -> list[Path]:
    """Folders under ``root`` (itself included) that hold event files, sorted."""
    found = []
    for folder, _, files in os.walk(root):
        if any(MARKER in f for f in files):
            found.append(Path(folder))
    return sorted(found)


def read_event_folder(path: Path) -> Table:
    """All scalar tags of all runs under ``path`` (a folder, or one event file)."""
    try:
        from tensorboard.backend.event_processing import event_accumulator as ea
    except ImportError:
        raise MixphaseInputError(
            f"reading the TensorBoard events in {path} needs tensorboard: "
            "pip install 'mixphase[tensorboard]'"
        ) from None
    if path.is_file():
        folders, root = [path], path.parent
    else:
        folders, root = run_folders(path), path
    records: list[Record] = []
    for folder in folders:
        rel = folder.relative_to(root) if folder.is_dir() else Path(folder.parent.name)
        run = root.name if str(rel) in ("", ".") else rel.as_posix()
        records += _run_records(ea, folder, run)
    if not records:
        raise MixphaseInputError(f"{path}: the TensorBoard events hold no scalars")
    return Table(path, records, kind="tensorboard", run_column="run", noun="scalar tag",
                 hidden=("run", "wall_time"), plain=("step",))  # fmt: skip


def _run_records(ea, folder: Path, run: str) -> list[Record]:
    guidance = dict.fromkeys(ea.DEFAULT_SIZE_GUIDANCE, 1)
    guidance.update({ea.SCALARS: 0, ea.TENSORS: 0})  # 0 = keep every point
    acc = ea.EventAccumulator(str(folder), size_guidance=guidance)
    try:
        acc.Reload()
    except Exception as exc:  # a damaged event file: name it, keep one line
        raise MixphaseInputError(f"{folder}: cannot read TensorBoard events ({exc})") from None
    by_step: dict[int, Record] = {}

    def put(tag: str, step: int, wall_time: float, value: float) -> None:
        rec = by_step.get(step)
        if rec is None:
            rec = by_step[step] = Record(
                {"run": run, "step": step, "wall_time": wall_time}, f"run {run!r}, step {step}"
            )
        rec[tag] = value

    tags = acc.Tags()
    for tag in tags.get(ea.SCALARS, []):
        for ev in acc.Scalars(tag):
            put(tag, ev.step, ev.wall_time, float(ev.value))
    for tag in tags.get(ea.TENSORS, []):
        if acc.SummaryMetadata(tag).plugin_data.plugin_name != "scalars":
            continue
        from tensorboard.util import tensor_util

        for ev in acc.Tensors(tag):
            put(tag, ev.step, ev.wall_time, float(tensor_util.make_ndarray(ev.tensor_proto)))
    return [by_step[s] for s in sorted(by_step)]
