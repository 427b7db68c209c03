"""Who a sentence names, and how: role words, names, places, and the patterns between.

``mentions_in`` finds each person or place a sentence names by a role word ("Mum is Kelly
Dawes", "The GP is Northgate Practice", "Kai attends Northgate High School"); the prose
reader (``prose_people``) decides whose numbers and addresses follow.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.intake.inline import is_organisation, looks_like_name, strip_title
from bot.intake.labels import (
    ADVOCATE,
    AGENCY,
    PARENT,
    agency_words,
    family_words,
    parse_label,
    sided,
)

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

CAPITAL_RUN = re.compile(r"(?:\s+(?:[A-Z]{2,}|[A-Z][\w'’\-]*)){0,4}")
AT_PLACE = re.compile(r"\b(?:at|from)\s+$")
NEXT_ITEM = re.compile(r";\s*(?:and\s+)?")
DIGITS = re.compile(r"\d{4}")
CONTACT_START = re.compile(
    r"(?:mob|mobile|tel|telephone|phone|landline|home|work|email|e-mail|or|ext|"
    r"her|his|their|she|he|they|also|can|may|best)\b|[\d+(]",
    re.IGNORECASE,
)
NOT_NAME_PAIR = re.compile(
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
_HER = re.compile(r"\bher\s+$", re.IGNORECASE)
_ASIDE = r"(?:\s*\([^()]{1,30}\))?"
# A professional who is someone's: "worker for mum", "advocate to dad", "support for mum".
_FOR_SOMEONE = re.compile(r"\b[a-z]{3,}\s+(?:for|to)\s+(?:the\s+)?$", re.IGNORECASE)
_ROLE_THEN_NAME = re.compile(_ROLE_WORD + _ASIDE + LINK + TITLE + NAME)
# "GP – Tŷ Meddyg Surgery – ...", "School nurse: Sara Jones": a line that is a list's item.
_FIRST = r"((?:O['’]|Mc|Mac)?[A-Z][a-z'’\-]+)"
_COUPLE = re.compile(
    _ROLE_WORD + _ASIDE + LINK + _FIRST + r"\s+(?:and|&)\s+" + _FIRST + r"\s+" + _FIRST + r"\b"
)
ROLE_ITEM = re.compile(r"^\W*" + _ROLE_WORD + r"\s*(?:[–—:]|\s-\s)")
# "head of year at Northfield Academy, Mr Stephen Cole": the role, where, then who.
_ROLE_AT_PLACE_THEN_NAME = re.compile(
    _ROLE_WORD
    + r"\s+(?:at|from)\s+((?:the\s+)?[A-Z][\w'’&\-]*(?:\s+(?:[A-Z][\w'’&\-]*|of|&)){0,5})"
    + r"\s*(?:,|-|–|\()\s*"
    + TITLE
    + NAME
)
NEXT_ROLE = re.compile(r"(?:,\s*|\s)(?:and\s+)?(?:the|a|their|his|her)\s+" + _ROLE_WORD)
_PLACE_THEN_PERSON = re.compile(
    r"\b((?:[A-Z][\w'’&\-]*\s+){1,4}(?i:nursery|school|primary|academy|college|surgery|"
    r"practice|centre|service|team|project))\s*\(\s*(?:the\s+)?(?i:manager|dsl|head\w*|"
    r"teacher|senco|key\s*worker|lead|nurse|worker)\s+(" + TITLE + NAME[1:-1] + ")"
)
_AND_TITLED = re.compile(r"\band\s+((?:Ms|Mrs|Mr|Miss|Mx|Dr)\.?\s+" + NAME[1:-1] + ")")
ROLE_OWNS = re.compile(r"(?:^|:\s)\W*(?:and\s+|but\s+)?(?:the\s+)?" + _ROLE_WORD + r"['’]s\b")
THE = re.compile(r"^the\s+", re.IGNORECASE)
# "PC 4521 Amy Roberts": an officer's collar number between the rank and the name.
COLLAR = re.compile(r"\b((?:PC|DC|DS|PCSO|Sgt)\.?)\s+\d{3,6}\b(?=\s+[A-Z])")
# Whose they are, between a name and its role: "(K.'s stepdad)", "the boys' social worker".
_WHOSE = (
    r"(?:(?:[A-Z]\.)+['’]s\s+|(?:the\s+)?(?:boys|girls|children|kids)['’]\s+"
    r"|(?:the\s+)?(?:child|baby)['’]s\s+|(?:his|her|their|the)\s+)?"
)
_NAME_THEN_ROLE = re.compile(
    NAME
    + r"\s*(?:\(|,\s*|\s+-\s+|,?\s+is\s+(?:the\s+)?(?:child'?s\s+|children'?s\s+)?"
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
ROLE_LABEL = re.compile(_ROLE_WORD + r"(?:['’]s\b|\s*:)")
_ADVOCATE_NAME = re.compile(rf"(?i:\badvocate\b){LINK}{TITLE}{NAME}")
# "Westmarsh SW is Paul Irving", "The Easterby social worker, Tom Okeke, ...": the worker
# at the council the family moved from, who hands over: a professional of that council.
_OTHER_COUNCILS_WORKER = re.compile(
    r"\b(?:[Tt]he\s+|[Tt]heir\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)(?:['’]s)?\s+"
    r"(?:SW|[Ss]ocial [Ww]orker)(?:\s+(?:is|was)\s+|,\s*|\s+)" + TITLE + NAME
)
_NOT_A_COUNCIL = frozenset(
    {"the", "their", "our", "my", "his", "her", "new", "allocated", "current", "previous",
     "receiving", "senior", "named", "duty", "student", "locum", "agency", "family", "hospital",
     "children", "childrens", "adult", "adults", "the allocated"}
)  # fmt: skip


def role_of(word: str) -> tuple[str, tuple[str, str]] | None:
    return _ROLE_BY_WORD.get(re.sub(r"[\s\-]+", " ", re.sub(r"['’]", "", word.lower())).strip())


# Cached (so a tuple, which callers cannot change): the role-word patterns are long
# alternations, and the same sentences are read for the body and for the sender's own words.
@lru_cache(maxsize=2048)
def mentions_in(sentence: str) -> tuple[_Mention, ...]:
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
        run = m.group(2) + CAPITAL_RUN.match(sentence, m.end(2)).group(0)  # type: ignore[union-attr]
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
    for m in _COUPLE.finditer(sentence):
        # "paternal grandparents, Brian and Maureen O'Neill": two people, one surname.
        role = role_of(m.group(1))
        if role is not None and role[0] == PARENT:
            for at in (2, 3):
                found.append((m.start(at), PARENT, f"{m.group(at)} {m.group(4)}", role[1], False))
    for m in _EXPECTING.finditer(sentence):
        # "Sophie Kerr's unborn baby (EDD ...)": the expectant mother.
        found.append((m.start(), PARENT, m.group(1), ("relationship", "mother"), False))
    for m in _OTHER_COUNCILS_WORKER.finditer(sentence):
        if m.group(1).lower() not in _NOT_A_COUNCIL and looks_like_name(strip_title(m.group(2))):
            found.append((m.start(), AGENCY, m.group(2), ("organisation", m.group(1)), False))
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
        if any(0 <= f[0] - pos < 40 and f[2].startswith(f"{name} ") for f in found):
            continue  # "Brian", where "Brian O'Neill" was read just after it
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
        kin = implied
        if group == PARENT and implied is not None and implied[0] == "relationship":
            # "his nan, Sandra Whitlock (mum's mum)": the side said just around the name.
            near = sentence[max(0, pos - 30) : pos + len(said) + 30]
            kin = (implied[0], sided(implied[1], near))
            if (
                implied[1] == "partner"
                and _HER.search(sentence, 0, pos)
                and any(m[3] == ("relationship", "mother") for m in out)
            ):
                # "mum is Stacey Gill and she's living with her partner Rob Nash".
                kin = (implied[0], "mother's partner")
        out.append((pos, group, name, kin, place))
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


_THERE = (
    r"[\w'’ ]{0,20}?\s*(?:,|-|–|\()\s*(?:the\s+|and\s+|contact\s+)?(?i:dsl|head\w*|"
    r"teacher|manager|senco|safeguarding lead|designated\s+\w+|dr|gp)\b"
)
# "School is Fenbridge High (Mrs Ruth Dale, r.dale@...)": a titled name in brackets.
_TITLED_IN_BRACKETS = r"\s*\(\s*(?=(?:Ms|Mrs|Mr|Miss|Mx|Dr)\.?\s)"
_PERSON_THERE = re.compile(f"^(?:{_THERE}|{_TITLED_IN_BRACKETS})")
PERSON_NAMED_THERE = re.compile(
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
        "hybrid", "teams", "virtual", "online", "deceased", "preferred", "format",
    }
)  # fmt: skip
