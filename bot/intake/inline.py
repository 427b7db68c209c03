"""Several facts written on one line: "Kelly Dawes (mum) - 07700 900611 - kelly@example.org".

Addresses are found whole (an apostrophe, plus sign or hyphen is part of one) and checked
with email-validator; numbers with phonenumbers' matcher. What is left is split into the
name, the organisation and any relationship in brackets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from bot.core.request import is_email, normalise_phone
from bot.intake.child_line import read_child
from bot.intake.labels import agency_words, family_words

# RFC 5322's atext, without the characters that also end a sentence or wrap an address.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-])"
    r"([A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+)"
)
_NOT_PEOPLE = re.compile(
    r"^(postmaster|mailer-daemon|no-?reply|do-?not-?reply|abuse|webmaster)@", re.IGNORECASE
)
_TITLES = re.compile(
    r"^(?:(?:mr|mrs|ms|miss|mx|dr|prof|rev|cllr|dc|pc|ds|di|dci|sgt|insp|det|nurse|sister)\.?\s+)+",
    re.IGNORECASE,
)
_CONTACT_WORDS = re.compile(
    r"\b(?:mobile|mob|tel|telephone|phone|landline|home|work|direct|dial|contact|number|no|"
    r"email|e-mail|e|m|t|w|ext|extension)\b\.?:?",
    re.IGNORECASE,
)
# Joining words left at a part's edge once its numbers are taken out: "Kelly Dawes on".
_EDGE_WORDS = re.compile(
    r"^(?:(?:on|or|and|at|via|is|by)\s+)+|(?:\s+(?:on|or|and|at|via|by))+$", re.IGNORECASE
)
_SEPARATORS = re.compile(r"\s*(?::\s|[,;|/]|\s[-–—]+\s|^[-–—]+\s|\s[-–—]+$|\(|\)|\[|\])\s*")
_ORGANISATION_WORDS = re.compile(
    r"\b(school|academy|college|nursery|primary|surgery|practice|medical|centre|center|health|"
    r"nhs|trust|hospital|clinic|police|constabulary|council|service|services|team|housing|"
    r"probation|camhs|foundation|partnership|association|group|ltd|limited|charity|project|"
    r"hub|unit|department|dept|office|mosaic|community|university|children's|childrens|"
    r"safeguarding|authority|agency|high|juniors?|infants?|secondary|grammar|homes|"
    r"pre-?school|church|academies|federation|solicitors?|support|network|cic|"
    r"speak up|advocacy|barnardo'?s|nspcc|aid|assessment|duty|protection|fostering|adoption|"
    r"maternity|midwifery)\b",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"^(?:the\s+)?[\w.]+['’]s\s+(.+)$", re.IGNORECASE)
# A name's word, with the accents British names carry (Siân, Zoë, José, Tŷ).
_NAME_WORD = re.compile(
    r"^[A-ZÀ-ÖØ-ÞŴŶ][A-Za-zÀ-ÖØ-öø-ÿŴŵŶŷ'’\-]*\.?$|^[A-Z]{1,3}$|"
    r"^(?:de|van|von|da|di|le|la|bin|al)$"
)


_OTHER_PERSON = re.compile(
    r"\b(my|our|the|his|her)\s+(tm|team manager|manager|sw|social worker|supervisor)\b|"
    r"\b(tm|sw)\s*(is\b|:)",
    re.IGNORECASE,
)
# Role words as people write them, longest first ("step dad" before "dad").
_ROLE_WORDS = sorted(
    {w.replace("'", "") for w, _, _ in (*family_words(), *agency_words()) if len(w) > 1}
    | {
        "stepdad",
        "step-dad",
        "step-father",
        "step-mother",
        "mum's partner",
        "dad's partner",
        "manager",
        "head",
        "deputy head",
        "head of school",
        "senco",
        "officer",
        "worker",
    },
    key=len,
    reverse=True,
)


_ROLE_START = re.compile(
    r"\s*(?:"
    + "|".join(re.escape(w) for w in _ROLE_WORDS if len(w) > 2 or w in ("gp", "hv"))
    + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Contact:
    """What one line says about a person: the name, where they work, how to reach them."""

    name: str = ""
    organisation: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    bracketed: tuple[str, ...] = ()  # words in brackets: often "(mum)" or "(maternal aunt)"
    roles: tuple[str, ...] = ()  # role words among the parts: "mum", "designated teacher"
    broken_emails: tuple[str, ...] = ()  # an address-like word that is not a whole address


# The readers below are pure functions of one line, and the same line is read again by
# the extractor, the prose reader and the assembler (and a pasted list repeats lines):
# cached, each line pays for phonenumbers' matcher and email-validator once.
@lru_cache(maxsize=2048)
def find_emails(text: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Every whole address in ``text``, the address-like words that are not, and the rest."""
    found: list[str] = []
    broken: list[str] = []
    rest = text
    for match in _EMAIL.finditer(text):
        address = match.group(1).strip(".'’-")
        if address.lower().startswith("mailto:"):
            address = address[7:]
        if _NOT_PEOPLE.match(address):
            rest = rest.replace(match.group(1), " ")
            continue
        if is_email(address):
            found.append(address)
        else:
            broken.append(address)
        rest = rest.replace(match.group(1), " ")
    if "@" in rest:
        broken.extend(w.strip(".,;:()<>[]") for w in rest.split() if "@" in w)
        broken = [b for b in broken if b]
    return tuple(dict.fromkeys(found)), tuple(dict.fromkeys(broken)), rest


