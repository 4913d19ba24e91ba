"""Build the new constructor call from the rule's templates, keeping the old call's layout.

Each `{param}` becomes the old argument's own expression node (its text, inner comments and
line breaks unchanged), in parentheses only where precedence needs them. Comments between the
old arguments follow the parameter they were written next to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from codemods.constructors.binding import PLACEHOLDER
from codemods.constructors.plan import Conversion, Layout
from codemods.core.rules import ConstructorRule
from codemods.core.syntax import LINE_LIMIT

SENTINEL = "__migrator_param_{}__"

Whitespace = cst.BaseParenthesizableWhitespace
ATOMS = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.SimpleString,
    cst.FormattedString,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.Set,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.Ellipsis,
)


def parse_templates(rule: ConstructorRule) -> list[tuple[str, cst.BaseExpression]]:
    """Each new keyword with its template parsed, placeholders as sentinel names."""
    return [
        (keyword, cst.parse_expression(PLACEHOLDER.sub(lambda p: SENTINEL.format(p[1]), text)))
        for keyword, text in rule.args
    ]


def _param_of(name: str) -> str | None:
    prefix, suffix = SENTINEL.split("{}")
    if name.startswith(prefix) and name.endswith(suffix):
        return name[len(prefix) : -len(suffix)]
    return None


def _parenthesized(value: cst.BaseExpression) -> cst.BaseExpression:
    return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _needs_parens(value: cst.BaseExpression, context: str) -> bool:
    """Would `value` change meaning (or stop parsing) without parentheses in `context`?"""
    if value.lpar:
        return False
    if context == "operand":
        return not isinstance(value, ATOMS)
    unsafe: tuple[type, ...] = (cst.Yield, cst.GeneratorExp)
    if context == "keyword":
        unsafe += (cst.NamedExpr,)
    return isinstance(value, unsafe)


class _Fill(cst.CSTTransformer):
    """Replaces sentinel names with the old arguments' expressions."""

    def __init__(self, values: dict[str, cst.BaseExpression]) -> None:
        self.values = values
        self.contexts: dict[cst.CSTNode, str] = {}

    def visit_Arg(self, node: cst.Arg) -> None:
        if not node.star:
            self.contexts[node.value] = "keyword" if node.keyword else "positional"

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        param = _param_of(original_node.value)
        if param is None:
            return updated_node
        value = self.values[param]
        context = self.contexts.get(original_node, "operand")
        return _parenthesized(value) if _needs_parens(value, context) else value


def fill(template: cst.BaseExpression, values: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
    """The template with every placeholder replaced by its argument's expression."""
    if isinstance(template, cst.Name) and _param_of(template.value) is not None:
        value = values[_param_of(template.value) or ""]
        return _parenthesized(value) if _needs_parens(value, "keyword") else value
    return template.visit(_Fill(values))  # type: ignore[return-value]


def template_params(template: cst.BaseExpression) -> list[str]:
    names = [_param_of(n.value) for n in m.findall(template, m.Name())]  # type: ignore[union-attr]
    return list(dict.fromkeys(name for name in names if name is not None))


# ---- comments and layout of the old call -----------------------------------------------------


@dataclass
class _Notes:
    """Comments that belong to one argument: own lines before it, end-of-line after it."""

    leading: list[cst.EmptyLine] = field(default_factory=list)
    trailing: list[cst.TrailingWhitespace] = field(default_factory=list)


@dataclass
class _Frame:
    """The old call's punctuation: comments by argument, and where its lines break."""

    opening: cst.TrailingWhitespace | None  # the `(` line's own comment, if `(` ends a line
    notes: list[_Notes]  # one per old argument
    closing: list[cst.EmptyLine]  # own-line comments before `)`
    arg_line: cst.ParenthesizedWhitespace | None  # how argument lines start (hanging layout)
    close_line: cst.ParenthesizedWhitespace | None  # how the `)` line starts, if it has one
    multiline: bool
    trailing_comma: bool


def _comments(lines: list[cst.EmptyLine]) -> list[cst.EmptyLine]:
    return [line for line in lines if line.comment is not None]


def _frame(call: cst.Call) -> _Frame:
    notes = [_Notes() for _ in call.args]
    opening = None
    arg_line = None
    multiline = False
    before = call.whitespace_before_args
    if isinstance(before, cst.ParenthesizedWhitespace):
        opening, arg_line, multiline = before.first_line, before, True
        if notes:
            notes[0].leading += _comments(list(before.empty_lines))
    closing: list[cst.EmptyLine] = []
    close_line = None
    for index, arg in enumerate(call.args):
        gaps: list[Whitespace] = [arg.whitespace_after_arg]
        if isinstance(arg.comma, cst.Comma):
            gaps += [arg.comma.whitespace_before, arg.comma.whitespace_after]
        final_gap = gaps[-1]
        if isinstance(arg.equal, cst.AssignEqual):
            for comment in m.findall(arg.equal, m.Comment()):
                notes[index].trailing.append(_end_of_line(comment))  # type: ignore[arg-type]
        for gap in gaps:
            if not isinstance(gap, cst.ParenthesizedWhitespace):
                continue
            multiline = True
            if gap.first_line.comment is not None:
                notes[index].trailing.append(gap.first_line)
            own_lines = _comments(list(gap.empty_lines))
            if index + 1 < len(notes):
                notes[index + 1].leading += own_lines
            else:
                closing += own_lines
                close_line = gap if gap is final_gap else close_line
    last = call.args[-1] if call.args else None
    trailing_comma = last is not None and isinstance(last.comma, cst.Comma)
    return _Frame(opening, notes, closing, arg_line, close_line, multiline, trailing_comma)


def _end_of_line(comment: cst.Comment) -> cst.TrailingWhitespace:
    return cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=comment)


