"""Tables, as the extractor reads them: person grids, record tables, label/value rows.

A mix-in of ``Extractor``: a table's cells are read with the same labels, sections and
store as lines are, so the state those methods keep is the extractor's.
"""

from __future__ import annotations

import re

from bot.intake.blocks import Table
from bot.intake.field_values import Fields, Value
from bot.intake.grid import person_columns, rows_of
from bot.intake.labels import (
    AGENCY,
    CHILD,
    MULTI_GROUPS,
    PARENT,
    SOCIAL_WORKER,
    TEAM_MANAGER,
    FieldKey,
    parse_heading,
    strip_bullet,
)
from bot.intake.line_rules import LEFT_OFF, OWN_LABEL


class TableReading:
    """How a table is read; the extractor supplies the lines, labels and store."""

    fields: Fields
    source: str
    section: str | None
    current: dict[str, int | None]
    pending: FieldKey | None

    def _line(self, raw: str) -> None:
        raise NotImplementedError

    def _label(self, text: str, section: str | None) -> FieldKey | None:
        raise NotImplementedError

    def _put(self, key: FieldKey, value: str, *, opens_section: bool) -> None:
        raise NotImplementedError

    def _store(self, key: FieldKey, index: int, value: str) -> None:
        raise NotImplementedError

    def _open_section(self, group: str, index: int | None) -> None:
        raise NotImplementedError

    def _child_named(self, part: str) -> int | None:
        raise NotImplementedError

    def _table(self, table: Table) -> None:
        if self._person_grid(table) or self._record_table(table):
            return
        for row in table.rows:
            self._row(row)

    def _label_organisation(self, key: FieldKey, label: str) -> None:
        """ "School (Parkside Juniors):" names the organisation in the label's brackets."""
        if key.group != AGENCY or not key.implied:
            return
        inside = re.findall(r"\(([^()]{2,60})\)", label)
        index = self.current.get(AGENCY)
        if not inside or index is None or self.fields.has(AGENCY, index, "organisation"):
            return
        words = inside[0].strip()
        initials = re.fullmatch(r"(?:[A-Z]\.?\s*){1,4}", words)  # "School (M.):" is for M.
        if (
            words[:1].isupper()
            and not initials
            and not re.search(r"\b(for|of)\b", words, re.IGNORECASE)
        ):
            self.fields.add((AGENCY, index, "organisation"), Value(words, self.source))

    def _cell_lines(self, key: FieldKey, label: str, values: tuple[str, ...]) -> bool:
        """A cell holding one line per child or person, which must not run together.

        "Child(ren) initials | L.T. / M.T. / K.T.": the n-th line is the n-th child's.
        "Health | Midwife: Fatima Noor / HV: Jill Pearce": each line is labelled itself.
        "Parents | Lily Ashton (mum) / Ethan Crowther (dad) | 07700 900991 / 07700 900992":
        the n-th name goes with the n-th contact.
        """
        columns = [[line for line in v.split("\n") if line.strip()] for v in values if v.strip()]
        if not columns or len(columns[0]) < 2 or len(columns) > 2:
            return False
        lines = columns[0]
        if len(columns) == 2:
            if key.group not in (PARENT, AGENCY) or len(columns[1]) != len(lines):
                return False
            for name, contact in zip(lines, columns[1], strict=True):
                self._line(f"{label}: {name} - {contact}")
            return True
        one_each = key.name in ("initials", "date_of_birth", "due_date", "gender") or (
            self.fields.max_index(CHILD) >= len(lines)
        )
        if (
            key.group == CHILD
            and key.name not in ("entry", "case_reference")
            and one_each
            and all(len(v) <= 40 for v in lines)
        ):
            owners = [self._child_named(line) for line in lines]
            if None in owners or len(set(owners)) != len(owners):
                owners = list(range(1, len(lines) + 1))  # the n-th line is the n-th child's
            for owner, line in zip(owners, lines, strict=True):
                self.fields.add((CHILD, owner, key.name), Value(line.strip(), self.source))  # type: ignore[arg-type]
            return True
        if key.group in (PARENT, AGENCY) and all(OWN_LABEL.match(v) for v in lines):
            for line in lines:
                self.section = key.group
                self._line(line)
            return True
        return False

    def _person_grid(self, table: Table) -> bool:
        """Name / Role / Email / Phone: one person a row, in the group their role names."""
        if len(table.rows) < 2:
            return False
        columns = person_columns(table.rows[0])
        if columns is None:
            return False
        for key, facts in rows_of(table, columns):
            if facts["left_off"]:
                # "Invite? No - left in July": named, and not to be invited.
                who = facts["name"] or facts["organisation"] or "someone"
                self.fields.add(("", 0, LEFT_OFF), Value(who, self.source))
                continue
            group = key.group
            if group in (SOCIAL_WORKER, TEAM_MANAGER):
                if self.fields.has(group, 1, "name"):
                    # A second social worker (another council's) speaks for an agency.
                    group = AGENCY
                    key = FieldKey(  # noqa: PLW2901 - the row's key, re-read as an agency's
                        AGENCY, "contact_name", None, (("role", "social worker"),)
                    )
                else:
                    index = 1
            if group in MULTI_GROUPS:
                index = self.fields.max_index(group) + 1
            name_field = "contact_name" if group == AGENCY else "name"
            for fact, value in (
                (name_field, facts["name"]),
                ("email", facts["email"]),
                ("phone", facts["phone"]),
                ("organisation" if group == AGENCY else "", facts["organisation"]),
            ):
                if fact and value:
                    self.fields.add((group, index, fact), Value(value, self.source))
            for name, meaning in key.implied:
                self.fields.add((group, index, name), Value(meaning, self.source))
        self.section = None
        return True

    def _singles_table(self, table: Table) -> bool:
        """ "Conference | Strategy discussion | Format" over one row of values."""
        header = table.rows[0]
        keys = [self._label(cell, None) for cell in header]
        if len(table.rows) != 2 or not all(k is not None and not k.group for k in keys):
            return False
        for key, value in zip(keys, table.rows[1], strict=False):
            if key is not None:
                self._store(key, 0, value)
        return True

    def _record_table(self, table: Table) -> bool:
        """A table whose header row names a group's fields: one record per row below."""
        if len(table.rows) < 2 or len(table.rows[0]) < 2:
            return False
        if self._singles_table(table):
            return True
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
            if self._cell_lines(key, label, cells[i + 1 :]):
                i = len(cells)
                continue
            if value.strip():
                self._put(key, value.replace("\n", " ; "), opens_section=False)
            elif key.group:
                self._open_section(key.group, key.index)
            i = i + 2 if pair_end else len(cells)