@lru_cache(maxsize=2048)
def find_phone_numbers(text: str) -> tuple[tuple[str, ...], str]:
    """Every phone number in ``text`` as E.164, in order, and the text without them."""
    found: list[str] = []
    pieces: list[str] = []
    last = 0
    for match in phonenumbers.PhoneNumberMatcher(
        text, "GB", leniency=phonenumbers.Leniency.POSSIBLE
    ):
        e164 = normalise_phone(match.raw_string)
        if e164 is None:
            continue
        found.append(e164)
        pieces.append(text[last : match.start])
        last = match.end
    pieces.append(text[last:])
    rest = " ".join(pieces)
    return tuple(dict.fromkeys(found)), rest


def strip_title(name: str) -> str:
    """A name without its title: "Mrs Kelly Dawes" is "Kelly Dawes", "DC Amir Shah" "Amir Shah"."""
    return _TITLES.sub("", name.strip()).strip()


def looks_like_name(text: str) -> bool:
    """Whether ``text`` reads as a person's name: one to four capitalised words, no digits.

    A couple sharing a surname ("Janet and Philip Morrow") is one entry too.
    """
    text = re.sub(r"^([A-Z][a-z'’\-]+)\s+(?:and|&)\s+(?=[A-Z])", r"\1 ", text)
    words = text.replace("’", "'").split()
    if not 1 <= len(words) <= 5 or any(c.isdigit() for c in text):
        return False
    if _ORGANISATION_WORDS.search(text):
        return False
    return all(_NAME_WORD.match(w) for w in words) and any(len(w.strip(".")) > 1 for w in words)


def is_organisation(text: str) -> bool:
    """Whether ``text`` names an organisation rather than a person."""
    return bool(_ORGANISATION_WORDS.search(text.replace("’", "'"))) and not any(
        c.isdigit() for c in text
    )


def _own_part(text: str) -> str:
    """The part of a line about its first person: "...; my TM is Grace Obi (grace@...)" goes.

    A later part naming someone else by role takes its address and number with it, so
    they can never be given to the wrong person.
    """
    parts = re.split(r";|\s\|\s", text)
    kept = [parts[0]]
    for part in parts[1:]:
        if _OTHER_PERSON.search(part):
            continue
        kept.append(part)
    return ";".join(kept)


