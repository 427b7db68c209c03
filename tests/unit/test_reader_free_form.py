"""Free-form requests: role words, several facts on a line, sentences, senders, disclaimers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from bot.core.conference import ConferenceType, Role
from bot.core.mailbox import InboundMessage
from bot.intake.outcome import AttachToConference, Parsed, ThresholdDiscussion, Triage
from bot.intake.parser import parse_message

RECEIVED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def message(
    body: str,
    *,
    subject: str = "ICPC request",
    sender: str = "rowan.feld@council.example.org",
    sender_name: str = "Rowan Feld",
    cc: tuple[tuple[str, str], ...] = (),
) -> InboundMessage:
    return InboundMessage(
        id="AAMk-free-form",
        internet_message_id="<free-form@council.example.org>",
        received_at=RECEIVED,
        sender=sender,
        subject=subject,
        body=body,
        body_type="text",
        sender_name=sender_name,
        cc=cc,
    )


def booked(body: str, **kwargs: object) -> Parsed:
    outcome = parse_message(message(body, **kwargs))  # type: ignore[arg-type]
    assert isinstance(outcome, Parsed), outcome
    return outcome


LABELLED = """Hi,

Please book an initial conference.

Conference type: Initial
Strategy discussion: 20/11/2026
Child: T.R. (DOB 02/03/2018), case ref 123456
Mum: Kelly Dawes - 07700 900611 - kelly.dawes@example.org
Dad: Gary Dawes, 07700-900-612

