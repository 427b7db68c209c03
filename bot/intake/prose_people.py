"""People named in sentences: "Mum is Kelly Dawes, her mobile is 07700 900611."

A family or professional word next to a name makes a person; the numbers and addresses said
after them, up to where someone else is named, are theirs. A later clause that opens with
their name or a pronoun ("Her mobile is ...", "Nicole has two numbers ...") is theirs too.
A place named by role ("The GP is Northgate Practice") is a professional known by the place.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
    PARENT,
    SOCIAL_WORKER,
    TEAM_MANAGER,
    YOUNG_PERSON,
    agency_words,
    family_words,
    parse_label,
)
from bot.intake.line_rules import LEFT_OFF, NOT_INVITED, RETIRED_CONTACT

# Capitals and small letters with the accents British names carry: Siân, Zoë, José, Tŷ.
_UPPER = "A-ZÀ-ÖØ-ÞŴŶ"
_LOWER = "a-zß-öø-ÿŵŷ"
# "McKenna", "MacLeod" and "O'Brien" first, so "Mc" or "O'" is never taken for a word.
_NAME_WORD = (
    rf"(?:(?:Mc|Mac)[{_UPPER}][{_LOWER}]+|[{_UPPER}]['’][{_UPPER}][{_LOWER}]+|"
    rf"[{_UPPER}][{_LOWER}'’\-]+)(?![{_UPPER}{_LOWER}])"
)
NAME = rf"({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
TITLE = r"(?:(?:Ms|Mrs|Mr|Miss|Mx|Dr|DC|PC|DS|DI)\.?\s+)?"
# Between a role word and the name: "Mum is", "DSL for both is", "the school nurse, ".
LINK = (
    r"(?:'s name)?(?i:\s+for\s+(?:both|all|them|each|the\s+\w+|(?:[A-Z]\.)+,?))?"
    r"\s*(?i:is called|is|are|was|,|:|-|–|\(|called|named|who is)?\s*"
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
                (group, index, "organisation"), Value(_THE.sub("", place.group(1)), self.source)
            )

    def has(self, target: tuple[str, int], field: str) -> bool:
        return (*target, field) in self.fields.values


_ANOTHER_NAME = re.compile(r"\b[A-Z][a-z'’\-]+\s+(?:[A-Z]'|Mc)?[A-Z][a-z'’\-]+\b")


def up_to_someone_else(text: str, name: str) -> str:
    """The text up to where another person is named: their details are not this person's."""
    start = text.find(name) + len(name) if name and name in text else 0
    label = _ROLE_LABEL.search(text, start)
    if label:
        text = text[: label.start()]  # "... Mum's number: 07700 900611" is mum's, not theirs
    for listed in _NEXT_ROLE.finditer(text, start):
        # "Mrs Hughes (head@...), and the school nurse team (...)": once their details are
        # said, a role word starts the list's next item; before them it is their own role.
        said = text[start : listed.start()]
        if "@" in said or _DIGITS.search(said):
            text = text[: listed.start()]
            break
    for m in _NEXT_ITEM.finditer(text, start):
        # "...Tessa Gill (tessa.gill@...); the perinatal team (perinatal.team@...)": a list's
        # next item, with its own address, is someone else's.
        clause = text[m.end() :].split(";", 1)[0]
        if ("@" in clause or _DIGITS.search(clause)) and not _CONTACT_START.match(clause):
            text = text[: m.start()]
            break
    for m in _ANOTHER_NAME.finditer(text, start):
        found = m.group(0)
        if found in name:
            continue
        run = found + _CAPITAL_RUN.match(text, m.end()).group(0)  # type: ignore[union-attr]
        at = _AT_PLACE.search(text, max(0, m.start() - 6), m.start())
        if is_organisation(run) or _NOT_NAME_PAIR.search(found) or at:
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
_CAPITAL_RUN = re.compile(r"(?:\s+(?:[A-Z]{2,}|[A-Z][\w'’\-]*)){0,4}")
_AT_PLACE = re.compile(r"\b(?:at|from)\s+$")
_NEXT_ITEM = re.compile(r";\s*(?:and\s+)?")
_DIGITS = re.compile(r"\d{4}")
_CONTACT_START = re.compile(
    r"(?:mob|mobile|tel|telephone|phone|landline|home|work|email|e-mail|or|ext|"
    r"her|his|their|she|he|they|also|can|may|best)\b|[\d+(]",
    re.IGNORECASE,
)
_NOT_NAME_PAIR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Teams|Children|"
    r"Services|Council|College|School|Primary|Academy|Centre|Surgery|Police|Health|Trust)\b"
)


