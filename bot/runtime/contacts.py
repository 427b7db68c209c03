"""Correcting a participant's contact, and the letters by post that follow from contacts.

Intake owns this: requests are read from email, so details are sometimes wrong or change.
Data-protection rectification can reuse ``correct_contact`` later. The timeline records
which fields of whose contact changed and who changed them, never the values. A letter
that has already gone is not sent again by itself: ``send_letters_again`` does it when a
person asks, to the new address.
"""

from __future__ import annotations

from collections import Counter

from bot.core.actions import CORRECT_CONTACTS, RECORD_POSTED, Actor
from bot.core.conference import Conference, Participant
from bot.core.contacts import (
    CORRECTED,
    ContactCorrection,
    change_words,
    changed_fields,
    check_correction,
    whose,
)
from bot.core.errors import ActionRefused, NotFound
from bot.core.mailbox import OutgoingMail
from bot.core.post import (
    LETTER_SENT,
    NOT_NEEDED,
    POSTED,
    letters_to_post,
    letters_to_send_again,
    open_post_steps,
    person_of,
)
from bot.core.timeline.status import parse_recorded
from bot.runtime import letters
from bot.runtime.context import Runtime


def _person(conference: Conference, participant_id: int) -> Participant:
    for person in conference.participants:
        if person.id == participant_id:
            return person
    raise NotFound("participant", participant_id)


def correct_contact(
    rt: Runtime,
    conference_id: int,
    participant_id: int,
    correction: ContactCorrection,
    *,
    by: str,
    role: str,
) -> Participant:
    """Change the fields the correction names; record which changed, and close post tasks.

    Raises ContactInvalid (a 400) naming each bad field, ActionRefused where the conference
    or this person's role does not allow it, and NotFound for another conference's person.
    """
    conference = rt.store.get_conference(conference_id)
    person = _person(conference, participant_id)
    rt.require(conference, CORRECT_CONTACTS, Actor(by, role))
    checked = check_correction(correction)
    fields = changed_fields(person, checked)
    if not fields:
        return person  # nothing changed, so nothing to record
    updated = rt.store.update_participant(
        conference_id, participant_id, **{name: checked.values[name] for name in fields}
    )
    rt.record(
        conference_id,
        by,
        CORRECTED,
        participant_id=participant_id,
        role=person.role.value,
        fields=list(fields),
        by_role=role,
        words=change_words(person, fields, role),
    )
    if "emails" in fields and updated.email:
        # The next letter goes by email, so the letters waiting for the post are not needed.
        for step_id in open_post_steps(rt.store.timeline(conference_id)):
            if person_of(step_id) == participant_id:
                rt.record(
                    conference_id,
                    by,
                    NOT_NEEDED,
                    step_id=step_id,
                    role=person.role.value,
                    words=f"{whose(person)}'s letter by post not needed: an email was added",
                )
    return updated


def record_posted(rt: Runtime, conference_id: int, step_id: str, *, by: str, role: str) -> None:
    """Record that the admin team posted a letter that could not go by email."""
    conference = rt.store.get_conference(conference_id)
    rt.require(conference, RECORD_POSTED, Actor(by, role))
    tasks = {t.step_id: t for t in letters_to_post(conference, rt.store.timeline(conference_id))}
    task = tasks.get(step_id)
    if task is None:
        raise ActionRefused("That letter is not waiting to be posted.")
    rt.record(
        conference_id,
        by,
        POSTED,
        step_id=step_id,
        role=task.person.role.value,
        words=f"{whose(task.person)}'s letter recorded as posted",
    )


async def send_letters_again(
    rt: Runtime, conference_id: int, participant_id: int, *, by: str, role: str
) -> int:
    """Send a person's letters again to their corrected email; how many went."""
    conference = rt.store.get_conference(conference_id)
    person = _person(conference, participant_id)
    rt.require(conference, CORRECT_CONTACTS, Actor(by, role))
    offered = letters_to_send_again(conference, rt.store.timeline(conference_id))
    step_ids = offered.get(participant_id, ())
    if not step_ids or not person.email:
        raise ActionRefused("There is no letter to send again to this person.")
    steps = {step.id: step for step in rt.timeline(conference).steps}
    email = person.email
    resent = Counter(
        e.step_id
        for e in rt.store.timeline(conference_id)
        if e.kind == LETTER_SENT and e.detail.get("again")
    )
    sent = 0
    async with rt.outbox.collecting():
        for step_id in step_ids:
            step = steps.get(parse_recorded(step_id).step)
            if step is None:
                continue  # the playbook no longer has that letter
            subject, body = letters.parent_letter(conference, step.text, held_back=person.held_back)
            mail = OutgoingMail(
                to=(email,),
                subject=subject,
                html_body=body,
                purpose=f"{step_id}:again",
                # Each request to send again is a new message, even to an address used before.
                revision=str(resent.get(step_id, 0)),
            )

            def after(key: str = step_id) -> None:
                rt.record(conference_id, by, LETTER_SENT, step_id=key, role=person.role, again=True)

            await rt.outbox.send(
                conference, mail, {email: person.role}, may_carry_link=False, after=after
            )
            sent += 1
    return sent
