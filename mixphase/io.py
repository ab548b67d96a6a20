"""Safe file writing: regular files only, atomic, all-or-nothing across a command's outputs.

What a write does (:func:`atomic_write`, :func:`atomic_path`, :func:`save_figure`):

- **Regular files only.** A target that exists as a folder, device, FIFO or socket is refused
  with a :class:`~mixphase.errors.MixphaseInputError` (one line, exit 2 in the CLI) and left as
  it is: ``-o /dev/null`` is an error, never a CSV file in place of the device.
- **Symbolic links are written through.** A target that is a link (or lies under one) is
  resolved (``os.path.realpath``); the file it points to is replaced atomically and the link stays
  a link. The resolved file must itself be a regular file or not exist yet.
- **Atomic.** Bytes go to a temporary file in the target's folder, are flushed and fsync'ed, then
  renamed over the target: a reader sees the old file or the new one, never half a file. An
  existing target keeps its permission bits; a new one gets ``0666 & ~umask``.
- **Temporary files never outlive their writer.** They are deleted on every exception
  (``KeyboardInterrupt`` included), at interpreter exit, and on SIGTERM/SIGHUP once
  :func:`signals_raise` has turned those signals into exceptions (the CLI does this).
  SIGKILL cannot be caught: temporary names are ``.NAME.mixphase-HOST-PID-XXXX.tmp`` (HOST a short
  hash of the host name), and the next write into that folder deletes those of this host whose
  process no longer exists.

All or nothing (:func:`output_set`): inside ``with output_set(...)`` every write is *staged*: the
temporary file is kept and the rename waits until the block ends without an exception; then all
staged files are renamed into place together (each target re-checked first). If the block fails,
nothing is renamed: temporary files and folders the set created are removed. ``output_set`` takes
the command's output paths up front and checks them before any work (type of the target, that its
folder exists or can be made, that a file can be created there), so a bad ``--plot`` path fails
before a long simulation, and a simulation whose plot then fails leaves no CSV behind.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import errno
import hashlib
import os
import re
import signal
import socket
import stat
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from mixphase.errors import MixphaseInputError

# Figure formats matplotlib writes without extra packages (the suffix chooses the format).
FIGURE_FORMATS = ("png", "pdf", "svg", "svgz", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp")

_HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
_TMP_RE = re.compile(r"^\..+\.mixphase-([0-9a-f]{6})-(\d+)-[A-Za-z0-9_]+\.tmp$")
_LIVE: set[str] = set()  # temporary files of this process not yet renamed or removed
_LIVE_LOCK = threading.Lock()
_ACTIVE: contextvars.ContextVar[OutputSet | None] = contextvars.ContextVar("_ACTIVE", default=None)


# --- checks -----------------------------------------------------------------------------------


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket")):  # fmt: skip
        if test(mode):
            return name
    return "not a regular file"


def resolve_target(path: str | os.PathLike[str], option: str | None = None) -> Path:
    """The file a write to ``path`` replaces: symlinks resolved; refused unless it is a regular
    file or does not exist yet. ``option`` (e.g. ``--plot``) prefixes the error message."""
    where = f"{option} {path}" if option else str(path)
    real = Path(os.path.realpath(os.fspath(path)))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise MixphaseInputError(f"cannot write {where}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise MixphaseInputError(
            f"cannot write {where}: it is {_kind(st.st_mode)}; mixphase writes only regular files"
        )
    return real


def check_figure_path(path: str | os.PathLike[str], option: str = "--plot") -> str:
    """The figure format named by ``path``'s suffix (refused when matplotlib cannot write it)."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        raise MixphaseInputError(
            f"{option} {path}: unsupported figure format {fmt or '(no suffix)'!r}; "
            f"use one of {', '.join(FIGURE_FORMATS)}"
        )
    return fmt


def _missing_parents(folder: Path) -> list[Path]:
    """Folders (deepest last) that must be created for ``folder`` to exist; checks the rest."""
    missing = []
    while not folder.exists():
        if folder.is_symlink():  # a dangling link to a folder: do not guess where it points
            raise MixphaseInputError(f"cannot create folder {folder}: it is a dangling link")
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    if not folder.is_dir():
        raise MixphaseInputError(f"cannot write under {folder}: it is not a folder")
    return missing[::-1]


# --- temporary files --------------------------------------------------------------------------


def _new_temp(real: Path) -> Path:
    """Create (exclusively) an empty temporary file beside ``real``; register it for cleanup."""
    import secrets

    _clean_stale(real.parent)
    for _ in range(100):
        tmp = (
            real.parent / f".{real.name}.mixphase-{_HOST}-{os.getpid()}-{secrets.token_hex(4)}.tmp"
        )
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        with _LIVE_LOCK:
            _LIVE.add(str(tmp))
        return tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(real))


