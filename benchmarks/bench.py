"""Time migrator against LibCST's and Bowler's own runners, ruff and grep on synthetic trees.

    python benchmarks/bench.py --files 10000 --affected 0.05 [--slow-files 2000] [--reps 3]

Generates (once, deterministically, under --work) a tree of --files files and a smaller tree of
--slow-files files for the tools too slow to run on the big one, both committed to git. Then,
interleaved in one run, --reps times: grep -rl (the floor), ruff check --select TID251 with the
spec's banned paths, migrator scan cold (cache removed) then warm, and migrator run --dry-run of
one rename; on the small tree also LibCST's RenameCommand and Bowler's rename of the same name.
Tools that parse run --expensive-reps times. Prints medians, ratios and peak memory as a
Markdown table and writes every sample to <work>/results-<files>-<affected>.json. migrator
runs from a snapshot of HEAD (`git archive`): the code measured is a commit, not a work tree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import RENAME_NEW, RENAME_OLD, commit, generate  # noqa: E402

BIN = Path(sys.executable).parent
RENAME_SPEC = f"""[migration]
name = "bench-one-rename"
include = ["**/*.py"]

[[rename]]
old = "{RENAME_OLD}"
new = "{RENAME_NEW}"
"""


EXPENSIVE = ("LibCST", "Bowler", "migrator run")  # LibCST parses every candidate in these


@dataclass
class Tool:
    name: str
    argv: list[str]
    cwd: Path | None = None
    before: list[Path] = field(default_factory=list)  # removed before each run (cold caches)


def snapshot(work: Path) -> Path:
    """The committed code of migrator, unpacked where edits to the work tree cannot reach."""
    target = work / "src"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD", "codemods", "migrator"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tempfile.TemporaryFile() as handle:
        handle.write(archive)
        handle.seek(0)
        with tarfile.open(fileobj=handle) as tar:
            tar.extractall(target, filter="data")
    # As `pip install` leaves it: every module compiled once, so no measured run compiles
    # migrator's sources again (a run with PYTHONDONTWRITEBYTECODE set would, in every process).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target)], check=True)
    return target


def tree(work: Path, files: int, affected: float) -> Path:
    path = work / f"tree-{files}-{affected:g}"
    if not (path / ".git").is_dir():
        shutil.rmtree(path, ignore_errors=True)
        stats = generate(path, files, affected)
        commit(path)
        print(f"generated {path}: {stats}", file=sys.stderr)
    return path


def needles(src: Path) -> list[str]:
    """The prefilter's needles, for grep: the same question answered by the floor."""
    code = (
        "from codemods import CODEMODS; from migrator.spec import load_spec; "
        "from migrator.engine.runner import Job, minimal_needles; "
        "job = Job('.', load_spec(None).rules, tuple(CODEMODS)); "
        "print('\\n'.join(n.decode() for n in minimal_needles(job.needles)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=src,
        env=env(src),
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def env(src: Path) -> dict[str, str]:
    """The measured tools' environment: migrator's snapshot first on the path, its bytecode read
    (never written: `snapshot` compiled it) whatever the caller's PYTHONDONTWRITEBYTECODE says."""
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**inherited, "PYTHONPATH": str(src), "NO_COLOR": "1"}


