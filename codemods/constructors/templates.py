"""The constructor rule's argument templates, parser-free: which names they spell."""

from __future__ import annotations

import re

from codemods.core.rules import ConstructorRule

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def template_names(rule: ConstructorRule) -> list[tuple[str, str]]:
    """The `(name, module)` imports whose names the templates actually spell."""
    texts = [PLACEHOLDER.sub("", template) for _, template in rule.args]
    return [
        (name, module)
        for name, module in rule.imports
        if any(re.search(rf"(?<![\w.]){re.escape(name)}\b", text) for text in texts)
    ]
