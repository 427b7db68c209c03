"""Read a playbook from YAML text, with errors that name the file, line and field.

The caller reads the file; this module only sees its bytes or text, so ``bot.core`` stays
free of I/O. A playbook is bounded: at most ``MAX_PLAYBOOK_BYTES``, UTF-8, and nested at
most ``MAX_PLAYBOOK_DEPTH`` deep, so a wrong or hostile file is one clear line, never a
traceback or a hang.
"""

from __future__ import annotations

import difflib
import json
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.core.conference import Role
from bot.core.playbook.model import Loc, Playbook

# The councils' playbooks are about 10 KB and nest 6 deep; the limits leave room for growth.
MAX_PLAYBOOK_BYTES = 1024 * 1024
MAX_PLAYBOOK_DEPTH = 20
_TOO_DEEP = f"nested more than {MAX_PLAYBOOK_DEPTH} levels deep: a playbook is never this deep"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a playbook file, at a line."""

    source: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        """``file:line: field: message``, on one line."""
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class PlaybookError(ValueError):
    """A playbook that cannot be used; ``str()`` is the first problem, on one line."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep every problem; the message is the first one."""
        self.problems = problems
        super().__init__(str(problems[0]))

    @property
    def lines(self) -> list[str]:
        """Every problem, one line each, in file order."""
        return [str(p) for p in self.problems]


def playbook_text(data: bytes, source: str) -> str:
    """A playbook file's bytes as text, newlines as ``\\n``; too large or not UTF-8 is refused.

    The caller reads at most ``MAX_PLAYBOOK_BYTES + 1`` bytes, so a huge file is never read whole.
    """
    if len(data) > MAX_PLAYBOOK_BYTES:
        raise PlaybookError([_too_large(source)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        problem = Problem(
            source, line, "", f"not UTF-8 text (byte 0x{data[err.start]:02x}): save it as UTF-8"
        )
        raise PlaybookError([problem]) from err
    # As Path.read_text does: the text's hash, a playbook's version, must not see line endings.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_playbook_text(text: str, source: str) -> Playbook:
    """Parse and validate a playbook; ``source`` is the file name used in error messages."""
    if len(text) > MAX_PLAYBOOK_BYTES:
        raise PlaybookError([_too_large(source)])
    yaml = YAML(typ="rt")
    yaml.max_depth = MAX_PLAYBOOK_DEPTH  # raises a MarkedYAMLError at the line too deep
    try:
        root = yaml.load(text)
    except RecursionError as err:  # a backstop, should the depth limit not stop it first
        raise PlaybookError([Problem(source, None, "", _TOO_DEEP)]) from err
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(err.problem or err.context or "unreadable").split())
        # ruamel's own words ask a programmer to raise YAML().max_depth.
        message = _TOO_DEEP if "maximum depth" in what else f"invalid YAML: {what}"
        raise PlaybookError([Problem(source, line, "", message)]) from err
    except YAMLError as err:
        raise PlaybookError([Problem(source, None, "", f"invalid YAML: {err}")]) from err
    if not isinstance(root, CommentedMap):
        raise PlaybookError(
            [Problem(source, 1, "", "expected a mapping of playbook fields at the top of the file")]
        )
    try:
        playbook = Playbook.model_validate(root, context={"defer_reference_checks": True})
    except ValidationError as err:
        problems = [_from_pydantic(source, root, detail) for detail in err.errors()]
        # A list that failed on a bad item also reports itself as too short: keep the item.
        deepest = [
            p
            for p in problems
            if not any(o.field.startswith(p.field + "[") for o in problems if o is not p)
        ]
        raise PlaybookError(sorted(deepest, key=_order)) from err
    found = playbook.problems()
    if found:
        raise PlaybookError(
            [Problem(source, _line_of(root, loc), _dotted(loc), msg) for loc, msg in found]
        )
    return playbook


def _too_large(source: str) -> Problem:
    return Problem(
        source,
        None,
        "",
        f"the file is larger than {MAX_PLAYBOOK_BYTES // 2**20} MB: a playbook is tens of KB",
    )


def playbook_schema_text() -> str:
    """The JSON schema for playbook files, as written to playbooks/schema.json."""
    schema = Playbook.model_json_schema()
    schema["title"] = "confbot playbook"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _order(problem: Problem) -> tuple[int, str]:
    return (problem.line or 0, problem.field)


def _dotted(loc: Loc) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts)


