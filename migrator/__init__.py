"""migrator: carry a Python codebase through an API migration in safe, gated batches."""

__version__ = "0.1.0"