Thanks
Rowan Feld
Social Worker
0113 496 0123
"""


def test_role_word_labels_are_people_with_their_relationship() -> None:
    request = booked(LABELLED).request
    assert [(p.name, p.relationship) for p in request.parents] == [
        ("Kelly Dawes", "mother"),
        ("Gary Dawes", "father"),
    ]
    assert request.parents[0].emails == ("kelly.dawes@example.org",)
    assert request.parents[1].phones == ("+447700900612",)


def test_a_child_on_one_line_gives_initials_birth_and_reference() -> None:
    (child,) = booked(LABELLED).request.children
    assert child.initials == "T.R."
    assert child.date_of_birth == date(2018, 3, 2)
    assert child.case_reference == "123456"


def test_the_sender_is_the_social_worker_with_the_signature_number() -> None:
    worker = booked(LABELLED).request.social_worker
    assert worker is not None
    assert (worker.name, worker.email, worker.phones) == (
        "Rowan Feld",
        "rowan.feld@council.example.org",
        ("+441134960123",),
    )


def test_an_address_with_an_apostrophe_is_kept_whole() -> None:
    body = LABELLED.replace("kelly.dawes@example.org", "siobhan.o'brien@example.org")
    mother = booked(body).request.parents[0]
    assert mother.emails == ("siobhan.o'brien@example.org",)


def test_an_address_with_a_plus_sign_is_kept_whole() -> None:
    body = LABELLED.replace("kelly.dawes@example.org", "kelly+family@example.org")
    assert booked(body).request.parents[0].emails == ("kelly+family@example.org",)


def test_an_address_that_cannot_be_read_whole_is_a_triage_reason_not_a_shorter_address() -> None:
    body = LABELLED.replace("kelly.dawes@example.org", "kelly.dawes@example")
    outcome = parse_message(message(body))
    assert isinstance(outcome, Triage)
    assert any("kelly.dawes@example" in r and "not a whole email" in r for r in outcome.reasons)


def test_bidirectional_controls_are_stripped_before_reading() -> None:
    body = LABELLED.replace("kelly.dawes@example.org", "kelly.dawes@exa\u202emple.org")
    assert booked(body).request.parents[0].emails == ("kelly.dawes@example.org",)


def test_a_sentence_names_a_parent_and_the_next_gives_her_number() -> None:
    body = (
        "Hello, I'm the allocated social worker and I need an ICPC for T.R. (DOB 02/03/2018).\n"
        "The strategy discussion was held on 20/11/2026. His LCS number is 123456.\n"
        "Mum is Kelly Dawes. Her mobile is 07700 900611.\n"
        "My manager is Ada Quill.\n"
    )
    request = booked(body).request
    (mother,) = request.parents
    assert (mother.name, mother.relationship, mother.phones) == (
        "Kelly Dawes",
        "mother",
        ("+447700900611",),
    )
    assert request.team_manager is not None and request.team_manager.name == "Ada Quill"
    assert request.strategy_discussion_date == date(2026, 11, 20)


def test_agencies_under_a_heading_keep_their_kind() -> None:
    body = LABELLED + (
        "\nPROFESSIONALS\n"
        "- Health visitor: Jo Smith, Elm Road Health Centre, jo.smith@nhs.example.org\n"
        "- DSL: Sam Ito, Elm Road Primary School, dsl@elmroad.example.sch.uk\n"
        "- Police: DC Amir Shah, 0113 496 0456\n"
    )
    agencies = booked(body).request.agencies
    assert [(a.role, a.name) for a in agencies] == [
        (Role.HEALTH, "Jo Smith"),
        (Role.SCHOOL, "Sam Ito"),
        (Role.POLICE, "Amir Shah"),
    ]


def test_switchboard_numbers_and_postmaster_in_a_disclaimer_belong_to_nobody() -> None:
    body = LABELLED + (
        "\nThis email and any attachments are confidential and intended solely for the "
        "addressee. Switchboard 0113 496 0000. Misdirected mail: postmaster@council.example.org\n"
    )
    request = booked(body).request
    numbers = {n for p in request.people for n in p.phones}
    addresses = {e for p in request.people for e in p.emails}
    assert "+441134960000" not in numbers
    assert not any(a.startswith("postmaster@") for a in addresses)


def test_a_quoted_earlier_conference_is_kept_as_text_not_refused() -> None:
    body = LABELLED + "\nThe last conference, CP-2025-00123, was in May.\n"
    request = booked(body).request
    assert request.previous_reference == "CP-2025-00123"


def test_a_reply_quoting_a_reference_in_the_subject_still_attaches() -> None:
    outcome = parse_message(message("Thanks, report attached.", subject="RE: CP-2026-00042"))
    assert isinstance(outcome, AttachToConference)
    assert outcome.reference == "CP-2026-00042"


def test_two_dates_of_birth_for_one_child_name_both() -> None:
    body = LABELLED.replace("case ref 123456", "case ref 123456\nDate of birth: 03/02/2018")
    outcome = parse_message(message(body))
    assert isinstance(outcome, Triage)
    assert any("02/03/2018" in r and "03/02/2018" in r for r in outcome.reasons)
    assert outcome.draft is not None and outcome.draft["people"]  # nothing read is lost


def test_several_children_on_one_line_are_several_children() -> None:
    body = LABELLED.replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456",
        "Children: T.R. (DOB 02/03/2018) and B.R. (born 14 May 2020)\nLCS 123456 and 123457",
    )
    children = booked(body).request.children
    assert [(c.initials, c.date_of_birth) for c in children] == [
        ("T.R.", date(2018, 3, 2)),
        ("B.R.", date(2020, 5, 14)),
    ]


def test_a_childs_full_name_is_read_down_to_initials_and_never_kept() -> None:
    body = LABELLED.replace("Child: T.R. (DOB", "Child: Tyler Reeves (DOB")
    request = booked(body).request
    assert request.children[0].initials == "T.R."
    assert "Tyler" not in repr(request)


def test_an_unborn_baby_needs_no_initials() -> None:
    body = LABELLED.replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456", "Unborn baby - EDD 15/01/2027"
    ).replace("Initial", "pre-birth ICPC")
    (child,) = booked(body).request.children
    assert (child.unborn, child.due_date, child.initials) == (True, date(2027, 1, 15), "")


def test_a_manager_copied_in_gets_their_address_from_the_cc_line() -> None:
    body = LABELLED + "Team manager: Ada Quill (cc'd)\n"
    request = booked(body, cc=(("Ada Quill", "ada.quill@council.example.org"),)).request
    assert request.team_manager is not None
    assert request.team_manager.emails == ("ada.quill@council.example.org",)


def test_a_request_for_a_threshold_discussion_is_not_a_broken_request() -> None:
    body = (
        "Hi, could I please have a threshold discussion with the duty chair about T.R. "
        "(DOB 02/03/2018)? There are new concerns from school.\nRowan Feld\n0113 496 0123\n"
    )
    outcome = parse_message(message(body, subject="Threshold discussion please"))
    assert isinstance(outcome, ThresholdDiscussion)
    assert outcome.draft["children"][0]["initials"] == "T.R."
    assert "new concerns" in outcome.summary


def test_conference_types_in_words() -> None:
    for words, kind in (
        ("pre-birth ICPC", ConferenceType.ICPC),
        ("Review (RCPC)", ConferenceType.RCPC),
        ("Transfer In", ConferenceType.TI),
        ("Initial Child Protection Conference", ConferenceType.ICPC),
    ):
        body = LABELLED.replace("Conference type: Initial", f"Conference type: {words}")
        assert booked(body).request.conference_type is kind, words


def test_an_address_that_spells_another_persons_name_goes_to_them() -> None:
    body = (
        LABELLED
        + "Team manager: Ada Quill\nSocial worker: Rowan Feld, ada.quill@council.example.org\n"
    )
    request = booked(body).request
    assert request.team_manager is not None
    assert request.team_manager.emails == ("ada.quill@council.example.org",)
    assert request.social_worker is not None
    assert "ada.quill@council.example.org" not in request.social_worker.emails


def test_references_in_another_councils_shape_are_kept() -> None:
    body = LABELLED.replace("case ref 123456", "our ref 123456, Eastby ref EB/2210/K")
    (child,) = booked(body).request.children
    assert [r.reference for r in child.case_references] == ["123456", "EB/2210/K"]


FORWARDED_ON_BEHALF = """Hi, forwarding on behalf of Noor, she could not send from her phone.
Thanks, Business Support