# A place's name, then a role word and a person with no comma between: split them.
_PLACE_THEN_ROLE = re.compile(
    r"\b((?:[A-Z][\w'&\-]*\s+){1,4}(?:Academy|School|Primary|High|College|Nursery|Surgery|"
    r"Practice|Centre|Infants|Juniors))\s+((?:DSL|SENCO|Head(?:teacher)?|Manager|Nurse|"
    r"Deputy DSL)\s+[A-Z])"
)


@lru_cache(maxsize=2048)
def read_contact(text: str) -> Contact:
    """The person a line describes; the order of the parts does not matter."""
    text = _own_part(text.replace("’", "'"))  # Outlook's curly apostrophe: "O’Connor"
    emails, broken, rest = find_emails(text)
    phones, rest = find_phone_numbers(rest)
    bracketed = tuple(
        b.strip() for b in re.findall(r"\(([^()]{1,60})\)", rest) if b.strip() and b.strip() != "s"
    )
    rest = re.sub(r"\([^()]{0,60}\)", " , ", rest)
    rest = re.sub(r"\b(ext|extension|x)\.?\s*\d{2,6}\b", " ", rest, flags=re.IGNORECASE)
    rest = _PLACE_THEN_ROLE.sub(r"\1, \2", rest)  # "Kingsway Academy DSL Joanne Platt"
    chunks = [c.strip(" .:-–—'\"") for c in _SEPARATORS.split(rest)]
    name, organisation = "", ""
    roles: list[str] = []
    names: list[tuple[str, bool]] = []  # (name, came after a role word)
    titled = ""  # the first name written with a title: "Mr Ian Shah"
    unplaced: list[str] = []  # "Ysgol y Castell": capitalised words that are no name
    # "PC Emyr Owen 1234": the officer's collar number is no part of the name.
    for raw in (_COLLAR_NUMBER.sub(r"\1", c) for c in chunks):
        chunk = raw if is_organisation(raw) else _CONTACT_WORDS.sub(" ", raw)
        chunk = _EDGE_WORDS.sub("", re.sub(r"\s+", " ", chunk).strip(" .:-–—'\""))
        if not chunk or not any(ch.isalpha() for ch in chunk):
            continue
        owner = _POSSESSIVE.match(raw)
        if owner:
            # "W.'s father", "the children's nan": the role is the person's, not a name.
            role, rest = split_role(owner.group(1))
            if role and not rest:
                roles.append(role)
                continue
        role, rest = split_role(chunk)
        if role:
            roles.append(role)
            chunk = rest
            if not chunk:
                continue
        if not organisation and is_organisation(chunk):
            organisation = chunk
        elif looks_like_name(strip_title(chunk)):
            bare = strip_title(chunk)
            names.append((bare, bool(role)))
            if not titled and bare != chunk:
                titled = bare
        elif _PLACE_NAME.fullmatch(chunk):
            unplaced.append(chunk)
    # "Little Acorns, manager Dawn Ellis": the name after a role word is the person's,
    # unless the address names another ("DSL Ivy Lane Prim.: Mr Ian Shah i.shah@...") or
    # another has a title: the person is Mr Shah.
    named = [n for n, after_role in names if after_role]
    addressed = [n for n, _ in names if any(_address_of(e, n) for e in emails)]
    chosen = addressed[0] if addressed else titled if titled and titled not in named else ""
    if chosen:
        named = [chosen]
        names = [(n, n == chosen) for n, _ in names]
    if named:
        name = named[0]
        others = [n for n, after_role in names if not after_role]
        if others and not organisation:
            organisation = others[0]
    elif names:
        name = names[0][0]
    if not organisation and unplaced and (name or emails or phones):
        organisation = unplaced[0]  # "School – Ysgol y Castell – office@...": the place
    if not name and not organisation:
        # "the school nurse (Bernie Walsh, 0161 496 0240)": the name is in the brackets.
        inside = [strip_title(b.strip(" ,;")) for b in bracketed]
        name = next((n for n in inside if looks_like_name(n) and not split_role(n)[0]), "")
    for inner in bracketed:
        role, _ = split_role(inner)
        if role and role == inner.strip().lower():
            roles.append(role)
        elif not organisation and is_organisation(inner):
            organisation = inner.strip(" ,;:")  # "Sandra Yeo (Calderbrook Homes)"
    return Contact(
        name,
        organisation,
        emails,
        phones,
        bracketed=bracketed,
        roles=tuple(roles),
        broken_emails=broken,
    )