def _word_pattern(word: str) -> str:
    """A role word as a pattern; "mums sister" is also written "mum's sister"."""
    parts = word.split()
    return r"[\s\-]?".join(
        re.escape(part[:-1]) + "['’]?s"
        if n < len(parts) - 1 and part.endswith("s")
        else re.escape(part)
        for n, part in enumerate(parts)
    )


_ROLE_BY_WORD = {w: (group, implied) for w, group, implied in (*family_words(), *agency_words())}
_ROLE_WORD = "(?i:\\b(" + "|".join(_word_pattern(w) for w in _ROLE_BY_WORD if len(w) > 1) + ")\\b)"
# "Nan (mum's mum), Bev McKenna": an aside in brackets between the role and the name.
_ASIDE = r"(?:\s*\([^()]{1,30}\))?"
# A professional who is someone's: "worker for mum", "advocate to dad", "support for mum".
_FOR_SOMEONE = re.compile(r"\b[a-z]{3,}\s+(?:for|to)\s+(?:the\s+)?$", re.IGNORECASE)
_ROLE_THEN_NAME = re.compile(_ROLE_WORD + _ASIDE + LINK + TITLE + NAME)
# "GP – Tŷ Meddyg Surgery – ...", "School nurse: Sara Jones": a line that is a list's item.
ROLE_ITEM = re.compile(r"^\W*" + _ROLE_WORD + r"\s*(?:[–—:]|\s-\s)")
# "head of year at Northfield Academy, Mr Stephen Cole": the role, where, then who.
_ROLE_AT_PLACE_THEN_NAME = re.compile(
    _ROLE_WORD
    + r"\s+(?:at|from)\s+((?:the\s+)?[A-Z][\w'’&\-]*(?:\s+(?:[A-Z][\w'’&\-]*|of|&)){0,5})"
    + r"\s*(?:,|-|–|\()\s*"
    + TITLE
    + NAME
)
_NEXT_ROLE = re.compile(r"(?:,\s*|\s)(?:and\s+)?(?:the|a|their|his|her)\s+" + _ROLE_WORD)
_PLACE_THEN_PERSON = re.compile(
    r"\b((?:[A-Z][\w'’&\-]*\s+){1,4}(?i:nursery|school|primary|academy|college|surgery|"
    r"practice|centre|service|team|project))\s*\(\s*(?:the\s+)?(?i:manager|dsl|head\w*|"
    r"teacher|senco|key\s*worker|lead|nurse|worker)\s+(" + TITLE + NAME[1:-1] + ")"
)
_AND_TITLED = re.compile(r"\band\s+((?:Ms|Mrs|Mr|Miss|Mx|Dr)\.?\s+" + NAME[1:-1] + ")")
_ROLE_OWNS = re.compile(r"(?:^|:\s)\W*(?:and\s+|but\s+)?(?:the\s+)?" + _ROLE_WORD + r"['’]s\b")
_THE = re.compile(r"^the\s+", re.IGNORECASE)
# "PC 4521 Amy Roberts": an officer's collar number between the rank and the name.
_COLLAR = re.compile(r"\b((?:PC|DC|DS|PCSO|Sgt)\.?)\s+\d{3,6}\b(?=\s+[A-Z])")
# Whose they are, between a name and its role: "(K.'s stepdad)", "the boys' social worker".
_WHOSE = (
    r"(?:(?:[A-Z]\.)+['’]s\s+|(?:the\s+)?(?:boys|girls|children|kids)['’]\s+"
    r"|(?:the\s+)?(?:child|baby)['’]s\s+|(?:his|her|their|the)\s+)?"
)
_NAME_THEN_ROLE = re.compile(
    NAME
    + r"\s*(?:\(|,\s*|\s+-\s+|\s+is\s+(?:the\s+)?(?:child'?s\s+|children'?s\s+)?"
    + r"|,?\s+who(?:['’]s|\s+is)\s+(?:the\s+|a\s+)?)"
    + _WHOSE
    + _ROLE_WORD
)
_ATTENDS = re.compile(
    r"(?i:\b(?:attends|goes to|is a pupil at|is on roll at|is in year \d+ at))\s+"
    r"((?:[A-Z][\w'’&\-]*\s?){1,5})"
)
_THEIR_WORKER = re.compile(
    r"(?i:\b(?:his|her|their|the family['’]s|the)\s+(?:key\s*)?worker(?:\s+there)?\s+is)\s+"
    + TITLE
    + NAME
)
_ROLE_WORD_RE = re.compile(_ROLE_WORD)
_PARENTS_NAMED = re.compile(
    r"(?i:\b(?:both|the|his|her|their)\s+parents)\s*(?:,|:|-|–|\bare\b|\bwere\b)\s*"
    + NAME
    + r"(?:\s*(?:,|\band\b|&)\s*"
    + NAME
    + ")?"
)
_EXPECTING = re.compile(
    NAME + r"['’]s\s+(?:unborn(?:\s+(?:baby|child))?|pregnancy|expected baby)\b"
)
# A role word written as a label, or owning what follows: "Mum's number:", "Dad:".
_ROLE_LABEL = re.compile(_ROLE_WORD + r"(?:['’]s\b|\s*:)")
_ADVOCATE_NAME = re.compile(rf"(?i:\badvocate\b){LINK}{TITLE}{NAME}")


