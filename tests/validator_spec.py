"""Test helper: the built-in spec with the four validators the codemod's fixtures are written for.

The built-in `[[consolidate]]` rule is true to the real backend: one old validator
(`services.user_auth_service.validate_token`) goes to `auth_integration.auth.validate_token_jwt`.
The validators codemod's fixtures and unit tests exercise more shapes than one name can (several
old names merging into one import, a module attribute, a defining module calling its own old
validator), so they run under this rule instead: four WebSocket validators, one canonical
function, no `params`. Everything else is the built-in spec.
"""

from __future__ import annotations

import re

from codemods.core.rules import RuleSet
from migrator.spec import Spec, default_spec_text, parse_spec

OLD_MODULE = "netra_backend.app.websocket_core.auth"
NEW = "netra_backend.app.auth_integration.unified_auth.validate_token"
CONSOLIDATE = f"""[[consolidate]]
old = [
    "{OLD_MODULE}.validate_jwt",
    "{OLD_MODULE}.validate_websocket_token",
    "{OLD_MODULE}.verify_token",
    "{OLD_MODULE}.authenticate_websocket",
]
new = "{NEW}"
"""
# The built-in rule: from its header to its `params` line (it has no other table inside).
_BUILT_IN_RULE = re.compile(
    r"^\[\[consolidate\]\]\n(?:(?!\n\[).)*?\nparams = \[[^\]]*\]\n", re.S | re.M
)


def websocket_validators_text() -> str:
    """The built-in spec's text with its `[[consolidate]]` rule replaced by the four validators."""
    text, count = _BUILT_IN_RULE.subn(CONSOLIDATE, default_spec_text())
    assert count == 1, "the built-in spec no longer has exactly one [[consolidate]] rule"
    return text


def websocket_validators_spec() -> Spec:
    return parse_spec(websocket_validators_text(), "<built-in spec, four WebSocket validators>")


def websocket_validators_rules() -> RuleSet:
    return websocket_validators_spec().rules
