"""Requests written as sentences: who is named, and whose numbers and addresses are whose."""

from __future__ import annotations

import dataclasses
from datetime import date

from bot.intake.outcome import Parsed
from bot.intake.parser import parse_message
from tests.unit.test_reader_free_form import RECEIVED, booked, message

OPENING = """Hi MTS,

I'm the allocated SW for R.M., a seven year old girl (date of birth 11/04/2019,
LCS 640112). The strategy discussion on 23/11/2026 agreed to progress to an ICPC.

"""
CLOSING = """
Thanks,
Ione Bexley
Social Worker, Assessment Team
07700 900650
"""


def contacts(body: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    request = booked(OPENING + body + CLOSING, sender_name="Ione Bexley").request
    return {p.name: (p.emails, p.phones) for p in request.people}


def test_a_later_clause_opening_with_a_first_name_is_that_persons() -> None:
    people = contacts(
        "R. lives with her mum, Carys Penhallow, and her partner Osian Tudor (R.'s stepdad).\n"
        "Carys has two numbers - mobile 07700 900651 and work 0113 496 0652 - and her email\n"
        "is carys.p@example.org. Osian's mobile is 07700 900653.\n"
    )
    assert people["Carys Penhallow"] == (
        ("carys.p@example.org",),
        ("+447700900651", "+441134960652"),
    )
    assert people["Osian Tudor"] == ((), ("+447700900653",))


def test_a_first_name_two_people_share_gives_no_one_its_numbers() -> None:
    people = contacts(
        "Mum is Carys Penhallow and her sister Carys Lloyd is the kinship carer, Carys Lloyd.\n"
        "Carys's mobile is 07700 900654.\n"
    )
    assert all("+447700900654" not in phones for _, phones in people.values())


def test_clauses_after_a_semicolon_belong_to_the_person_they_name() -> None:
    people = contacts(
        "The father is Bryn Askew and mum is Nerys Askew.\n"
        "Nerys's mobile is 07700 900655 and her email is nerys@example.net; Bryn's number is\n"
        "07700 900656.\n"
    )
    assert people["Nerys Askew"] == (("nerys@example.net",), ("+447700900655",))
    assert people["Bryn Askew"] == ((), ("+447700900656",))


def test_a_sentence_wrapped_before_a_lowercase_word_and_colon_reads_on() -> None:
    people = contacts(
        "R.'s birth father, Deiniol Price, has parental responsibility and should be\n"
        "invited: deiniol.price@example.net, 07700 900657.\n"
    )
    assert people["Deiniol Price"] == (("deiniol.price@example.net",), ("+447700900657",))


def test_whos_the_role_after_a_name_makes_them_that_professional_at_their_workplace() -> None:
    request = booked(
        OPENING
        + "From school please invite Mr Emrys Vaughan, who's the DSL at St Teilo's CE Primary\n"
        "(e.vaughan@stteilos.example.sch.uk).\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    (school,) = request.agencies
    assert school.name == "Emrys Vaughan"
    assert school.organisation == "St Teilo's CE Primary"
    assert school.emails == ("e.vaughan@stteilos.example.sch.uk",)


def test_the_boys_social_worker_named_by_their_manager_is_the_social_worker() -> None:
    body = (
        "Morning all,\n\nI'm writing on behalf of Heledd Morgan, the boys' social worker, who is\n"
        "on leave. I'm her team manager. Please book an ICPC for R.M. (DOB 11/04/2019, LCS\n"
        "640112) after the strategy discussion on 23/11/2026.\n\n"
        "Mum is Carys Penhallow, 07700 900651.\n\n"
        "Heledd's details for the invitation: heledd.morgan@council.example.org, 07700 900658.\n"
        "\nRegards,\nGethin Rees\nTeam Manager\n"
    )
    request = booked(body, sender_name="Gethin Rees").request
    assert request.social_worker.name == "Heledd Morgan"
    assert request.social_worker.emails == ("heledd.morgan@council.example.org",)
    assert request.social_worker.phones == ("+447700900658",)


def test_a_note_where_a_parents_name_belongs_names_no_one() -> None:
    request = booked(
        OPENING
        + "Mother: Carys Penhallow, 07700 900651\nFather: no contact, whereabouts unknown.\n"
        "Stepdad: needs letters in large print (visual impairment)\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    assert [p.name for p in request.parents] == ["Carys Penhallow"]


def test_labels_answered_in_one_line_of_sentences_are_each_read() -> None:
    request = booked(
        OPENING + "Format: Teams. Confidential section: no. Interpreter: no.\n"
        "Mum is Carys Penhallow, 07700 900651.\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    assert request.preferred_format is not None
    assert request.preferred_format.value == "teams"
    assert request.confidential_section_requested is False
    assert request.access_needs == ""


def test_an_access_heading_over_none_is_no_access_need() -> None:
    request = booked(
        OPENING
        + "Mum is Carys Penhallow, 07700 900651.\n\nACCESS / INTERPRETER\n- None\n"
        + CLOSING,
        sender_name="Ione Bexley",
    ).request
    assert request.access_needs == ""


def test_a_no_to_a_confidential_section_holds_over_mts_question_quoted_below() -> None:
    body = (
        OPENING + "Mum is Carys Penhallow, 07700 900651. Teams please. No confidential section"
        " needed.\n" + CLOSING + "\n-----Original Message-----\nFrom: MTS\n"
        "Please could you tell us:\n- whether a confidential section is needed\n"
    )
    request = booked(body, sender_name="Ione Bexley").request
    assert request.confidential_section_requested is False


def test_confidential_section_dash_no_in_a_sentence_asks_for_none() -> None:
    request = booked(
        OPENING + "Mum is Carys Penhallow, 07700 900651. The referral has gone in. "
        "Confidential section - no.\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    assert request.confidential_section_requested is False


def test_a_manager_named_by_first_name_is_the_one_person_copied_in_of_that_name() -> None:
    request = booked(
        OPENING
        + "Mum is Carys Penhallow, 07700 900651. I've copied in my manager, Elin.\n"
        + CLOSING,
        sender_name="Ione Bexley",
        cc=(("Elin Howell", "elin.howell@council.example.org"), ("Elis Parry", "ep@example.org")),
    ).request
    (manager,) = [p for p in request.people if p.role.value == "team_manager"]
    assert manager.name == "Elin Howell"
    assert manager.emails == ("elin.howell@council.example.org",)


def test_a_first_name_shared_by_two_people_copied_in_takes_no_address() -> None:
    request = booked(
        OPENING
        + "Mum is Carys Penhallow, 07700 900651. I've copied in my manager, Elin.\n"
        + CLOSING,
        sender_name="Ione Bexley",
        cc=(("Elin Howell", "elin.howell@council.example.org"), ("Elin Parry", "ep@example.org")),
    ).request
    managers = [p for p in request.people if p.role.value == "team_manager"]
    assert all(not m.emails for m in managers)


def test_a_gp_practice_named_in_a_sentence_is_the_gp_with_its_shared_inbox() -> None:
    request = booked(
        OPENING + "Mum is Carys Penhallow, 07700 900651.\nThe GP is Glan Conwy Practice, and they"
        " only take invitations to their shared inbox, glanconwy.admin@nhs.example.net.\n"
        + CLOSING,
        sender_name="Ione Bexley",
    ).request
    (gp,) = request.agencies
    assert gp.organisation == "Glan Conwy Practice"
    assert gp.emails == ("glanconwy.admin@nhs.example.net",)


def test_a_school_named_before_its_dsl_is_where_the_dsl_works_not_a_person() -> None:
    request = booked(
        OPENING
        + "Mum is Carys Penhallow, 07700 900651.\nSchool is Ysgol Bryn Teg, DSL Mrs Menna Roberts, "
        "m.roberts@brynteg.example.sch.uk.\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    (school,) = request.agencies
    assert (school.name, school.organisation) == ("Menna Roberts", "Ysgol Bryn Teg")
    assert school.emails == ("m.roberts@brynteg.example.sch.uk",)


def test_the_person_named_after_a_place_gets_the_places_details() -> None:
    request = booked(
        OPENING + "Mum is Carys Penhallow, 07700 900651. Also please add the nursery: Little"
        " Dragons Nursery, manager Sioned Parry, 01632 960770.\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    (nursery,) = request.agencies
    assert (nursery.name, nursery.organisation) == ("Sioned Parry", "Little Dragons Nursery")
    assert nursery.phones == ("+441632960770",)


REPLY = (
    """Sorry! {answer}

-----Original Message-----
From: Business Support North
Sent: Monday, November 23, 2026 11:40 AM
To: Ione Bexley
Subject: RE: conf request

Hi, we need the child's date of birth before we can book. Thanks

-----Original Message-----
From: Ione Bexley
Sent: Monday, November 23, 2026 11:02 AM
To: Business Support North
Subject: conf request

Please book an ICPC for R.M., LCS 640112, strategy on 20/11/2026. Mum is Carys Penhallow,
07700 900651. Teams.
"""
    + CLOSING
)


def test_a_strategy_date_beside_a_child_is_never_their_date_of_birth() -> None:
    outcome = parse_message(
        message(REPLY.format(answer="I'll find out."), sender_name="Ione Bexley")
    )
    assert not isinstance(outcome, Parsed)
    assert "date of birth" in " ".join(outcome.reasons)  # type: ignore[union-attr]


def test_a_reply_giving_the_date_of_birth_completes_the_one_child_below_it() -> None:
    request = booked(REPLY.format(answer="DOB is 04/07/2016."), sender_name="Ione Bexley").request
    (child,) = request.children
    assert (child.initials, child.date_of_birth) == ("R.M.", date(2016, 7, 4))


def test_answers_typed_into_mts_numbered_questions_complete_the_child() -> None:
    body = (
        "Answers below.\n\nFrom: Conference Requests\nSent: 23 November 2026 09:30\n"
        "Subject: Conference request - R.M. - missing details\n\n"
        "Thanks for your request for an ICPC for R.M. Could you let us know:\n\n"
        "1. R.'s date of birth - 11/04/2019\n2. The LCS number - 640112\n\n"
        "From: Ione Bexley\nSent: 20 November 2026 17:12\nSubject: Conference request - R.M.\n\n"
        "Please book an Initial CP conference for R.M. following the strategy discussion today"
        " (20/11/2026). Mum is Carys Penhallow, 07700 900651. Teams please.\n" + CLOSING
    )
    request = booked(body, sender_name="Ione Bexley").request
    (child,) = request.children
    assert (child.initials, child.date_of_birth) == ("R.M.", date(2019, 4, 11))


BABY = """Hiya,

Can I get an ICPC booked for baby please? Mum (Seren Pryce, 19) is due on the 3rd of March.
We had the strat this morning. Seren's mobile is 07700 900901 and she's happy for emails to
serenpryce@example.com. Dad isn't involved.

Mosaic number for the unborn is 880045.

Midwife is Jo Hale at Riverside Maternity, jo.hale@nhs.example.net.

Thanks
Kayleigh
Kayleigh Marsh | Social Worker | Children's Assessment Team | 07700 900902
"""


def test_an_unborn_baby_whose_mother_is_due_on_a_day_without_a_year_is_due_next_time_round() -> (
    None
):
    request = booked(BABY, sender_name="Kayleigh Marsh")
    (child,) = request.request.children
    assert (child.unborn, child.due_date) == (True, date(2027, 3, 3))
    assert [r.reference for r in child.case_references] == ["880045"]


def test_a_strategy_discussion_this_morning_was_on_the_day_the_email_was_sent() -> None:
    request = booked(BABY, sender_name="Kayleigh Marsh").request
    assert request.strategy_discussion_date == RECEIVED.date()


def test_a_strategy_discussion_on_a_weekday_is_the_last_such_day_before_the_email() -> None:
    request = booked(BABY.replace("this morning", "on Monday"), sender_name="Kayleigh Marsh")
    assert request.request.strategy_discussion_date == date(2026, 11, 23)  # sent Tue 24th


def test_a_strategy_discussion_on_the_weekday_the_email_was_sent_is_not_guessed() -> None:
    outcome = parse_message(
        message(BABY.replace("this morning", "on Tuesday"), sender_name="Kayleigh Marsh")
    )
    assert not isinstance(outcome, Parsed)
    assert "strategy discussion" in " ".join(outcome.reasons).lower()  # type: ignore[union-attr]


def test_children_listed_by_first_name_and_initial_are_read_as_initials() -> None:
    body = (
        "Morning\n\nRCPC due for the children before 20/12/2026, previous conference"
        " CP-2026-00031:\nAisha H. - 12/05/2012 - MOS 551120\n"
        "Yusuf H. - 02/09/2015 - MOS 551121\n\n"
        "Mum is Nadia Hussain, 07700 900920. DSL for both is Mrs Fozia Khan"
        " fkhan@parkside.example.sch.uk.\n\nThank you\n"
        "Sanjay Patel, Social Worker (Child Protection)\n"
    )
    request = booked(body, subject="RCPC request", sender_name="Sanjay Patel").request
    assert [(c.initials, c.date_of_birth) for c in request.children] == [
        ("A.H.", date(2012, 5, 12)),
        ("Y.H.", date(2015, 9, 2)),
    ]
    assert request.social_worker.name == "Sanjay Patel"
    (school,) = request.agencies
    assert (school.name, school.emails) == ("Fozia Khan", ("fkhan@parkside.example.sch.uk",))


def test_a_role_at_a_place_then_a_name_is_that_person_working_there() -> None:
    request = booked(
        OPENING + "Mum is Carys Penhallow, 07700 900651. Please invite R.'s head of year at"
        " Northfield Academy, Mr Steffan Cole (s.cole@northfield.example.sch.uk), and PC 4521"
        " Amy Rhodes from the Public Protection Unit (amy.rhodes@police.example.net).\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    agencies = {a.name: (a.organisation, a.emails) for a in request.agencies}
    assert agencies == {
        "Steffan Cole": ("Northfield Academy", ("s.cole@northfield.example.sch.uk",)),
        "Amy Rhodes": ("Public Protection Unit", ("amy.rhodes@police.example.net",)),
    }


def test_the_next_item_of_a_list_named_by_role_keeps_its_own_address() -> None:
    request = booked(
        OPENING + "Mum is Carys Penhallow, 07700 900651. Please invite the DSL at St Non's"
        " Primary, Mrs Hughson (head@stnons.example.sch.uk), and the school nurse team"
        " (schoolnurses@nhs.example.net).\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    dsl = next(a for a in request.agencies if a.name == "Hughson")
    assert dsl.emails == ("head@stnons.example.sch.uk",)


def test_a_fresh_request_under_a_re_subject_naming_its_previous_conference_is_booked() -> None:
    body = (
        "Hi MTS,\n\nSorry for the delay. R.M.'s review conference needs booking for before 10th"
        " December - the initial was on 17 September (CP-2026-00036).\n\n"
        "R. was born on 11/04/2019 and her Mosaic number is MOS640112.\n\n"
        "Mum is Carys Penhallow (07700 900651, carys.p@example.org).\n\n"
        "School is Fenbridge High (Mrs Rhian Dale, r.dale@fenbridgehigh.example.sch.uk).\n"
        + CLOSING
    )
    outcome = parse_message(
        message(
            body, subject="RE: Review conference - R.M. (CP-2026-00036)", sender_name="Ione Bexley"
        )
    )
    assert isinstance(outcome, Parsed), outcome
    (child,) = outcome.request.children
    assert (child.initials, child.date_of_birth) == ("R.M.", date(2019, 4, 11))
    assert [r.reference for r in child.case_references] == ["MOS640112"]
    (school,) = outcome.request.agencies
    assert (school.name, school.organisation) == ("Rhian Dale", "Fenbridge High")
    assert school.emails == ("r.dale@fenbridgehigh.example.sch.uk",)


def format_of(sentence: str) -> str | None:
    request = booked(OPENING + "Mum is Carys Penhallow, 07700 900651. " + sentence + "\n" + CLOSING)
    fmt = request.request.preferred_format
    return fmt.value if fmt else None


def test_the_format_a_sentence_asks_for_is_the_first_it_names_that_is_not_turned_down() -> None:
    assert (
        format_of(
            "They asked to be phoned rather than use Teams, so calls to each would work best."
        )
        == "phone_series"
    )
    assert (
        format_of("I'd prefer Teams if the interpreter can join; otherwise face to face.")
        == "teams"
    )
    assert (
        format_of("A conference call might be easiest with the interpreter.") == "conference_call"
    )
    assert format_of("All on Teams please.") == "teams"
    assert format_of("She'd like it on Teams.") == "teams"


def test_in_the_room_and_on_teams_at_once_is_a_hybrid_meeting() -> None:
    assert (
        format_of("Mum would like to come in person, and the others are happy on Teams.")
        == "hybrid"
    )
    assert (
        format_of("Please can this be in person at Fenbridge House with a Teams link for dad.")
        == "hybrid"
    )


def test_a_format_named_in_passing_is_no_preference() -> None:
    assert format_of("The police officer joined the strategy discussion on Teams.") is None


def test_a_list_of_professionals_in_one_role_gives_each_their_own_workplace_and_details() -> None:
    request = booked(
        OPENING + "Mum is Carys Penhallow, 07700 900651.\nPlease invite the DSLs at both schools,"
        " Mrs Rhian Doherty at Hillcrest Primary (r.doherty@hillcrest.example.sch.uk) and Ms Beth"
        " Cole at Moor End Academy (safeguarding@moorend.example.sch.uk), the health visitor for"
        " R., Alys Gray (0113 496 0619), and the GP practice, Aire Valley Health Centre, via"
        " airevalley.hc@nhs.example.net.\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    agencies = {(a.name, a.organisation): (a.emails, a.phones) for a in request.agencies}
    assert agencies == {
        ("Rhian Doherty", "Hillcrest Primary"): (("r.doherty@hillcrest.example.sch.uk",), ()),
        ("Beth Cole", "Moor End Academy"): (("safeguarding@moorend.example.sch.uk",), ()),
        ("Alys Gray", "Health visitor"): ((), ("+441134960619",)),
        ("", "Aire Valley Health Centre"): (("airevalley.hc@nhs.example.net",), ()),
    }


def test_a_place_then_its_manager_in_brackets_is_the_manager_working_there() -> None:
    request = booked(
        OPENING + "Mum is Carys Penhallow, 07700 900651.\nThe children attend Little Stars Nursery"
        " (manager Hana Cole, 0113 496 0570). The family's refugee support worker is Kidane Haile"
        " at Harrowdale Refugee Welcome (kidane@refugeewelcome.example.org).\n" + CLOSING,
        sender_name="Ione Bexley",
    ).request
    agencies = {
        a.name: (a.organisation, a.role.value, a.emails, a.phones) for a in request.agencies
    }
    assert agencies == {
        "Hana Cole": ("Little Stars Nursery", "school", (), ("+441134960570",)),
        "Kidane Haile": (
            "Harrowdale Refugee Welcome",
            "agency",
            ("kidane@refugeewelcome.example.org",),
            (),
        ),
    }


def test_an_outlook_list_of_professionals_keeps_each_items_details_apart() -> None:
    html = (
        "<html><body><p>Please book an ICPC for R.M. (DOB 11/04/2019, LCS 640112), strategy"
        " discussion 20/11/2026. Mum: Carys Penhallow, 07700 900651.</p><p>Agencies:</p><ul>"
        "<li>School \u2013 Ysgol Gymraeg \u2013 DSL Mr Dewi Lewis \u2013 "
        "d.lewis@ysgol.example.sch.uk</li>"
        "<li>School nurse \u2013 Siân Jones \u2013 01632&nbsp;960963</li>"
        "<li>GP \u2013 Tŷ Meddyg Surgery \u2013 tymeddyg@nhs.example.net</li></ul>"
        "<p>Kind regards<br>Ione Bexley<br>Social Worker</p></body></html>"
    )
    msg = dataclasses.replace(message(html, sender_name="Ione Bexley"), body_type="html")
    outcome = parse_message(msg)
    assert isinstance(outcome, Parsed), outcome
    agencies = {(a.name, a.organisation): (a.emails, a.phones) for a in outcome.request.agencies}
    assert agencies == {
        ("Dewi Lewis", "Ysgol Gymraeg"): (("d.lewis@ysgol.example.sch.uk",), ()),
        ("Siân Jones", "School nurse"): ((), ("+441632960963",)),
        ("", "Tŷ Meddyg Surgery"): (("tymeddyg@nhs.example.net",), ()),
    }


def test_a_sentence_wrapped_after_a_childs_initials_reads_on_into_their_details() -> None:
    body = (
        "Hi there,\n\nFollowing the strategy discussion on 20 November 2026 I'm requesting an"
        " ICPC for R.M.\n(date of birth 11.04.19, LCS 640112). Mum is Carys Penhallow, 07700"
        " 900651.\n" + CLOSING
    )
    (child,) = booked(body, sender_name="Ione Bexley").request.children
    assert (child.initials, child.date_of_birth) == ("R.M.", date(2019, 4, 11))


def test_numbers_listed_with_each_childs_initial_go_to_that_child() -> None:
    body = (
        OPENING.replace(
            "I'm the allocated SW for R.M., a seven year old girl (date of birth"
            " 11/04/2019,\nLCS 640112).",
            "The older girl is N.C., born 23rd October 2016, and her"
            " sister Z.C. was born on 14 May 2019.\n"
            "Their LCS numbers are 802412 (Z.) and 802411 (N.).",
        )
        + "Mum is Carys Penhallow, 07700 900651.\n"
        + CLOSING
    )
    children = booked(body, sender_name="Ione Bexley").request.children
    refs = {c.initials: [r.reference for r in c.case_references] for c in children}
    assert refs == {"N.C.": ["802411"], "Z.C.": ["802412"]}