def role_of(word: str) -> tuple[str, tuple[str, str]] | None:
    return _ROLE_BY_WORD.get(re.sub(r"[\s\-]+", " ", re.sub(r"['’]", "", word.lower())).strip())


# Cached (so a tuple, which callers cannot change): the role-word patterns are long
# alternations, and the same sentences are read for the body and for the sender's own words.
@lru_cache(maxsize=2048)
def _mentions_in(sentence: str) -> tuple[_Mention, ...]:
    """(position, group, name, implied, place) for each person or place a sentence names by
    role; ``place`` is true for a place ("The GP is Northgate Practice")."""
    found: list[_Mention] = []
    for m in _ROLE_THEN_NAME.finditer(sentence):
        role = role_of(m.group(1))
        # "his new school, Lighthouse Primary": a place, not a person called Lighthouse.
        # "Health Visitor, Fenbridge 0-19 Service": the words up to the next comma too.
        after = re.match(r"[ \w\-'’&]{0,40}", sentence[m.end(2) :])
        tail = re.split(
            r"\s(?:at|from|of|in|for|with|on|and|who|is)\s", after.group(0) if after else ""
        )
        place = m.group(2) + re.sub(r"\d", "", tail[0])
        if role_of(f"{m.group(1)} {m.group(2).split()[0]}") is not None:
            continue  # "Health Visitor": one role word, not "health" and a Mr Visitor
        if role is None:
            continue
        if role[0] == PARENT and _FOR_SOMEONE.search(sentence, 0, m.start()):
            continue  # "Women's Aid worker for mum: Shona Patel": mum's worker, not mum
        run = m.group(2) + _CAPITAL_RUN.match(sentence, m.end(2)).group(0)  # type: ignore[union-attr]
        if role[0] == AGENCY and _a_place(m.group(1), run.strip(), sentence[m.end(2) :]):
            # "The GP is Northgate Practice", "School is Ysgol Example, DSL Mrs Roberts".
            found.append((m.start(), AGENCY, run.strip(), role[1], True))
        elif not is_organisation(place):
            found.append((m.start(), role[0], m.group(2), role[1], False))
    for m in _ROLE_AT_PLACE_THEN_NAME.finditer(sentence):
        role = role_of(m.group(1))
        if role is not None and role[0] == AGENCY and is_organisation(m.group(2)):
            found.append((m.start(2), AGENCY, m.group(2).strip(), role[1], True))
            found.append((m.start(3), AGENCY, m.group(3), role[1], False))
    for m in _NAME_THEN_ROLE.finditer(sentence):
        role = role_of(m.group(2))
        if role is not None:
            found.append((m.start(), role[0], m.group(1), role[1], False))
    for m in _PARENTS_NAMED.finditer(sentence):
        # "live with both parents, Samina Mahmood and Tariq Mahmood": two parents, unsaid which.
        for at in (1, 2):
            if m.group(at):
                found.append((m.start(at), PARENT, m.group(at), None, False))
    for m in _ATTENDS.finditer(sentence):
        # "Kai attends Northgate High School - the DSL is Mr Gareth Bowen": the school there.
        place = m.group(1).strip()
        words = place.lower().split()
        implied = next(
            (r[1] for w in reversed(words) if (r := role_of(w)) and r[0] == AGENCY), None
        )
        if is_organisation(place) and implied is not None:
            found.append((m.start(1), AGENCY, place, implied, True))
    for m in _THEIR_WORKER.finditer(sentence):
        # "known to the Youth Offending Team; his worker is Lisa Kaye (...)": the service's.
        services = [r for r in _ROLE_WORD_RE.finditer(sentence, 0, m.start())]
        role = role_of(services[-1].group(1)) if services else None
        if role is not None and role[0] == AGENCY:
            found.append((m.start(1), AGENCY, m.group(1), role[1], False))
    for m in _EXPECTING.finditer(sentence):
        # "Sophie Kerr's unborn baby (EDD ...)": the expectant mother.
        found.append((m.start(), PARENT, m.group(1), ("relationship", "mother"), False))
    for m in _ADVOCATE_NAME.finditer(sentence):
        found.append((m.start(), ADVOCATE, m.group(1), None, False))
    for m in _PLACE_THEN_PERSON.finditer(sentence):
        # "Little Stars Nursery (manager Hannah Cole, 0113 ...)": the place, then who there.
        place = m.group(1).strip()
        if is_organisation(place) and looks_like_name(strip_title(m.group(2))):
            implied = next(
                (
                    r[1]
                    for w in reversed(place.lower().split())
                    if (r := role_of(w)) and r[0] == AGENCY
                ),
                None,
            )
            found.append((m.start(1), AGENCY, place, implied, True))
            found.append((m.start(2), AGENCY, m.group(2), implied, False))
    for m in _AND_TITLED.finditer(sentence):
        # "the DSLs at both schools, Mrs Doherty at Hillcrest (...) and Ms Beth Cole at Moor
        # End Academy (...)": the list's next person, in the same role.
        before = [f for f in found if f[0] < m.start() and f[1] == AGENCY and not f[4]]
        if before:
            _, group, _, implied, _ = max(before, key=lambda f: f[0])
            found.append((m.start(1), group, m.group(1), implied, False))
    seen: set[str] = set()
    out: list[_Mention] = []
    for pos, group, said, implied, place in sorted(found, key=lambda f: (f[0], -len(f[2]))):
        name = said if place else strip_title(said)
        if name.casefold() in seen and group == PARENT and implied is not None:
            # "Her partner Jordan Pike is the baby's father": the later word says who he is.
            at = next(i for i, m in enumerate(out) if m[2].casefold() == name.casefold())
            if out[at][1] == PARENT and out[at][3] == ("relationship", "partner"):
                out[at] = (out[at][0], PARENT, out[at][2], implied, False)
            continue
        if (
            not name
            or name.casefold() in seen
            or name.split()[0].lower() in NOT_A_NAME
            or not (place or looks_like_name(name))
            or name.endswith(("'s", "’s"))  # "Dad (M's dad only)": whose, not who
            or (not place and _a_label(name))  # "Carers (mum's parents)": a role
        ):
            continue
        seen.add(name.casefold())
        out.append((pos, group, name, implied, place))
    return tuple(out)