-----Original Message-----
From: Noor Halloran <noor.halloran@council.example.org>
Sent: Tuesday, November 24, 2026 1:37 PM
Subject: RCPC request

> Conference type - RCPC
> Previous conference - CP-2026-00083
> Child 1 - M.R. - DOB 14/05/2019 - LCS 759920
> Parent 1 - Tess Rowe (mother) - 07700 900581
"""


def test_request_forwarded_on_behalf_that_quotes_its_last_conference_is_a_request() -> None:
    # The reference is the form's "previous conference", not a reply to that conference.
    outcome = parse_message(
        message(FORWARDED_ON_BEHALF, sender="business.support@council.example.org")
    )
    assert isinstance(outcome, Parsed), outcome
    assert outcome.request.previous_reference == "CP-2026-00083"
    assert outcome.request.social_worker.emails == ("noor.halloran@council.example.org",)


def test_reply_with_the_reference_in_its_subject_still_attaches_to_that_conference() -> None:
    outcome = parse_message(
        message(FORWARDED_ON_BEHALF, subject="RE: CP-2026-00083 Invitation to Review Conference")
    )
    assert isinstance(outcome, AttachToConference), outcome


def test_two_people_joined_by_and_are_two_people_with_their_own_numbers() -> None:
    request = booked(
        LABELLED.replace(
            "Dad: Gary Dawes, 07700-900-612",
            "Kinship carers: Paternal aunt and uncle: Mina Cole 07700 900672 and "
            "Asa Cole 07700 900673",
        )
    ).request
    phones = {p.name: p.phones for p in request.parents}
    assert phones["Mina Cole"] == ("+447700900672",)
    assert phones["Asa Cole"] == ("+447700900673",)
    assert not any(p.name.lower().startswith("paternal") for p in request.parents)


def test_a_couple_sharing_one_number_is_two_people_each_with_that_number() -> None:
    # Each carer is invited in their own name (MTS list both); the one number is each one's.
    request = booked(
        LABELLED.replace(
            "Dad: Gary Dawes, 07700-900-612", "Carers: Janet and Phil Morrow 07700 900674"
        )
    ).request
    carers = [(p.name, p.phones) for p in request.parents if "Morrow" in p.name]
    assert carers == [
        ("Janet Morrow", ("+447700900674",)),
        ("Phil Morrow", ("+447700900674",)),
    ]


def test_a_list_under_a_plural_label_is_one_entry_per_line() -> None:
    body = LABELLED.replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456",
        "Children:\n* T.R. - 02/03/2018 - LCS 123456\n* B.R. - 01/11/2019 - LCS 123457",
    )
    request = booked(body).request
    assert [(c.initials, c.date_of_birth) for c in request.children] == [
        ("T.R.", date(2018, 3, 2)),
        ("B.R.", date(2019, 11, 1)),
    ]


def test_reference_said_as_an_earlier_conference_in_prose_is_the_previous_one() -> None:
    body = (
        "Hello, review CP conference please for S.P., DOB 12/02/2018, LCS 488150, on a plan "
        "since the ICPC on 27 August (CP-2026-00029). Mum is Kim Parkes (07700 900291).\n"
        "Lewis Okafor\nSocial Worker, Thornley | 07700 900290\n"
    )
    outcome = parse_message(
        message(body, sender="lewis.okafor@council.example.org", sender_name="Lewis Okafor")
    )
    assert isinstance(outcome, Parsed), outcome
    assert outcome.request.previous_reference == "CP-2026-00029"
    # The job-title line of the signature names a place, not the social worker.
    assert outcome.request.social_worker.name == "Lewis Okafor"
    assert outcome.request.social_worker.phones == ("+447700900290",)


def test_role_word_line_after_an_organisation_is_another_person_with_their_own_address() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Agencies: Fenbrook College (safeguarding team, safeguarding@fenbrook.example.ac.uk),\n"
        "LAC nurse Mia Pearl (mia.pearl@nhs.example.net) and CAMHS - Dr Ola Banks\n"
        "(ola.banks@nhs.example.net).",
    )
    people = {p.name or p.organisation: p.emails for p in booked(body).request.agencies}
    assert people["Mia Pearl"] == ("mia.pearl@nhs.example.net",)
    assert people.get("Ola Banks", ()) in ((), ("ola.banks@nhs.example.net",))
    college = [emails for who, emails in people.items() if "College" in who]
    assert college == [("safeguarding@fenbrook.example.ac.uk",)]


def test_the_name_an_address_belongs_to_is_the_persons_name() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "School: DSL Ivy Lane Prim.:  Mr Ian Shaw   i.shaw@ivylane.example.sch.uk",
    )
    (school,) = booked(body).request.agencies
    assert school.name == "Ian Shaw"
    assert school.emails == ("i.shaw@ivylane.example.sch.uk",)


def test_a_relative_named_in_one_place_and_reached_in_another_is_one_person() -> None:
    body = LABELLED.replace("Dad: Gary Dawes, 07700-900-612", "Dad is Liam Dawes.").replace(
        "Thanks", "Dad's contact number - he is on 07700 900231, no email\n\nThanks"
    )
    (dad,) = [p for p in booked(body).request.parents if p.relationship == "father"]
    assert (dad.name, dad.phones) == ("Liam Dawes", ("+447700900231",))


def test_people_listed_in_one_sentence_keep_their_own_role_and_address() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Please invite the school\nnurse (Bernie Walsh, 0161 496 0240) and PC Dean Amos "
        "(dean.amos@police.example.net).",
    )
    agencies = {p.name: p for p in booked(body).request.agencies}
    assert agencies["Bernie Walsh"].phones == ("+441614960240",)
    assert agencies["Bernie Walsh"].emails == ()
    assert agencies["Dean Amos"].emails == ("dean.amos@police.example.net",)
    assert "police" in agencies["Dean Amos"].organisation.lower()


def test_school_in_a_sentence_is_not_a_label() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "School for both is Abbey Fold Primary, please invite Mr Tim Nuttley (DSL),\n"
        "tnuttley@abbeyfold.example.sch.uk. The school nurse is Jan Boyd (0113 496 0620).",
    )
    for agency in booked(body).request.agencies:
        if "tnuttley@abbeyfold.example.sch.uk" in agency.emails:
            assert agency.name in ("", "Tim Nuttley"), agency


ON_BEHALF = """Hello,

