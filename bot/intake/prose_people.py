"""People named in sentences: "Mum is Kelly Dawes, her mobile is 07700 900611."

A family or professional word next to a name makes a person; the numbers and addresses said
after them, up to where someone else is named, are theirs. A later clause that opens with
their name or a pronoun ("Her mobile is ...", "Nicole has two numbers ...") is theirs too.
A place named by role ("The GP is Northgate Practice") is a professional known by the place.
"""

from __future__ import annotations

import re

from bot.intake.child_line import read_initials
from bot.intake.field_values import Fields, Value
from bot.intake.inline import (
    find_emails,
    find_phone_numbers,
    is_organisation,
    looks_like_name,
    read_contact,
    strip_title,
)
from bot.intake.labels import (
    ADVOCATE,
    AGENCY,
    CHILD,
    PARENT,
    SOCIAL_WORKER,
    TEAM_MANAGER,
    YOUNG_PERSON,
)
from bot.intake.line_rules import LEFT_OFF, NOT_INVITED, RETIRED_CONTACT
from bot.intake.mentions import (
    AT_PLACE,
    CAPITAL_RUN,
    COLLAR,
    CONTACT_START,
    DIGITS,
    NAME,
    NEXT_ITEM,
    NEXT_ROLE,
    NOT_A_NAME,
    NOT_NAME_PAIR,
    PERSON_NAMED_THERE,
    ROLE_LABEL,
    ROLE_OWNS,
    THE,
    TITLE,
    mentions_in,
    role_of,
)

_PRONOUN_START = re.compile(r"^\s*(she|he|they|her|his|their|mum'?s|dad'?s|both)\b", re.I)
_WORKS_AT = re.compile(
    r"\b(?:at|from|based at)\s+((?:the\s+)?[A-Z][\w'’&\-]*(?:\s+(?:[A-Z][\w'’&\-]*|of|&)){0,5})"
)


class _Mentions:
    """People named in sentences, each with the numbers and addresses said beside them."""

    def __init__(self, fields: Fields, source: str) -> None:
        self.fields = fields
        self.source = source
        self.last: tuple[str, int] | None = None
        self.known: dict[tuple[str, str], int] = {}

    def person(self, group: str, name: str, implied: tuple[str, str] | None) -> tuple[str, int]:
        key = (group, name.casefold())
        if key in self.known:
            return group, self.known[key]
        for (g, i, field), values in self.fields.values.items():
            if (
                g == group
                and field in ("name", "contact_name")
                and any(name.casefold() in v.text.casefold() for v in values)
            ):
                self.known[key] = i
                return group, i
        index = self.fields.max_index(group) + 1
        name_field = "contact_name" if group == AGENCY else "name"
        self.fields.add((group, index, name_field), Value(name, self.source))
        if implied is not None:
            self.fields.add((group, index, implied[0]), Value(implied[1], self.source))
        self.known[key] = index
        return group, index

    def place(self, name: str, implied: tuple[str, str] | None) -> tuple[str, int] | None:
        """A professional known by their workplace: "The GP is Northgate Practice"; None when
        another reader has them already (a labelled line is read by both)."""
        key = ("place", name.casefold())
        said = (
            v.text.casefold()
            for (g, _, _), vs in self.fields.values.items()
            if g == AGENCY
            for v in vs
        )
        if key not in self.known and any(name.casefold() in text for text in said):
            return None
        if key not in self.known:
            index = self.fields.max_index(AGENCY) + 1
            self.fields.add((AGENCY, index, "organisation"), Value(name, self.source))
            if implied is not None:
                self.fields.add((AGENCY, index, implied[0]), Value(implied[1], self.source))
            self.known[key] = index
        return AGENCY, self.known[key]

    def contacts(self, target: tuple[str, int], sentence: str, name: str = "") -> None:
        sentence = up_to_someone_else(sentence, name)
        emails, _, rest = find_emails(sentence)
        phones, _ = find_phone_numbers(rest)
        group, index = target
        for email in emails:
            self.fields.add((group, index, "email"), Value(email, self.source))
        if phones:
            self.fields.add((group, index, "phone"), Value(" ; ".join(phones), self.source))
        place = _WORKS_AT.search(sentence) if group == AGENCY else None
        # "Kidane Haile at Harrowdale Refugee Welcome": right after the name, it is theirs.
        beside = bool(place and name and sentence.find(name) + len(name) + 4 >= place.start())
        where = place.group(1) if place else ""
        workplace = is_organisation(where) or (beside and len(where.split()) >= 2)
        if place and workplace and not self.has(target, "organisation"):
            # "Farouk Hamid, who's the DSL at St Mary's RC Primary": where they work.
            self.fields.add(
                (group, index, "organisation"), Value(THE.sub("", place.group(1)), self.source)
            )

    def has(self, target: tuple[str, int], field: str) -> bool:
        return (*target, field) in self.fields.values


