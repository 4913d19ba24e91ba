"""Run the built-in plan, every week, on the real backend, and check what issue 16 promises.

    python benchmarks/real_plan.py MIRROR [--jobs 2] [--work DIR]

MIRROR is as for `benchmarks/real_backend.py` (a git mirror of netra-systems/zen holding
bef25c1a, or an extracted tree whose HEAD is it). The `.py` tree is cloned into <work>/plan and
`migrator run BATCH` runs for each batch of the built-in spec in order, with its gates (the
built-in `compile-changed`: byte-compile and import the changed files). After each batch, every
file its commits changed is checked against the tree before the batch:

- no in-project import of the file stops resolving (module, then name);
- no top-level name the file bound before and not after is imported by another module;
- every import whose path changed still names the same object (`ModuleIndex.origin`): an
  `indirect-import` rewrite never lands on a module that defines its own object. The one
  exemption is a repoint an explicit per-name `[[rename]]` asks for (`asked_for`): its old path
  (or an import of the very object that path names) now imports its new path, a different
  object by design. Such repoints are counted in the table ("renamed by rule"). An import that
  did not resolve before the batch (its module or name missing) names no object: its repoint
  is listed as a note ("repaired"), not a problem;
- the commits' `Migration-Metrics-Before/After` trailers never show `token_validation_paths` or
  `di_violations` rising.

Prints one Markdown table (batch, exit code, seconds, commits, files changed, problems, repoints
a per-name rename asks for, repaired imports), each problem and each note; exits 1 if there is
a problem. `--check-only` re-checks the commits of an earlier run in <work>/plan (each batch's
range from its run record) without running anything.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.real_backend import COMMIT, extract, git  # noqa: E402
from codemods.core.rules import RenameRule  # noqa: E402
from codemods.core.values import FileContext  # noqa: E402
from migrator.engine.modules import ModuleIndex, parse_facts  # noqa: E402
from migrator.engine.withdraw import ModuleFacts  # noqa: E402
from migrator.spec import default_spec_text, parse_spec  # noqa: E402

NEVER_RISE = ("token_validation_paths", "di_violations")


def show(tree: Path, rev: str, path: str) -> bytes | None:
    done = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=tree, capture_output=True)
    return done.stdout if done.returncode == 0 else None


def parse(source: bytes | None) -> ast.Module | None:
    try:
        return ast.parse(source) if source is not None else None
    except (SyntaxError, ValueError):
        return None


def import_paths(tree: ast.Module, context: FileContext) -> dict[str, str]:
    """Module-level bound name -> the absolute path its import names."""
    paths: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = context.resolve("." * node.level + (node.module or ""))
            for alias in node.names:
                if alias.name != "*":
                    paths[alias.asname or alias.name] = f"{module}.{alias.name}"
    return paths


def importers_of(tree: Path, module: str, names: set[str]) -> dict[str, list[str]]:
    """Files of the repository that `from module import` one of `names`."""
    found: dict[str, list[str]] = {}
    needle = module.rpartition(".")[2].encode()
    for path in tree.rglob("*.py"):
        if ".git" in path.parts:
            continue
        source = path.read_bytes()
        if needle not in source:
            continue
        syntax = parse(source)
        if syntax is None:
            continue
        rel = path.relative_to(tree).as_posix()
        context = FileContext.from_path(rel)
        for node in ast.walk(syntax):
            if isinstance(node, ast.ImportFrom):
                target = context.resolve("." * node.level + (node.module or ""))
                if target == module:
                    for alias in node.names:
                        if alias.name in names:
                            found.setdefault(alias.name, []).append(rel)
    return found


def asked_for(
    renames: tuple[RenameRule, ...], before: ModuleIndex, old_path: str, new_path: str
) -> bool:
    """Does an explicit per-name rename ask for `old_path` -> `new_path`? Its `new` must be
    `new_path`, and its `old` must be `old_path` or name the same object as `old_path` did before
    (an import of it through a re-export). Whole-module renames never count: the names they move
    must stay the same object."""
    old_origin = before.origin(*old_path.rsplit(".", 1))
    for rule in renames:
        if rule.is_module or rule.new != new_path:
            continue
        if old_path == rule.old:
            return True
        rule_origin = before.origin(*rule.old.rsplit(".", 1))
        if old_origin is not None and old_origin == rule_origin:
            return True
    return False


@dataclass
class Checked:
    """What one batch's commits did, by the promises of issue 16."""

    problems: list[str] = field(default_factory=list)
    renamed: int = 0  # repoints an explicit per-name rename asked for
    repaired: list[str] = field(default_factory=list)  # imports that did not resolve before


