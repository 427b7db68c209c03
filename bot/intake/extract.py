"""Lines and tables to labelled field values, remembering which group a bare label is in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from bot.intake.blocks import SIGN_OFF, Block, Table
from bot.intake.child_line import (
    bracketed_children,
    read_initials,
    split_child_entries,
)
from bot.intake.extract_tables import TableReading
from bot.intake.field_values import Fields, Value
from bot.intake.inline import looks_like_entry, looks_like_name, read_contact, split_people
from bot.intake.labels import (
    AGENCY,
    CHILD,
    MULTI_GROUPS,
    PARENT,
    FieldKey,
    family_relationship,
    normalise,
    parse_heading,
    parse_label,
    strip_bullet,
)
from bot.intake.line_rules import (
    BEFORE_INITIALS,
    CONTACT_FIELDS,
    CONTACT_HINT,
    HEAD_VERB,
    INITIALS_LIST,
    INITIALS_ONLY,
    LABELLED_SENTENCE,
    LEADING_INITIALS,
    NOTHING,
    PERSON_FIELDS,
    SAYS,
    SENTENCE_SINGLES,
    SENTENCE_WORDS,
    SERVICE_LINE,
    SEVERAL,
    SIDE_BY_SIDE,
    UNPLACED_CONTACT,
    VERB_NEXT,
    WORDS_ONLY,
    describes_child,
    only_contact,
    own_sentence,
    plain_list,
    reads_as,
    shortest_same_label,
    ticked,
)
from bot.intake.shared_contacts import by_order, by_role

# Where a label ends: a colon, a spaced dash, or a wide gap (a tab pasted from a table).
_SEPARATOR = re.compile(r"\s*:\s*|\s+[-–—]+\s+|\s*[-–—]+\s*$|\s{2,}")
# Fields that gather every value given rather than refusing a second one.
_LABEL_SPAN = 150
# A label naming a job: "Women's Aid worker for mum", "Refuge key worker", "YOT officer".
_PROFESSIONAL = re.compile(
    r"\b(worker|officer|practitioner|advocate|coordinator|co-ordinator|support worker|"
    r"keyworker|key worker|therapist|counsellor|mentor|caseworker)\b",
    re.IGNORECASE,
)
# Numbers given by the children's first names: "Finley 690201, Rosie 690202."
_BY_FIRST_NAME = re.compile(
    r"\s*[A-Z][a-z'’\-]+\s*[:\-–]?\s*(?:MOS)?\d{5,10}"
    r"(?:\s*(?:,|;|&|and)\s*[A-Z][a-z'’\-]+\s*[:\-–]?\s*(?:MOS)?\d{5,10})+\s*\.?\s*"
)
# A sentence that introduces the child's details below it.
_FOLLOWING_CHILD = re.compile(
    r"\b(?:the following|these|this|below)\s+(?:child(?:ren)?|young (?:person|people)|baby|"
    r"siblings?)(?:\s*\([^()]*\))?\s*[:\-–]\s*$",
    re.IGNORECASE,
)
ADDITIVE = frozenset(
    {
        ("parent", "phone"),
        ("parent", "email"),
        ("parent", "contact"),
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


def _alias_key(target: str) -> FieldKey:
    """ "child.date_of_birth" as a field key; a bare name is a single field."""
    group, _, name = target.rpartition(".")
    return FieldKey(group, name)


class Extractor(TableReading):
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
        self.under_heading = False
        self.current: dict[str, int | None] = {}
        self.pending: FieldKey | None = None
        self.listed: list[int] = []  # parents named together in one value, in order

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
        if not any(ch.isalnum() for ch in line):
            return  # blank, or a rule under a heading ("--------")
        if SIGN_OFF.match(line):
            # "Kind regards": the signature below is the sender's, not the last entry's.
            self.section, self.pending, self.under_heading = None, None, False
            return
        if _FOLLOWING_CHILD.search(line):
            # "... an ICPC for the following young person:" over "Name: / DOB: / ID:" lines.
            self.pending = None
            self._open_section(CHILD, None)
            return
        parts = SIDE_BY_SIDE.split(line)
        if len(parts) > 1:
            # "Initials: R.F.   Date of birth: 05/09/2017   LCS: 631190": a printed form's row.
            for part in parts:
                self._line(part)
            return
        sentences = LABELLED_SENTENCE.split(line)
        if len(sentences) > 1 and all(self._starts_labelled(p) for p in sentences[1:]):
            # "Mother: Jade Holt, 07700 900481. Mother's partner: Kyle Barnes, 07700 900482."
            for part in sentences:
                self._line(part)
            return
        # Labels are short: looking for a separator further in would be quadratic on junk.
        for match in _SEPARATOR.finditer(line, 0, _LABEL_SPAN):
            label, value = line[: match.start()], line[match.end() :].strip()
            key = self._label(label, self.section) if label else None
            if key is not None:
                self.pending = None
                self._put(key, value, opens_section=not value)
                self._label_organisation(key, label)
                return
            heading = parse_heading(label) if label and value else None
            if (
                heading is not None
                and heading[0] in _ENTRY_FIELD
                and heading[1] is None
                and plain_list(value, family=heading[0] == PARENT)
            ):
                # "Professionals: School (...), HV Sue Smith ...": a heading over its list.
                group = heading[0]
                self.pending = None
                self._open_section(group, None)
                index = self.fields.max_index(group) + 1
                self.current[group] = index
                self._store(FieldKey(group, _ENTRY_FIELD[group]), index, value)
                return
        if self._unknown_service(line):
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
            if key.group and (key.group != self.section or key.implied):
                # "MOTHER" over "Name - ..." lines: the record, with its relationship.
                self._put(key, "", opens_section=True)
                if key.implied:
                    self._resolve(key)
            self.pending = key
            return
        # "SW is me, Ellie ... 0113 496 0190. Manager: Femi Adebayo." holds a labelled part.
        parts = LABELLED_SENTENCE.split(line)
        if len(parts) > 1:
            for part in parts:
                self._line(part)
            return
        if self._unseparated(line):
            return
        self._value_line(line)

    def _unknown_service(self, line: str) -> bool:
        """Among the professionals, "Refuge key worker: Dee Walters, 07700 900785" is one.

        A label confbot does not know, over a named person or service with a way to reach
        them, is a professional whose label says what they do or where they work.
        """
        m = SERVICE_LINE.match(line)
        if m is None or parse_label(m.group(1), AGENCY) is not None:
            return False
        if self.section != AGENCY and not _PROFESSIONAL.search(m.group(1)):
            return False  # outside the professionals, only a label that says it is a job
        label, value = m.group(1).strip(), m.group(2).strip()
        contact = read_contact(value)
        if not ((contact.name or contact.organisation) and (contact.emails or contact.phones)):
            return False
        if VERB_NEXT.match(value) or any(ch.isdigit() for ch in label) or SAYS.search(label):
            return False  # "I'd like to attend too - Jade Mwangi, ...": a sentence
        index = self.fields.max_index(AGENCY) + 1
        self.current[AGENCY] = index
        self.pending = None
        self.fields.add((AGENCY, index, "role"), Value(label, self.source))
        self._store(FieldKey(AGENCY, "contact_name"), index, value)
        return True

    def _starts_labelled(self, part: str) -> bool:
        head = part.split(":", 1)[0]
        key = self._label(head, self.section) if ":" in part else None
        # A person's field, or one of the request's own ("Format: Teams. Confidential: no.").
        return key is not None and (bool(key.group) or key.name in SENTENCE_SINGLES)

    def _unseparated(self, line: str) -> bool:
        """A label with no colon or dash: "Mum Funmi Adeyemi; mobile 07700 900741"."""
        words = line.split()
        for size in (5, 4, 3, 2, 1):
            if len(words) <= size:
                continue
            head, rest = " ".join(words[:size]), " ".join(words[size:])
            if not WORDS_ONLY.fullmatch(head) or HEAD_VERB.search(head):
                continue  # "LCS 640112). The", "School for both is": a sentence's words
            key = parse_label(head, None)
            if key is None or (not key.group and not reads_as(key.name, rest)):
                continue  # "1. Conference details": a heading, not "Conference: details"
            shorter = shortest_same_label(words[:size], key)
            head, rest = " ".join(words[:shorter]), " ".join(words[shorter:])
            if key.group == CHILD and not describes_child(key.name, rest):
                continue  # "child protection conference. Mum ...": a wrapped sentence
            if (
                key.name not in PERSON_FIELDS
                and key.group
                and key.group != CHILD
                and not only_contact(key.name, rest)
            ):
                continue
            if VERB_NEXT.match(rest) or (len(rest.split()) >= 5 and SENTENCE_WORDS.search(rest)):
                return False  # "Mum is Kelly": a sentence, for the prose reader
            # "Mother's name Rhiannon Meredith", "Social worker Bethan Pugh": a form's row.
            named = key.name in PERSON_FIELDS and len(rest.split()) <= 4 and looks_like_name(rest)
            if key.group not in ("", CHILD) and not (
                ";" in rest or CONTACT_HINT.search(rest) or named
            ):
                return False
            self.pending = None
            self._put(key, rest, opens_section=False)
            return True
        return False

    def _value_line(self, line: str) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            listing = self.under_heading
            self._put(pending, line, opens_section=False)
            # "Children:" over a list: the lines after the first are entries too.
            self.under_heading = listing
            return
        # An unlabelled line under "CHILDREN", "FAMILY" or "PROFESSIONALS" is one entry.
        entry = _ENTRY_FIELD.get(self.section or "") if self.under_heading else None
        if (
            entry is not None
            and len(line) <= _LABEL_SPAN * 2
            and looks_like_entry(self.section or "", line)
        ):
            group = self._group_of_entry(self.section or "", line)
            index = self.fields.max_index(group) + 1
            self.current[group] = index
            self._store(FieldKey(group, _ENTRY_FIELD[group]), index, line)
            self._own_role(group, index, line, ())

    @staticmethod
    def _group_of_entry(section: str, line: str) -> str:
        """Under "Invite list" or "Professionals", "Kelly Dawes (mum) 07700 900611" is family
        and "Sue Smith HV ..." a professional: the entry's own role words say which."""
        if section not in (AGENCY, PARENT):
            return section
        keys = [parse_label(role) for role in read_contact(line).roles]
        groups = {k.group for k in keys if k is not None and k.group in (AGENCY, PARENT)}
        return groups.pop() if len(groups) == 1 else section

    def _open_section(self, group: str, index: int | None) -> None:
        self.section = group
        self.current[group] = index
        self.under_heading = True

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
            # "LAC nurse Mandy Pearce" after "Fenbridge College (...)" is someone else.
            someone = key.name in PERSON_FIELDS and any(
                self.fields.has(group, current, name) for name in PERSON_FIELDS
            )
            if not said_any and not someone:
                return current
        return self.fields.max_index(group) + 1

    def _put(self, key: FieldKey, value: str, *, opens_section: bool) -> None:
        # Under a labelled field, an unlabelled line is not a new entry, only under a heading.
        self.under_heading = opens_section and key.group in _ENTRY_FIELD
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
        text = ticked(value.strip())
        if not text:
            return
        if key.group and NOTHING.match(text):
            return  # "Sibling: none", "Email: n/a": nobody, and no value
        if key.group == CHILD and key.name != "entry" and self._per_child(key, text):
            return
        if key.group == CHILD and key.name.endswith("reference") and _BY_FIRST_NAME.fullmatch(text):
            return  # "LCS: Finley 690201, Rosie 690202": each child's, once they are named
        if key.group == CHILD and key.name == "entry":
            # "Children: T.R. (DOB ...), B.R. (DOB ...)" is two children; so is "E.P. and G.P."
            entries = INITIALS_ONLY.split(text) if INITIALS_LIST.fullmatch(text) else []
            entries = entries if len(entries) > 1 else split_child_entries(text)
            paired = bracketed_children(text)  # "I.Y. and C.Y. (twins, both born ...)"
            first, *more = paired if len(paired) > len(entries) else entries
            self.fields.add((CHILD, index, "entry"), Value(first, self.source))
            for part in more:
                index = self.fields.max_index(CHILD) + 1
                self.fields.add((CHILD, index, "entry"), Value(part, self.source))
                self.current[CHILD] = index
            return
        if key.group in (AGENCY, PARENT) and key.name in PERSON_FIELDS:
            text = own_sentence(text)
        if key.group in (AGENCY, PARENT) and key.name in PERSON_FIELDS and SEVERAL.search(text):
            people = split_people(text, family=key.group == PARENT)
            if len(people) > 1:
                # "Oakfield High - dsl@...; Millbrook Primary - Ms Clare Hutt, c.hutt@...": two.
                self.fields.add((key.group, index, key.name), Value(people[0], self.source))
                implied = [(n, v) for n, v in key.implied if self.fields.has(key.group, index, n)]
                if not implied:
                    self._own_role(key.group, index, people[0], ())
                listed = [index]
                for part in people[1:]:
                    index = self.fields.max_index(key.group) + 1
                    self.fields.add((key.group, index, key.name), Value(part, self.source))
                    self._own_role(key.group, index, part, implied)
                    self.current[key.group] = index
                    listed.append(index)
                self.listed = listed if key.group == PARENT else []
                return
        if key.group == PARENT and key.name in CONTACT_FIELDS and self._share_out(key, text):
            return
        if key.name in PERSON_FIELDS:
            self.listed = []
        self.fields.add((key.group, index, key.name), Value(text, self.source))

    def _share_out(self, key: FieldKey, text: str) -> bool:
        """ "Contact numbers: Mum 07700 900611, Dad 07700 900612": each to their own."""
        relationships = {
            i: family_relationship(v.text) or v.text.strip().lower()
            for (g, i, name), values in self.fields.values.items()
            if g == PARENT and name == "relationship"
            for v in values[:1]
        }
        shared = by_role(text, relationships) or by_order(text, self.listed)
        for owner, piece in shared or ():
            self.fields.add((PARENT, owner, key.name), Value(piece, self.source))
        if not shared and len(self.listed) > 1:
            # "Names of parents: A and B / Contact number: 07700 ...": whose? Not guessed.
            self.fields.add(("", 0, UNPLACED_CONTACT), Value(text, self.source))
            return True
        return bool(shared)

    def _per_child(self, key: FieldKey, text: str) -> bool:
        """ "LCS No.: E.P. 701122 / G.P. 701123", a cell's "G.P. 30.09.2019": each child's own
        value, given to the child named by those initials."""
        parts = [p for p in BEFORE_INITIALS.split(text) if p.strip()]
        owners = [self._child_named(p) for p in parts]
        if not parts or None in owners or (len(parts) == 1 and owners[0] is None):
            return False
        for part, owner in zip(parts, owners, strict=True):
            self.fields.add((CHILD, owner, key.name), Value(part, self.source))  # type: ignore[arg-type]
        return True

    def _child_named(self, part: str) -> int | None:
        m = LEADING_INITIALS.match(part)
        if not m:
            return None
        wanted = m.group(1).replace(" ", "")
        for (group, index, name), values in self.fields.values.items():
            named = group == CHILD and name in ("entry", "initials")
            if named and any(read_initials(v.text, from_names=False) == wanted for v in values):
                return index
        return None

    def _own_role(
        self, group: str, index: int, part: str, implied: Iterable[tuple[str, str]]
    ) -> None:
        """ "... and PC Dean Amos": the entry's own role word, else the label's."""
        own = [parse_label(role) for role in read_contact(part).roles]
        roles = [k.implied for k in own if k is not None and k.group == group]
        for name, meaning in roles[0] if roles else implied:
            if not self.fields.has(group, index, name):
                self.fields.add((group, index, name), Value(meaning, self.source))
