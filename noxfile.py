"""The test suite on every Python the users run: `nox -s tests-3.12` (CI: `.ci/run`)."""

from __future__ import annotations

import nox

PYTHONS = ["3.11", "3.12", "3.13"]

nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = True  # a session asked for must run, never skip
nox.options.sessions = ["tests"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The `make test` suite (pytest; ruff runs once, in `make test`) on one Python."""
    session.install("--quiet", "-e", ".[test]")
    session.run("python", "-c", "import sys; print(sys.executable, sys.version)")
    # Exit 5 (no test collected) is a failure here like any other non-zero exit.
    session.run("python", "-m", "pytest", "-q", *session.posargs)