def _line_of(root: CommentedMap, loc: Loc) -> int:
    """The line of the deepest part of ``loc`` that exists in the YAML tree."""
    node: Any = root
    line = 1
    for part in loc:
        if isinstance(node, CommentedMap) and isinstance(part, str) and part in node:
            line = _key_line(node, part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _key_line(node: CommentedMap, key: str) -> int:
    """The line of ``key``, following YAML merge keys (``<<: *anchor``) to where it is written."""
    try:
        return int(node.lc.key(key)[0]) + 1
    except KeyError:
        for item in getattr(node, "merge", None) or ():
            # ruamel.yaml 0.19 lists the merged maps; older releases paired them with indexes.
            source = item[1] if isinstance(item, tuple) else item
            if isinstance(source, CommentedMap) and key in source:
                return _key_line(source, key)
    return int(node.lc.line) + 1


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model whose fields live at ``loc``, following lists, tuples and mappings."""
    annotation: Any = Playbook
    parts = list(loc)
    while parts:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(parts.pop(0)))
            if field is None:
                return None
            annotation = field.annotation
            continue
        origin = get_origin(annotation)
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        if origin in (Union, types.UnionType):
            annotation = next((a for a in args if a is not type(None)), None)
        elif origin in (tuple, list):
            parts.pop(0)
            annotation = args[0]
        elif origin is not None and issubclass(origin, Mapping):
            parts.pop(0)
            annotation = args[1]
        else:
            return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        return next(
            (a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)),
            None,
        )
    return None


def _from_pydantic(source: str, root: CommentedMap, detail: ErrorDetails) -> Problem:
    # Pydantic adds tags such as "function-after[...]" to the location; they are not fields.
    loc: Loc = tuple(p for p in detail["loc"] if isinstance(p, int) or "[" not in p)
    field = _dotted(loc)
    kind = detail["type"]
    given = detail.get("input")
    ctx = detail.get("ctx") or {}
    if kind == "extra_forbidden":
        name = str(loc[-1])
        model = _model_at(loc[:-1])
        known = sorted(model.model_fields) if model else []
        near = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        message = f"unknown field {name!r} ({hint}expected one of: {', '.join(known)})"
    elif kind == "missing":
        message = f"missing required field {str(loc[-1])!r}"
    elif kind == "enum":
        what = "role" if "'social_worker'" in str(ctx.get("expected", "")) else "value"
        message = f"unknown {what} {given!r} (expected one of: {ctx.get('expected')})"
        if what == "role":
            message = (
                f"undefined role {given!r} (expected one of: {', '.join(r.value for r in Role)})"
            )
    elif kind == "literal_error":
        message = f"unsupported value {given!r} (expected {ctx.get('expected')})"
    elif kind == "string_pattern_mismatch":
        message = (
            f"{given!r} is not a valid id (expected lower-case letters, digits and underscores, "
            "starting with a letter)"
        )
    elif kind == "too_short":
        message = "must not be empty"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected a mapping of fields, got {_yaml_kind(given)}"
    elif kind in ("tuple_type", "list_type"):
        message = f"expected a list, got {_yaml_kind(given)}"
    else:
        message = detail["msg"].removeprefix("Value error, ")
        if given is not None and not isinstance(given, (dict, list)) and kind != "bad_duration":
            message += f" (got {given!r})"
    return Problem(source, _line_of(root, loc), field, message)


def _yaml_kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
