"""Time migrator on the real backend it was written for: netra-systems/zen at bef25c1a.

    python benchmarks/real_backend.py MIRROR [--reps 3] [--jobs 2] [--work DIR]
        [--also-python PYTHON ...]

MIRROR is a local git repository holding that commit (a mirror of netra-systems/zen, or an
already-extracted tree whose HEAD is the backend). Its `.py` blobs are extracted with
`git ls-tree -r` and `git cat-file --batch` (blobs absent from a partial mirror are skipped),
committed in <work>/zen once, then, interleaved in one run, --reps times: ruff TID251 with the
table `migrator ruff-config` prints, a cold and a warm `scan`, `plan`, `run --dry-run` of every
rule and a second (warm) one, `run --no-commit` and a second run (and, for each
`--also-python`, a cold scan run by that interpreter). The first repetition also
checks the rewrite: every file that compiled still compiles, no file gains a ruff F821
undefined name, and the second run changes nothing. Prints the Markdown tables that
benchmarks/RESULTS.md records; exits 1 if a check fails. migrator runs from a snapshot of HEAD.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import Tool, measure, ruff_table, snapshot  # noqa: E402

COMMIT = "bef25c1a"
BIN = Path(sys.executable).parent


def git(cwd: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", *args], cwd=cwd, input=data, capture_output=True, check=True
    ).stdout


def resolve(mirror: Path, commit: str) -> str:
    """The commit's full sha, or the mirror's HEAD when it is an extracted tree of it."""
    for name in (f"{commit}^{{commit}}", "HEAD"):
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", name], cwd=mirror, capture_output=True
        )
        if done.returncode == 0:
            if name == "HEAD":
                print(f"{commit} is not in {mirror}: using its HEAD", file=sys.stderr)
            return done.stdout.decode().strip()
    raise SystemExit(f"{mirror}: not a git repository with {commit} or a HEAD")


def extract(mirror: Path, commit: str, tree: Path) -> dict[str, int]:
    """Write the commit's `.py` blobs under `tree` and commit them; skip absent blobs."""
    sha = resolve(mirror, commit)
    marker = tree / ".git" / "bench-source"
    if marker.is_file() and marker.read_text() == sha:
        return json.loads((tree / ".git" / "bench-stats").read_text())
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    listing = git(mirror, "ls-tree", "-r", "-z", "--full-tree", sha).split(b"\0")
    blobs: list[tuple[str, str]] = []
    for entry in filter(None, listing):
        meta, _, path = entry.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        if kind == "blob" and mode != "120000" and path.endswith(b".py"):
            blobs.append((blob, path.decode("utf-8", "surrogateescape")))
    stats = {"listed": len(blobs), "written": 0, "absent": 0, "bytes": 0}
    request = "".join(f"{blob}\n" for blob, _ in blobs).encode()
    out = subprocess.run(
        ["git", "cat-file", "--batch"], cwd=mirror, input=request, capture_output=True, check=True
    ).stdout
    offset = 0
    for _, path in blobs:
        end = out.index(b"\n", offset)
        header = out[offset:end].split()
        offset = end + 1
        if header[1] != b"blob":  # "<sha> missing": not fetched into a partial mirror
            stats["absent"] += 1
            continue
        size = int(header[2])
        target = tree / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out[offset : offset + size])
        offset += size + 1
        stats["written"] += 1
        stats["bytes"] += size
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    ident = ["-c", "user.name=bench", "-c", "user.email=bench@invalid"]
    git(tree, *ident, "commit", "-q", "--no-verify", "-m", f"netra-systems/zen {sha[:8]}")
    marker.write_text(sha)
    (tree / ".git" / "bench-stats").write_text(json.dumps(stats))
    return stats