def check_batch(tree: Path, base: str, renames: tuple[RenameRule, ...] = ()) -> Checked:
    """What the commits from `base` to HEAD (checked out) broke, by the promises of issue 16."""
    checked = Checked()
    problems = checked.problems
    changed = git(tree, "diff", "--name-only", base, "HEAD").decode().split()
    before = ModuleIndex(tree, read=lambda path: show(tree, base, path))
    after = ModuleIndex(tree)
    old_facts, new_facts = ModuleFacts(tree), ModuleFacts(tree)
    old_facts.index, new_facts.index = before, after
    for path in changed:
        context = FileContext.from_path(path)
        old_source, new_source = show(tree, base, path), (tree / path).read_bytes()
        old_tree, new_tree = parse(old_source), parse(new_source)
        if old_tree is None or new_tree is None:
            if old_tree is not None:
                problems.append(f"{path}: parsed before the batch, does not now")
            continue
        old_unresolved = old_facts.unresolved(old_tree, context)
        for target, line in new_facts.unresolved(new_tree, context).items():
            if target not in old_unresolved:
                problems.append(f"{path}:{line}: imports `{target}`, which does not exist")
        old_paths, new_paths = import_paths(old_tree, context), import_paths(new_tree, context)
        for name, old_path in old_paths.items():
            new_path = new_paths.get(name)
            if new_path is None or new_path == old_path:
                continue
            old_origin = before.origin(*old_path.rsplit(".", 1))
            new_origin = after.origin(*new_path.rsplit(".", 1))
            if old_origin == new_origin:
                continue
            old_module = old_path.rpartition(".")[0]
            if asked_for(renames, before, old_path, new_path):
                checked.renamed += 1
            elif old_path in old_unresolved or old_module in old_unresolved:
                checked.repaired.append(
                    f"{path}: `{name}` was {old_path}, which did not resolve; is now {new_path}"
                )
            else:
                problems.append(
                    f"{path}: `{name}` was {old_path} ({old_origin}), is now {new_path} "
                    f"({new_origin}): another object"
                )
        if context.module:
            old_top = parse_facts(old_source or b"", path)
            new_top = parse_facts(new_source, path)
            gone = {
                name
                for name in (*old_top.defined, *old_top.imported)
                if not new_top.binds(name) and not name.startswith("_")
            }
            for name, files in sorted(importers_of(tree, context.module, gone).items()):
                problems.append(f"{path}: `{name}` is gone, but {', '.join(files)} import it")
    log = git(tree, "log", "--format=%B%x00", f"{base}..HEAD").decode().split("\0")
    for message in log:
        trailers = dict(
            line.split(": ", 1) for line in message.splitlines() if line.startswith("Migration-")
        )
        if "Migration-Metrics-Before" not in trailers:
            continue
        old = json.loads(trailers["Migration-Metrics-Before"])
        new = json.loads(trailers["Migration-Metrics-After"])
        for metric in NEVER_RISE:
            if new.get(metric, 0) > old.get(metric, 0):
                chunk = trailers.get("Migration-Chunk", "?")
                problems.append(f"chunk {chunk}: {metric} rose {old[metric]} -> {new[metric]}")
    return checked


def recheck(tree: Path, names: list[str]) -> list[tuple[str, int, float, str, str]]:
    """(batch, exit code, seconds, base, end) of an earlier run's batches, from the run records
    (the last record of each batch; a batch's end is the next one's base, the last one's HEAD)."""
    records = {}
    for path in sorted((tree / ".git" / "migrator" / "runs").glob("*.json")):
        record = json.loads(path.read_text())
        records[record["batch"]] = record
    head = git(tree, "rev-parse", "HEAD").decode().strip()
    ranges = []
    for i, name in enumerate(names):
        record = records[name]
        end = records[names[i + 1]]["base"] if i + 1 < len(names) else head
        ranges.append((name, record["exit_code"], record["seconds"], record["base"], end))
    return ranges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirror", type=Path)
    parser.add_argument("--commit", default=COMMIT)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "migrator-real-plan"
    )
    parser.add_argument("--check-only", action="store_true", help="re-check an earlier run")
    args = parser.parse_args()
    spec = parse_spec(default_spec_text(), "built-in")
    tree = args.work / "plan"
    rows, problems, notes = [], [], []

    def check(name: str, code: int, seconds: float, base: str) -> None:
        commits = int(git(tree, "rev-list", "--count", f"{base}..HEAD").decode())
        files = len(git(tree, "diff", "--name-only", base, "HEAD").decode().split())
        found = check_batch(tree, base, spec.rules.renames)
        problems.extend(f"{name}: {problem}" for problem in found.problems)
        notes.extend(f"{name}: {note}" for note in found.repaired)
        row = (name, code, seconds, commits, files, len(found.problems), found.renamed)
        rows.append((*row, len(found.repaired)))

    if args.check_only:
        branch = git(tree, "rev-parse", "--abbrev-ref", "HEAD").decode().strip()
        try:
            for name, code, seconds, base, end in recheck(tree, [b.name for b in spec.batches]):
                git(tree, "checkout", "-q", end)
                check(name, code, seconds, base)
        finally:
            git(tree, "checkout", "-q", branch)
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        source = args.work / "zen"
        print(f"backend: {extract(args.mirror.resolve(), args.commit, source)}", file=sys.stderr)
        subprocess.run(["rm", "-rf", str(tree)], check=True)
        git(args.work, "clone", "-q", str(source), str(tree))
        for key, value in (("user.name", "migrator-plan"), ("user.email", "plan@migrator.invalid")):
            git(tree, "config", key, value)
        for batch in spec.batches:
            base = git(tree, "rev-parse", "HEAD").decode().strip()
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "migrator", "run", batch.name, "--repo", str(tree)]
                + ["--jobs", str(args.jobs)],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            sys.stderr.write(done.stderr[-3000:])
            check(batch.name, done.returncode, time.monotonic() - started, base)
    columns = ("exit", "seconds", "commits", "files changed", "problems", "renamed by rule")
    print(f"| batch | {' | '.join(columns)} | repaired |")
    print("| --- |" + " ---: |" * (len(columns) + 1))
    for name, code, seconds, commits, files, count, renamed, repaired in rows:
        cells = f"{code} | {seconds:.0f} | {commits} | {files} | {count} | {renamed} | {repaired}"
        print(f"| {name} | {cells} |")
    for problem in problems:
        print(f"- {problem}")
    for note in notes:
        print(f"- note: {note}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