_ANOTHER_NAME = re.compile(r"\b[A-Z][a-z'’\-]+\s+(?:[A-Z]'|Mc)?[A-Z][a-z'’\-]+\b")


def up_to_someone_else(text: str, name: str) -> str:
    """The text up to where another person is named: their details are not this person's."""
    start = text.find(name) + len(name) if name and name in text else 0
    label = ROLE_LABEL.search(text, start)
    if label:
        text = text[: label.start()]  # "... Mum's number: 07700 900611" is mum's, not theirs
    for listed in NEXT_ROLE.finditer(text, start):
        # "Mrs Hughes (head@...), and the school nurse team (...)": once their details are
        # said, a role word starts the list's next item; before them it is their own role.
        said = text[start : listed.start()]
        if "@" in said or DIGITS.search(said):
            text = text[: listed.start()]
            break
    for m in NEXT_ITEM.finditer(text, start):
        # "...Tessa Gill (tessa.gill@...); the perinatal team (perinatal.team@...)": a list's
        # next item, with its own address, is someone else's.
        clause = text[m.end() :].split(";", 1)[0]
        if ("@" in clause or DIGITS.search(clause)) and not CONTACT_START.match(clause):
            text = text[: m.start()]
            break
    for m in _ANOTHER_NAME.finditer(text, start):
        found = m.group(0)
        if found in name:
            continue
        run = found + CAPITAL_RUN.match(text, m.end()).group(0)  # type: ignore[union-attr]
        at = AT_PLACE.search(text, max(0, m.start() - 6), m.start())
        if is_organisation(run) or NOT_NAME_PAIR.search(found) or at:
            # "Owen Marsh at Westhaven College": their place of work, said beside them;
            # "..., his new school, Lighthouse Primary (dsl@...)": another entry of the list.
            if m.start() - start > 30:
                return text[: m.start()]
            continue
        # "Owen Marsh at Westhaven College": a place of work, unless it names a person.
        if looks_like_name(found):
            return text[: m.start()]
    return text


# "St Mary's RC Primary": the capitalised words that carry on a name, to see if it is a place.
def _person_at_place(mentions: _Mentions, target: tuple[str, int], sentence: str, at: int) -> int:
    """ "Sunflowers Nursery, manager Liz Ward, 0161 ...": the person the place's details reach.

    Where their name ends, so their details after it are read as theirs too."""
    m = PERSON_NAMED_THERE.match(sentence, at)
    if m and looks_like_name(strip_title(m.group(1))) and not mentions.has(target, "contact_name"):
        name = strip_title(m.group(1))
        mentions.fields.add((*target, "contact_name"), Value(name, mentions.source))
        return m.end()
    return at


# ", DSL Mrs Roberts", " - head teacher Mr Evans": the person at the place just named.


_FIRST_OF_COUPLE = re.compile(r"[A-Z][\w'’\-]*\s+(?:and|&)\s+")
# "She has her own mobile, 07700 900941": a phone of the young person's own.
_OWN_PHONE = re.compile(r"\bown\s+(?:mobile|phone|number)\b", re.IGNORECASE)
_WHOSE_OWN = re.compile(r"[A-Za-z]['’]s\s+$")
_INITIALS = re.compile(r"(?<![A-Za-z.])((?:[A-Z]\.\s?){1,3})")


