"""The validators codemod: calls and imports of every old token validator become the new one."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from codemods.core.base import FileContext, ParsedFile
from codemods.core.rules import RuleSet
from codemods.validators.codemod import ValidatorsCodemod
from codemods.validators.fast import binding_problem
from migrator.spec import SpecError, parse_spec
from tests.validator_spec import websocket_validators_rules

FIXTURES = Path(__file__).parents[1] / "codemods" / "validators" / "fixtures"
PATH = "netra_backend/app/websocket_core/handlers.py"
DEFAULT = websocket_validators_rules()  # the fixtures' four validators
RULES = replace(
    DEFAULT,
    validators=tuple(replace(r, params=("token", "audience")) for r in DEFAULT.validators),
)
CASES = sorted(p.name.removesuffix(".before.py") for p in FIXTURES.glob("*.before.py"))


def transform(source: str, rules=RULES):
    return ValidatorsCodemod().transform(ParsedFile(source, FileContext.from_path(PATH)), rules)


def fixture_setup(case: str) -> tuple[FileContext, RuleSet]:
    """Where a fixture sits and the rules it runs under (for tests/test_fixtures.py)."""
    return FileContext.from_path(PATH), RULES


def test_without_params_every_call_is_rewritten() -> None:
    before = (FIXTURES / "call_shape_mismatch.before.py").read_text()
    result = transform(before, DEFAULT)
    assert result.findings == []
    assert 'validate_token(token, "HS256", leeway=5, **options)' in result.code


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        ("f(t)", None),
        ("f(token=t, audience='a')", None),
        ("f(t, 'a')", None),
        ("f(t, 'a', 3)", "more positional arguments than it takes"),
        ("f(t, leeway=1)", "it has no parameter `leeway`"),
        ("f(t, token=t)", "argument `token` given twice"),
        ("f(*args)", "`*` arguments cannot be matched to its parameters"),
        ("f(t, **kw)", "`**` arguments cannot be matched to its parameters"),
        ("f(audience='a', *rest)", "`*` arguments cannot be matched to its parameters"),
        ("f(audience='a')", "no `token` argument"),
    ],
)
def test_binding_problem(call: str, problem: str | None) -> None:
    node = ast.parse(call, mode="eval").body
    assert isinstance(node, ast.Call)
    assert binding_problem(node, ("token", "audience")) == problem


def test_spec_reads_consolidate_params() -> None:
    text = '[[consolidate]]\nold = ["a.b.c"]\nnew = "a.b.d"\nparams = ["token"]\n'
    assert parse_spec(text, "m.toml").rules.validators[0].params == ("token",)
    with pytest.raises(SpecError, match=r"m.toml:4: `consolidate\[0\].params\[0\]`"):
        parse_spec(text.replace('["token"]', '["not valid"]'), "m.toml")


DEFINING_MODULE = "netra_backend/app/websocket_core/auth.py"


def transform_in_defining_module(source: str):
    context = FileContext.from_path(DEFINING_MODULE)
    return ValidatorsCodemod().transform(ParsedFile(source, context), DEFAULT)


def test_own_call_of_an_old_validator_goes_to_the_imported_canonical_one() -> None:
    before = (
        "from netra_backend.app.auth_integration.unified_auth import validate_token\n\n\n"
        "def validate_jwt(token):\n    return validate_token(token)\n\n\n"
        "def authenticate_websocket(token):\n"
        "    if not token:\n        return None\n"
        "    return validate_jwt(token)  # delegate\n"
    )
    result = transform_in_defining_module(before)
    assert result.code == before.replace(
        "return validate_jwt(token)  # delegate", "return validate_token(token)  # delegate"
    )
    assert result.findings == []
    assert transform_in_defining_module(result.code).code == result.code


def test_own_call_without_the_canonical_import_is_left_for_review() -> None:
    before = "def validate_jwt(token):\n    return token\n\n\ndef verify_token(token):\n"
    before += "    return validate_jwt(token)\n"
    result = transform_in_defining_module(before)
    assert result.code == before
    assert [(f.rule, f.line, f.manual_review) for f in result.findings] == [
        ("token-validation", 6, True)
    ]
    assert "import netra_backend.app.auth_integration.unified_auth.validate_token" in (
        result.findings[0].message
    )
