"""Lines and tables to labelled field values, remembering which group a bare label is in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.intake.blocks import Block, Table
from bot.intake.child_line import split_child_entries
from bot.intake.inline import looks_like_entry
from bot.intake.labels import (
    AGENCY,
    CHILD,
    MULTI_GROUPS,
    PARENT,
    FieldKey,
    normalise,
    parse_heading,
    parse_label,
    strip_bullet,
)

# Where a label ends: a colon, a spaced dash, or a wide gap (a tab pasted from a table).
_SEPARATOR = re.compile(r"\s*:\s*|\s+[-–—]+\s+|\s*[-–—]+\s*$|\s{2,}")
# Fields that gather every value given rather than refusing a second one.
_LABEL_SPAN = 150
ADDITIVE = frozenset(
    {
        ("parent", "phone"),
        ("parent", "email"),
        ("agency", "phone"),
        ("agency", "email"),
        ("", "access_needs"),
        ("child", "case_reference"),
        ("social_worker", "phone"),
        ("team_manager", "phone"),
    }
)
# The field an unlabelled line in a group's section is read into.
_ENTRY_FIELD = {CHILD: "entry", PARENT: "name", AGENCY: "contact_name"}


@dataclass(frozen=True, slots=True)
class Value:
    """One value as written, and where: "the email body" or "attachment 'form.docx'"."""

    text: str
    source: str


@dataclass(slots=True)
class Fields:
    """Every field found in a message, keyed by (group, index, name); index 0 for singles."""

    values: dict[tuple[str, int, str], list[Value]] = field(default_factory=dict)

    def add(self, key: tuple[str, int, str], value: Value) -> None:
        """Record a value; repeats are kept so conflicts can be reported."""
        self.values.setdefault(key, []).append(value)

    def max_index(self, group: str) -> int:
        """The highest number used so far for ``group`` (0 if none)."""
        return max((k[1] for k in self.values if k[0] == group), default=0)

    def has(self, group: str, index: int, name: str) -> bool:
        """Whether that field already has a value."""
        return (group, index, name) in self.values


def _alias_key(target: str) -> FieldKey:
    """ "child.date_of_birth" as a field key; a bare name is a single field."""
    group, _, name = target.rpartition(".")
    return FieldKey(group, name)


class Extractor:
    """Reads one source's blocks into a shared Fields."""

    def __init__(
        self, fields: Fields, source: str, aliases: Mapping[str, str] | None = None
    ) -> None:
        self.fields = fields
        self.source = source
        # A council's own labels ("ICS number" -> child.case_reference), from its playbook.
        self.aliases = {
            normalise(label): _alias_key(target) for label, target in (aliases or {}).items()
        }
        self.section: str | None = None
        self.current: dict[str, int | None] = {}
        self.pending: FieldKey | None = None

    def _label(self, text: str, section: str | None) -> FieldKey | None:
        alias = self.aliases.get(normalise(text)) if self.aliases else None
        return alias if alias is not None else parse_label(text, section)

    def read(self, blocks: list[Block]) -> None:
        """Read every block in order."""
        for block in blocks:
            if isinstance(block, Table):
                self.pending = None
                self._table(block)
            else:
                self._line(block)

    def _line(self, raw: str) -> None:
        line = strip_bullet(raw)
        if not line:
            return
        # Labels are short: looking for a separator further in would be quadratic on junk.
        for match in _SEPARATOR.finditer(line, 0, _LABEL_SPAN):
            label, value = line[: match.start()], line[match.end() :].strip()
            key = self._label(label, self.section) if label else None
            if key is not None:
                self.pending = None
                self._put(key, value, opens_section=not value)
                return
        if len(line) > _LABEL_SPAN:
            self._value_line(line)
            return
        bare = line.rstrip(":-–— ")
        heading = parse_heading(bare)
        key = self._label(bare, self.section)
        if heading is not None:
            self._open_section(*heading)
            self.pending = key
            return
        if key is not None:
            self.pending = key
            return
        self._value_line(line)

    def _value_line(self, line: str) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self._put(pending, line, opens_section=False)
            return
        # An unlabelled line under "CHILDREN", "FAMILY" or "PROFESSIONALS" is one entry.
        entry = _ENTRY_FIELD.get(self.section or "")
        if (
            entry is not None
            and len(line) <= _LABEL_SPAN * 2
            and looks_like_entry(self.section or "", line)
        ):
            index = self.fields.max_index(self.section or "") + 1
            self.current[self.section or ""] = index
            self.fields.add((self.section or "", index, entry), Value(line, self.source))

    def _open_section(self, group: str, index: int | None) -> None:
        self.section = group
        self.current[group] = index

    def _resolve(self, key: FieldKey) -> int:
        if not key.group:
            return 0
        if key.group not in MULTI_GROUPS:
            return 1
        if key.index is not None:
            self.current[key.group] = key.index
            return key.index
        index = self.current.get(key.group)
        additive = (key.group, key.name) in ADDITIVE
        if key.implied:
            index = self._implied_index(key, index, additive=additive)
        elif index is None or (self.fields.has(key.group, index, key.name) and not additive):
            index = self.fields.max_index(key.group) + 1
        self.current[key.group] = index
        for name, meaning in key.implied:
            if not self.fields.has(key.group, index, name):
                self.fields.add((key.group, index, name), Value(meaning, self.source))
        return index

    def _implied_index(self, key: FieldKey, current: int | None, *, additive: bool) -> int:
        """The record a role-word label ("Mum's mobile") belongs to: the mother's, if any."""
        group = key.group
        wanted = dict(key.implied)

        def free(i: int) -> bool:
            return additive or not self.fields.has(group, i, key.name)

        for index in range(1, self.fields.max_index(group) + 1):
            said = {
                name: self.fields.values[(group, index, name)][0].text
                for name in wanted
                if self.fields.has(group, index, name)
            }
            if said == wanted and free(index):
                return index
        if current is not None and free(current):
            said_any = any(self.fields.has(group, current, name) for name in wanted)
            if not said_any:
                return current
        return self.fields.max_index(group) + 1

    def _put(self, key: FieldKey, value: str, *, opens_section: bool) -> None:
        if key.group:
            self.section = key.group
        else:
            self.section = None  # a single field ends any group, so a later "Email" is not misread
        if opens_section:
            if key.group and key.index is not None:
                self.current[key.group] = key.index
            elif key.group in MULTI_GROUPS:
                self.current[key.group] = None
            self.pending = key
            return
        self._store(key, self._resolve(key), value)

    def _store(self, key: FieldKey, index: int, value: str) -> None:
        text = value.strip()
        if not text:
            return
        if key.group == CHILD and key.name == "entry":
            # "Children: T.R. (DOB ...), B.R. (DOB ...)" is two children.
            first, *more = split_child_entries(text)
            self.fields.add((CHILD, index, "entry"), Value(first, self.source))
            for part in more:
                index = self.fields.max_index(CHILD) + 1
                self.fields.add((CHILD, index, "entry"), Value(part, self.source))
                self.current[CHILD] = index
            return
        self.fields.add((key.group, index, key.name), Value(text, self.source))

    def _table(self, table: Table) -> None:
        if self._record_table(table):
            return
        for row in table.rows:
            self._row(row)

    def _record_table(self, table: Table) -> bool:
        """A table whose header row names a group's fields: one record per row below."""
        if len(table.rows) < 2 or len(table.rows[0]) < 2:
            return False
        header = table.rows[0]
        best: tuple[int, str, list[FieldKey | None]] | None = None
        for group in MULTI_GROUPS:
            keys = [self._label(cell, group) for cell in header]
            keys = [k if k is not None and k.group == group else None for k in keys]
            score = sum(k is not None for k in keys)
            if group == self.section:
                score += 1  # the heading above the table breaks a tie
            if best is None or score > best[0]:
                best = (score, group, keys)
        if best is None or sum(k is not None for k in best[2]) < 2:
            return False
        _, group, keys = best
        self.section = group
        for row in table.rows[1:]:
            index = self.fields.max_index(group) + 1
            for key, cell in zip(keys, row, strict=False):
                if key is not None:
                    self._store(key, index, cell)
            self.current[group] = index
        return True

    def _row(self, cells: tuple[str, ...]) -> None:
        cells = tuple(c for c in cells if c.strip()) if len(cells) > 2 else cells
        if len(cells) == 1 or (len(cells) == 2 and not cells[1].strip()):
            for line in cells[0].split("\n"):
                self._line(line)
            return
        i = 0
        while i < len(cells):
            label = strip_bullet(cells[i]).rstrip(":-–— ")
            key = self._label(label, self.section) if "\n" not in label else None
            if key is None:
                heading = parse_heading(label)
                if heading is not None:
                    self._open_section(*heading)
                else:
                    for line in cells[i].split("\n"):
                        self._line(line)
                i += 1
                continue
            pair_end = i + 2 >= len(cells) or self._label(cells[i + 2], self.section) is not None
            if i + 1 >= len(cells):
                value = ""  # a label in the last cell: a blank field on the form
            else:
                value = cells[i + 1] if pair_end else " ; ".join(cells[i + 1 :])
            self.pending = None
            if value.strip():
                self._put(key, value.replace("\n", " ; "), opens_section=False)
            elif key.group:
                self._open_section(key.group, key.index)
            i = i + 2 if pair_end else len(cells)