def _line(indent: bool, spaces: str, first: cst.TrailingWhitespace | None = None, above=()):
    return cst.ParenthesizedWhitespace(
        first_line=first or cst.TrailingWhitespace(),
        empty_lines=list(above),
        indent=indent,
        last_line=cst.SimpleWhitespace(spaces),
    )


# ---- the new call ----------------------------------------------------------------------------


@dataclass
class _NewArg:
    keyword: str
    value: cst.BaseExpression
    notes: _Notes = field(default_factory=_Notes)


def build_call(
    conversion: Conversion,
    call: cst.Call,
    templates: list[tuple[str, cst.BaseExpression]],
    default_indent: str,
) -> cst.Call:
    """`call` (already holding any converted inner calls) rewritten as the new class's call."""
    params = {id(arg): name for name, arg in conversion.binding.arguments.items()}
    by_param = {
        params[id(old)]: new for old, new in zip(conversion.call.args, call.args, strict=True)
    }
    values = {name: arg.value for name, arg in by_param.items()}
    new_args = [_NewArg(keyword, fill(template, values)) for keyword, template in templates]
    owner: dict[str, int] = {}
    for position, (_, template) in enumerate(templates):
        for param in template_params(template):
            owner.setdefault(param, position)
    frame = _frame(call)
    orphans: list[cst.Comment] = []
    for original, old, notes in zip(conversion.call.args, call.args, frame.notes, strict=True):
        param = params[id(original)]
        if param in owner:
            target = new_args[owner[param]].notes
            target.leading += notes.leading
            target.trailing += notes.trailing
        else:
            orphans += [line.comment for line in notes.leading if line.comment]
            orphans += [trail.comment for trail in notes.trailing if trail.comment]
            orphans += list(m.findall(old.value, m.Comment()))  # type: ignore[arg-type]
    base = call.with_changes(func=cst.Name(conversion.class_name))
    if frame.multiline:
        return _multiline(base, new_args, frame, orphans, conversion.layout)
    one_line = _one_line(base, new_args)
    if _fits(one_line, conversion.layout):
        return one_line
    layout = conversion.layout
    inner = layout.line_indent + default_indent
    frame.arg_line = _line(False, inner)
    frame.close_line = _line(False, layout.line_indent)
    return _multiline(base, new_args, frame, orphans, layout)


def _one_line(base: cst.Call, new_args: list[_NewArg]) -> cst.Call:
    args = [
        cst.Arg(
            value=arg.value,
            keyword=cst.Name(arg.keyword),
            equal=_equal(),
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if index < len(new_args) - 1
            else cst.MaybeSentinel.DEFAULT,
        )
        for index, arg in enumerate(new_args)
    ]
    return base.with_changes(args=args, whitespace_before_args=cst.SimpleWhitespace(""))


def _fits(call: cst.Call, layout: Layout) -> bool:
    text = cst.Module([]).code_for_node(call.with_changes(lpar=[], rpar=[]))
    if "\n" in text or layout.in_fstring:
        return True
    return layout.prefix_width + len(text) + layout.suffix_width <= LINE_LIMIT


def _equal() -> cst.AssignEqual:
    return cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
    )


def _multiline(
    base: cst.Call,
    new_args: list[_NewArg],
    frame: _Frame,
    orphans: list[cst.Comment],
    layout: Layout,
) -> cst.Call:
    if frame.arg_line is not None:
        hanging, line = True, frame.arg_line
    else:  # the first argument shares the `(` line: align the others under it
        column = layout.prefix_width + len(base.func.value) + 1  # type: ignore[union-attr]
        hanging, line = False, _line(False, " " * column)
        orphans = [c.comment for c in new_args[0].notes.leading if c.comment] + orphans
        new_args[0].notes.leading = []

    def own_line(comment: cst.Comment) -> cst.EmptyLine:
        return cst.EmptyLine(indent=line.indent, whitespace=line.last_line, comment=comment)

    for arg in new_args:  # one end-of-line comment per argument; any others go above it
        extra, arg.notes.trailing = arg.notes.trailing[1:], arg.notes.trailing[:1]
        arg.notes.leading += [own_line(t.comment) for t in extra if t.comment]
    closing = frame.closing + [own_line(comment) for comment in orphans]
    last_notes = new_args[-1].notes
    close_line = frame.close_line
    if close_line is None and (closing or last_notes.trailing):
        close_line = line
    args = []
    for index, arg in enumerate(new_args):
        is_last = index == len(new_args) - 1
        first = arg.notes.trailing[0] if arg.notes.trailing else None
        if not is_last:
            after = _line(
                line.indent, line.last_line.value, first, new_args[index + 1].notes.leading
            )
            comma: cst.Comma | cst.MaybeSentinel = cst.Comma(whitespace_after=after)
            after_arg: Whitespace = cst.SimpleWhitespace("")
        elif close_line is None:
            comma, after_arg = cst.MaybeSentinel.DEFAULT, cst.SimpleWhitespace("")
        else:
            end = _line(close_line.indent, close_line.last_line.value, first, closing)
            if frame.trailing_comma or hanging:  # one argument a line: black's magic comma
                comma, after_arg = cst.Comma(whitespace_after=end), cst.SimpleWhitespace("")
            else:
                comma, after_arg = cst.MaybeSentinel.DEFAULT, end
        args.append(
            cst.Arg(
                value=arg.value,
                keyword=cst.Name(arg.keyword),
                equal=_equal(),
                comma=comma,
                whitespace_after_arg=after_arg,
            )
        )
    if hanging:
        before: Whitespace = _line(
            line.indent, line.last_line.value, frame.opening, new_args[0].notes.leading
        )
    else:
        before = cst.SimpleWhitespace("")
    return base.with_changes(args=args, whitespace_before_args=before)
