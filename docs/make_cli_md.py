"""Write docs/cli.md from the real commands: every command's help and examples with the output
they print. Run it after changing a command (``python docs/make_cli_md.py``); the tests check
that each example in docs/cli.md still runs and that every command has one.

Each group's examples run in order in a fresh temporary folder (so one may read what an earlier
one wrote). An example marked ``tested=False`` is too slow for the test suite; the generator
still runs it and the doc says it is not run by the tests.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI_MD = ROOT / "docs" / "cli.md"
MAX_LINES = 45
MAX_CHARS = 2500


@dataclass(frozen=True)
class Example:
    command: str  # path of the command it documents, e.g. "predict critical-ratio"
    line: str  # the shell line, starting with `mixphase` or `python`
    tested: bool = True
    note: str = ""


EXAMPLES: list[Example] = [
    # -- predict: closed forms, instant
    Example("predict", "mixphase predict",
            note="Critical mixing ratios for Pythia-like sizes on the defaults."),
    Example("predict critical-ratio", "mixphase predict critical-ratio -n 70e6 -n 410e6 -n 1.4e9"),
    Example("predict critical-ratio",
            "mixphase predict critical-ratio -n 70e6 -n 410e6 --training-tokens 32e9 "
            "--critical-ratio 0.3 --anchor-size 70e6",
            note="At the paper's 32B training tokens, calibrated on one measured transition (70M: "
                 "50% accuracy at r = 0.3); `--calibrate FILE` takes whole sweeps."),
    Example("predict critical-size", "mixphase predict critical-size -r 0.01 -r 0.1"),
    Example("predict threshold-popularity",
            "mixphase predict threshold-popularity -n 160e6 -n 1e9 --ratio 0.01"),
    Example("predict breakpoints", "mixphase predict breakpoints --beta 2 --pi 0.1 --cutoff 100"),
    Example("predict breakpoints", "mixphase predict breakpoints --beta 2 --pi 0.1 --top-p 0.99 --json",
            note="Every command takes `--json` for one machine-readable JSON object."),
    # -- simulate
    Example("simulate mixture-curve",
            "mixphase simulate mixture-curve --beta 2 --pi 0.1 --cutoff 100 --n-items 20000 "
            "--repetitions 5 --n-sizes 12 -o curves.csv",
            note="Writes curves.csv (x, y, curve) and the ground truth curves.csv.truth.json."),
    Example("simulate phase-diagram",
            "mixphase simulate phase-diagram --n-sizes 5 --n-ratios 5 --verify-cvxpy 0"),
    Example("simulate popularity", "mixphase simulate popularity -n 1e7 -n 1e8 --group-size 20"),
    # -- fit: each input is made by an earlier line in the same folder
    Example("fit breakpoints",
            "mixphase simulate mixture-curve --beta 2 --pi 0.1 --cutoff 100 --n-items 20000 "
            "--repetitions 10 --n-sizes 24 --decades 1.5 --aggregate mean -o curve.csv",
            note="Input: a simulated three-phase curve (the Monte Carlo mean), columns x, y."),
    Example("fit breakpoints", "mixphase fit breakpoints curve.csv",
            note="Compare with `mixphase predict breakpoints --beta 2 --pi 0.1 --cutoff 100 "
                 "--n-items 20000`."),
    Example("fit transition",
            "mixphase simulate phase-diagram -n 70e6 -n 410e6 --n-ratios 30 --n-eval 500 "
            "--verify-cvxpy 0 -o diagram.csv",
            note="Input: memorised fraction vs ratio for two model sizes, measured on 500 "
                 "random facts each (column curve names the size)."),
    Example("fit transition", "mixphase fit transition diagram.csv"),
    Example("fit power-law", "mixphase figures --quick --only 4 --out figs",
            note="Input: figure 4's threshold popularities (Algorithm 1 on simulated answers)."),
    Example("fit power-law",
            "mixphase fit power-law figs/fig4_threshold_popularity.csv --x-col model_size "
            "--y-col measured_threshold --predicted-exponent -1.283"),
    Example("fit swarm", "python docs/input_examples.py demo",
            note="Input: the example files of docs/inputs.md, among them an olmix-style swarm "
                 "(ratios.csv, metrics.csv) with a threshold planted at knowledge weight 0.1."),
    Example("fit swarm", "mixphase fit swarm demo/ratios.csv demo/metrics.csv"),
    # -- validate
    Example("validate presets", "mixphase validate presets"),
    Example("validate run", "mixphase validate run --preset tiny --ratio 0.08 --steps 50 -o run1",
            tested=False, note="Trains one tiny GPT on the CPU (about a minute)."),
    Example("validate sweep",
            "mixphase validate sweep --preset tiny --steps 50 -r 0.02 -r 0.16 --size 0 "
            "--no-web-only -o sweep",
            tested=False,
            note="A 2-run sweep (minutes on a CPU); real sweeps use the presets' full grids, "
                 "on a GPU for `small`/`base`."),
    Example("validate sweep",
            "mixphase validate sweep --preset tiny --steps 50 -r 0.16 --size 0 --seeds 2 "
            "--no-web-only --backend submitit --submitit-cluster local -o sweep-submitit",
            tested=False,
            note="The same kind of sweep as one submitit array job: `--submitit-cluster local` "
                 "runs the tasks on this machine; on SLURM drop it and add `--slurm-partition`, "
                 "`--slurm-time`, `--slurm-gpus-per-task`, `--max-parallel`. `--backend ray` "
                 "runs them on a Ray cluster (`RAY_ADDRESS`, else a local Ray)."),
    Example("validate report", "mixphase validate report sweep", tested=False,
            note="Re-makes the comparison from the sweep above."),
    Example("validate reproduce", "mixphase validate reproduce --quick --steps 40 --out repro --jobs 2",
            tested=False,
            note="A 40-step smoke run, to show the output: nothing is learned in 40 steps, so the "
                 "claims are honestly `did not hold` or `not tested`. The real `--quick` run "
                 "(default steps, ~14 min on 2 cores) and a GPU run are in "
                 "`benchmarks/results/reproduce_quick_cpu/` and `reproduce_full_gpu/`."),
    # -- value
    Example("value score",
            "python -c \"from mixphase.value.tasks import load_task; from mixphase.value.data "
            "import save_npz; save_npz(load_task('longtail'), 'train.npz', 'test.npz')\"",
            note="Input: the built-in `longtail` task saved as .npz (your own data: .npz, .csv "
                 "or .parquet with label, contributor, is_synthetic and feature columns)."),
    Example("value score", "mixphase value score train.npz --test test.npz --marginal",
            note="The zero-anchor value (the memorising learner's test accuracy; no model is "
                 "trained), its 0-1 error terms and, with `--marginal`, each contributor's "
                 "marginal value in the pool. `--anchors 5` would refit the weights on 5 "
                 "retrained contributors."),
    Example("value benchmark", "mixphase value benchmark --task smallshards --quick", tested=False,
            note="Every method against the retrained stand-alone value on held-out contributors "
                 "(retrains a model per contributor; without `--quick` also the marginal value, "
                 "the retraining baselines and the removal curves)."),
    # -- advise
    Example("advise", "mixphase advise -n 70e6 -n 410e6 -r 0.05"),
    Example("advise",
            "mixphase advise -n 70e6 -r 0.05 --training-tokens 2e9 --export hf -o recipe.json "
            "--doc-tokens knowledge=120,web=900 --max-repetitions 4",
            note="Also writes recipe.json: HF datasets interleave_datasets probabilities (per "
                 "document) for the ratio that learns 90% of the set; warns on stderr when that "
                 "repeats the knowledge set more than 4 times. `--export mosaicml` / `olmix` "
                 "write Stream proportions / mix weights with repetition factors."),
    Example("advise real-share",
            "mixphase advise real-share --beta 2 --cutoff 100 --data-size 1e6 --n-items 100000"),
    # -- figures
    Example("figures", "mixphase figures --quick --only 3 --out figs"),
    Example("figures", "python -m mixphase.paper_figures.fig1_memorisation_vs_ratio --out figs --quick",
            note="Each figure also runs alone."),
    Example("figures", "mixphase figures --quick --out figs", tested=False,
            note="All six figures, quick versions (under 5 minutes on 2 CPU cores)."),
]  # fmt: skip


def argv(line: str) -> list[str]:
    """The argv that runs ``line`` with this interpreter (``mixphase`` -> the CLI entry point)."""
    words = shlex.split(line)
    if words[0] == "mixphase":
        return [sys.executable, "-c", "import sys; from mixphase.cli import main; "
                "main(sys.argv[1:])", *words[1:]]  # fmt: skip
    if words[0] == "python":  # a script of the repository (docs/...) runs from the repo root
        script = ROOT / words[1]
        return [sys.executable, *([str(script)] if script.is_file() else [words[1]]), *words[2:]]
    raise ValueError(f"example must start with mixphase or python: {line}")


def run(line: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg", COLUMNS="100", PYTHONWARNINGS="ignore")
    return subprocess.run(argv(line), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip


def command_tree() -> list[str]:
    """Every available command path: groups and their sub-commands (``"predict breakpoints"``)."""
    import click

    from mixphase.cli import cli

    ctx = click.Context(cli)
    paths = []
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        paths.append(name)
        if isinstance(cmd, click.Group):
            paths += [f"{name} {sub}" for sub in cmd.list_commands(ctx)]
    return paths


def group_of(path: str) -> str:
    return path.split()[0]


def _clip(text: str) -> str:
    text = text.rstrip()
    if len(text) > MAX_CHARS and text.count("\n") < 3:  # one long JSON line
        return text[:MAX_CHARS] + f" ... ({len(text) - MAX_CHARS} more characters)"
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        keep = MAX_LINES - 10
        lines = [*lines[:keep], f"... ({len(lines) - keep - 8} lines omitted)", *lines[-8:]]
    return "\n".join(lines)


def generate(verbose: bool = True) -> str:
    paths = command_tree()
    groups = [p for p in paths if " " not in p]
    out = [
        "# Command-line reference",
        "",
        "<!-- Generated by `python docs/make_cli_md.py` from the real commands: do not edit. -->",
        "",
        "Every command and sub-command with an example and the output it printed when this page "
        "was generated (`python docs/make_cli_md.py`). `tests/test_docs_cli.py` runs every "
        "example below in a fresh folder and checks that it exits with status 0, except those "
        "marked *not run by the tests* (they train models or draw every figure and take "
        "minutes). Add `--json` to any command for one JSON object instead of the table, and "
        "`--help` for all options.",
        "",
        "Errors in the input (a ratio outside (0, 1), an unreadable file) print one line "
        "`mixphase: error: ...` on stderr and exit with status 2.",
        "",
        "Contents: " + ", ".join(f"[`mixphase {g}`](#mixphase-{g})" for g in groups),
        "",
    ]
    missing = [p for p in paths if not any(e.command == p for e in EXAMPLES)]
    missing = [p for p in missing if not _is_pure_group(p, paths)]
    if missing:
        print("WARNING: commands without an example: " + ", ".join(missing), file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="mixphase-cli-md-") as tmp:
        for g in groups:
            cwd = Path(tmp) / g
            cwd.mkdir()
            out += [f"## mixphase {g}", ""]
            out += _help_block(f"mixphase {g} --help", cwd, summary=False)
            # run the group's examples in list order (a later one may read an earlier's files)
            blocks = {
                e: _example_block(e, cwd, verbose) for e in EXAMPLES if group_of(e.command) == g
            }
            for path in [p for p in paths if group_of(p) == g]:
                if " " in path:
                    out += [f"### mixphase {path}", ""]
                for e in [e for e in EXAMPLES if e.command == path]:
                    out += blocks[e]
                if " " in path:
                    out += _help_block(f"mixphase {path} --help", cwd, summary=True)
    return "\n".join(out).rstrip() + "\n"


def _is_pure_group(path: str, paths: list[str]) -> bool:
    """A group that only dispatches to sub-commands needs no example of its own."""
    if " " in path or not any(p.startswith(path + " ") for p in paths):
        return False
    return not any(e.command == path for e in EXAMPLES) and _group_needs_subcommand(path)


def _group_needs_subcommand(name: str) -> bool:
    import click

    from mixphase.cli import cli

    cmd = cli.get_command(click.Context(cli), name)
    return isinstance(cmd, click.Group) and not cmd.invoke_without_command


def _help_block(line: str, cwd: Path, summary: bool) -> list[str]:
    proc = run(line, cwd)
    body = ["```text", proc.stdout.rstrip(), "```", ""]
    if summary:
        return ["<details><summary>All options (<code>" + line + "</code>)</summary>", "", *body,
                "</details>", ""]  # fmt: skip
    return body


def _example_block(e: Example, cwd: Path, verbose: bool) -> list[str]:
    t0 = time.perf_counter()
    proc = run(e.line, cwd)
    secs = time.perf_counter() - t0
    if verbose:
        print(f"[{proc.returncode}] {secs:6.1f} s  {e.line}", file=sys.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"example failed ({proc.returncode}): {e.line}\n{proc.stderr}")
    lines = []
    if e.note:
        lines += [e.note, ""]
    if not e.tested:
        lines += [f"<!-- not-tested -->*Not run by the tests (took {secs:.0f} s here).*", ""]
    text = _clip(proc.stdout)
    lines += ["```console", f"$ {e.line}", *([text] if text else []), "```", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CLI_MD)
    args = parser.parse_args()
    text = generate()
    args.out.write_text(text)
    print(f"wrote {args.out} ({len(text.splitlines())} lines)", file=sys.stderr)


if __name__ == "__main__":
    main()
