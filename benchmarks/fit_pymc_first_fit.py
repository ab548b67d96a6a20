"""First PyMC fit in a fresh process (import + numba compile + sampling), then a second fit
reusing the compiled model: `python benchmarks/fit_pymc_first_fit.py` (issue 21's first-fit goal,
<= 30 s on 2 cores). Run it twice: the first run after an install also fills the disk caches."""

import time

T0 = time.perf_counter()


def main() -> None:
    import numpy as np

    from mixphase.fit import fit_breakpoints

    rng = np.random.default_rng(0)
    x = np.logspace(0, 4, 40)
    lx = np.log(x)
    ly = 1 - 0.8 * lx + 0.7 * np.maximum(lx - np.log(30), 0)
    ly += -0.6 * np.maximum(lx - np.log(1000), 0) + 0.05 * rng.standard_normal(40)
    first = fit_breakpoints(x, np.exp(ly), 2, engine="pymc", sampler="nutpie", seed=0)
    t1 = time.perf_counter()
    fit_breakpoints(x, np.exp(ly + 0.01), 2, engine="pymc", sampler="nutpie", seed=1)
    t2 = time.perf_counter()
    print("| first fit s (import + compile + sample) | compile s | next fit s |")
    print("|---|---|---|")
    print(f"| {t1 - T0:.1f} | {first.timing['compile_seconds']:.1f} | {t2 - t1:.2f} |")


if __name__ == "__main__":
    main()
