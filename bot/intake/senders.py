"""Who wrote a request: the sender, or the real requester in a forwarded chain.

Where the request names no social worker, the person who wrote it is taken as one, with
the numbers in their signature; a shared mailbox never is. A sender who names their own
role ("me (health visitor)") is listed with the professionals instead, and a person named
without an address who is copied in gets their address from the Cc line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.mailbox import InboundMessage
from bot.intake.blocks import SIGN_OFF, Block, clean_text, own_text
from bot.intake.field_values import Fields, Value
from bot.intake.html import html_text
from bot.intake.inline import find_phone_numbers, read_contact
from bot.intake.labels import AGENCY, SOCIAL_WORKER, TEAM_MANAGER, parse_label
from bot.intake.mentions import role_of
from bot.intake.prose import DISCLAIMER

_FROM_HEADER = re.compile(r"^\s*>?\s*\**from\**\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_ADDRESS_IN_HEADER = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>|([^\s<>\"]+@[^\s<>\"]+)")


def _chain(msg: InboundMessage) -> list[tuple[str, str]]:
    """(name, address) of each message in a forwarded chain, the outermost first."""
    return [(name, address) for name, address, _ in _chain_parts(msg)]


def _request_sender(
    msg: InboundMessage, attached: Sequence[tuple[str, str]] = ()
) -> tuple[str, str]:
    """Who wrote the request in a chain: the first message whose own words hold one.

    A social worker forwarding a police reply under their request wrote the request;
    a social worker forwarding their own earlier request wrote it too. When no message
    in the chain holds the request, an attached email (the request forwarded as an
    attachment) was written by its sender, unless that is a shared mailbox.
    """
    parts = _chain_parts(msg)
    for name, address, words in parts:
        if not _is_service(name, address) and _CLAIMS_THE_CASE.search(words):
            return name, address  # "I am the allocated worker": whoever wrote the form
    for name, address, words in parts:
        if _is_service(name, address):
            continue  # the admin team's own mailbox, quoted back, never wrote the request
        own = "\n".join(line for line in words.splitlines() if not _QUOTED_HEADER.match(line))
        if _REQUEST_WORDS.search(own) and _CHILD_WORDS.search(own):
            return name, address
    for name, address in [*attached, parts[0][:2]]:
        if not _is_service(name, address):
            return name, address
    return "", ""  # only shared mailboxes: better no social worker than a mailbox as one


def _is_service(name: str, address: str) -> bool:
    local = address.split("@", maxsplit=1)[0]
    return bool(_SERVICE_ADDRESS.search(local) or _SERVICE_ADDRESS.search(name))


# A message in the chain whose writer says the case is theirs.
_CLAIMS_THE_CASE = re.compile(
    r"\b(?:i am|i'm|i’m)\s+(?:the\s+)?allocated\s+(?:social\s+)?(?:worker|sw)\b|"
    r"\bput\s+me\s+(?:down\s+)?as\s+(?:the\s+)?(?:allocated\s+)?(?:social\s+worker|sw)\b",
    re.IGNORECASE,
)
_SERVICE_ADDRESS = re.compile(
    r"conference|requests?\b|\bmts\b|admin|business.?support|no.?reply|postmaster|enquir|mailbox",
    re.IGNORECASE,
)
_QUOTED_HEADER = re.compile(r"^\s*\**(sent|to|cc|subject|date|importance)\**\s*:", re.IGNORECASE)
_REQUEST_WORDS = re.compile(
    r"\b(icpc|rcpc|conference|transfer in|review|strategy|strat)\b", re.IGNORECASE
)
_CHILD_WORDS = re.compile(
    r"\b(child|children|dob|born|unborn|edd|lcs|mosaic|mum|dad)\b|[A-Z]\.[A-Z]\.", re.IGNORECASE
)


def _chain_parts(msg: InboundMessage) -> list[tuple[str, str, str]]:
    """(name, address, own words) of each message in a chain, the outermost first."""
    body = msg.body or ""
    text = clean_text(html_text(body) if msg.body_type.lower() == "html" else body)[:200_000]
    headers = list(_FROM_HEADER.finditer(text))
    cuts = [h.start() for h in headers] + [len(text)]
    found = [(msg.sender_name or "", msg.sender or "", text[: cuts[0]])]
    for n, m in enumerate(headers):
        header = m.group(1).strip()
        address = _ADDRESS_IN_HEADER.search(header)
        email = (address.group(1) or address.group(2)).strip(".;,") if address else ""
        name = re.sub(r"<[^>]*>|\[mailto:[^\]]*\]|\"|'", " ", header)
        name = re.sub(r"\S+@\S+", " ", name).strip(" ,;")
        if "," in name and len(name.split(",")) == 2:
            surname, first = (p.strip() for p in name.split(","))
            name = f"{first} {surname}"
        found.append((re.sub(r"\s+", " ", name)[:80], email, text[m.end() : cuts[n + 1]]))
    return found


_GREETING = re.compile(r"^\s*(hi|hello|dear|good (morning|afternoon)|morning|afternoon)\b", re.I)


def _signature_phones(blocks: list[Block], name: str) -> list[str]:
    """Numbers in the signature under the last sign-off or the sender's name.

    Only plain lines (a form's table is not a signature), and only until a line that
    labels someone else ("Police: DC ..."), so another person's number is never taken.
    """
    lines = [b for b in blocks if isinstance(b, str)]
    first = name.split(maxsplit=1)[0].lower() if name.split() else "\0"

    def signed(i: int) -> bool:
        # A sign-off counts only when the sender's name follows it: it is theirs.
        return any(ln.lower().startswith(first) for ln in lines[i + 1 : i + 3])

    starts = [
        i
        for i, line in enumerate(lines)
        if (SIGN_OFF.match(line) and signed(i))
        or (line.lower().startswith(first) and len(line) < 90)
    ]
    for i in reversed(starts):
        near: list[str] = [lines[i]] if first in lines[i].lower() else []
        for line in lines[i + 1 : i + 6]:
            if _GREETING.match(line) or len(line) > 90:
                break  # the next message in the chain begins: signatures are short lines
            label = line.split(":", 1)[0] if ":" in line else ""
            key = parse_label(label) if label else None
            if key is not None and key.group not in ("", SOCIAL_WORKER):
                break
            if DISCLAIMER.search(line) or "fax" in line.lower():
                continue
            near.append(line)
        phones, _ = find_phone_numbers(" ; ".join(near))
        if phones:
            return list(phones)
    return []


def _same_person(name: str, text: str) -> bool:
    words = [w for w in re.findall(r"[a-z'’\-]+", name.casefold()) if len(w) > 1]
    said = text.casefold()
    return bool(words) and all(w in said for w in words)


def _unnamed_worker(fields: Fields, chain: Sequence[tuple[str, str]]) -> None:
    """A "Social Worker" line over a number is a signature's job title, not a name.

    So is "Social Worker, Thornley | 07700 900290": one word that is no sender's name is
    the team or the place under the job title.
    """
    key = (SOCIAL_WORKER, 1, "name")
    values = fields.values.get(key, [])
    senders = " ".join(name for name, _ in chain).casefold()

    def titled_only(text: str) -> bool:
        name = read_contact(text).name
        return not name or (len(name.split()) == 1 and name.casefold() not in senders)

    unnamed = [v for v in values if titled_only(v.text)]
    if not unnamed:
        return
    named = [v for v in values if v not in unnamed]
    if named:
        fields.values[key] = named
    else:
        del fields.values[key]
    for value in unnamed:
        if read_contact(value.text).phones:
            fields.add((SOCIAL_WORKER, 1, "phone"), value)


def _copied_in(fields: Fields, msg: InboundMessage) -> None:
    """A person named in the email without an address, who is copied in: their address."""
    for (group, index, field), values in list(fields.values.items()):
        if field not in ("name", "contact_name") or fields.has(group, index, "email"):
            continue
        said = " ".join(v.text for v in values)
        if "@" in said:
            continue
        for name, address in msg.cc:
            if name and address and _same_person(name, said):
                fields.add((group, index, "email"), Value(address, "the email's Cc line"))
                break
        else:
            known = (*msg.cc, (msg.sender_name or "", msg.sender or ""))
            _first_name_copied_in(fields, (group, index, field), said, known)


def _first_name_copied_in(
    fields: Fields, key: tuple[str, int, str], said: str, cc: Sequence[tuple[str, str]]
) -> None:
    """ "I've copied in my manager, Alison": the one person copied in called Alison; "Ravi
    (Team Manager)" signing the note he forwards: the sender called Ravi."""
    first = read_contact(said).name
    if len(first.split()) != 1 or not said.startswith(first):
        return
    copied = [
        (name, address)
        for name, address in dict.fromkeys(cc)
        if name and address and name.split()[0].casefold() == first.casefold()
    ]
    if len(copied) == 1 and len(copied[0][0].split()) > 1:
        name, address = copied[0]
        source = "the email's Cc line"
        fields.values[key] = [Value(name + said[len(first) :], source)]
        fields.add((key[0], key[1], "email"), Value(address, source))


# "Professionals: me (health visitor), ...", "I am the school nurse": the sender's role.
_ME_AS_ROLE = re.compile(
    r"\bme\s*\((?:the\s+|their\s+|her\s+|his\s+)?([^()]{2,40})\)|"
    r"\b(?:i am|i'm|i’m)\s+(?:the|their|her|his)\s+([a-z][a-z ]{1,30}?)\b"
    r"(?=[,.;)]|\s+(?:for|at|and)\b)",
    re.IGNORECASE,
)


def _sender_as_professional(
    fields: Fields, msg: InboundMessage, blocks: list[Block], sender: tuple[str, str]
) -> None:
    """The sender who names their own role (a health visitor sending for the social worker)
    is one of the professionals, with their address and their signature's numbers."""
    name, address = sender
    if not name or _is_service(name, address):
        return
    own = own_text(html_text(msg.body or "") if msg.body_type.lower() == "html" else msg.body or "")
    for m in _ME_AS_ROLE.finditer(own[:5000]):
        role = role_of((m.group(1) or m.group(2) or "").strip())
        if role is None or role[0] != AGENCY:
            continue
        said = " ".join(
            v.text for (g, _, f), vs in fields.values.items() if g == AGENCY for v in vs
        )
        if _same_person(name, said):
            return  # already listed with the professionals
        index = fields.max_index(AGENCY) + 1
        source = "the sender's address"
        fields.add((AGENCY, index, "contact_name"), Value(name, source))
        if role[1] is not None:
            fields.add((AGENCY, index, role[1][0]), Value(role[1][1], source))
        if address:
            fields.add((AGENCY, index, "email"), Value(address, source))
        phones = _signature_phones(blocks, name)
        if phones:
            fields.add(
                (AGENCY, index, "phone"), Value(" ; ".join(phones), "the sender's signature")
            )
        return


# "Team Manager, Safeguarding Team 3" under the sender's name, "Name | Team Manager | ...",
# or "I'm his manager": the sender manages the worker whose request this is.
_MANAGER_SAYS = re.compile(
    r"^(?:[^|\n]{0,60}\|\s*)?(?:senior\s+|assistant\s+|deputy\s+)?(?:team|practice|service|group)"
    r"\s+manager\b|\bI(?:['’]m|\s+am)\s+(?:his|her|their|the)\s+(?:team\s+|line\s+)?manager\b",
    re.IGNORECASE | re.MULTILINE,
)


def _sender_as_manager(
    fields: Fields, msg: InboundMessage, blocks: list[Block], sender: tuple[str, str]
) -> bool:
    """The sender who signs as the worker's manager (forwarding for a worker on leave) is
    the team manager, where no other is named."""
    name, address = sender
    if not name or _is_service(name, address) or fields.max_index(TEAM_MANAGER) > 0:
        return False
    own = own_text(html_text(msg.body or "") if msg.body_type.lower() == "html" else msg.body or "")
    if not _MANAGER_SAYS.search(own[:5000]):
        return False
    source = "the sender's address"
    fields.add((TEAM_MANAGER, 1, "name"), Value(name, source))
    if address:
        fields.add((TEAM_MANAGER, 1, "email"), Value(address, source))
    phones = _signature_phones(blocks, name)
    if phones:
        fields.add((TEAM_MANAGER, 1, "phone"), Value(" ; ".join(phones), "the sender's signature"))
    return True


def add_sender(
    fields: Fields,
    msg: InboundMessage,
    blocks: list[Block],
    attached: Sequence[tuple[str, str]] = (),
) -> None:
    """Where no social worker is named, the person who wrote the request is taken as one.

    ``attached`` holds the (name, address) of each attached email's sender.
    """
    chain = [*_chain(msg), *attached]
    _copied_in(fields, msg)
    _unnamed_worker(fields, chain)
    if fields.has(SOCIAL_WORKER, 1, "name"):
        # Named: the sender's address and signature, when the names agree.
        named = " ".join(v.text for v in fields.values.get((SOCIAL_WORKER, 1, "name"), []))
        if (
            chain
            and chain[0][0]
            and not _same_person(chain[0][0], named)
            and not _sender_as_manager(fields, msg, blocks, chain[0])
        ):
            _sender_as_professional(fields, msg, blocks, chain[0])
        for name, address in reversed(chain):
            if name and _same_person(name, named):
                if address and not fields.has(SOCIAL_WORKER, 1, "email"):
                    fields.add((SOCIAL_WORKER, 1, "email"), Value(address, "the sender's address"))
                phones = _signature_phones(blocks, name)
                if phones:
                    fields.add(
                        (SOCIAL_WORKER, 1, "phone"),
                        Value(" ; ".join(phones), "the sender's signature"),
                    )
                break
        return
    name, address = _request_sender(msg, attached)
    if not (name or address):
        return
    if chain and chain[0][0] and not _same_person(chain[0][0], name):
        _sender_as_manager(fields, msg, blocks, chain[0])  # forwarded for the worker
    source = "the sender's address" if len(chain) == 1 else "the forwarded message's sender"
    if name:
        fields.add((SOCIAL_WORKER, 1, "name"), Value(name, source))
    if address:
        fields.add((SOCIAL_WORKER, 1, "email"), Value(address, source))
    phones = _signature_phones(blocks, name)
    if phones:
        fields.add((SOCIAL_WORKER, 1, "phone"), Value(" ; ".join(phones), "the sender's signature"))