def _a_label(name: str) -> bool:
    key = parse_label(name)
    return role_of(name) is not None or (key is not None and bool(key.group))


_Mention = tuple[int, str, str, tuple[str, str] | None, bool]
_GENERIC_PLACE = frozenset({"community", "team", "partnership", "service", "services", "local"})


def _a_place(role_word: str, run: str, after: str) -> bool:
    """Whether the name after a role word is a workplace: it says so ("Practice"), or a
    school word is followed by the person there ("School is Ysgol Example, DSL Mrs Roberts")."""
    words = run.split()
    if len(words) < 2 or words[0].lower() in _GENERIC_PLACE:
        return False
    if is_organisation(run):
        return True
    return bool(_INSTITUTION.fullmatch(role_word)) and bool(_PERSON_THERE.match(after))


def _person_at_place(mentions: _Mentions, target: tuple[str, int], sentence: str, at: int) -> int:
    """ "Sunflowers Nursery, manager Liz Ward, 0161 ...": the person the place's details reach.

    Where their name ends, so their details after it are read as theirs too."""
    m = _PERSON_NAMED_THERE.match(sentence, at)
    if m and looks_like_name(strip_title(m.group(1))) and not mentions.has(target, "contact_name"):
        name = strip_title(m.group(1))
        mentions.fields.add((*target, "contact_name"), Value(name, mentions.source))
        return m.end()
    return at