def tools(work: Path, src: Path, tree: Path, jobs: int, others: tuple[str, ...] = ()) -> list[Tool]:
    """The measured commands; `others`: more Pythons, each timing a cold scan too."""
    migrator = [sys.executable, "-m", "migrator"]
    ruff = [str(BIN / "ruff"), "check", "--select", "TID251", "--no-cache", "--exit-zero",
            "--config", str(ruff_table(work, src, tree)), "--quiet", str(tree)]  # fmt: skip
    scan = [*migrator, "scan", str(tree), "--format", "json", "--jobs", str(jobs)]
    run = [*migrator, "run", "--repo", str(tree), "--jobs", str(jobs)]
    cache = tree / ".git" / "migrator"
    also = [
        Tool(f"scan (cold, {python_label(python)})", [python, *scan[1:]], before=[cache])
        for python in others
    ]
    return [
        Tool("ruff TID251", ruff),
        *also,  # before the cold scan: each empties the cache the warm scan reads
        Tool("scan (cold)", scan, before=[cache]),
        Tool("scan (warm)", scan),
        Tool("plan", [*migrator, "plan", str(tree), "--jobs", str(jobs)]),
        Tool("run --dry-run", [*run, "--dry-run"]),
        Tool("run --dry-run (warm)", [*run, "--dry-run"]),
        Tool("run --no-commit", [*run, "--no-commit"]),
        Tool("second run --no-commit", [*run, "--no-commit"]),
    ]


def python_label(python: str) -> str:
    """`path version` of another interpreter, as the table names its rows."""
    version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{python} {version}"


def changed_files(tree: Path) -> list[str]:
    out = git(tree, "diff", "--name-only", "-z", "HEAD").decode("utf-8", "surrogateescape")
    return sorted(filter(None, out.split("\0")))


