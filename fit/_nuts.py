"""NUTS for the PyMC engine: the sampler choice, compiled models reused, convergence checks.

One PyMC model, three interchangeable NUTS implementations (same model, priors and posterior;
they differ only in speed):

- ``nutpie`` (extra ``mixphase[fast-nuts]``): Rust NUTS on a numba-compiled log density
  (Seyboldt et al., github.com/pymc-devs/nutpie); chains run in threads, one per core.
- ``numpyro`` (extra ``mixphase[numpyro]``): NumPyro's NUTS on a JAX-compiled log density,
  through ``pm.sample(nuts_sampler="numpyro")``.
- ``pymc``: PyMC's own NUTS (always installed).

The default is the first of :data:`SAMPLERS` that is installed; the order is the measured
speed (``benchmarks/fit_pymc.py``, BENCHMARKS.md): nutpie, then numpyro, then pymc.

All three adapt a mass matrix that captures the posterior's correlations (nutpie's low-rank
modified, PyMC's and NumPyro's dense), not only a diagonal: the intercept, slope and kink
coefficients of a breakpoint model are strongly correlated, and on a 40-point two-breakpoint
curve this cut the leapfrog steps per draw from ~40 to ~7 and raised ESS per second 5-12x for
every sampler (same posterior: it only changes the sampler's metric).

Compile once: a model is built with ``pm.Data`` containers for everything that varies between
fits of the same structure (data, prior scales, start values), so one :class:`Entry` per
structure ``key`` serves every curve: ``pm.set_data`` for PyMC/NumPyro, and for nutpie the
compiled log density is reused through ``compiled.with_data(...)`` (no recompilation). The
entries live for the process (an LRU of :data:`CACHE_SIZE`); across processes the compilers'
own disk caches (PyTensor's compiledir, numba's cache) shorten the first compile.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from mixphase.errors import MixphaseInputError

SAMPLERS = ("nutpie", "pymc", "numpyro")  # preference order: fastest first (measured)
EXTRAS = {"nutpie": ("nutpie", "fast-nuts"), "numpyro": ("numpyro", "numpyro")}
CACHE_SIZE = 16


def installed(sampler: str) -> bool:
    """Whether ``sampler``'s package is importable (without importing it)."""
    if sampler == "pymc":
        return True
    package = EXTRAS[sampler][0]
    return importlib.util.find_spec(package) is not None and (
        sampler != "numpyro" or importlib.util.find_spec("jax") is not None
    )


def default_sampler() -> str:
    """The fastest installed sampler (see :data:`SAMPLERS`)."""
    return next(s for s in SAMPLERS if installed(s))


def resolve_sampler(sampler: str | None) -> str:
    """``None``/``"auto"`` -> :func:`default_sampler`; a named sampler must be installed."""
    if sampler is None or sampler == "auto":
        return default_sampler()
    if sampler not in SAMPLERS:
        raise MixphaseInputError(f"sampler must be one of {', '.join(SAMPLERS)} or auto, got "
                                 f"{sampler!r}")  # fmt: skip
    if not installed(sampler):
        package, extra = EXTRAS[sampler]
        raise MixphaseInputError(f"sampler {sampler!r} needs the {package} package: "
                                 f"pip install 'mixphase[{extra}]'")  # fmt: skip
    return sampler


def import_pymc():
    """Import PyMC (and ArviZ) without import-time notices (BLAS advice, ArviZ refactor)."""
    from mixphase.fit._arviz import import_arviz

    import_arviz()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", FutureWarning)
        import pymc

    return pymc


@dataclass
class Entry:
    """A model of one structure, reused across fits: the PyMC model and nutpie's compilation."""

    model: Any
    compiled: Any = None  # nutpie CompiledPyMCModel, made on first use
    compile_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_CACHE: OrderedDict[Hashable, Entry] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def model_entry(key: Hashable, build: Callable[[], Any]) -> Entry:
    """The cached :class:`Entry` for ``key``, building the model with ``build()`` if new."""
    with _CACHE_LOCK:
        entry = _CACHE.get(key)
        if entry is None:
            entry = _CACHE[key] = Entry(build())
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        _CACHE.move_to_end(key)
        return entry


def clear_cache() -> None:
    """Forget every cached model (the next fit of each structure compiles again)."""
    with _CACHE_LOCK:
        _CACHE.clear()