Olivia Grantley (SW, cc'd) asked me to send this on as her laptop is not working today.

Conference: ICPC   Strategy: 20.11.2026
Child: R.A., born 20/10/2026, LCS 901004
Mother: Hollie Ames - 07700 900101
Professionals: me (health visitor), and the GP (Lakeside Surgery, lakeside@nhs.example.net).

Kind regards
Joanne Priestman
Health Visitor, Fenbridge 0-19 Service
0161 496 0120
"""


def test_professional_sending_for_the_social_worker_is_listed_as_a_professional() -> None:
    outcome = parse_message(
        message(
            ON_BEHALF,
            sender="joanne.priestman@nhs.example.net",
            sender_name="Joanne Priestman",
            cc=(("Olivia Grantley", "olivia.grantley@council.example.org"),),
        )
    )
    assert isinstance(outcome, Parsed), outcome
    request = outcome.request
    assert request.social_worker.name == "Olivia Grantley"
    assert request.social_worker.emails == ("olivia.grantley@council.example.org",)
    (visitor,) = [p for p in request.agencies if p.name == "Joanne Priestman"]
    assert visitor.emails == ("joanne.priestman@nhs.example.net",)
    assert visitor.phones == ("+441614960120",)
    # The signature's "Health Visitor, Fenbridge 0-19 Service" is no person called Fenbridge.
    assert not any(p.name.startswith("Fenbridge") for p in request.people)


def test_next_item_of_a_list_after_a_semicolon_keeps_its_own_address() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Professionals I'd like invited: the community midwife, Tess Gillam (tess.gillam@nhs."
        "example.net, 0161 496 0290); the perinatal mental health team (perinatal.team@nhs."
        "example.net); and the GP at Elm Tree Surgery (elmtree.surgery@nhs.example.net).",
    )
    (midwife,) = [p for p in booked(body).request.agencies if p.name == "Tess Gillam"]
    assert midwife.emails == ("tess.gillam@nhs.example.net",)


def test_two_labelled_sentences_on_one_line_are_two_people() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Mother's partner: Kyle Barnet, 07700 900482. Maternal grandmother: Dee Holter, "
        "0161 496 0483.",
    )
    phones = {p.name: p.phones for p in booked(body).request.parents}
    assert phones["Kyle Barnet"] == ("+447700900482",)
    assert phones["Dee Holter"] == ("+441614960483",)
    assert phones["Kelly Dawes"] == ("+447700900611",)


def test_initials_in_a_label_are_who_the_service_is_for_not_its_name() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Agencies:\n- Health visitor (T.): Fiona Lambe 07700 900320\n"
        "- School (T.): Westfield Primary, DSL Ben Harper, ben.harper@westfield.example.sch.uk",
    )
    organisations = {p.name: p.organisation for p in booked(body).request.agencies}
    assert organisations["Fiona Lambe"] == "Health visitor"
    assert organisations["Ben Harper"] == "Westfield Primary"


def test_unknown_service_under_the_professionals_is_a_professional() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Professionals:\n- Refuge key worker: Dee Walden, 07700 900785\n"
        "- Turning Point - Dan Ruddock - dan.ruddock@turningpoint.example.org\n"
        "- I'd like to attend too - Jade Mwanza, 07700 900135",
    )
    agencies = {p.name: p for p in booked(body).request.agencies}
    assert agencies["Dee Walden"].phones == ("+447700900785",)
    assert agencies["Dee Walden"].organisation == "Refuge key worker"
    assert agencies["Dan Ruddock"].emails == ("dan.ruddock@turningpoint.example.org",)
    assert all(not p.organisation.startswith("I'd") for p in agencies.values())


def test_people_table_with_one_contact_column_splits_addresses_from_numbers() -> None:
    html = (
        "<p>ICPC please, strategy discussion 20/11/2026.</p>"
        "<p>Child: T.R. (DOB 02/03/2018), case ref 123456</p>"
        "<table><tr><td>Name</td><td>Role</td><td>Contact</td></tr>"
        "<tr><td>Amber Stoner</td><td>Mum</td>"
        "<td>07700 900810<br>amber.stoner@example.org</td></tr>"
        "<tr><td>Colm Byrd</td><td>DSL, Fenbrook High</td>"
        "<td>c.byrd@fenbrook.example.sch.uk</td></tr>"
        "</table><p>Rowan Feld, Social Worker</p>"
    )
    outcome = parse_message(dataclasses.replace(message(html), body_type="html"))
    assert isinstance(outcome, Parsed), outcome
    (mum,) = outcome.request.parents
    assert (mum.name, mum.relationship) == ("Amber Stoner", "mother")
    assert (mum.emails, mum.phones) == (("amber.stoner@example.org",), ("+447700900810",))
    (school,) = outcome.request.agencies
    assert (school.name, school.emails, school.phones) == (
        "Colm Byrd",
        ("c.byrd@fenbrook.example.sch.uk",),
        (),
    )


def test_tick_boxes_give_the_ticked_option_only() -> None:
    body = LABELLED.replace(
        "Conference type: Initial", "Conference type: ☐ ICPC ☒ Pre-birth ICPC ☐ RCPC ☐ Transfer In"
    ).replace(
        "Strategy discussion: 20/11/2026",
        "Strategy discussion: 20/11/2026\nInterpreter: ☐ Yes ☐ No",
    )
    request = booked(body).request
    assert request.conference_type is ConferenceType.ICPC
    assert request.access_needs in ("", None)


def test_strategy_day_and_month_in_figures_without_a_year_is_the_last_such_day() -> None:
    body = LABELLED.replace(
        "Strategy discussion: 20/11/2026", "Strategy discussion: Strat was 16/11."
    )
    assert booked(body).request.strategy_discussion_date == date(2026, 11, 16)


def test_plan_said_of_all_the_children_is_each_childs_legal_status() -> None:
    body = LABELLED.replace("Conference type: Initial", "Conference type: RCPC").replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456",
        "Child A: T.R. 02/03/2018 LCS 123456\nChild B: B.R. 01/11/2019 LCS 123457\n"
        "Both are on plans under neglect.",
    )
    children = booked(body).request.children
    assert [c.initials for c in children] == ["T.R.", "B.R."]
    assert {c.legal_status for c in children} == {"child protection plan"}


def test_a_looked_after_nurse_says_nothing_of_the_childs_legal_status() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612", "LAC nurse: Gemma Rowan 0113 496 0730"
    )
    assert [c.legal_status for c in booked(body).request.children] == [""]


def test_another_councils_social_worker_is_a_professional_from_that_council() -> None:
    body = LABELLED.replace("Conference type: Initial", "Conference type: Transfer In").replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Kelbridge SW: Ana Soares - ana.soares@kelbridge.example.org",
    )
    request = booked(body).request
    assert request.social_worker.name == "Rowan Feld"
    (other,) = [p for p in request.agencies if p.name == "Ana Soares"]
    assert other.organisation == "Kelbridge"
    assert other.emails == ("ana.soares@kelbridge.example.org",)


def test_a_signature_naming_the_sender_and_sw_is_not_another_council() -> None:
    body = LABELLED.replace(
        "Rowan Feld\nSocial Worker\n0113 496 0123", "Rowan Feld, SW, 0113 496 0123"
    )
    request = booked(body).request
    assert request.social_worker.phones == ("+441134960123",)
    assert not any(p.name == "Rowan Feld" for p in request.agencies)


def test_initials_written_apart_or_beside_dob_dots_are_the_childs_initials() -> None:
    spaced = LABELLED.replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456", "Child: T R\nDOB: 02/03/2018\nLCS: 123456"
    )
    dotted_dob = LABELLED.replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456", "Child: T.R. D.O.B 2.3.2018 LCS 123456"
    )
    for body in (spaced, dotted_dob):
        (child,) = booked(body).request.children
        assert (child.initials, child.date_of_birth) == ("T.R.", date(2018, 3, 2))


def test_a_comma_list_of_services_under_a_heading_label_is_one_entry_each() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Professionals: School (Oak Primary, dsl@oak.example.sch.uk), HV Sue Smithers "
        "07700 900700, GP Park Surgery",
    )
    agencies = booked(body).request.agencies
    school = [a for a in agencies if a.emails == ("dsl@oak.example.sch.uk",)]
    assert [a.organisation for a in school] == ["Oak Primary"]
    (visitor,) = [a for a in agencies if a.name == "Sue Smithers"]
    assert (visitor.emails, visitor.phones) == ((), ("+447700900700",))
    assert any(a.organisation == "Park Surgery" for a in agencies)


def test_a_sentence_after_a_heading_label_keeps_each_persons_address_apart() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Professionals: me (health visitor), the GP (Lakeside Surgery, lakeside@nhs.example.net), "
        "and DC Martin Hollins from the CAIU (martin.hollins@police.example.net).",
    )
    for agency in booked(body).request.agencies:
        assert len(agency.emails) <= 1, agency
        if "martin.hollins@police.example.net" in agency.emails:
            assert "Lakeside" not in agency.organisation


def test_a_review_due_date_is_no_unborn_child() -> None:
    body = (
        "Please arrange an RCPC for T.R. (DOB 02/03/2018), LCS 123456. Review due 10/12/2026. "
        "Mum Kelly Dawes 07700 900611.\nRowan Feld\nSocial Worker\n"
    )
    outcome = parse_message(message(body))
    assert isinstance(outcome, Parsed), outcome
    assert [(c.initials, c.unborn) for c in outcome.request.children] == [("T.R.", False)]


def test_children_named_with_their_dates_in_brackets_in_a_sentence() -> None:
    one = (
        "I would like to request an Initial Child Protection Conference for T.R. (02/03/2018), "
        "following a strategy discussion held on 20th November 2026. LCS 123456.\nMum: Kelly Dawes "
        "(07700 900611)\nMy TM is Grace Obi.\nRowan Feld\nSocial Worker\n"
    )
    request = booked(one).request
    assert [(c.initials, c.date_of_birth) for c in request.children] == [("T.R.", date(2018, 3, 2))]
    assert request.strategy_discussion_date == date(2026, 11, 20)
    assert request.team_manager is not None and request.team_manager.name == "Grace Obi"
    two = one.replace("T.R. (02/03/2018)", "T.R. and B.R. (DOB 02/03/2018 and 05/06/2020)")
    two = two.replace("LCS 123456.", "LCS 123456 and 123457.")
    assert [(c.initials, c.date_of_birth) for c in booked(two).request.children] == [
        ("T.R.", date(2018, 3, 2)),
        ("B.R.", date(2020, 6, 5)),
    ]


def test_expectant_parents_and_other_family_are_family() -> None:
    body = LABELLED.replace(
        "Mum: Kelly Dawes - 07700 900611 - kelly.dawes@example.org\nDad: Gary Dawes, 07700-900-612",
        "Expectant parents: Tess Morrow (mother), 07700 900921\n"
        "Other family: Sue Morrow (maternal grandmother) 020 7946 0332",
    )
    family = {p.name: p.relationship for p in booked(body).request.parents}
    assert family == {"Tess Morrow": "mother", "Sue Morrow": "maternal grandmother"}


def test_curly_apostrophes_in_names_and_services_are_read_as_apostrophes() -> None:
    body = LABELLED.replace("Mum: Kelly Dawes", "Mum: Bernie O’Connell").replace(
        "Rowan Feld\nSocial Worker\n",
        "Rowan Feld\nSocial Worker\nThornley Children’s Social Care\n",
    )
    request = booked(body).request
    assert request.parents[0].name == "Bernie O'Connell"
    assert request.social_worker.name == "Rowan Feld"


def test_a_role_word_beside_the_person_is_more_exact_than_a_sector_label() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Health - school nurse Asha Patten - asha.patten@nhs.example.net\n"
        "Health: HV Mary Jo Pikes 020 7946 0633",
    )
    kinds = {p.name: (p.organisation, p.role) for p in booked(body).request.agencies}
    assert kinds["Asha Patten"] == ("School nurse", Role.HEALTH)
    assert kinds["Mary Jo Pikes"][1] is Role.HEALTH


def test_a_wrapped_sentence_starting_with_child_is_no_child() -> None:
    body = (
        "Following the strategy discussion on 13/11/2026 I am requesting a pre-birth initial\n"
        "child protection conference. Mum, Kayla Doyce, is 17 and lives with her nan;\n"
        "her baby is due on 15 January 2027. The unborn baby's LCS reference is 734455.\n"
        "Mum's mobile is 07700 900841.\nRowan Feld\nSocial Worker\n"
    )
    (child,) = booked(body).request.children
    assert child.unborn and child.due_date == date(2027, 1, 15)


def test_strategy_meeting_held_is_the_strategy_date_label() -> None:
    body = LABELLED.replace(
        "Strategy discussion: 20/11/2026", "Strategy meeting held: 13 November 2026"
    )
    assert booked(body).request.strategy_discussion_date == date(2026, 11, 13)


def test_references_listed_once_go_to_each_child_in_turn() -> None:
    body = LABELLED.replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456",
        "Children: T.R. (DOB 02/03/2018) and B.R. (DOB 05/06/2020).\n"
        "Their LCS numbers are 600021 and 600022.",
    )
    children = booked(body).request.children
    assert [[r.reference for r in c.case_references] for c in children] == [
        ["600021"],
        ["600022"],
    ]
    assert {r.system for c in children for r in c.case_references} == {"LCS"}


def test_twins_born_the_same_day_are_two_children_with_their_own_references() -> None:
    body = LABELLED.replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456",
        "Children: I.Y. and C.Y. (twins, both born 14.05.19), LCS 720113 and 720114",
    )
    children = booked(body).request.children
    assert [(c.initials, c.date_of_birth) for c in children] == [
        ("I.Y.", date(2019, 5, 14)),
        ("C.Y.", date(2019, 5, 14)),
    ]
    assert [[r.reference for r in c.case_references] for c in children] == [
        ["720113"],
        ["720114"],
    ]


def test_a_born_child_without_a_case_reference_waits_in_triage() -> None:
    body = LABELLED.replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456", "Child: T.R. (DOB 02/03/2018)"
    )
    outcome = parse_message(message(body))
    assert isinstance(outcome, Triage)
    assert any("no case reference" in r for r in outcome.reasons), outcome.reasons


def test_a_conference_reference_is_never_a_childs_case_reference() -> None:
    body = LABELLED.replace("Conference type: Initial", "Conference type: RCPC").replace(
        "case ref 123456", "LCS 123456, last conference CP-2026-00029"
    )
    (child,) = booked(body).request.children
    assert [r.reference for r in child.case_references] == ["123456"]


def test_a_role_heading_over_name_and_phone_lines_is_that_relative() -> None:
    body = LABELLED.replace(
        "Mum: Kelly Dawes - 07700 900611 - kelly.dawes@example.org\nDad: Gary Dawes, 07700-900-612",
        "MOTHER\nName - Kelly Dawes\nTel - 07700 900611\n\nFATHER\nName - Gary Dawes\n"
        "Tel - 07700 900612\nEmail - gary.dawes@example.org",
    )
    request = booked(body).request
    assert [c.initials for c in request.children] == ["T.R."]
    family = {p.name: (p.relationship, p.emails, p.phones) for p in request.parents}
    assert family == {
        "Kelly Dawes": ("mother", (), ("+447700900611",)),
        "Gary Dawes": ("father", ("gary.dawes@example.org",), ("+447700900612",)),
    }


def test_name_and_role_lines_among_the_professionals_are_a_person_and_their_role() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "Agencies:\nName: Sue Smithson\nRole: Health Visitor\nEmail: sue.smithson@nhs.example.net",
    )
    (visitor,) = booked(body).request.agencies
    assert (visitor.name, visitor.role, visitor.emails) == (
        "Sue Smithson",
        Role.HEALTH,
        ("sue.smithson@nhs.example.net",),
    )


def test_an_invite_list_sorts_family_from_professionals_by_their_role_words() -> None:
    body = LABELLED.replace(
        "Mum: Kelly Dawes - 07700 900611 - kelly.dawes@example.org\nDad: Gary Dawes, 07700-900-612",
        "Invite list:\n- Kelly Dawes (mum) 07700 900611\n- Sue Smithson HV sue.smithson@nhs."
        "example.net\n- Oak Primary DSL jo.bloggs@oak.example.sch.uk",
    )
    request = booked(body).request
    assert [(p.name, p.relationship) for p in request.parents] == [("Kelly Dawes", "mother")]
    emails = {e for p in request.agencies for e in p.emails}
    assert emails == {"sue.smithson@nhs.example.net", "jo.bloggs@oak.example.sch.uk"}


def test_mums_number_after_both_parents_is_mums_alone() -> None:
    body = LABELLED.replace(
        "Mum: Kelly Dawes - 07700 900611 - kelly.dawes@example.org\nDad: Gary Dawes, 07700-900-612",
        "Mum: Kelly Dawes\nDad: Gary Dawes\nMum's number: 07700 900611\n"
        "Dad's email: gary@example.org",
    )
    family = {p.name: (p.emails, p.phones) for p in booked(body).request.parents}
    assert family == {
        "Kelly Dawes": ((), ("+447700900611",)),
        "Gary Dawes": (("gary@example.org",), ()),
    }


def test_a_signature_after_the_sign_off_never_joins_the_last_professional() -> None:
    body = LABELLED.replace(
        "Dad: Gary Dawes, 07700-900-612",
        "School: Thornbury Primary, Mr Jonah Ezra (designated teacher) "
        "j.ezra@thornbury.example.sch.uk",
    ).replace(
        "Thanks\nRowan Feld\nSocial Worker\n0113 496 0123",
        "Thanks\nRowan Feld\nSocial Worker\nMobile: 07700 900640",
    )
    request = booked(body).request
    (school,) = request.agencies
    assert school.phones == ()
    assert request.social_worker.phones == ("+447700900640",)


def family_of(people: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    body = LABELLED.replace(
        "Mum: Kelly Dawes - 07700 900611 - kelly.dawes@example.org\nDad: Gary Dawes, 07700-900-612",
        people,
    )
    return {p.name: (p.emails, p.phones) for p in booked(body).request.parents}


def test_a_contact_line_for_both_parents_gives_each_the_number_after_their_role_word() -> None:
    assert family_of(
        "Mum: Kelly Dawes\nDad: Gary Dawes\nContact numbers: Mum 07700 900611, Dad 07700 900612"
    ) == {
        "Kelly Dawes": ((), ("+447700900611",)),
        "Gary Dawes": ((), ("+447700900612",)),
    }


def test_numbers_listed_after_names_listed_together_go_to_each_in_order() -> None:
    assert family_of(
        "Names of parents: Kelly Dawes and Gary Dawes\nContact numbers: 07700 900611 / 07700 900612"
    ) == {
        "Kelly Dawes": ((), ("+447700900611",)),
        "Gary Dawes": ((), ("+447700900612",)),
    }


def test_a_number_given_for_parents_named_together_is_not_guessed_to_be_one_of_theirs() -> None:
    body = LABELLED.replace(
        "Mum: Kelly Dawes - 07700 900611 - kelly.dawes@example.org\nDad: Gary Dawes, 07700-900-612",
        "Names of parents: Kelly Dawes and Gary Dawes\nContact number: 07700 900611",
    )
    outcome = booked(body)
    assert all(p.phones == () for p in outcome.request.parents)
    assert any("07700 900611" in w and "not guessed" in w for w in outcome.warnings)


def test_a_parents_contact_line_may_hold_a_number_and_an_address() -> None:
    assert family_of(
        "Parent 1: Kelly Dawes (mother)\nContact: 07700 900611 / kelly.dawes@example.org\n"
        "Parent 2: Gary Dawes (father)\nContact: 07700 900612"
    ) == {
        "Kelly Dawes": (("kelly.dawes@example.org",), ("+447700900611",)),
        "Gary Dawes": ((), ("+447700900612",)),
    }


def test_a_capital_f_or_m_in_brackets_is_the_childs_gender() -> None:
    body = LABELLED.replace(
        "Child: T.R. (DOB 02/03/2018), case ref 123456",
        "CYP: T.R. dob 02/03/2018 LCS 123456 (F) ; B.R. dob 21/10/2019 LCS 123457 (M)",
    )
    children = booked(body).request.children
    assert [(c.initials, c.gender) for c in children] == [("T.R.", "female"), ("B.R.", "male")]


def test_foster_carers_named_together_with_their_agency_are_two_people() -> None:
    family = family_of("Foster carers: Helen Whitby and Mark Whitby (Vale Fostering)")
    assert set(family) == {"Helen Whitby", "Mark Whitby"}
