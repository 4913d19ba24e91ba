"""The fast (stdlib `ast`) validators analysis: exact findings on the tricky forms, each also
checked against the LibCST analysis of the same source."""

from __future__ import annotations

import ast
from dataclasses import replace

import pytest

from codemods.core.base import FileContext, ParsedFile
from codemods.core.tree import AstFile, Unsupported
from codemods.validators.codemod import ValidatorsCodemod
from codemods.validators.fast import analyze
from tests.test_fast_parity import normalized
from tests.validator_spec import websocket_validators_rules

RULES = websocket_validators_rules()
AUTH = "netra_backend.app.websocket_core.auth"
NEW = "netra_backend.app.auth_integration.unified_auth.validate_token"
HANDLERS = "netra_backend/app/websocket_core/handlers.py"


def old(short: str) -> str:
    return f"`{short}(...)` is one of several token validators: call {NEW}"


def both(source: str, path: str = HANDLERS) -> tuple[tuple, tuple]:
    context = FileContext.from_path(path)
    fast = normalized(analyze(AstFile(source, context), RULES))
    slow = normalized(ValidatorsCodemod().analyze(ParsedFile(source, context), RULES))
    return fast, slow


def found(source: str, path: str = HANDLERS) -> tuple[list[tuple[int, int, str]], list[str]]:
    """(line, column, message) of each finding and the measured names, after checking that
    the fast analysis equals LibCST's."""
    fast, slow = both(source, path)
    assert fast == slow
    findings, counts, names = fast
    assert counts == {}
    assert {(rule, fixable, review) for _, _, rule, _, fixable, review in findings} <= {
        ("token-validation", True, False)
    }
    paths = names.get("token_validation_paths", [])
    return [(line, column, message) for line, column, _, message, *_ in findings], paths


CASES = {
    "from import, as-name, canonical": (
        f"from {AUTH} import validate_jwt as check, verify_token\n"
        "from netra_backend.app.auth_integration.unified_auth import validate_token\n"
        "check(t)\ncheck.x(t)\nvalidate_token(check)\nverify_token\n",
        [(3, 0, old("validate_jwt"))],
        [NEW, f"{AUTH}.validate_jwt"],
    ),
    "module import, alias and full path": (
        f"import {AUTH} as a\nimport {AUTH}\na.verify_token(t)\n{AUTH}.validate_jwt(t)\n"
        "a.SESSION_TTL(t)\n",
        [(3, 0, old("verify_token")), (4, 0, old("validate_jwt"))],
        [f"{AUTH}.validate_jwt", f"{AUTH}.verify_token"],
    ),
    "import of the function itself as a name": (
        f"import {AUTH}.validate_jwt as vj\nvj(t)\n",
        [(2, 0, old("validate_jwt"))],
        [f"{AUTH}.validate_jwt"],
    ),
    "relative imports": (
        "from .auth import validate_jwt\n"
        "from ..auth_integration.unified_auth import validate_token\n"
        "validate_jwt(t); validate_token(t)\n",
        [(3, 0, old("validate_jwt"))],
        [NEW, f"{AUTH}.validate_jwt"],
    ),
    "parentheses, subscripted and called functions": (
        f"from {AUTH} import validate_jwt\nvalidate_jwt[0](t)\nvalidate_jwt(a)(b)\n"
        "(validate_jwt)(t)\nx = (validate_jwt(t))\nx = ( \n  validate_jwt\n)(t)\n",
        [
            (2, 0, old("validate_jwt")),
            (3, 0, old("validate_jwt")),
            (3, 0, old("validate_jwt")),
            (4, 0, old("validate_jwt")),
            (5, 5, old("validate_jwt")),
            (6, 4, old("validate_jwt")),
        ],
        [f"{AUTH}.validate_jwt"],
    ),
    "one name bound to two validators": (
        f"try:\n    from {AUTH} import validate_jwt as v\n"
        f"except ImportError:\n    from {AUTH} import verify_token as v\nv(t)\n",
        [(5, 0, old("validate_jwt")), (5, 0, old("verify_token"))],
        [f"{AUTH}.validate_jwt", f"{AUTH}.verify_token"],
    ),
    "scopes: shadowing, defaults, lambdas, decorators, classes, comprehensions": (
        f"from {AUTH} import validate_jwt\n"
        "@validate_jwt\n"
        "def f(x=validate_jwt(1), *, y=lambda: validate_jwt(2)):\n"
        "    validate_jwt = None\n"
        "    return validate_jwt(3), [validate_jwt(u) for u in x]\n"
        "@validate_jwt(0)\n"
        "class C(validate_jwt(4)):\n"
        "    validate_jwt = 1\n"
        "    z = [validate_jwt(v) for v in ()]\n"
        "    def m(self):\n"
        "        return validate_jwt(5), self.validate_jwt(6)\n",
        [
            (3, 8, old("validate_jwt")),
            (3, 38, old("validate_jwt")),
            (6, 1, old("validate_jwt")),
            (7, 8, old("validate_jwt")),
            (9, 9, old("validate_jwt")),
            (11, 15, old("validate_jwt")),
        ],
        [f"{AUTH}.validate_jwt"],
    ),
    "global import in a function": (
        f"def g():\n    global verify_token\n    from {AUTH} import verify_token\n"
        "verify_token(1)\ndef h():\n    verify_token(2)\n",
        [(4, 0, old("verify_token")), (6, 4, old("verify_token"))],
        [f"{AUTH}.verify_token"],
    ),
    "star import and attributes of other values": (
        f"from {AUTH} import *\nvalidate_jwt(t)\nget().validate_jwt(1)\n'x'.validate_jwt(2)\n"
        f"import {AUTH} as a\na.validate_jwt.__call__(3)\n",
        [],
        [],
    ),
    "columns count characters": (
        f"from {AUTH} import validate_jwt\ns = 'éé'; validate_jwt(t)\n",
        [(2, 10, old("validate_jwt"))],
        [f"{AUTH}.validate_jwt"],
    ),
    "f-strings": (
        f"from {AUTH} import validate_jwt as v\n"
        "x = f'{v(t)} {v(t)}' 'a' f'{y:{v(u)}}'\n"
        "z = f'''\n  {v(t)!r}'''\n",
        [
            (2, 7, old("validate_jwt")),
            (2, 14, old("validate_jwt")),
            (2, 31, old("validate_jwt")),
            (4, 3, old("validate_jwt")),
        ],
        [f"{AUTH}.validate_jwt"],
    ),
    "no validator spelled": ("import os\nos.path.join(a, b)\n", [], []),
}