# ", DSL Mrs Roberts", " - head teacher Mr Evans": the person at the place just named.
_THERE = (
    r"[\w'’ ]{0,20}?\s*(?:,|-|–|\()\s*(?:the\s+|and\s+|contact\s+)?(?i:dsl|head\w*|"
    r"teacher|manager|senco|safeguarding lead|designated\s+\w+|dr|gp)\b"
)
# "School is Fenbridge High (Mrs Ruth Dale, r.dale@...)": a titled name in brackets.
_TITLED_IN_BRACKETS = r"\s*\(\s*(?=(?:Ms|Mrs|Mr|Miss|Mx|Dr)\.?\s)"
_PERSON_THERE = re.compile(f"^(?:{_THERE}|{_TITLED_IN_BRACKETS})")
_PERSON_NAMED_THERE = re.compile(
    f"(?:{_THERE}\\s*(?:is\\s+|:\\s*)?|{_TITLED_IN_BRACKETS})" + TITLE + NAME
)
# Role words that name a place: the name after them is the place's, not a person's.
_INSTITUTION = re.compile(
    r"(?i:school|nursery|college|academy|gp|gp surgery|gp practice|surgery|pre-?school)"
)


NOT_A_NAME = frozenset(
    {
        "the", "she", "he", "they", "her", "his", "their", "is", "and", "has", "who", "will",
        "lives", "also", "currently", "not", "at", "on", "in", "was", "aware", "happy",
        "mobile", "email", "phone", "number", "details", "contact", "unknown", "tbc", "n/a",
        "please", "i", "we", "it", "this", "that", "there", "school", "police", "health",
        "yes", "no", "none", "both", "dear", "hi", "hello", "thanks", "regards", "kind",
        "many", "mum", "dad", "mother", "father", "mr", "mrs", "ms", "miss", "our", "my",
    }
)  # fmt: skip


def read_people(fields: Fields, sentences: list[str], source: str) -> None:
    mentions = _Mentions(fields, source)
    for sentence in (_COLLAR.sub(r"\1", s) for s in sentences):
        named = _mentions_in(sentence)
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
        owner = _ROLE_OWNS.search(clause)
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