def ruff_table(work: Path, src: Path, tree: Path) -> Path:
    """`work/ruff.toml`: ruff's banned-api table (TID251) that `migrator ruff-config` prints."""
    config = work / "ruff.toml"
    table = subprocess.run(
        [sys.executable, "-m", "migrator", "ruff-config", "--ruff-toml", str(tree)],
        cwd=work,
        env=env(src),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    config.write_text(table)
    return config


def setup(work: Path, src: Path, path: Path) -> tuple[Path, Path, Path]:
    """The rename spec, ruff's config with the spec's banned paths, LibCST's codemod config."""
    rename = work / "rename.toml"
    rename.write_text(RENAME_SPEC)
    ruff = ruff_table(work, src, work)
    libcst_dir = work / f"libcst-{path.name}"
    libcst_dir.mkdir(exist_ok=True)
    (libcst_dir / ".libcst.codemod.yaml").write_text(
        "generated_code_marker: '@generated'\nformatter: []\nblacklist_patterns: []\n"
        f"modules:\n- 'libcst.codemod.commands'\nrepo_root: '{path}'\n"
    )
    return rename, ruff, libcst_dir


def tools(path: Path, work: Path, src: Path, jobs: int, slow: bool) -> list[Tool]:
    rename, ruff_config, libcst_dir = setup(work, src, path)
    migrator = [sys.executable, "-m", "migrator"]
    scan = [*migrator, "scan", str(path), "--format", "json", "--jobs", str(jobs)]
    grep = ["grep", "-rlF", *(f"-e{n}" for n in needles(src)), "--include=*.py", str(path)]
    found = [
        Tool("grep -rl", grep),
        Tool(
            "ruff TID251",
            [str(BIN / "ruff"), "check", "--select", "TID251", "--no-cache", "--exit-zero",
             "--config", str(ruff_config), "--quiet", str(path)],
        ),
        Tool("migrator scan (cold)", scan, before=[path / ".git" / "migrator"]),
        Tool("migrator scan (warm)", scan),
        Tool(
            "migrator run --dry-run",
            [*migrator, "run", "--repo", str(path), "--spec", str(rename), "--rule", "imports",
             "--dry-run", "--no-cache", "--jobs", str(jobs)],
        ),
    ]  # fmt: skip
    if slow:
        found += [
            Tool(
                "LibCST RenameCommand",
                [sys.executable, "-m", "libcst.tool", "codemod", f"--jobs={jobs}",
                 "--unified-diff=3", "--hide-progress", "--no-format",
                 "rename.RenameCommand",
                 f"--old_name={RENAME_OLD}", f"--new_name={RENAME_NEW}", str(path)],
                cwd=libcst_dir,
            ),
            Tool(
                "Bowler rename",
                [sys.executable, str(ROOT / "benchmarks" / "bowler_rename.py"), str(path),
                 "ExecutionEngine", "UserExecutionEngine"],
            ),
        ]  # fmt: skip
    return found


def measure(tool: Tool, src: Path) -> dict[str, float]:
    """One timed run, from a directory outside the repository (`-m` puts the cwd first)."""
    for stale in tool.before:
        shutil.rmtree(stale, ignore_errors=True)
    wrapper = [sys.executable, str(ROOT / "benchmarks" / "measure.py")]
    wrapper += ["--cwd", str(tool.cwd or src.parent)]
    out = subprocess.run(
        [*wrapper, "--", *tool.argv], env=env(src), capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarise(samples: dict[str, list[dict]]) -> list[dict]:
    rows = []
    for key, runs in samples.items():
        walls = [r["wall"] for r in runs]
        rows.append(
            {
                "key": key,
                "runs": len(runs),
                "median": statistics.median(walls),
                "min": min(walls),
                "max": max(walls),
                "peak_mb": statistics.median(r["peak_mb"] for r in runs),
                "codes": sorted({r["code"] for r in runs}),
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    by_tree: dict[str, dict[str, dict]] = {}
    for row in rows:
        tree_name, _, tool = row["key"].partition(" | ")
        by_tree.setdefault(tree_name, {})[tool] = row
    lines = [
        "| tree | tool | runs | median s | min-max s | x ruff | x grep | peak MB | exit codes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for tree_name, tools_ in by_tree.items():
        ruff, grep = tools_.get("ruff TID251"), tools_.get("grep -rl")
        for tool, row in tools_.items():
            x_ruff = f"{row['median'] / ruff['median']:.1f}" if ruff else ""
            x_grep = f"{row['median'] / grep['median']:.1f}" if grep else ""
            lines.append(
                f"| {tree_name} | {tool} | {row['runs']} | {row['median']:.2f} | "
                f"{row['min']:.2f}-{row['max']:.2f} | {x_ruff} | {x_grep} | {row['peak_mb']:.0f} | "
                f"{', '.join(map(str, row['codes']))} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--affected", type=float, default=0.05)
    parser.add_argument("--slow-files", type=int, default=2000, help="0: skip LibCST and Bowler")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--expensive-reps",
        type=int,
        default=1,
        help="repetitions of the tools that parse with LibCST or lib2to3 (dry run, LibCST, Bowler)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", action="append", default=[], help="tool name prefix")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "migrator-bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    src = snapshot(args.work)
    plan: list[tuple[str, Tool, int]] = []
    trees = [(args.files, False)]
    if args.slow_files:
        trees.append((args.slow_files, True))
    for files, slow in trees:
        path = tree(args.work, files, args.affected)
        for tool in tools(path, args.work, src, args.jobs, slow):
            if args.only and not any(tool.name.startswith(p) for p in args.only):
                continue
            limit = args.expensive_reps if tool.name.startswith(EXPENSIVE) else 0
            plan.append((f"{files} files | {tool.name}", tool, limit))
    samples: dict[str, list[dict]] = {key: [] for key, _, _ in plan}
    for rep in range(args.reps):
        for key, tool, limit in plan:
            if limit and rep >= limit:
                continue
            result = measure(tool, src)
            samples[key].append(result)
            print(f"rep {rep + 1}: {key}: {result}", file=sys.stderr, flush=True)
    rows = summarise(samples)
    out = args.work / f"results-{args.files}-{args.affected:g}.json"
    out.write_text(json.dumps({"args": vars(args) | {"work": str(args.work)}, "rows": rows,
                               "samples": samples}, indent=1))  # fmt: skip
    print(table(rows))
    print(f"\nsamples: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
