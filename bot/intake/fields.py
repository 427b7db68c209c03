"""Readers for the values a request form holds: UK dates, times, phones, addresses, choices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.request import is_email, normalise_phone

LONDON = ZoneInfo("Europe/London")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUMERIC = re.compile(r"\b(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_WORDY = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?[\s\-]+({_MONTH})\.?,?[\s\-]+(\d{{4}})\b", re.I
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+({_MONTH})\b\.?", re.I)
_US_WORDY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_TIME = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|hrs|hours|h)?(?!\d)", re.I)
_EMAIL_IN_TEXT = re.compile(r"[^\s<>()\[\],;:\"'@]+@[^\s<>()\[\],;:\"'@]+\.[A-Za-z0-9\-]+")
_INITIALS = re.compile(r"^[A-Za-z](?:[\s.\-]*[A-Za-z]){0,3}[\s.]*$")
_CASE_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /._\-]{0,39}$")
_UNBORN = re.compile(r"\b(unborn|pre[\s\-]?birth|not yet born|edd|due)\b", re.I)
_CHECKED = re.compile(r"[☒☑✔✓■]\s*([A-Za-z]+)|\[\s*[xX✓]\s*\]\s*([A-Za-z]+)")


class FieldError(ValueError):
    """A value cannot be read; the message completes "field 'X': 'value' ..."."""


def _checked_choice(text: str) -> str:
    # A ticked-box form ("☒ Yes ☐ No") means the ticked word, whatever else is on the line.
    match = _CHECKED.search(text)
    return (match.group(1) or match.group(2)) if match else text


def _build_date(day: int, month: int, year: int) -> date:
    if year < 100:
        year += 2000  # two-digit years on a children's form are this century
    try:
        value = date(year, month, day)
    except ValueError:
        swapped = 12 < month <= 31 and 0 < day <= 12
        hint = f" (dates are read day first, as in {month}/{day}/{year})" if swapped else ""
        raise FieldError(f"is not a real date{hint}") from None
    if not 1900 <= year <= 2100:
        raise FieldError("has a year that cannot be right")
    return value


@dataclass(frozen=True, slots=True)
class DateFound:
    """A date in a text, and where it starts."""

    start: int
    value: date


def all_dates(text: str) -> list[DateFound]:
    """Every UK date in ``text``, in order; FieldError if one is not a real date."""
    candidates: list[tuple[int, int, int, int]] = []
    taken: list[range] = []
    for pattern, order in (
        (_ISO, (3, 2, 1)),
        (_WORDY, None),
        (_US_WORDY, None),
        (_NUMERIC, (1, 2, 3)),
    ):
        for m in pattern.finditer(text):
            if any(m.start() in span for span in taken):
                continue
            taken.append(range(m.start(), m.end()))
            if pattern is _WORDY:
                candidates.append((m.start(), int(m[1]), _MONTHS[m[2].lower()], int(m[3])))
            elif pattern is _US_WORDY:
                candidates.append((m.start(), int(m[2]), _MONTHS[m[1].lower()], int(m[3])))
            elif order is not None:
                d, mo, y = (int(m[i]) for i in order)
                candidates.append((m.start(), d, mo, y))
    candidates.sort()
    return [DateFound(pos, _build_date(d, mo, y)) for pos, d, mo, y in candidates]


# Only with a slash: "1.5 hours" is no date.
_DAY_MONTH_FIGURES = re.compile(r"(?<![\d/.\-])(\d{1,2})/(\d{1,2})(?![\d/.\-]*\d)")


def find_recent_date(text: str, today: date) -> date:
    """A date as ``find_date`` reads it, or one without a year ("9th November"): the last
    such day on or before ``today``, as someone writing today about a past event means it.

    A child's date said in brackets beside it ("... regarding the unborn baby (EDD 2
    January 2027)") is the child's, not the event's."""
    text = _CHILDS_DATE_ASIDE.sub(" ", text)
    first = re.split(r"(?<=\d)\.\s+(?=[A-Z])", text, maxsplit=1)
    if len(first) > 1 and _has_date(first[0]):
        text = first[0]  # "held on 20/11/2026. ICPC please for ... (10/10/2016)": its own sentence
    try:
        return find_date(text)
    except FieldError:
        found = {(int(m[1]), _MONTHS[m[2].lower()]) for m in _DAY_MONTH.finditer(text)}
        # "Strat was 16/11.": a day and month in figures.
        found |= {
            (int(m[1]), int(m[2]))
            for m in _DAY_MONTH_FIGURES.finditer(text)
            if 1 <= int(m[2]) <= 12 and 1 <= int(m[1]) <= 31
        }
        if not found:
            relative = _relative_day(text, today)
            if relative is not None:
                return relative
        if len(found) != 1:
            raise
        day, month = found.pop()
        value = _build_date(day, month, today.year)
        return value if value <= today else _build_date(day, month, today.year - 1)


def _has_date(text: str) -> bool:
    return bool(_NUMERIC.search(text) or _WORDY.search(text) or _ISO.search(text))


