"""mixphase.io: regular files only, links written through, no temporary file outlives a write,
and output sets that commit all their files or none."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mixphase.errors import MixphaseInputError
from mixphase.io import atomic_write, output_set, prepare_folder


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_fifo_folder_and_socket_are_refused_and_kept(tmp_path):
    import socket

    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(tmp_path / "sock"))
    s.close()
    for name, kind in (("fifo", "FIFO"), ("dir", "folder"), ("sock", "socket")):
        with pytest.raises(MixphaseInputError, match=kind), atomic_write(tmp_path / name) as fh:
            fh.write("x")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)
    assert stat.S_ISDIR(os.lstat(tmp_path / "dir").st_mode)
    assert stat.S_ISSOCK(os.lstat(tmp_path / "sock").st_mode)
    assert _temps(tmp_path) == []


def test_devices_are_refused_and_kept(tmp_path):
    dev = tmp_path / "null"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        dev = Path("/dev/null")  # not root: the real one (read-only check)
    before = os.lstat(dev)
    with pytest.raises(MixphaseInputError, match="character device"), atomic_write(dev) as fh:
        fh.write("x")
    after = os.lstat(dev)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    with pytest.raises(MixphaseInputError, match="character device"):
        with atomic_write("/dev/null") as fh:
            fh.write("x")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_symlinks_are_written_through(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "data.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    with atomic_write(link) as fh:
        fh.write("new\n")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # an existing file keeps its mode
    assert _temps(tmp_path) == [] and _temps(tmp_path / "real") == []
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "real" / "new.csv")
    with atomic_write(dangling) as fh:
        fh.write("created\n")
    assert (tmp_path / "real" / "new.csv").read_text() == "created\n" and dangling.is_symlink()
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "to_fifo").symlink_to(tmp_path / "fifo")
    with pytest.raises(MixphaseInputError, match="FIFO"), atomic_write(tmp_path / "to_fifo"):
        pass


def test_new_files_get_the_umask_mode_and_failures_leave_nothing(tmp_path):
    path = tmp_path / "sub" / "a.txt"
    with atomic_write(path) as fh:
        fh.write("a")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    for exc in (RuntimeError, KeyboardInterrupt):
        with pytest.raises(exc), atomic_write(path) as fh:
            fh.write("half")
            raise exc()
    assert path.read_text() == "a" and _temps(path.parent) == []
    with pytest.raises(RuntimeError), atomic_write(tmp_path / "new" / "deep" / "b.txt"):
        raise RuntimeError
    assert not (tmp_path / "new").exists()  # folders made for a failed write are removed


def test_sigterm_removes_the_temporary_file(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        from mixphase.io import Terminated, atomic_write, signals_raise
        try:
            with signals_raise(), atomic_write({str(tmp_path / "out.csv")!r}) as fh:
                fh.write("partial")
                print("ready", flush=True)
                time.sleep(60)
        except Terminated as exc:
            sys.exit(128 + exc.signum)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    assert len(_temps(tmp_path)) == 1
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert _temps(tmp_path) == [] and not (tmp_path / "out.csv").exists()


def test_sigkill_leftovers_are_removed_by_the_next_write(tmp_path):
    script = textwrap.dedent(f"""
        import time
        from mixphase.io import atomic_write
        with atomic_write({str(tmp_path / "out.csv")!r}) as fh:
            print("ready", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.kill()
    proc.wait(timeout=30)
    stale = _temps(tmp_path)
    assert len(stale) == 1 and f"-{proc.pid}-" in stale[0]
    live = tmp_path / stale[0].replace(f"-{proc.pid}-", f"-{os.getppid()}-")  # a live process
    live.write_text("")
    other = tmp_path / "mine.tmp"  # not of mixphase's making
    other.write_text("")
    with atomic_write(tmp_path / "other.csv") as fh:
        fh.write("x")
    assert _temps(tmp_path) == sorted([live.name, other.name])


def test_output_set_commits_all_or_nothing(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "out" / "b.png"
    with pytest.raises(RuntimeError), output_set((a, "--out"), (b, "--plot")):
        with atomic_write(a) as fh:
            fh.write("rows")
        assert not a.exists()  # staged, not yet in place
        raise RuntimeError("the plot failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no file, no temp, no folder
    with output_set((a, "--out"), (b, "--plot")):
        with atomic_write(a) as fh:
            fh.write("rows")
        with atomic_write(b, "wb") as fh:
            fh.write(b"png")
    assert a.read_text() == "rows" and b.read_bytes() == b"png"
    assert _temps(tmp_path) == [] and _temps(b.parent) == []


def test_output_set_checks_every_target_before_the_work(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    ran = []
    with pytest.raises(MixphaseInputError, match="--plot"):
        with output_set((tmp_path / "a.csv", "--out"), (tmp_path / "fifo", "--plot")):
            ran.append(True)
    assert not ran and sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]
    with pytest.raises(MixphaseInputError, match=r"/proc/x\.png"):
        with output_set((tmp_path / "a.csv", "--out"), (Path("/proc/x.png"), "--plot")):
            ran.append(True)
    assert not ran and sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_prepare_folder(tmp_path):
    assert prepare_folder(tmp_path / "x" / "y").is_dir()
    (tmp_path / "f").write_text("")
    with pytest.raises(MixphaseInputError, match="not a folder"):
        prepare_folder(tmp_path / "f", "--out")
    with pytest.raises(MixphaseInputError, match="--out"):
        prepare_folder(tmp_path / "f" / "sub", "--out")
