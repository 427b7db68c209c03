"""The request form's labels: every spelling councils use, mapped to one field key.

FORM.md in this package is the human version of these tables; keep the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CHILD, PARENT, AGENCY = "child", "parent", "agency"
SOCIAL_WORKER, TEAM_MANAGER = "social_worker", "team_manager"
YOUNG_PERSON, ADVOCATE = "young_person", "advocate"
MULTI_GROUPS = (CHILD, PARENT, AGENCY, YOUNG_PERSON, ADVOCATE)  # numbered: Child 1, Child 2, ...

_GROUPS: dict[str, tuple[str, ...]] = {
    CHILD: (
        "child", "children", "unborn child", "unborn baby", "subject child", "child ren",
        "name of child", "child name", "childs name", "child details", "children details",
        "unborn", "sibling", "older sibling", "younger sibling", "brother", "sister",
        "details of child", "details of children", "details of the child", "baby",
        # "Child / young person (initials)": the child, however old.
        "child young person", "child or young person", "name of child young person",
        "children young people", "children or young people",
    ),
    PARENT: (
        "names of parents", "name of parents", "parents names", "name of parent",
        "parent or carer", "parents or carers", "parent carer", "parents carers",
        "parent and carer", "parents and carers", "parent", "parents", "carer", "carers",
        "expectant parents", "expectant parent", "expectant mother", "expectant father",
        "other family", "other family members", "wider family", "extended family",
        "family member", "significant adults", "relatives",
    ),
    AGENCY: ("partner agency", "partner agencies", "agency", "agencies"),
    SOCIAL_WORKER: (
        "allocated social worker", "social worker", "sw", "allocated sw", "lead social worker",
        "case holding social worker", "referring social worker", "referrer", "me", "me sw",
        "myself", "me social worker", "sw me", "social worker me",
    ),
    TEAM_MANAGER: (
        "team manager", "practice manager", "tm", "manager", "service manager",
        "consultant social worker", "assistant team manager", "atm", "supervisor",
    ),
    YOUNG_PERSON: ("young person", "yp", "young person own contact", "child own contact"),
    ADVOCATE: ("advocate", "advocacy", "independent advocate", "advocate for the child"),
}  # fmt: skip

# Role words used as labels ("Mum:", "HV -", "DSL:"): the group, and what the word implies.
_FAMILY_WORDS: dict[str, tuple[str, ...]] = {
    "mother": ("mum", "mother", "birth mother", "mam", "mom", "mummy", "biological mother",
               "mum to be", "mum-to-be", "mother to be", "expectant mum"),
    "father": ("dad", "father", "birth father", "daddy", "biological father", "alleged father"),
    "stepfather": ("stepdad", "step dad", "stepfather", "step father"),
    "stepmother": ("stepmum", "step mum", "stepmother", "step mother"),
    "mother's partner": ("mother partner", "mum partner", "mums partner", "mothers partner"),
    "father's partner": ("father partner", "dad partner", "dads partner", "fathers partner"),
    "partner": ("partner",),
    "carer": ("main carer", "primary carer"),
    "kinship carer": ("kinship carer", "kinship carers", "connected person", "connected carer"),
    "foster carer": ("foster carer", "foster carers", "foster parent", "foster parents",
                     "foster mum", "foster dad"),
    "special guardian": ("special guardian", "guardian"),
    "maternal grandmother": ("maternal grandmother", "mgm", "maternal nan", "maternal gran",
                             "maternal grandma"),
    "paternal grandmother": ("paternal grandmother", "pgm", "paternal nan", "paternal gran",
                             "paternal grandma"),
    "maternal grandfather": ("maternal grandfather", "mgf", "maternal grandad"),
    "paternal grandfather": ("paternal grandfather", "pgf", "paternal grandad"),
    "grandmother": ("grandmother", "grandma", "nan", "nana", "nanna", "gran", "granny"),
    "grandfather": ("grandfather", "grandad", "granddad", "grandpa"),
    "grandparent": ("grandparent", "grandparents"),
    "aunt": ("aunt", "auntie", "aunty", "maternal aunt", "paternal aunt", "mum sister",
             "mums sister", "mother sister", "mothers sister", "dad sister", "dads sister",
             "father sister", "fathers sister"),
    "uncle": ("uncle", "maternal uncle", "paternal uncle", "mum brother", "mums brother",
              "mother brother", "mothers brother", "dad brother", "dads brother",
              "father brother", "fathers brother"),
}  # fmt: skip
_AGENCY_WORDS: dict[str, tuple[str, ...]] = {
    "health visitor": ("health visitor", "hv", "health visiting", "health visitor hv"),
    "school nurse": ("school nurse", "school nursing"),
    "midwife": ("midwife", "community midwife", "specialist midwife", "safeguarding midwife",
                "midwifery"),
    "looked after children nurse": ("lac nurse", "cla nurse", "looked after children nurse"),
    "camhs": ("camhs", "child and adolescent mental health", "camhs worker",
              "camhs clinician", "camhs practitioner", "camhs therapist", "camhs nurse"),
    "paediatrician": ("paediatrician", "community paediatrician", "paediatrics"),
    "health": ("health", "health professional", "nhs", "named nurse", "nurse"),
    "gp": ("gp", "gp surgery", "general practitioner", "family doctor", "doctor", "surgery",
           "gp practice"),
    "school": ("school", "dsl", "designated safeguarding lead", "safeguarding lead",
               "deputy dsl", "head teacher", "headteacher", "class teacher", "teacher",
               "designated teacher", "senco", "nursery", "college", "education",
               "school contact", "pastoral lead", "head of year", "education setting",
               "nursery school", "schools", "school and nursery", "nursery or school"),
    "police": ("police", "dc", "pc", "ds", "di", "detective constable", "police officer",
               "police contact", "police representative", "pvp", "police public protection"),
    "probation": ("probation", "probation officer", "probation service"),
    "housing": ("housing", "housing officer", "housing association", "housing provider"),
    "young carers": ("young carers", "young carers service"),
    "early help": ("early help", "family support worker", "family support", "fsw"),
    "youth justice": ("yot", "youth offending", "youth justice", "youth offending team",
                      "yot worker", "yot officer", "youth justice worker"),
    "substance misuse": ("substance misuse", "drug and alcohol", "drug and alcohol service",
                         "substance misuse worker"),
    "domestic abuse": ("idva", "domestic abuse", "womens aid", "domestic abuse service"),
    "adult social care": ("adult social care", "adult services", "learning disability team"),
    "mental health": ("adult mental health", "mental health", "community mental health team",
                      "cmht", "perinatal mental health"),
    "support worker": ("support worker", "key worker", "keyworker", "refugee support worker",
                       "outreach worker"),
}  # fmt: skip

_EMAIL_ALIASES = ("email", "email address", "secure email", "secure email address")
_PHONE_ALIASES = (
    "phone", "phone number", "telephone", "telephone number", "tel", "mobile",
    "mobile number", "contact number", "work phone", "landline", "number", "own number",
    "own phone", "own mobile", "own phone number", "own mobile number",
)  # fmt: skip
_PERSON = {
    "name": ("", "name", "full name"),
    "email": _EMAIL_ALIASES,
    "phone": _PHONE_ALIASES,
    "contact": ("contact", "contact details", "details", "contact info"),
}

# What an access-needs answer says when there are none.
NO_NEEDS = re.compile(
    r"^\s*(none|no|n/?a|nil|not (known|needed|required|applicable)|none (known|identified)|"
    r"no (interpreter|access needs|needs)( (needed|required|known))?)\W*$"
    # "Dad's first language is Konkani but he's happy in English - none needed": the
    # reason, then the answer.
    r"|^[^;]{0,200}[\-\u2013\u2014,;:.]\s*(so\s+)?(none|not|no interpreter|no access needs)"
    r"\s+(needed|required)\W*$",
    re.IGNORECASE,
)

_SUBFIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    CHILD: {
        "case_reference": (
            "case reference", "case ref", "case number", "case no", "case id", "reference",
            "ref", "id", "person id", "case reference numbers", "case references",
            "reference number", "ref no", "system id", "local id", "child id", "case refs",
            "refs", "references", "case reference number", "case numbers",
        ),
        "lcs_reference": ("lcs id", "lcs number", "lcs", "lcs ref", "lcs reference", "lcs no"),
        "mosaic_reference": (
            "mosaic id", "mosaic number", "mosaic", "mosaic ref", "mosaic reference", "mosaic no",
        ),
        "entry": ("", "name", "full name", "details", "initials and dob", "initials dob",
                  "initials date of birth", "initials and date of birth", "name dob",
                  "initials dob ref", "initials dob lcs"),
        "initials": ("initials", "initial"),
        "gender": ("gender", "sex"),
        "legal_status": ("legal status", "legal order", "status", "current legal status",
                         "legal"),
        "date_of_birth": ("date of birth", "dob", "d o b", "birth date", "date of birth or unborn"),
        "due_date": ("due date", "expected due date", "edd", "expected date of delivery"),
    },
    PARENT: {
        # "Parents/Carers names & contact details": each line a person with their details.
        "name": ("", "name", "full name", "names contact details",
                 "names and contact details", "name and contact details",
                 "names and contact numbers", "names and numbers", "name and number"),
        # "Contact: 07700 900611 / kelly@example.org": a number, an address, or both.
        "contact": ("contact", "contact details", "details", "contact info",
                    "contact information", "how to contact"),
        "relationship": ("relationship", "relationship to child", "relationship to the child"),
        "phone": (
            *_PHONE_ALIASES, "phones", "phone numbers", "contact numbers", "home phone",
            "other phone", "alternative phone", "second phone", "phone 2", "mobile 2",
        ),
        "email": _EMAIL_ALIASES,
        "postal_address": ("address", "home address", "postal address"),
    },
    AGENCY: {
        "organisation": ("", "organisation", "organization", "agency name", "service"),
        "role": ("role", "type", "agency type", "sector", "agency role", "job title", "position"),
        # "Name:" among the professionals is a person's ("Name: Sue Smith / Role: HV");
        # a service's name still reads as an organisation when the assembler sees it.
        "contact_name": (
            "contact", "contact name", "contact person", "representative", "lead", "name",
            "full name",
        ),
        "email": _EMAIL_ALIASES,
        "phone": _PHONE_ALIASES,
    },
    SOCIAL_WORKER: _PERSON,
    TEAM_MANAGER: _PERSON,
    YOUNG_PERSON: _PERSON,
    ADVOCATE: {**_PERSON, "organisation": ("organisation", "service", "agency")},
}  # fmt: skip

_SINGLES: dict[str, tuple[str, ...]] = {
    "conference_type": (
        "conference type", "type of conference", "conference requested", "conference",
        "conference required",
    ),
    "strategy_date": (
        "strategy discussion date", "date of strategy discussion", "strategy discussion",
        "strategy meeting date", "date of strategy meeting", "strategy meeting",
        "strategy date", "strategy discussion held", "strat disc", "strat", "strategy disc",
        "strat discussion", "strategy", "strategy held", "strategy discussion took place",
    ),
    "preferred_format": (
        "preferred format", "format", "meeting format", "preferred meeting format",
        "conference format",
    ),
    "preferred_chair": (
        "preferred chair", "chair", "requested chair", "preferred iro", "preferred cp chair",
        "preferred chair email",
    ),
    "preferred_start": (
        "preferred start", "preferred date and time", "preferred date time", "preferred date",
        "proposed date and time", "preferred start date and time", "requested date and time",
    ),
    "confidential": (
        "confidential section requested", "confidential section", "confidential section required",
        "confidential slot", "confidential slot requested", "confidential slot required",
        "confidential",
    ),
    "confidential_reason": (
        "confidential section reason", "reason for confidential section", "confidential reason",
        "reason for confidential slot", "confidential slot reason",
    ),
    "access_needs": (
        "interpreter or access needs", "interpreter and access needs", "interpreter access needs",
        "access needs", "interpreter", "interpreter needs", "interpreter required",
        "language", "access requirements", "communication needs", "accessibility needs",
    ),
    "previous_reference": (
        "previous conference reference", "previous reference", "existing conference reference",
        "previous conference", "last conference", "previous conference ref",
        "last conference reference", "last conference ref", "previous cp conference",
        "previous cpc", "icpc reference", "icpc ref", "original conference",
    ),
}  # fmt: skip

_GROUP_DISPLAY = {
    YOUNG_PERSON: "Young person",
    ADVOCATE: "Advocate",
    CHILD: "Child",
    PARENT: "Parent",
    AGENCY: "Agency",
    SOCIAL_WORKER: "Social worker",
    TEAM_MANAGER: "Team manager",
}
_SINGLE_DISPLAY = {
    "conference_type": "Conference type",
    "strategy_date": "Strategy discussion date",
    "preferred_format": "Preferred format",
    "preferred_chair": "Preferred chair",
    "preferred_start": "Preferred start",
    "confidential": "Confidential section requested",
    "confidential_reason": "Confidential section reason",
    "access_needs": "Interpreter or access needs",
    "previous_reference": "Previous conference reference",
}
_LETTERS = "abcdefgh"
_FAMILY_STATE = re.compile(
    r"\s+(?:(?:are|is|both|who are|now|currently)\s+)*(?:not\s+)?"
    r"(?:together|separated|apart|divorced|living together|live together|living apart|"
    r"live apart|a couple|to be invited|both to be invited)$"
)
_TRAILING_VERB = re.compile(r"(?:\s+(?:held|on|was|date|took place|happened|requested))+$")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_HEADING_SUFFIXES = (
    "",
    "details",
    "detail",
    "information",
    "info",
    "contact details",
    "involved",
    "to invite",
    "to be invited",
    "invited",
    "network",
    "members",
    "contacts",
)
# Headings that name a group in other words: "FAMILY", "PROFESSIONALS", "Invitees".
_HEADINGS = {
    "family": PARENT, "family members": PARENT, "family details": PARENT,
    "family network": PARENT, "family and friends": PARENT, "household": PARENT,
    "household members": PARENT, "parents carers details": PARENT, "other family": PARENT,
    "wider family": PARENT, "extended family": PARENT, "expectant parents": PARENT,
    "professionals": AGENCY, "professionals involved": AGENCY, "professional network": AGENCY,
    "other professionals": AGENCY, "professionals to invite": AGENCY,
    "agencies involved": AGENCY, "agencies to invite": AGENCY, "invitees": AGENCY,
    "partner agencies to invite": AGENCY, "professional contacts": AGENCY,
    # Lists of everyone to invite: each entry's own role word says family or professional.
    "invite list": AGENCY, "invitation list": AGENCY, "people to invite": AGENCY,
    "to invite": AGENCY, "please invite": AGENCY, "invites": AGENCY, "who to invite": AGENCY,
    "attendees": AGENCY, "participants": AGENCY, "distribution list": AGENCY,
    "circulation list": AGENCY, "invite": AGENCY, "others to invite": AGENCY,
    "also to invite": AGENCY, "others to be invited": AGENCY, "to be invited": AGENCY,
    "children": CHILD, "child ren": CHILD, "the children": CHILD, "subject children": CHILD,
}  # fmt: skip
_BULLET = re.compile(r"^(?:[\u2022\u00b7\u25cf\u25aa\u25e6\u2023\u2043*\-–—o#]+\s+|\d{1,2}[.)]\s+)")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class FieldKey:
    """One field of the form: ``group`` is "" for single fields; ``index`` numbers a group."""

    group: str
    name: str
    index: int | None = None
    # What a role-word label says on its own: "Mum" implies (("relationship", "mother"),).
    implied: tuple[tuple[str, str], ...] = ()

    def display(self) -> str:
        """The label as FORM.md spells it, for reasons shown to the admin team."""
        if not self.group:
            return _SINGLE_DISPLAY[self.name]
        number = f" {self.index}" if self.group in MULTI_GROUPS and self.index else ""
        return f"{_GROUP_DISPLAY[self.group]}{number} {self.name.replace('_', ' ')}"


def normalise(text: str) -> str:
    """Lower case, words only: "Parent/Carer 1's e-mail:" becomes "parent carer 1 email"."""
    text = _PARENTHESES.sub(" ", text.lower().replace("e-mail", "email").replace("’", "'"))
    text = re.sub(r"'s\b", "", text)
    return _NON_WORD.sub(" ", text).strip()


def strip_bullet(line: str) -> str:
    """A line without its list bullet or item number."""
    return _BULLET.sub("", line.strip(), count=1)


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise(alias): name for name, aliases in table.items() for alias in aliases}


_SINGLE_INDEX = _lookup(_SINGLES)
_SUB_INDEX = {group: _lookup(subs) for group, subs in _SUBFIELDS.items()}
_PREFIXES = sorted(
    ((normalise(alias), group) for group, aliases in _GROUPS.items() for alias in aliases),
    key=lambda pair: -len(pair[0]),
)
_ROLE_WORDS = sorted(
    [
        *(
            (normalise(w), PARENT, ("relationship", meaning))
            for meaning, words in _FAMILY_WORDS.items()
            for w in words
        ),
        *(
            (normalise(w), AGENCY, ("role", meaning))
            for meaning, words in _AGENCY_WORDS.items()
            for w in words
        ),
    ],
    key=lambda entry: -len(entry[0]),
)
_CHILD_ONLY = frozenset(
    {"date_of_birth", "due_date", "initials", "lcs_reference", "mosaic_reference", "gender",
     "legal_status"}
)  # fmt: skip
# A role word's bare label names the person, whatever the group's bare label means.
_ROLE_BARE = {PARENT: "name", AGENCY: "contact_name"}


# Label lookups scan every role word and prefix; the same few labels recur on every line
# of a form, so each pure lookup is cached.
@lru_cache(maxsize=2048)
def family_relationship(text: str) -> str | None:
    """The relationship a family word names ("mum" is "mother"), if it is one."""
    norm = normalise(text)
    for word, group, (_, meaning) in _ROLE_WORDS:
        if group == PARENT and norm == word:
            return meaning
    return None


_SIDE = {
    "maternal": re.compile(
        r"\bmaternal\b|\b(?:mum|mother|mam)(?:'|\u2019)?s\s+(?:mum|mother|mam|dad|father|parents?|side)\b",
        re.IGNORECASE,
    ),
    "paternal": re.compile(
        r"\bpaternal\b|\b(?:dad|father)(?:'|\u2019)?s\s+(?:mum|mother|mam|dad|father|parents?|side)\b",
        re.IGNORECASE,
    ),
}


def sided(relationship: str, *said: str) -> str:
    """A grandparent's side of the family, where what was said around them names one side
    only: "Grandmother Joan Thorne (paternal)", "his nan (mum's mum)"."""
    if relationship not in ("grandmother", "grandfather"):
        return relationship
    text = " ".join(said)
    sides = [side for side, pattern in _SIDE.items() if pattern.search(text)]
    return f"{sides[0]} {relationship}" if len(sides) == 1 else relationship


@lru_cache(maxsize=2048)
def agency_role_words(text: str) -> str | None:
    """The kind of professional a role word names ("HV" is "health visitor"), if it is one."""
    norm = normalise(text)
    for word, group, (_, meaning) in _ROLE_WORDS:
        if group == AGENCY and norm == word:
            return meaning
    return None


def _role_word(norm: str) -> FieldKey | None:
    for word, group, implied in _ROLE_WORDS:
        if norm == word or norm.startswith(word + " "):
            number, rest = _split_number(norm[len(word) :].strip())
            if rest.startswith(("for ", "of ")) and len(rest.split()) <= 3:
                # "HV for P.", "Police (for dad)": who they are there for; but "School for
                # both is Abbey Grange Primary, please invite ..." is a sentence.
                rest = ""
            if rest in ("number", "numbers"):
                rest = "phone"  # "Mum's number:"
            name = _ROLE_BARE[group] if not rest else _SUB_INDEX[group].get(rest)
            if name is not None and name != "organisation":
                return FieldKey(group, name, number, (implied,))
    return None


def _split_number(rest: str) -> tuple[int | None, str]:
    words = rest.split()
    if len(words) == 1 and len(words[0]) == 1 and words[0] in _LETTERS:
        return _LETTERS.index(words[0]) + 1, ""  # "Child A", "Child B": lettered entries
    if words and (words[0].isdigit() or words[0] in _NUMBER_WORDS):
        head = words[0]
        number = int(head) if head.isdigit() else _NUMBER_WORDS[head]
        return (number if 0 < number < 100 else None), " ".join(words[1:])
    if len(words) > 1 and words[-1].isdigit() and " ".join(words) not in _SUB_INDEX[PARENT]:
        number = int(words[-1])
        return (number if 0 < number < 100 else None), " ".join(words[:-1])
    return None, rest


def _grouped(norm: str) -> list[tuple[str, int | None, str]]:
    found = []
    for prefix, group in _PREFIXES:
        if norm == prefix or norm.startswith(prefix + " "):
            number, rest = _split_number(norm[len(prefix) :].strip())
            found.append((group, number, rest))
    return found


@lru_cache(maxsize=4096)
def parse_label(text: str, section: str | None = None) -> FieldKey | None:
    """The field a label names, reading bare labels ("Email") inside ``section``'s group."""
    norm = normalise(text)
    if not norm or len(norm) > 80:
        return None
    if norm in _SINGLE_INDEX:
        return FieldKey("", _SINGLE_INDEX[norm])
    # "Strategy meeting held:", "Strategy discussion held on:": the same field.
    bare = _TRAILING_VERB.sub("", norm)
    if bare != norm and bare in _SINGLE_INDEX:
        return FieldKey("", _SINGLE_INDEX[bare])
    for group, number, rest in _grouped(norm):
        name = _SUB_INDEX[group].get(rest)
        if name is not None:
            return FieldKey(group, name, number)
    # "Parents are together:", "Parents (separated):": the parents, and how they live.
    together = _FAMILY_STATE.sub("", norm)
    for group, number, rest in _grouped(together) if together != norm else ():
        name = _SUB_INDEX[group].get(rest)
        if group == PARENT and name is not None:
            return FieldKey(group, name, number)
    if section is not None and norm:
        name = _SUB_INDEX[section].get(norm)
        if name is not None:
            return FieldKey(section, name)
    role = _role_word(norm)
    if role is not None:
        return role
    other = _other_councils_worker(norm) if "," not in text else None
    if other is not None:
        return other
    # "DOB:", "LCS number:", "Gender:" on their own are about the child.
    name = _SUB_INDEX[CHILD].get(norm)
    if name in _CHILD_ONLY:
        return FieldKey(CHILD, name)
    # "Westhaven LCS:", "Lowfield ref:", "LCS (unborn):": a reference in some system.
    words = norm.split()
    if words and len(words) <= 3 and ("lcs" in words or "mosaic" in words):
        return FieldKey(CHILD, "lcs_reference" if "lcs" in words else "mosaic_reference")
    if (
        words
        and len(words) <= 3
        and words[-1] in ("ref", "reference", "id")
        and words[0]
        not in ("your", "our", "my", "conference", "previous", "email", "meeting", "police", "nhs")
    ):
        return FieldKey(CHILD, "case_reference")
    return None