@dataclass
class Run:
    """One sampler run: the trace and its timing (compile seconds are 0 when it was cached)."""

    trace: Any
    sampler: str
    compile_seconds: float
    sample_seconds: float


def sample(key: Hashable, build: Callable[[], Any], data: dict, *, sampler: str | None,
           seed: int, draws: int, tune: int, chains: int, target_accept: float,
           progress: bool = False) -> Run:  # fmt: skip
    """Sample the model of structure ``key`` on ``data`` (values of its ``pm.Data``).

    ``build()`` makes the model the first time ``key`` is seen. The trace is an ArviZ
    ``InferenceData`` with ``posterior`` and ``sample_stats`` (``diverging``). Seeded: the same
    seed gives the same draws with the same sampler (chains are independent streams).
    """
    sampler = resolve_sampler(sampler)
    pm = import_pymc()
    entry = model_entry(key, build)
    with entry.lock:
        with entry.model:
            pm.set_data(data)
        t0 = time.perf_counter()
        if sampler == "nutpie":
            trace, compile_s = _nutpie(entry, data, seed, draws, tune, chains, target_accept,
                                       progress)  # fmt: skip
        else:
            trace, compile_s = _pymc(pm, entry.model, sampler, seed, draws, tune, chains,
                                     target_accept, progress), 0.0  # fmt: skip
    total = time.perf_counter() - t0
    return Run(trace, sampler, compile_s, total - compile_s)


def _note(progress: bool, text: str) -> None:
    if progress:
        import sys

        print(f"mixphase: {text}", file=sys.stderr, flush=True)


def _nutpie(entry: Entry, data, seed, draws, tune, chains, target_accept, progress):
    import nutpie

    compile_s = 0.0
    if entry.compiled is None:
        _note(progress, "compiling the NUTS model with numba (once per model structure and "
                        "process; ~10-40 s)")  # fmt: skip
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            entry.compiled = nutpie.compile_pymc_model(entry.model)
        entry.compile_seconds = compile_s = time.perf_counter() - t0
    # start values are read by the initial-point function from the model's own containers
    # (set above); the log density reads its copy, replaced here without recompiling
    shared = entry.compiled.shared_data
    compiled = entry.compiled.with_data(**{k: v for k, v in data.items() if k in shared})
    cores = max(1, min(chains, os.cpu_count() or 1))
    trace = nutpie.sample(compiled, draws=draws, tune=tune, chains=chains, cores=cores,
                          seed=seed, target_accept=target_accept, progress_bar=progress,
                          save_warmup=False, low_rank_modified_mass_matrix=True)  # fmt: skip
    return trace, compile_s


def _pymc(pm, model, sampler, seed, draws, tune, chains, target_accept, progress):
    import logging

    kw = {"draws": draws, "tune": tune, "chains": chains, "random_seed": seed,
          "target_accept": target_accept, "compute_convergence_checks": False}  # fmt: skip
    log = logging.getLogger("pymc")
    level = log.level
    if not progress:  # PyMC's "Initializing NUTS ..." lines are progress too
        log.setLevel(logging.WARNING)
    bar = None
    try:
        with model, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")
            warnings.filterwarnings("ignore", message="QuadPotentialFullAdapt is an experimental")
            if sampler == "numpyro":
                nkw = {"chain_method": "sequential", "nuts_kwargs": {"dense_mass": True}}
                return pm.sample(nuts_sampler="numpyro", progressbar=progress, **kw,
                                 nuts_sampler_kwargs=nkw)  # fmt: skip
            bar = _pymc_bar(chains * (draws + tune), progress)
            return pm.sample(cores=1, progressbar=False, callback=bar and _ticker(bar),
                             init="jitter+adapt_full", **kw)  # fmt: skip
    finally:
        log.setLevel(level)
        if bar is not None:
            bar.close()


def _pymc_bar(total: int, progress: bool):
    """A shared progress bar for PyMC's own sampler (its rich bar would write to stdout)."""
    if not progress:
        return None
    from mixphase import progress as prog

    return prog.bar(total=total, desc="NUTS (pymc)", unit="draw")


def _ticker(bar):
    def tick(trace, draw) -> None:
        bar.update(1)

    return tick