def compiles(source: bytes, path: str) -> bool:
    try:
        compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def undefined_names(root: Path, paths: list[str]) -> dict[str, set[str]]:
    """ruff's F821 messages per file."""
    if not paths:
        return {}
    out = subprocess.run(
        [str(BIN / "ruff"), "check", "--isolated", "--select", "F821", "--no-cache",
         "--exit-zero", "--output-format", "json", *paths],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found: dict[str, set[str]] = {}
    for item in json.loads(out):
        path = os.path.relpath(item["filename"], root)
        found.setdefault(path, set()).add(item["message"])
    return found


def check_rewrite(tree: Path, work: Path) -> list[str]:
    """Problems in the rewrite now in the work tree: compile, F821, empty diff of a rerun."""
    problems: list[str] = []
    paths = changed_files(tree)
    before = work / "before"
    shutil.rmtree(before, ignore_errors=True)
    for path in paths:
        old = git(tree, "show", f"HEAD:{path}")
        (before / path).parent.mkdir(parents=True, exist_ok=True)
        (before / path).write_bytes(old)
        if compiles(old, path) and not compiles((tree / path).read_bytes(), path):
            problems.append(f"{path}: compiled before the run, does not now")
    old_names, new_names = undefined_names(before, paths), undefined_names(tree, paths)
    for path in paths:
        gained = new_names.get(path, set()) - old_names.get(path, set())
        problems += [f"{path}: gains ruff {message}" for message in sorted(gained)]
    print(f"checked {len(paths)} rewritten files", file=sys.stderr)
    return problems


def reset(tree: Path) -> None:
    git(tree, "checkout", "-q", "--", ".")
    git(tree, "clean", "-fdq")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirror", type=Path)
    parser.add_argument("--commit", default=COMMIT)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "migrator-bench-real"
    )
    parser.add_argument(
        "--also-python",
        action="append",
        default=[],
        metavar="PYTHON",
        help="another interpreter (with migrator's dependencies) whose cold scan is timed too",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    tree = args.work / "zen"
    stats = extract(args.mirror.resolve(), args.commit, tree)
    print(f"backend: {stats}", file=sys.stderr)
    src = snapshot(args.work)
    plan = tools(args.work, src, tree, args.jobs, tuple(args.also_python))
    samples: dict[str, list[dict]] = {tool.name: [] for tool in plan}
    problems: list[str] = []
    first = b""
    for rep in range(args.reps):
        reset(tree)
        for tool in plan:
            result = measure(tool, src)
            samples[tool.name].append(result)
            print(f"rep {rep + 1}: {tool.name}: {result}", file=sys.stderr, flush=True)
            if tool.name == "run --no-commit":
                first = git(tree, "diff", "HEAD")
                if rep == 0:
                    problems += check_rewrite(tree, args.work)
            elif tool.name == "second run --no-commit" and git(tree, "diff", "HEAD") != first:
                problems.append(f"rep {rep + 1}: the second run changed files")
        files = len(changed_files(tree))
    reset(tree)
    print(report(samples, stats, files, problems))
    out = args.work / "results.json"
    record = {"args": {k: str(v) for k, v in vars(args).items()}, "stats": stats}
    record |= {"samples": samples, "problems": problems}
    out.write_text(json.dumps(record, indent=1))
    print(f"\nsamples: {out}", file=sys.stderr)
    sys.exit(1 if problems else 0)


def report(samples: dict[str, list[dict]], stats: dict, files: int, problems: list[str]) -> str:
    medians = {name: statistics.median(r["wall"] for r in runs) for name, runs in samples.items()}
    cpus = {
        name: statistics.median(r["cpu"] for r in runs)
        for name, runs in samples.items()
        if all("cpu" in r for r in runs)
    }
    lines = [
        f"{stats['written']} files ({stats['bytes'] / 1e6:.0f} MB; {stats['absent']} absent "
        f"blobs skipped), {files} rewritten by `run --no-commit`.",
        "",
        "| command | runs | median s | min-max s | CPU s | peak MB | exit codes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, runs in samples.items():
        walls = [r["wall"] for r in runs]
        peak = max(r["peak_mb"] for r in runs)
        codes = ",".join(str(c) for c in sorted({r["code"] for r in runs}))
        lines.append(
            f"| {name} | {len(runs)} | {medians[name]:.2f} | {min(walls):.2f}-{max(walls):.2f} "
            f"| {cpus[name]:.1f} | {peak:.0f} | {codes} |"
            if name in cpus
            else f"| {name} | {len(runs)} | {medians[name]:.2f} | "
            f"{min(walls):.2f}-{max(walls):.2f} | - | {peak:.0f} | {codes} |"
        )
    ratios = [
        ("run --dry-run / cold scan", "run --dry-run", "scan (cold)", 3.0),
        ("plan / cold scan", "plan", "scan (cold)", 3.0),
        ("warm dry run / warm scan", "run --dry-run (warm)", "scan (warm)", 1.5),
        ("cold scan / ruff TID251", "scan (cold)", "ruff TID251", 3.0),
    ]
    ratios += [
        (f"{name} / ruff TID251", name, "ruff TID251", 3.0)
        for name in samples
        if name.startswith("scan (cold, ")
    ]
    lines += ["", "| ratio | wall | CPU | target | verdict (wall) |", "|---|---:|---:|---:|---|"]
    for label, top, bottom, target in ratios:
        ratio = medians[top] / medians[bottom]
        cpu = f"{cpus[top] / cpus[bottom]:.2f}x" if top in cpus and bottom in cpus else "-"
        verdict = "met" if ratio <= target else "missed"
        lines.append(f"| {label} | {ratio:.2f}x | {cpu} | {target:g}x | {verdict} |")
    peak = max(r["peak_mb"] for runs in samples.values() for r in runs)
    verdict = "met" if peak <= 300 else "missed"
    lines.append(f"| peak memory (any process) | {peak:.0f} MB | - | 300 MB | {verdict} |")
    passed = (
        "every file that compiled still compiles, no file gains an F821 undefined name, "
        "the second run changes nothing."
    )
    lines += ["", "Checks: " + ("; ".join(problems) if problems else passed)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