def _drop_temp(tmp: Path | str) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(str(tmp))
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def _clean_stale(folder: Path) -> None:
    """Delete this host's ``.NAME.mixphase-HOST-PID-*.tmp`` files whose process is gone."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = _TMP_RE.match(name)
        if not m or m.group(1) != _HOST or int(m.group(2)) == os.getpid():
            continue
        if not _alive(int(m.group(2))):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _cleanup_all() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
        _LIVE.clear()
    for tmp in live:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


atexit.register(_cleanup_all)


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM/SIGHUP inside :func:`signals_raise`."""

    def __init__(self, signum: int):
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` in the main thread (when
    their handler is the default), so every ``finally``/``except`` on the way out runs and
    removes its temporary files; the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated(signum)

    previous = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# --- writes -----------------------------------------------------------------------------------


def _final_mode(real: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _commit_one(tmp: Path, real: Path) -> None:
    resolve_target(real)  # the target may have changed since the check
    os.chmod(tmp, _final_mode(real))
    os.replace(tmp, real)
    with _LIVE_LOCK:
        _LIVE.discard(str(tmp))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], option: str | None = None) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to (by name, e.g. a netCDF writer);
    renamed into place when the block ends without an exception (or when the enclosing
    :func:`output_set` commits), removed otherwise."""
    staged = _ACTIVE.get()
    if staged is not None:
        yield staged.temp_for(path, option)
        return
    real = resolve_target(path, option)
    made = _make_parents(real.parent)
    tmp = None
    try:
        try:
            tmp = _new_temp(real)
        except OSError as exc:
            where = f"{option} {path}" if option else str(path)
            raise MixphaseInputError(f"cannot write {where}: {exc.strerror or exc}") from None
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        _commit_one(tmp, real)
    except BaseException:
        if tmp is not None:
            _drop_temp(tmp)
        _remove_empty(made)
        raise


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it to ``path``, else delete it.

    An interrupted or failing writer never leaves half a file at ``path`` (see the module
    docstring for what is refused and how links are treated)."""
    with atomic_path(path) as tmp, open(tmp, mode) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def save_figure(fig, path: str | os.PathLike[str], **savefig_kw) -> Path:
    """Save a matplotlib figure atomically, in the format its suffix names."""
    fmt = check_figure_path(path)
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format=fmt, **savefig_kw)
    return Path(path)


def _make_parents(folder: Path) -> list[Path]:
    made = []
    for d in _missing_parents(folder):
        try:
            d.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            _remove_empty(made)
            raise MixphaseInputError(f"cannot create folder {d}: {exc.strerror}") from None
        made.append(d)
    return made


def _remove_empty(folders: Iterable[Path]) -> None:
    for d in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            d.rmdir()


# --- all or nothing ---------------------------------------------------------------------------


class OutputSet:
    """The files one command writes, staged and then committed together (or not at all)."""

    def __init__(self) -> None:
        self._staged: dict[Path, Path] = {}  # resolved target -> temporary file
        self._made: list[Path] = []  # folders created for the targets (removed on rollback)

    def add(self, path: str | os.PathLike[str] | None, option: str | None = None) -> None:
        """Check ``path`` as an output now and reserve its temporary file (None: nothing)."""
        if path is not None:
            self.temp_for(path, option)

    def temp_for(self, path: str | os.PathLike[str], option: str | None = None) -> Path:
        real = resolve_target(path, option)
        if real in self._staged:
            return self._staged[real]
        where = f"{option} {path}" if option else str(path)
        self._made += _make_parents_checked(real.parent, where)
        try:
            tmp = _new_temp(real)
        except OSError as exc:
            raise MixphaseInputError(f"cannot write {where}: {exc.strerror or exc}") from None
        self._staged[real] = tmp
        return tmp

    def commit(self) -> None:
        """Rename every staged file into place, after re-checking all targets (a rename can then
        fail only through a concurrent change of the folder)."""
        try:
            for real, tmp in self._staged.items():
                resolve_target(real)
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
            for real, tmp in self._staged.items():
                _commit_one(tmp, real)
        except BaseException:
            self.rollback()
            raise
        self._staged.clear()
        self._made.clear()

    def rollback(self) -> None:
        for tmp in self._staged.values():
            _drop_temp(tmp)
        self._staged.clear()
        _remove_empty(self._made)
        self._made.clear()


def _make_parents_checked(folder: Path, where: str) -> list[Path]:
    try:
        return _make_parents(folder)
    except MixphaseInputError as exc:
        raise MixphaseInputError(f"{where}: {exc}") from None


@contextlib.contextmanager
def output_set(*outputs: tuple[str | os.PathLike[str] | None, str | None]) -> Iterator[OutputSet]:
    """Stage every write inside the block; commit them all at its end, or none on an error.

    ``outputs``: ``(path, option)`` pairs checked before the block runs (``path`` None: not
    given). Nested sets join the outer one."""
    outer = _ACTIVE.get()
    if outer is not None:
        for path, option in outputs:
            outer.add(path, option)
        yield outer
        return
    outs = OutputSet()
    token = _ACTIVE.set(outs)
    try:
        for path, option in outputs:
            outs.add(path, option)
        yield outs
    except BaseException:
        _ACTIVE.reset(token)
        outs.rollback()
        raise
    _ACTIVE.reset(token)
    outs.commit()


def prepare_folder(folder: str | os.PathLike[str], option: str | None = None) -> Path:
    """Make sure files can be written in ``folder``: create it (and its parents) and create and
    delete a temporary file there. Refused if it exists and is not a folder."""
    where = f"{option} {folder}" if option else str(folder)
    real = Path(os.path.realpath(os.fspath(folder)))
    if real.exists() and not real.is_dir():
        raise MixphaseInputError(f"cannot write into {where}: it is not a folder")
    _make_parents_checked(real, where)
    try:
        _drop_temp(_new_temp(real / ".probe"))
    except OSError as exc:
        raise MixphaseInputError(f"cannot write into {where}: {exc.strerror or exc}") from None
    return real


@contextlib.contextmanager
def new_folder_guard(folder: str | os.PathLike[str] | None) -> Iterator[None]:
    """Remove ``folder`` (and parents the block created) if the block fails and leaves it empty:
    a command that stops with an error leaves no new empty output folder behind."""
    if folder is None:
        yield
        return
    try:
        missing = _missing_parents(Path(os.path.abspath(os.fspath(folder))))
    except MixphaseInputError:
        missing = []  # the command reports the bad folder itself
    try:
        yield
    except BaseException:
        _remove_empty(missing)
        raise


def append_line_atomic(path: str | os.PathLike[str], line: str) -> None:
    """Append one complete line to ``path`` with a single ``write`` (no partial lines)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (line.rstrip("\n") + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