_CHILDS_DATE_ASIDE = re.compile(
    r"\([^()]*\b(?:e\.?d\.?d|d\.?o\.?b|born|due|date of birth)\b[^()]*\)", re.IGNORECASE
)
# "We had the strat this morning", "strategy discussion yesterday", "held on Monday".
RELATIVE_DAY = re.compile(
    r"\b(today|this (?:morning|afternoon)|earlier today|yesterday|"
    r"(?:on |last )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.IGNORECASE,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _relative_day(text: str, today: date) -> date | None:
    """The one day a relative word names, counted back from the day the email was sent."""
    days = set()
    for m in RELATIVE_DAY.finditer(text):
        word = m.group(1).lower()
        if m.group(2):
            back = (today.weekday() - _WEEKDAYS.index(m.group(2).lower())) % 7
            if back:  # "on Friday", written on a Friday: today or a week ago? Not guessed.
                days.add(today - timedelta(days=back))
        else:
            days.add(today - timedelta(days=1) if word == "yesterday" else today)
    return days.pop() if len(days) == 1 else None


def find_coming_date(text: str, today: date) -> date:
    """A date as ``find_date`` reads it, or one without a year ("due on the 3rd of March"):
    the first such day on or after ``today``, as someone writing of a coming event means it."""
    try:
        return find_date(text)
    except FieldError:
        found = {(int(m[1]), _MONTHS[m[2].lower()]) for m in _DAY_MONTH.finditer(text)}
        if len(found) != 1:
            raise
        day, month = found.pop()
        value = _build_date(day, month, today.year)
        return value if value >= today else _build_date(day, month, today.year + 1)


def find_date(text: str) -> date:
    """The one UK date in ``text``: 3/11/2026, 03-11-2026, 3rd Nov 2026, 2026-11-03."""
    candidates: list[tuple[int, int, int, int]] = []  # (position, day, month, year)
    for m in _ISO.finditer(text):
        candidates.append((m.start(), int(m[3]), int(m[2]), int(m[1])))
    spans = [range(m.start(), m.end()) for m in _ISO.finditer(text)]
    for m in _NUMERIC.finditer(text):
        if not any(m.start() in span for span in spans):
            candidates.append((m.start(), int(m[1]), int(m[2]), int(m[3])))
    for m in _WORDY.finditer(text):
        candidates.append((m.start(), int(m[1]), _MONTHS[m[2].lower()], int(m[3])))
    for m in _US_WORDY.finditer(text):
        candidates.append((m.start(), int(m[2]), _MONTHS[m[1].lower()], int(m[3])))
    if not candidates:
        raise FieldError("is not a date I can read (write it as 3/11/2026 or 3 November 2026)")
    dates = {(d, mo, y) for _, d, mo, y in candidates}
    if len(dates) > 1:
        raise FieldError("holds more than one date")
    _, day, month, year = candidates[0]
    return _build_date(day, month, year)


def find_datetime(text: str) -> datetime:
    """A UK date and a time of day, read as Europe/London and returned in UTC."""
    day = find_date(text)
    rest = _NUMERIC.sub(" ", _ISO.sub(" ", _WORDY.sub(" ", _US_WORDY.sub(" ", text))))
    times = [m for m in _TIME.finditer(rest) if m[2] or m[3]]
    if not times:
        raise FieldError("has no time of day (add one, such as 10:00 or 2pm)")
    m = times[0]
    hour, minute = int(m[1]), int(m[2] or 0)
    suffix = (m[3] or "").lower().replace(".", "")
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or (suffix in ("am", "pm") and int(m[1]) > 12):
        raise FieldError("has a time of day that does not exist")
    local = datetime.combine(day, time(hour, minute), tzinfo=LONDON)
    return local.astimezone(UTC)


def find_phones(text: str) -> tuple[str, ...]:
    """Every phone number in ``text``, in E.164, in order and without repeats."""
    found: dict[str, None] = {}
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        e164 = normalise_phone(match.raw_string)
        if e164:
            found.setdefault(e164, None)
    if not found:
        raise FieldError("is not a phone number I can read (write it as 07700 900123)")
    return tuple(found)


def find_email(text: str) -> str:
    """The one email address in ``text`` ("Jo Bloggs <jo@example.org>" gives the address)."""
    addresses = {m.group(0).strip(".").lower() for m in _EMAIL_IN_TEXT.finditer(text)}
    addresses = {a for a in addresses if is_email(a)}
    if not addresses:
        raise FieldError("is not an email address")
    if len(addresses) > 1:
        raise FieldError("holds more than one email address")
    return addresses.pop()


def read_yes_no(text: str) -> bool:
    """Yes or no, as a form's tick box or free text says it."""
    word = _checked_choice(text).strip().lower().rstrip(".!")
    if re.match(r"^(yes|y|true|required|requested|needed|x)\b", word):
        return True
    if re.match(r"^(no|n|false|none|not required|not needed|not requested|n/?a)\b", word):
        return False
    raise FieldError("should be Yes or No")


_TYPES = {
    ConferenceType.ICPC: ("icpc", "initial", "initial child protection conference", "initial cp"),
    ConferenceType.RCPC: ("rcpc", "review", "review child protection conference", "review cp"),
    ConferenceType.TI: ("ti", "ticpc", "transfer in", "transfer-in", "transfer in conference"),
    ConferenceType.LAC: ("lac", "lac review", "cla review", "looked after child review"),
}
_FORMATS = {
    MeetingFormat.TEAMS: ("teams", "microsoft teams", "ms teams", "virtual", "online", "video"),
    MeetingFormat.HYBRID: ("hybrid",),
    MeetingFormat.CONFERENCE_CALL: ("conference call", "telephone conference", "audio call"),
    MeetingFormat.PHONE_SERIES: (
        "phone series",
        "phone calls",
        "series of phone calls",
        "telephone calls",
        "series of calls",
        "consultation",
    ),
    MeetingFormat.FACE_TO_FACE: ("face to face", "face-to-face", "in person", "f2f"),
}
_NO_PREFERENCE = ("no preference", "chair to decide", "none", "n/a", "any", "either")
_ROLES = (  # first match wins: "GP" before "health", "school nurse" is health
    (Role.GP, ("gp", "general practi", "surgery", "medical practice")),
    (Role.POLICE, ("police", "constabulary")),
    # "nurse" but not "nursery", which is an early years setting.
    (Role.HEALTH, ("health", "nhs", "nurse(?!ry)", "midwif", "hospital", "camhs", "paediatric")),
    # "Kirkstall High", "Moss Side Primary", "Greenway Infants": a school by its name.
    (
        Role.SCHOOL,
        (
            "school",
            "education",
            "college",
            "nursery",
            "academy",
            "primary$",
            "high$",
            "infants$",
            "juniors$",
            "sixth form",
        ),
    ),
)


def _simple(text: str) -> str:
    return re.sub(r"[^a-z0-9\-]+", " ", text.lower()).strip()


def simple_words(text: str) -> str:
    """Lower-case words and hyphens only, single-spaced: how choices are compared."""
    return _simple(text)


def read_conference_type(text: str) -> ConferenceType:
    """ICPC, RCPC, TI or LAC, by abbreviation or in words."""
    value = _simple(_checked_choice(text))
    for kind, names in _TYPES.items():
        if value in names or any(value.startswith(n + " ") for n in names if len(n) > 3):
            return kind
    # "pre-birth ICPC", "Review (RCPC)", "Initial Child Protection Conference": one type named.
    found = {
        kind
        for kind, names in _TYPES.items()
        for n in names
        if re.search(rf"(?<![a-z]){re.escape(n)}(?![a-z])", value)
    }
    if len(found) == 1:
        return found.pop()
    if re.search(r"\bpre[\s\-]?birth\b", value) and not found:
        return ConferenceType.ICPC
    raise FieldError("should be ICPC, RCPC, TI or LAC")


def read_format(text: str) -> tuple[MeetingFormat | None, str | None]:
    """The preferred format, or None for no preference; plus a note for the admin team."""
    value = _simple(_checked_choice(text))
    if not value or value in _NO_PREFERENCE:
        return None, None
    if "skype" in value:
        # The seeds predate Teams; Skype for Business is retired, so Teams is the nearest.
        return MeetingFormat.TEAMS, "preferred format 'Skype' was read as Microsoft Teams"
    for fmt, names in _FORMATS.items():
        if value in names:
            return fmt, None
    # "Teams please, dad is not to attend in person": the format named first is the wish.
    places = [
        (m.start(), fmt)
        for fmt, names in _FORMATS.items()
        for n in names
        if len(n) > 4 or n == "teams"
        for m in re.finditer(rf"(?<![a-z]){re.escape(n)}(?![a-z])", value)
    ]
    if places:
        return min(places, key=lambda p: p[0])[1], None
    raise FieldError("should be Teams, hybrid, conference call, phone calls or face to face")


def read_role(text: str) -> Role:
    """The kind of agency, from its role or its name; anything unknown is a general agency."""
    value = _simple(text)
    for role, words in _ROLES:
        if any(re.search(rf"\b{w}", value) for w in words):
            return role
    return Role.AGENCY


def read_initials(text: str) -> str:
    """Initials only ("A.B." becomes "AB"); a full name is refused, the form asks for less."""
    value = text.strip()
    if not _INITIALS.match(value):
        raise FieldError("should be initials only, such as A.B.")
    return re.sub(r"[^A-Za-z]", "", value).upper()


def read_case_reference(text: str) -> str:
    """The council's case number, as written."""
    value = text.strip()
    if not _CASE_REFERENCE.match(value):
        raise FieldError("is not a case reference (letters, digits, - or /; at most 40)")
    return value


def read_birth(text: str) -> tuple[date | None, bool, date | None]:
    """A date of birth, or "unborn" with an optional due date: (birth, unborn, due)."""
    if _UNBORN.search(text):
        try:
            return None, True, find_date(text)
        except FieldError as err:
            if "real date" in str(err) or "more than one" in str(err):
                raise
            return None, True, None
    return find_date(text), False, None