def _young_persons_own_phone(fields: Fields, sentence: str, source: str) -> None:
    """A young person's own phone, said in a sentence about the child: theirs, under the
    child's initials. Only where the child is plain: their initials in the sentence, or
    the one child of the request; never when a grown-up is named before it."""
    own = _OWN_PHONE.search(sentence)
    if own is None:
        return
    if any(pos < own.start() for pos, *_ in mentions_in(sentence)) or _WHOSE_OWN.search(
        sentence, 0, own.start()
    ):
        return  # "Mum has her own phone now", "Florin's own number": someone else's
    if any(g == YOUNG_PERSON for g, _, _ in fields.values):
        return  # a labelled line gave the young person already
    phones, _ = find_phone_numbers(find_emails(sentence[own.start() :])[2])
    if not phones:
        return
    children = list(
        dict.fromkeys(
            initials
            for (g, i, f), values in sorted(fields.values.items())
            if g == CHILD and f in ("initials", "entry")
            for v in values[:1]
            if (initials := read_initials(v.text))
        )
    )
    said = [m.group(1).replace(" ", "") for m in _INITIALS.finditer(sentence, 0, own.start())]
    # "J. would like to take part herself": a first initial is enough among few children.
    known = [c for c in children if any(c.replace(" ", "").startswith(w) for w in said)]
    initials = known[0] if len(known) == 1 else children[0] if len(children) == 1 else ""
    if not initials:
        return
    index = fields.max_index(YOUNG_PERSON) + 1
    fields.add((YOUNG_PERSON, index, "name"), Value(initials, source))
    fields.add((YOUNG_PERSON, index, "phone"), Value(phones[0], source))


def read_people(fields: Fields, sentences: list[str], source: str) -> None:
    mentions = _Mentions(fields, source)
    for sentence in (COLLAR.sub(r"\1", s) for s in sentences):
        _young_persons_own_phone(fields, sentence, source)
        named = mentions_in(sentence)
        if not named:
            _read_clauses(mentions, sentence)
            continue
        # Each takes what is said between it and the next: an address before a mention is
        # someone else's. A place just before a professional is where they work.
        cuts = [pos for pos, *_ in named] + [len(sentence)]
        workplace = ""
        for n, ((pos, group, name, implied, place), end) in enumerate(
            zip(named, cuts[1:], strict=False)
        ):
            following = named[n + 1] if n + 1 < len(named) else None
            nothing_said = not re.search(r"[@\d]", sentence[pos:end])
            if place and following and following[1] == AGENCY and not following[4] and nothing_said:
                workplace = name
                continue
            if NOT_INVITED.search(sentence[pos:end]):
                # "C's dad - Aaron Kelsall - ... NOT to be invited": left off, and said so.
                fields.add(("", 0, LEFT_OFF), Value(name, source))
                continue
            found = (
                mentions.place(name, implied) if place else mentions.person(group, name, implied)
            )
            if found is None:
                continue
            target = found
            said = name
            if place and not (following and following[1] == AGENCY and not following[4]):
                at = sentence.find(name, pos) + len(name)
                said = sentence[
                    sentence.find(name, pos) : _person_at_place(mentions, target, sentence, at)
                ]
            if workplace and group == AGENCY and not mentions.has(target, "organisation"):
                fields.add((*target, "organisation"), Value(workplace, source))
            workplace = ""
            mentions.contacts(target, sentence[pos:end], said)
            if (
                following
                and following[1] == group
                and _FIRST_OF_COUPLE.fullmatch(sentence[pos:end])
            ):
                # "foster carers Pat and Derek Ingham - 0113 ..., ingham@...": the couple's.
                after = cuts[n + 2] if n + 2 < len(cuts) else len(sentence)
                mentions.contacts(target, sentence[following[0] : after], following[2])
            mentions.last = target


# "Gemma's mobile is ...", "Nicole has two numbers ...": a clause about someone named before.
_NAMED_CLAUSE = re.compile(
    r"^\s*(?:and\s+)?([A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+)?)(?:['’]s\b|\s+(?:has|is|can|"
    r"will|uses|prefers|would|says|said|gave|lives|works|only|also|does|doesn'?t|may)\b)"
)
# Where a sentence's clauses part: ";", and "and" or "," before someone's "X's":
# "Samina's mobile is 07700 900171 and Tariq's is 07700 900172".
_CLAUSE_BREAK = re.compile(
    r";|(?:,\s*|\s+)and\s+(?=[A-Z][a-z'’\-]+['’]s\s)|,\s+(?=[A-Z][a-z'’\-]+['’]s\s)"
)
_NAMED_GROUPS = (PARENT, AGENCY, SOCIAL_WORKER, TEAM_MANAGER, ADVOCATE, YOUNG_PERSON)
_LEADING_NAME = re.compile(TITLE + NAME)