_COLLAR_NUMBER = re.compile(r"^((?:PC|DC|DS|DI|PCSO|Sgt)\.?\s+\S.*?)\s+\d{3,6}$")
# A place's name with a small word inside: "Ysgol y Castell", "Church of the Holy Cross".
_PLACE_NAME = re.compile(
    r"[A-Z][\w'\-]+(?:\s+(?:[A-Z][\w'\-]*|y|yr|of|the|de|la|and|&))*\s+[A-Z][\w'\-]+"
)


def _address_of(email: str, name: str) -> bool:
    """Whether an address is plainly the person's: "i.shah@..." for Ian Shah."""
    local = re.sub(r"[^a-z]", "", email.split("@", maxsplit=1)[0].lower())
    words = [re.sub(r"[^a-z]", "", w.lower()) for w in name.split()]
    if len(words) < 2:
        return False
    # "i.shah@..." for Ian Shah; "tina@sunflowers..." for Tina Marsh: the first name alone.
    return (len(words[-1]) > 2 and words[-1] in local) or (len(words[0]) > 2 and local == words[0])


# Role words written after a name ("Mr Andrew Lusk DSL"); "Northshire Police" is a name.
_SUFFIX_ROLES = frozenset({"dsl", "senco", "hv", "deputy dsl", "designated safeguarding lead"})


@lru_cache(maxsize=2048)
def split_role(chunk: str) -> tuple[str, str]:
    """A leading role word and the rest: "designated teacher Ms P. Greaves" splits in two."""
    lowered = chunk.lower().replace("’", "'")
    for word in _role_words():
        if lowered == word or lowered.startswith(word + " ") or lowered.startswith(word + ":"):
            rest = chunk[len(word) :].strip(" :-–—,")
            return word, re.sub(r"^(?:is|was|=)\s+", "", rest, flags=re.IGNORECASE)
        if word in _SUFFIX_ROLES and lowered.endswith(" " + word):
            return word, chunk[: -len(word)].strip(" :-–—,")  # "Mr Andrew Lusk DSL"
    return "", chunk


def _role_words() -> list[str]:
    return _ROLE_WORDS


def looks_like_entry(group: str, line: str) -> bool:
    """Whether an unlabelled line under a group's heading describes one child or person."""
    if group == "child":
        bits = read_child(line)
        return bool(bits.initials) and (bits.date_of_birth is not None or bits.unborn)
    contact = read_contact(line)
    # A service is an entry too among the professionals: "Oak Primary DSL dsl@...".
    named = contact.name or (group == "agency" and contact.organisation)
    return bool(named) and bool(contact.emails or contact.phones or contact.bracketed)


