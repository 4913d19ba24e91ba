"""migrator: carry a Python codebase through an API migration in safe, gated batches."""

from __future__ import annotations

from functools import cache


@cache
def installed_version() -> str:
    """The version pyproject.toml gave the installed package (its metadata, read once)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("migrator")
    except PackageNotFoundError:  # a source tree on sys.path, never installed
        return "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return installed_version()
    raise AttributeError(f"module 'migrator' has no attribute {name!r}")