def _known_names(fields: Fields) -> dict[str, tuple[str, int] | None]:
    """Each person named so far by full and first name; None where two people share it."""
    names: dict[str, tuple[str, int] | None] = {}
    for (group, index, field), values in fields.values.items():
        if group not in _NAMED_GROUPS or field not in ("name", "contact_name"):
            continue
        for value in values:
            m = _LEADING_NAME.match(value.text.strip())
            name = strip_title(m.group(1)) if m else ""
            if not name or not looks_like_name(name):
                continue
            for key in {name, name.split()[0]}:
                known = names.get(key, (group, index))
                names[key] = (group, index) if known == (group, index) else None
    return names


def _relative(fields: Fields, word: str) -> tuple[str, int] | None:
    """ "mum's mobile has changed": the one parent of that relationship, if there is one."""
    role = role_of(word)
    if role is None or role[0] != PARENT or role[1] is None:
        return None
    wanted = role[1][1]
    found = sorted(
        i
        for (g, i, f), values in fields.values.items()
        if g == PARENT and f == "relationship" and any(v.text.lower() == wanted for v in values)
    )
    # "Mother's name: Jasmine Carter" and "Mother: Jasmine Carter - 07700 ...": one person.
    names = {
        read_contact(v.text).name.casefold()
        for i in found
        for v in fields.values.get((PARENT, i, "name"), [])
    }
    return (PARENT, found[0]) if found and len(names) <= 1 else None


# "Mum's new mobile ... is 07700 900121 - please use that one rather than the number on
# the form": the number given replaces the one written elsewhere.
_NEW_INSTEAD = re.compile(
    r"\bnew (?:mobile|number|phone)\b.*\b(?:rather than|instead of|not the (?:one|number))\b",
    re.IGNORECASE,
)


def _retire_others(fields: Fields, target: tuple[str, int], said: str) -> None:
    rest = find_emails(said)[2]
    new = set(find_phone_numbers(rest)[0])
    if not new:
        return
    group, _ = target
    name = " ".join(v.text for v in fields.values.get((*target, "name"), []))
    who = read_contact(name).name.casefold()
    # The same person may be written twice ("Mother's name:" and "Mother:"): every record.
    same = {
        i
        for (g, i, f), values in fields.values.items()
        if g == group
        and f == "name"
        and any(read_contact(v.text).name.casefold() == who for v in values)
    } | {target[1]}
    written = " ".join(
        v.text
        for (g, i, f), values in fields.values.items()
        if g == group and i in same and f in ("name", "phone", "contact")
        for v in values
    )
    for old in find_phone_numbers(find_emails(written)[2])[0]:
        if old not in new:
            fields.add(("", 0, RETIRED_CONTACT), Value(old, "the email body"))


def _read_clauses(mentions: _Mentions, sentence: str) -> None:
    """A sentence naming no one by role: its clauses may be about someone named before."""
    names: dict[str, tuple[str, int] | None] | None = None
    for clause in _CLAUSE_BREAK.split(sentence):
        # "with one change: mum's mobile has changed": whose, after a colon too.
        owner = ROLE_OWNS.search(clause)
        relative = _relative(mentions.fields, owner.group(1)) if owner else None
        if owner is not None and relative is not None:
            said = clause[owner.start() :]
            if _NEW_INSTEAD.search(said):
                _retire_others(mentions.fields, relative, said)
            mentions.contacts(relative, said, owner.group(0))
            mentions.last = relative
            continue
        m = _NAMED_CLAUSE.match(clause)
        if m and m.group(1).split()[0].lower() not in NOT_A_NAME:
            names = _known_names(mentions.fields) if names is None else names
            said = m.group(1).removesuffix("'s").removesuffix("’s")  # "Tariq's is 07700 ..."
            target = names.get(said)
            if target is not None:
                mentions.contacts(target, clause, said)
                mentions.last = target
                continue
        if mentions.last is not None and _PRONOUN_START.match(clause):
            mentions.contacts(mentions.last, clause)
        else:
            mentions.last = None
