"""The validators codemod's one analysis (`codemods.validators.fast`, stdlib `ast`): exact
findings on the tricky forms, and the decisions the rewrite applies (blocked validators, a
module's own calls)."""

from __future__ import annotations

import ast
from dataclasses import replace

import pytest

from codemods.core.base import FileContext
from codemods.core.edits import apply_edits
from codemods.core.tree import AstFile
from codemods.validators.fast import analyze, plan
from tests.parity import normalized
from tests.validator_spec import websocket_validators_rules

RULES = websocket_validators_rules()
AUTH = "netra_backend.app.websocket_core.auth"
NEW = "netra_backend.app.auth_integration.unified_auth.validate_token"
HANDLERS = "netra_backend/app/websocket_core/handlers.py"


def old(short: str) -> str:
    return f"`{short}(...)` is one of several token validators: call {NEW}"


def found(source: str, path: str = HANDLERS) -> tuple[list[tuple[int, int, str]], list[str]]:
    """(line, column, message) of each finding, in the order reported, and the measured names."""
    analysis = analyze(AstFile(source, FileContext.from_path(path)), RULES)
    reported = [(f.line, f.column, f.message) for f in analysis.findings]
    assert reported == sorted(reported)
    findings, counts, names = normalized(analysis)
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


def test_identifiers_compare_as_python_reads_them() -> None:
    """`ｖalidate_jwt` is `validate_jwt` to Python (NFKC): a call of the old validator."""
    source = f"from {AUTH} import validate_jwt\n\uff56alidate_jwt(t)\n"
    assert found(source) == ([(2, 0, old("validate_jwt"))], [f"{AUTH}.validate_jwt"])


def test_a_misplaced_fstring_call_is_reported_at_its_fstring() -> None:
    source = f"from {AUTH} import validate_jwt\nx = f'{{validate_jwt(t)}}'\n"
    file = AstFile(source, FileContext.from_path(HANDLERS))
    call = next(n for n in ast.walk(file.tree) if isinstance(n, ast.Call))
    call.col_offset -= 1  # what a misplaced position looks like (Python 3.11)
    findings = analyze(file, RULES).findings
    assert [(f.line, f.column, f.message) for f in findings] == [(2, 4, old("validate_jwt"))]


PARAMS = replace(
    RULES, validators=tuple(replace(r, params=("token", "audience")) for r in RULES.validators)
)


def test_calls_that_do_not_fit_the_canonical_validator_block_their_old_one() -> None:
    source = (
        f"from {AUTH} import validate_jwt, verify_token\n"
        "verify_token(t)\n"
        "x = [validate_jwt(t), f'{validate_jwt(t, leeway=1)}']\n"
        "validate_jwt(*args)\n"
        "verify_token(t, 'aud')\n"
    )
    decided = plan(AstFile(source, FileContext.from_path(HANDLERS)), PARAMS)
    assert decided.blocked == {
        f"{AUTH}.validate_jwt": "`validate_jwt(...)` on line 3 does not fit "
        "`validate_token(token, audience)`: it has no parameter `leeway`; left for manual review"
    }
    assert plan(AstFile(source, FileContext.from_path(HANDLERS)), RULES).blocked == {}


OWN = "netra_backend/app/websocket_core/auth.py"


def test_own_calls_are_edited_where_the_canonical_validator_is_imported() -> None:
    source = (
        "from netra_backend.app.auth_integration.unified_auth import validate_token\n"
        "def validate_jwt(t):\n    return t\n"
        "x = validate_jwt(1), (validate_jwt)(2), f'{validate_jwt(3)}', self.validate_jwt(4)\n"
    )
    decided = plan(AstFile(source, FileContext.from_path(OWN)), RULES)
    assert decided.reviews == []
    assert apply_edits(source, decided.edits) == source.replace(
        "validate_jwt(1), (validate_jwt)(2), f'{validate_jwt(3)}'",
        "validate_token(1), (validate_token)(2), f'{validate_token(3)}'",
    )


def test_own_calls_without_the_canonical_import_are_left_for_review() -> None:
    source = "def validate_jwt(t):\n    return t\n\n\ndef g():\n    return validate_jwt(1)\n"
    decided = plan(AstFile(source, FileContext.from_path(OWN)), RULES)
    assert decided.edits == []
    assert [(f.line, f.column, f.message, f.manual_review) for f in decided.reviews] == [
        (
            6,
            11,
            "`validate_jwt(...)` calls an old validator defined here; import "
            f"{NEW} and call `validate_token` instead",
            True,
        )
    ]


def test_without_validator_rules_nothing_is_reported() -> None:
    source = f"from {AUTH} import validate_jwt\nvalidate_jwt(t)\n"
    file = AstFile(source, FileContext.from_path(HANDLERS))
    assert normalized(analyze(file, replace(RULES, validators=()))) == ([], {}, {})