def split_people(text: str, family: bool = False) -> list[str]:
    """A value naming several people or services, split where each part is whole.

    Parts are split at ";", then at "and" or "&" ("Samina Qureshi 07700 900672 and Asif
    Qureshi 07700 900673"). A part is a person of its own when it has a name or an
    organisation and a way to reach them; in a family, a part that starts with its own
    role word ("Dad - Nadeem Qureshi") is one too. "Funmi Adeyemi; mobile 07700 900741"
    stays one person, and so does "Paternal aunt and uncle: ...", which names no one.
    """
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if len(parts) > 1 and all(_whole(p, family) for p in parts):
        return [piece for p in parts for piece in _split_and(p, family)]
    starts = [bool(_ROLE_START.match(p)) and _whole(p, family) for p in parts]
    if len(parts) > 1 and starts[0] and sum(starts) >= 2:
        # "nan - Pat Doyle - 07700 ...; grandad - Jim Doyle - 07700 ...; both at the same
        # address; doyles@...": each role word starts a person, the rest is the last one's.
        grouped: list[str] = []
        for part, starts_one in zip(parts, starts, strict=True):
            if starts_one:
                grouped.append(part)
            else:
                grouped[-1] = f"{grouped[-1]}; {part}"
        return [piece for p in grouped for piece in _split_and(p, family)]
    listed = _split_at_roles(text)
    if len(listed) > 1:
        return [piece for p in listed for piece in _split_and(p, family)]
    return _split_and(text, family)


def _split_at_roles(text: str) -> list[str]:
    """ "School (Oak Primary, dsl@...), HV Sue Smith 07700 900700, GP Park Surgery": three.

    A comma outside brackets followed by a role word starts the next entry, when the first
    entry is one too (it starts with a role word, or has a name and a way to reach them).
    """
    parts: list[str] = []
    depth, start, after_bracket = 0, 0, False
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0 and _ROLE_START.match(text, i + 1):
            parts.append(text[start:i].strip())
            start = i + 1
        elif (
            ch == ","
            and depth == 0
            and text[i - 1 : i] in (")", "]")
            and _CAPITAL.match(text, i + 1)
        ):
            # "CAMHS (Dr Imogen Frost, ...), Westshire Academy (DSL Mr Ian Pope, ...)".
            parts.append(text[start:i].strip())
            start, after_bracket = i + 1, True
    parts.append(text[start:].strip())
    parts = [p for p in parts if p]
    if len(parts) < 2 or not (_ROLE_START.match(parts[0]) or _whole(parts[0], False)):
        return [text]
    if after_bracket and not all(_whole(p, False) for p in parts):
        return [text]  # split after a bracket only where each part is someone to reach
    return parts


_CAPITAL = re.compile(r"\s+[A-Z]")


_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)


def _split_and(text: str, family: bool) -> list[str]:
    """ "A 07700 900672 and B 07700 900673": two, when each side is whole on its own.

    A side that is not whole joins the next ("aunt and uncle (carers): A ..."), so a
    couple's shared role words never become a person.
    """
    pieces = _AND.split(text)
    if len(pieces) < 2:
        return [text]
    if family and all(_whole_name(p) for p in pieces):
        # "Names of parents: Kelly Dawes and Gary Dawes": two whole names are two people;
        # "Janet and Philip Morrow" is one couple.
        return [p.strip() for p in pieces]
    joins = _AND.findall(text)
    found: list[str] = []
    held = ""
    for n, piece in enumerate(pieces):
        held = f"{held}{joins[n - 1]}{piece}" if held else piece
        if _whole(held, family, reachable=True):
            found.append(held)
            held = ""
    if held and found:
        if read_contact(held).name:
            found.append(held)  # "... and CAMHS - Dr Ola Bankole": named, reached later
        else:
            found[-1] = f"{found[-1]} and {held}"  # a tail that is no one's stays with the last
    return found if len(found) > 1 else [text]


def _whole_name(piece: str) -> bool:
    """ "Mark Whitaker (Kestrel Vale Fostering)": a first name and surname, whatever follows."""
    bare = strip_title(re.sub(r"\([^()]*\)", " ", piece).strip())
    return len(bare.split()) >= 2 and looks_like_name(bare)


def _whole(part: str, family: bool, reachable: bool = False) -> bool:
    contact = read_contact(part)
    if not (contact.name or contact.organisation):
        return False
    if contact.emails or contact.phones:
        return True
    return family and not reachable and bool(contact.roles) and bool(contact.name)
