"""migrator: carry a Python codebase through an API migration in safe, gated batches."""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it from here (`dynamic`), so no
# command has to load `importlib.metadata` (about 30 ms) to learn it.
__version__ = "0.1.0"
