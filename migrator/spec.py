"""Load and validate the migration spec (TOML) into plain values."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from codemods import codemod_names, registry
from codemods.core.rules import RuleSet

SPEC_FILENAME = "migration.toml"
DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
DEFAULT_INCLUDE = ("**/*.py",)
DEFAULT_GATE = (("python", "-m", "pytest", "-q"),)


class SpecError(Exception):
    """A spec that cannot be used; the message names the file, the line and the key."""


@dataclass(frozen=True)
class Target:
    """Bounds a metric must stay within (inclusive)."""

    min: float | None = None
    max: float | None = None

    def met(self, value: float) -> bool:
        low_ok = self.min is None or value >= self.min
        return low_ok and (self.max is None or value <= self.max)

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts) or "any"


BUILTIN_GATES = ("compile-changed",)


@dataclass(frozen=True)
class Gate:
    """A command a batch must pass; an argument list, run without a shell by default.

    A built-in gate (`builtin`) runs migrator's own check with the interpreter `argv[0]`.
    """

    argv: tuple[str, ...]
    baseline: bool = False
    shell: bool = False
    builtin: str | None = None
    timeout: float | None = None  # seconds; past it the gate's processes are killed: it fails


@dataclass(frozen=True)
class Batch:
    """One reviewable, gated, revertable step of the migration."""

    name: str
    rules: tuple[str, ...]
    paths: tuple[str, ...] = ("**",)
    exclude: tuple[str, ...] = ()
    gates: tuple[Gate, ...] = ()
    max_files_per_commit: int = 50
    targets: dict[str, Target] = field(default_factory=dict)


@dataclass(frozen=True)
class Spec:
    """The whole migration: where to look, the rules, the batches and the targets."""

    name: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    rules: RuleSet
    batches: tuple[Batch, ...]
    targets: dict[str, Target]
    source: str
    digest: str
    lines: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def where(self, key: tuple[str | int, ...]) -> str:
        """`file:line` of a key of this spec (the file alone when the line is unknown)."""
        line = locate(self.lines, key)
        return f"{self.source}:{line}" if line else self.source

    def batch(self, name: str) -> Batch:
        for batch in self.batches:
            if batch.name == name:
                return batch
        known = ", ".join(b.name for b in self.batches) or "none"
        raise SpecError(f"{self.source}: no batch named `{name}` (batches: {known})")

    def final_targets(self) -> dict[str, Target]:
        if self.targets:
            return self.targets
        return self.batches[-1].targets if self.batches else {}


def glob_problem(text: str) -> str | None:
    """Why a path glob would reach outside the repository (absolute, `~`, `..`), else None."""
    pattern = text.removeprefix("!").replace("\\", "/")
    if pattern.startswith(("/", "~")) or re.match(r"[A-Za-z]:", pattern):
        problem = "is absolute"
    elif ".." in pattern.split("/"):
        problem = "climbs out with `..`"
    else:
        return None
    return f"`{text}` {problem}: globs are relative to the repository root and stay in it"


def default_spec_text() -> str:
    return resources.files("migrator").joinpath("data/default_spec.toml").read_text("utf-8")


def load_spec(path: Path | None, repo: Path | None = None) -> Spec:
    """Load `path`, else `<repo>/migration.toml`, else the built-in default spec."""
    if path is None and repo is not None and (repo / SPEC_FILENAME).is_file():
        path = repo / SPEC_FILENAME
    if path is None:
        return parse_spec(default_spec_text(), "<built-in default spec>")
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: cannot read the spec: {error}") from None
    return parse_spec(text, str(path))


def parse_spec(text: str, source: str) -> Spec:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{source}: invalid TOML: {error}") from None
    return _Reader(text, source).spec(data)


class _Reader:
    """Validates the TOML document key by key, with errors that point at the line."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source

    # ---- error reporting -------------------------------------------------------------
    def fail(self, key: tuple[str | int, ...], problem: str) -> SpecError:
        line = locate(self.lines, key)
        where = f"{self.source}:{line}" if line else self.source
        return SpecError(f"{where}: `{key_text(key)}`: {problem}")

    # ---- typed accessors -------------------------------------------------------------
    def table(self, value: Any, key: tuple, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {_type_name(value)}")
        for name in value:
            if name not in allowed:
                hint = _closest(name, allowed)
                raise self.fail(
                    (*key, name), "unknown key" + (f" (did you mean `{hint}`?)" if hint else "")
                )
        return value

    def string(self, value: Any, key: tuple) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"expected a non-empty string, got {_type_name(value)}")
        return value

    def glob(self, value: Any, key: tuple) -> str:
        """A path glob that stays inside the repository: relative, without `..`."""
        text = self.string(value, key)
        problem = glob_problem(text)
        if problem:
            raise self.fail(key, problem)
        return text

    def dotted(self, value: Any, key: tuple) -> str:
        text = self.string(value, key)
        if not DOTTED.fullmatch(text):
            raise self.fail(key, f"`{text}` is not a dotted Python path like `package.module.Name`")
        return text

    def identifier(self, value: Any, key: tuple) -> str:
        text = self.string(value, key)
        if not text.isidentifier():
            raise self.fail(key, f"`{text}` is not a Python identifier")
        return text

    def strings(self, value: Any, key: tuple, item=None) -> tuple[str, ...]:
        item = item or self.string
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of strings, got {_type_name(value)}")
        return tuple(item(v, (*key, i)) for i, v in enumerate(value))

    def boolean(self, value: Any, key: tuple) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {_type_name(value)}")
        return value

    def require(self, table: dict[str, Any], key: tuple, *names: str) -> None:
        for name in names:
            if name not in table:
                raise self.fail((*key, name), "missing required key")

    def type_name(self, value: Any) -> str:
        return _type_name(value)

    def array(self, data: dict, name: str) -> list[dict]:
        value = data.get(name, [])
        if not isinstance(value, list):
            raise self.fail(
                (name,), f"expected an array of tables ([[{name}]]), got {_type_name(value)}"
            )
        return value

    # ---- sections --------------------------------------------------------------------
    def spec(self, data: dict[str, Any]) -> Spec:
        sections = registry.by_section()
        self.table(data, (), {"migration", "batch", "targets", *sections})
        migration = self.table(
            data.get("migration", {}), ("migration",), {"name", "include", "exclude", "packages"}
        )
        rules = RuleSet(
            {
                codemod.name: tuple(
                    codemod.read(self, table, (section, index))
                    for index, table in enumerate(self.array(data, section))
                )
                for section, codemod in sections.items()
            },
            project_packages=self.strings(
                migration.get("packages", []), ("migration", "packages"), self.identifier
            ),
        )
        batches = tuple(
            self.batch(b, ("batch", i)) for i, b in enumerate(self.array(data, "batch"))
        )
        names = [b.name for b in batches]
        for index, name in enumerate(names):
            if names.index(name) != index:
                raise self.fail(("batch", index, "name"), f"batch `{name}` is defined twice")
        return Spec(
            name=self.string(migration.get("name", "migration"), ("migration", "name")),
            include=self.strings(
                migration.get("include", list(DEFAULT_INCLUDE)), ("migration", "include"), self.glob
            ),
            exclude=self.strings(migration.get("exclude", []), ("migration", "exclude"), self.glob),
            rules=rules,
            batches=batches,
            targets=self.targets(data.get("targets", {}), ("targets",)),
            source=self.source,
            lines=tuple(self.lines),
            digest=hashlib.sha256("\n".join(self.lines).encode()).hexdigest()[:12],
        )

    def batch(self, value: Any, key: tuple) -> Batch:
        allowed = {"name", "rules", "paths", "exclude", "gate", "max_files_per_commit", "targets"}
        table = self.table(value, key, allowed)
        self.require(table, key, "name", "rules")
        rules = self.strings(table["rules"], (*key, "rules"))
        for index, rule in enumerate(rules):
            if rule not in codemod_names():
                raise self.fail(
                    (*key, "rules", index),
                    f"unknown rule `{rule}` (rules: {', '.join(codemod_names())})",
                )
        limit = table.get("max_files_per_commit", 50)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise self.fail((*key, "max_files_per_commit"), "expected a whole number of at least 1")
        gates = table.get("gate", [list(g) for g in DEFAULT_GATE])
        if not isinstance(gates, list):
            raise self.fail((*key, "gate"), "expected a list of commands (each a list of strings)")
        return Batch(
            name=self.string(table["name"], (*key, "name")),
            rules=rules,
            paths=self.strings(table.get("paths", ["**"]), (*key, "paths"), self.glob),
            exclude=self.strings(table.get("exclude", []), (*key, "exclude"), self.glob),
            gates=tuple(self.gate(g, (*key, "gate", i)) for i, g in enumerate(gates)),
            max_files_per_commit=limit,
            targets=self.targets(table.get("targets", {}), (*key, "targets")),
        )

    def gate(self, value: Any, key: tuple) -> Gate:
        if isinstance(value, list):
            argv = self.strings(value, key)
            if not argv:
                raise self.fail(key, "a gate command cannot be empty")
            return Gate(argv)
        table = self.table(value, key, {"cmd", "baseline", "shell", "builtin", "python", "timeout"})
        if "builtin" in table:
            return self.builtin_gate(table, key)
        if "python" in table:
            raise self.fail((*key, "python"), "`python` only applies to a `builtin` gate")
        if "cmd" not in table:
            raise self.fail((*key, "cmd"), "missing required key")
        argv = self.strings(table["cmd"], (*key, "cmd"))
        if not argv:
            raise self.fail((*key, "cmd"), "a gate command cannot be empty")
        return Gate(
            argv,
            baseline=self.boolean(table.get("baseline", False), (*key, "baseline")),
            shell=self.boolean(table.get("shell", False), (*key, "shell")),
            timeout=self.gate_timeout(table, key),
        )

    def gate_timeout(self, table: dict, key: tuple) -> float | None:
        if "timeout" not in table:
            return None
        value = table["timeout"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail((*key, "timeout"), "expected a positive number of seconds")
        return float(value)

    def builtin_gate(self, table: dict, key: tuple) -> Gate:
        name = self.string(table["builtin"], (*key, "builtin"))
        if name not in BUILTIN_GATES:
            known = ", ".join(BUILTIN_GATES)
            raise self.fail((*key, "builtin"), f"unknown built-in gate `{name}` (gates: {known})")
        for other in ("cmd", "shell"):
            if other in table:
                raise self.fail((*key, other), "a built-in gate takes no `cmd` or `shell`")
        python = self.string(table.get("python", "python"), (*key, "python"))
        return Gate(
            (python, name),
            baseline=self.boolean(table.get("baseline", False), (*key, "baseline")),
            builtin=name,
            timeout=self.gate_timeout(table, key),
        )

    def targets(self, value: Any, key: tuple) -> dict[str, Target]:
        table = self.table(value, key, {metric.name for metric in registry.metrics()})
        targets = {}
        for metric, bounds in table.items():
            bounds = self.table(bounds, (*key, metric), {"min", "max"})
            for bound, number in bounds.items():
                if not isinstance(number, int | float) or isinstance(number, bool):
                    raise self.fail(
                        (*key, metric, bound), f"expected a number, got {_type_name(number)}"
                    )
            targets[metric] = Target(bounds.get("min"), bounds.get("max"))
        return targets


def locate(lines: list[str] | tuple[str, ...], key: tuple[str | int, ...]) -> int | None:
    """Best-effort line of a key: the key inside its table, else the table's header."""
    names = [k for k in key if isinstance(k, str)]
    if not names:
        return None
    # Only an index right after the table picks one of its [[table]]s (not a list item).
    table, index = names[0], key[1] if len(key) > 1 and isinstance(key[1], int) else 0
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
    headers = [n for n, line in enumerate(lines) if header.match(line)]
    if len(headers) <= index:
        return None
    start = headers[index]
    end = headers[index + 1] if index + 1 < len(headers) else len(lines)
    assignment = re.compile(rf"^\s*\"?{re.escape(names[-1])}\"?\s*=")
    for number in range(start, end):
        if assignment.match(lines[number]):
            return number + 1
    return start + 1


def key_text(key: tuple[str | int, ...]) -> str:
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "<top level>"


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _closest(name: str, allowed: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(name, sorted(allowed), n=1)
    return matches[0] if matches else None