@pytest.mark.parametrize("case", CASES)
def test_findings(case: str) -> None:
    source, findings, names = CASES[case]
    assert found(source) == (sorted(findings), names)


def test_the_module_defining_a_validator_reports_its_own_calls() -> None:
    source = (
        "def validate_jwt(t):\n    return t\n\nclass K:\n    def verify_token(self):\n"
        "        validate_jwt(1)\n        verify_token(2)\n"
    )
    assert found(source, "netra_backend/app/websocket_core/auth.py") == (
        [(6, 8, old("validate_jwt"))],
        [f"{AUTH}.validate_jwt"],
    )
    assert found(source, "netra_backend/app/other.py") == ([], [])


def test_identifiers_that_nfkc_changes_are_left_to_libcst() -> None:
    source = f"from {AUTH} import validate_jwt\n\uff56alidate_jwt(t)\n"
    context = FileContext.from_path(HANDLERS)
    with pytest.raises(Unsupported):
        analyze(AstFile(source, context), RULES)
    assert normalized(ValidatorsCodemod().analyze(ParsedFile(source, context), RULES)) == (
        [],
        {},
        {},
    )


def test_a_misplaced_fstring_call_is_left_to_libcst() -> None:
    source = f"from {AUTH} import validate_jwt\nx = f'{{validate_jwt(t)}}'\n"
    file = AstFile(source, FileContext.from_path(HANDLERS))
    call = next(n for n in ast.walk(file.tree) if isinstance(n, ast.Call))
    call.col_offset -= 1  # what a misplaced position looks like
    with pytest.raises(Unsupported):
        analyze(file, RULES)


def test_without_validator_rules_nothing_is_reported() -> None:
    source = f"from {AUTH} import validate_jwt\nvalidate_jwt(t)\n"
    file = AstFile(source, FileContext.from_path(HANDLERS))
    assert normalized(analyze(file, replace(RULES, validators=()))) == ([], {}, {})
