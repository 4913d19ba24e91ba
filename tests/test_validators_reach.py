"""Which files the validators transform must see although its analysis reports no call there
(`codemods.core.rewrites.refers_to_old_validators`): exactly those where the shared import
rewrite can act. Each file the check rules out is one the transform leaves as it is."""

from __future__ import annotations

import pytest

from codemods.core.base import FileContext, ParsedFile
from codemods.core.rewrites import refers_to_old_validators
from codemods.core.tree import AstFile
from codemods.validators.codemod import ValidatorsCodemod
from migrator.spec import load_spec

RULES = load_spec(None, None).rules  # the built-in rule: user_auth_service.validate_token
OLD_MODULE = "netra_backend.app.services.user_auth_service"
PATH = "netra_backend/tests/test_login.py"

REACHES = [
    f"from {OLD_MODULE} import validate_token\n",
    "from netra_backend.app.services import user_auth_service\n",
    f"import {OLD_MODULE}\n",
    f"import {OLD_MODULE} as uas\n",
    f"from {OLD_MODULE} import *\n",
    "from netra_backend.app.routes import validate_token_jwt\n",  # canonical, from elsewhere
    f'patch("{OLD_MODULE}.validate_token")\n',
    f'sys.modules["{OLD_MODULE}"] = None\n',
]
LEFT_ALONE = [
    # Another module of the same package: the rewrite takes an `import` only when its path is
    # renamed or an old module.
    "import netra_backend.app.db.database_manager\n\nnetra_backend.app.db.validate_token = 1\n",
    "import netra_backend.app.clients.auth_client_core as core\n\ncore.validate_token(t)\n",
    # Strings that are no old path: a message, code in a string, the canonical path.
    '"TokenService.validate_token_jwt is DEPRECATED"\n',
    '"from netra_backend.app.agents.validate_token_jwt import x"\n',
    'patch("netra_backend.app.auth_integration.auth.validate_token_jwt")\n',
    f'"{OLD_MODULE}.validate_token is the old one"\n',
    "from netra_backend.app.auth_integration.auth import validate_token_jwt\n",
]


@pytest.mark.parametrize("source", REACHES)
def test_a_file_that_can_name_an_old_validator_reaches_the_transform(source: str) -> None:
    assert refers_to_old_validators(AstFile(source, FileContext.from_path(PATH)), RULES)


@pytest.mark.parametrize("source", LEFT_ALONE)
def test_a_file_the_check_rules_out_is_one_the_transform_leaves_alone(source: str) -> None:
    context = FileContext.from_path(PATH)
    assert not refers_to_old_validators(AstFile(source, context), RULES)
    result = ValidatorsCodemod().transform(ParsedFile(source, context), RULES)
    assert (result.code, result.findings, result.changes) == (source, [], 0)


def test_the_old_validators_own_module_reaches_the_transform() -> None:
    context = FileContext.from_path("netra_backend/app/services/user_auth_service.py")
    assert refers_to_old_validators(AstFile("x = 1\n", context), RULES)