# Words before "SW" that say which of this council's workers, not which council.
_OWN_WORKER = frozenset(
    {
        "my",
        "our",
        "the",
        "allocated",
        "senior",
        "student",
        "locum",
        "new",
        "current",
        "case",
        "holding",
        "family",
        "duty",
        "assistant",
        "lead",
        "named",
        "child's",
        "childs",
        "children's",
        "childrens",
        "advanced",
        "principal",
        "qualified",
        "agency",
        "team",
        "manager",
        "deputy",
    }
)


_COUNCIL_WORDS = frozenset({"council", "county", "borough", "city", "district", "la"})


def _other_councils_worker(norm: str) -> FieldKey | None:
    """ "Marshby social worker:", "Lowfield SW (transferring):": another council's worker.

    For a transfer in, the sending council's social worker comes as a professional; the
    place is their organisation.
    """
    words = norm.split()
    for tail in (["social", "worker"], ["sw"]):
        head = words[: -len(tail)]
        # One word ("Kelbridge SW"), or a council's name; "Mark Dainty SW" is a signature.
        council = len(head) == 1 or (1 < len(head) <= 3 and head[-1] in _COUNCIL_WORDS)
        if words[-len(tail) :] == tail and council:
            if any(w in _OWN_WORKER for w in head) or any(ch.isdigit() for ch in "".join(head)):
                return None
            place = " ".join(w.capitalize() for w in head)
            return FieldKey(
                AGENCY, "contact_name", None, (("role", "social worker"), ("organisation", place))
            )
    return None


@lru_cache(maxsize=2048)
def parse_heading(text: str) -> tuple[str, int | None] | None:
    """The group a heading line opens ("Child 2", "Agencies", "Parent 1 details"), if any."""
    norm = normalise(text)
    if norm in _HEADINGS:
        return _HEADINGS[norm], None
    for group, number, rest in _grouped(norm):
        if rest in _HEADING_SUFFIXES:
            return group, number
    return None


def family_words() -> list[tuple[str, str, tuple[str, str]]]:
    """Every family role word, longest first, with the relationship it implies."""
    return [entry for entry in _ROLE_WORDS if entry[1] == PARENT]


def agency_words() -> list[tuple[str, str, tuple[str, str]]]:
    """Every professional role word, longest first, with the kind of agency it implies."""
    return [entry for entry in _ROLE_WORDS if entry[1] == AGENCY]
