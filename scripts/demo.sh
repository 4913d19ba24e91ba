#!/usr/bin/env bash
# The whole migration plan on a fresh git copy of the bundled sample repository.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
demo="$here/.demo/sample_repo"
rm -rf "$here/.demo"
mkdir -p "$here/.demo"
cp -R "$here/tests/fixtures/sample_repo" "$demo"
cd "$demo"
git init -q -b main
git -c user.name=demo -c user.email=demo@example.com add -A
git -c user.name=demo -c user.email=demo@example.com commit -q -m "Sample legacy backend"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "migrator init"
migrator init
git -c user.name=demo -c user.email=demo@example.com add migration.toml
git -c user.name=demo -c user.email=demo@example.com commit -q -m "Add migration spec"

step "migrator scan"
migrator scan

step "migrator run --rule imports --dry-run (first lines)"
migrator run --rule imports --dry-run | head -40
