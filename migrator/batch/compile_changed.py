"""The `compile-changed` gate: byte-compile the changed files, then import each as a module.

migrator runs this file's source as `PYTHON -c <source> FILE...` in the repository root, with
the project's interpreter (the gate's `python`), so it uses the standard library only. Each
failure is printed as `FAILED <file>::compile - ...` or `FAILED <file>::import - ...`, pytest's
summary form, so a `baseline = true` gate fails only on files that passed on the untouched
tree. A module whose import needs a package the environment lacks (one outside the
repository) is reported as skipped, not failed. An import still running after
`--import-timeout` seconds (default 60; a module that waits on a service when imported)
fails, and the next file is checked. Exit 1 when anything failed.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys

IMPORT_TIMEOUT = 60.0  # seconds, unless `--import-timeout N` comes first


class ImportTimedOut(BaseException):  # noqa: N818 - not caught by `except Exception`
    """Raised in the importing module's code by the alarm."""


def _alarm(_signum: int, _frame: object) -> None:
    raise ImportTimedOut


def module_name(path: str) -> str | None:
    """`pkg/mod.py` -> `pkg.mod`, `pkg/__init__.py` -> `pkg`; None when not importable."""
    if not path.endswith(".py"):
        return None
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def inside(name: str, root: str) -> bool:
    """Whether a module name's top-level package is one of the repository's own."""
    top = name.split(".")[0]
    return os.path.isdir(os.path.join(root, top)) or os.path.isfile(os.path.join(root, top + ".py"))


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def compiles(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            source = handle.read()
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        print(f"FAILED {path}::compile - {error.msg} (line {error.lineno})")
        return False
    except (OSError, ValueError) as error:
        print(f"FAILED {path}::compile - {first_line(error)}")
        return False
    return True


def imports(path: str, root: str, limit: float = IMPORT_TIMEOUT) -> bool | None:
    """True when the module imports, False when it fails, None when it cannot be checked."""
    name = module_name(path)
    if name is None:
        print(f"skipped {path}::import - not importable as a module")
        return None
    alarm = hasattr(signal, "SIGALRM")  # not on Windows: no limit there
    if alarm:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        importlib.import_module(name)
    except ImportTimedOut:
        print(f"FAILED {path}::import - still importing after {limit:g} s")
        return False
    except ModuleNotFoundError as error:
        if error.name and not inside(error.name, root):
            print(f"skipped {path}::import - the environment lacks `{error.name}`")
            return None
        print(f"FAILED {path}::import - {first_line(error)}")
        return False
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - SystemExit at import time is a failure too
        print(f"FAILED {path}::import - {first_line(error)}")
        return False
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return True


def main(arguments: list[str]) -> int:
    limit, files = IMPORT_TIMEOUT, arguments
    if arguments[:1] == ["--import-timeout"]:
        limit, files = float(arguments[1]), arguments[2:]
    root = os.getcwd()
    sys.path.insert(0, root)
    compiled = [path for path in files if compiles(path)]
    outcomes = [imports(path, root, limit) for path in compiled]
    failed = len(files) - len(compiled) + outcomes.count(False)
    print(
        f"compile-changed: {len(files)} file(s), {len(compiled)} compiled, "
        f"{outcomes.count(True)} imported, {outcomes.count(None)} skipped, {failed} failed"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
