#!/usr/bin/env bash
# The whole migration plan on a fresh git copy of the bundled sample repository:
# scan, plan, a dry run, the four weekly batches with their gates, status, one rollback, status.
# `make demo` runs this with .venv/bin first on PATH (the gates run `python -m pytest`).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
demo="$here/.demo/sample_repo"
rm -rf "$here/.demo"
mkdir -p "$here/.demo"
cp -R "$here/tests/fixtures/sample_repo" "$demo"
find "$demo" \( -name __pycache__ -o -name .pytest_cache \) -prune -exec rm -rf {} +
cd "$demo"

# The demo repository's commits get a demo identity from the environment (no git config is
# written); migrator itself refuses to commit when git has no identity at all.
export GIT_AUTHOR_NAME="migrator demo" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="migrator demo" GIT_COMMITTER_EMAIL="demo@example.com"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

git init -q -b main
printf '__pycache__/\n.pytest_cache/\n' > .gitignore
git add -A
git commit -q -m "Sample legacy backend"

step "migrator init"
migrator init
# Smaller commits than the default 50 files, so the demo shows a batch landing in chunks; the
# sample's own pytest suite runs without services, so it gates each chunk after the built-in
# compile-and-import gate.
sed -e 's/^max_files_per_commit = 50$/max_files_per_commit = 12/' \
    -e 's/^gate = \[{ builtin = "compile-changed" }\]$/gate = [{ builtin = "compile-changed" }, ["python", "-m", "pytest", "-q"]]/' \
    migration.toml > migration.tmp
mv migration.tmp migration.toml
git add migration.toml
git commit -q -m "Add migration spec"

step "migrator scan"
migrator scan

step "migrator plan"
migrator plan

step "migrator run week-1 --dry-run (the first 40 lines of the diff)"
migrator run week-1 --dry-run --patch "$here/.demo/week-1.patch"
head -n 40 "$here/.demo/week-1.patch"

review() {
    step "a reviewer ports the manual-review findings of $1 (those migrator will not guess)"
    python "$here/scripts/demo_review.py" "$1"
    python -m pytest -q
    git commit -q -am "Port the manual-review findings of $1 by hand"
}

for batch in week-1 week-2 week-3 week-4; do
    case "$batch" in week-2 | week-3) review "$batch" ;; esac
    step "migrator run $batch (gate: the sample repository's own pytest suite)"
    if ! migrator run "$batch"; then
        echo "demo: $batch did not land; see the run record above" >&2
        exit 1
    fi
done

step "git log (one commit per batch chunk, with Migration-* trailers)"
git log --format='%h %s' -n 10
git log -1 --format='%(trailers)'

step "migrator status"
migrator status

step "migrator rollback week-4"
migrator rollback week-4

step "migrator status (after the rollback)"
migrator status
