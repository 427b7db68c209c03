"""Children named in full in a request's sentences, read down to their initials; and the
people around them that such requests describe. Fictional families only."""

from __future__ import annotations

from datetime import date

import pytest

from bot.intake.named_children import named_children
from bot.intake.outcome import Parsed
from bot.intake.parser import parse_message
from tests.unit.test_reader_free_form import booked, message

SIGNED = "\n\nThanks\nNell Arden\nSocial Worker\n07700 900640\n"


def children(body: str) -> list[tuple[str, date | None]]:
    request = booked(body + SIGNED, sender_name="Nell Arden").request
    return [(c.initials, c.date_of_birth) for c in request.children]


def test_a_child_named_in_full_with_a_bracketed_birth_date_is_kept_as_initials_only() -> None:
    outcome = booked(
        "Please can an ICPC be arranged for Rosa Fenwick (04/04/2019, LCS 551902) and Eli "
        "Fenwick (30/08/2021, LCS 551903). The strategy discussion was on 17/11/2026." + SIGNED
    )
    request = outcome.request
    assert [(c.initials, c.date_of_birth) for c in request.children] == [
        ("R.F.", date(2019, 4, 4)),
        ("E.F.", date(2021, 8, 30)),
    ]
    assert [c.case_references[0].reference for c in request.children] == ["551902", "551903"]
    assert "Rosa" not in repr(request.children) and "Fenwick" not in repr(request.children)


def test_a_baby_named_by_first_name_and_a_surnames_initial_is_that_childs() -> None:
    assert children(
        "Could you book an initial conference for baby Mia W (born 14th October 2026, Mosaic "
        "2218734). Strat was held on 16/11/2026."
    ) == [("M.W.", date(2026, 10, 14))]


def test_children_sharing_a_surname_said_once_after_them_get_it_each() -> None:
    assert children(
        "Review conference please. Kayden (DOB 03/05/2015) and Lacey (DOB 22/09/2018) Doherty "
        "are both on plans under emotional abuse. Mosaic numbers 1984412 and 1984413."
    ) == [("K.D.", date(2015, 5, 3)), ("L.D.", date(2018, 9, 22))]


def test_a_name_then_dob_after_a_comma_is_a_child() -> None:
    assert named_children(
        "We need a transfer-in conference for Ava-Rose Hartley, d.o.b 19/12/2020, Mosaic 4410032."
    ) == ["A.H. (d.o.b 19/12/2020, Mosaic 4410032)"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Dad is Reece Armley (DOB 01/02/1990) and has no fixed abode.",
        "Mum - Chantel Wray (born 03/03/2001) - lives with her nan.",
        "Please invite the health visitor Gail Purdy (07700 900311).",
        "The strategy discussion was held on Monday (16/11/2026).",
    ],
)
def test_an_adults_date_or_a_name_with_no_birth_date_is_no_child(sentence: str) -> None:
    assert named_children(sentence) == []


def test_the_following_young_person_opens_the_childs_details_below() -> None:
    assert children(
        "I would like to request an ICPC for the following young person:\n\n"
        "Name: Tyler Grange\nDOB: 11.02.2011\nID: 3390175\n\n"
        "Strategy discussion date: 13.11.26"
    ) == [("T.G.", date(2011, 2, 11))]


def test_parents_are_together_labels_the_parents_line() -> None:
    request = booked(
        "An RCPC is due for K.D. (DOB 03/05/2015, LCS 640112).\n"
        "Parents are together: Gemma Dorian (gemmad@example.com / 07700 900551) and Paul "
        "Dorian (07700 900552)." + SIGNED
    ).request
    parents = {p.name: (p.emails, p.phones) for p in request.people if p.role.value == "parent"}
    assert parents == {
        "Gemma Dorian": (("gemmad@example.com",), ("+447700900551",)),
        "Paul Dorian": ((), ("+447700900552",)),
    }


def test_a_workers_label_for_mum_names_the_worker_not_mum() -> None:
    request = booked(
        "An RCPC is due for K.D. (DOB 03/05/2015, LCS 640112).\n"
        "Mum: Gemma Dorian, 07700 900551\n"
        "Women's Aid worker for mum: Shona Pell, shona.pell@womensaid.example.org" + SIGNED
    ).request
    shona = next(p for p in request.people if p.name == "Shona Pell")
    assert shona.role.value != "parent" and shona.relationship == ""


def test_agencies_in_brackets_after_commas_are_each_their_own_contact() -> None:
    request = booked(
        "ICPC for T.G. (DOB 11/02/2011, LCS 640113), strategy discussion 13/11/2026.\n"
        "Agencies: Youth Justice (Kyle Burr, kyle.burr@council.example.org), CAMHS (Dr Imogen "
        "Frostick, i.frostick@nhs.example.net), Westvale Academy (DSL Mr Ian Pope, "
        "ipope@westvale.example.sch.uk)." + SIGNED
    ).request
    emails = {p.name: p.emails for p in request.people}
    assert emails["Imogen Frostick"] == ("i.frostick@nhs.example.net",)
    assert emails["Ian Pope"] == ("ipope@westvale.example.sch.uk",)


def test_an_unborn_babys_due_date_is_not_the_strategy_date_and_its_mother_is_found() -> None:
    outcome = parse_message(
        message(
            "Strategy meeting took place yesterday regarding Sophie Kerrigan's unborn baby "
            "(EDD 2 January 2027). Outcome was ICPC.\n\n"
            "Sophie's contact is 07700 900701 and sophie.k93@example.com." + SIGNED
        )
    )
    assert isinstance(outcome, Parsed), outcome
    request = outcome.request
    assert request.strategy_discussion_date == date(2026, 11, 23)  # the day before it was sent
    [child] = request.children
    assert (child.unborn, child.due_date, child.initials) == (True, date(2027, 1, 2), "")
    sophie = next(p for p in request.people if p.name == "Sophie Kerrigan")
    assert (sophie.relationship, sophie.emails, sophie.phones) == (
        "mother",
        ("sophie.k93@example.com",),
        ("+447700900701",),
    )


def test_a_partner_said_to_be_the_babys_father_is_the_father() -> None:
    request = booked(
        "ICPC please for T.G. (DOB 11/02/2025, LCS 640113); strategy discussion 13/11/2026.\n"
        "Mum is Sophie Kerrigan. Her partner Jordan Pyke is the baby's father - 07700 900702."
        + SIGNED
    ).request
    jordan = next(p for p in request.people if p.name == "Jordan Pyke")
    assert jordan.relationship == "father"


@pytest.mark.parametrize(
    ("sentence", "wished"),
    [
        (
            "Sophie has said she would prefer a phone conference because of travel.",
            "conference_call",
        ),
        ("Paul has asked that the meeting be held in person if at all possible.", "face_to_face"),
    ],
)
def test_a_format_asked_for_in_the_families_words_is_the_wish(sentence: str, wished: str) -> None:
    request = booked(
        "ICPC please for T.G. (DOB 11/02/2025, LCS 640113); strategy discussion 13/11/2026.\n"
        + sentence
        + SIGNED
    ).request
    assert request.preferred_format is not None and request.preferred_format.value == wished


def test_first_names_after_the_family_surname_take_it() -> None:
    assert children(
        "I am requesting an ICPC for the three Mahrouf children: Zara (born 1 March 2013), "
        "Ibrahim (born 14 July 2015) and Hana (born 2 February 2019). Their LCS numbers are "
        "633101, 633102 and 633103. The strategy discussion was on 25 November."
    ) == [("Z.M.", date(2013, 3, 1)), ("I.M.", date(2015, 7, 14)), ("H.M.", date(2019, 2, 2))]


def test_a_first_name_said_in_full_elsewhere_takes_that_surname() -> None:
    assert children(
        "Leo Brightwell's review is due by 15/01/2027 (RCPC). Leo is 9 (DOB 29/04/2017), "
        "Mosaic MOS882104."
    ) == [("L.B.", date(2017, 4, 29))]


def test_a_bare_date_after_a_named_child_counts_only_after_a_childs_label() -> None:
    assert named_children("ICPC please - child: Freya Lomax 09/03/2014 (LCS 620771)") == [
        "F.L. (09/03/2014 (LCS 620771))"
    ]
    assert named_children("Please invite Freya Lomax 09/03/2014 if she is free.") == []


def test_both_parents_named_together_are_two_parents_each_with_their_own_number() -> None:
    request = booked(
        "ICPC for Z.M. (DOB 01/03/2013, LCS 633101); strategy discussion 20/11/2026.\n"
        "The children live with both parents, Samina Mahrouf and Tariq Mahrouf, at home. "
        "Samina's mobile is 07700 900171 and Tariq's is 07700 900172." + SIGNED
    ).request
    phones = {p.name: p.phones for p in request.people if p.role.value == "parent"}
    assert phones == {"Samina Mahrouf": ("+447700900171",), "Tariq Mahrouf": ("+447700900172",)}


def test_a_place_then_a_role_then_a_name_with_no_comma_is_that_person_there() -> None:
    from bot.intake.inline import read_contact

    contact = read_contact("Kingsway Academy DSL Joanne Platt j.platt@kingsway.example.sch.uk")
    assert (contact.name, contact.organisation, contact.roles) == (
        "Joanne Platt",
        "Kingsway Academy",
        ("dsl",),
    )


def test_twins_named_with_one_surname_and_born_together_are_two_children() -> None:
    request = booked(
        "ICPC request for twins Archie and Alfie Baily, both born 17/05/2023, LCS 651001 "
        "(Archie) and 651002 (Alfie). Strategy discussion 20/11/2026." + SIGNED
    ).request
    assert [(c.initials, c.date_of_birth, c.case_references[0].reference) for c in
            request.children] == [("A.B.", date(2023, 5, 17), "651001"),
                                  ("A.B.", date(2023, 5, 17), "651002")]  # fmt: skip


def test_a_name_then_dob_with_no_comma_is_a_child_but_a_possessive_is_not() -> None:
    assert named_children("Please can I request an ICPC for Olly Franks dob 02.10.2018 LCS 648820.")
    assert named_children("Sorry - E's date of birth is 03/02/2017, not 03/02/2018.") == []


def test_a_childs_age_between_the_name_and_the_date_is_no_obstacle() -> None:
    assert named_children("Requesting an ICPC for Leila Hussein, who is 6 (DOB 12/06/2020).") == [
        "L.H. (DOB 12/06/2020)"
    ]


def test_an_address_named_for_the_first_name_alone_picks_the_person_not_the_place() -> None:
    from bot.intake.inline import read_contact

    contact = read_contact("Sunflowers, Tina Marshall, tina@sunflowers.example.co.uk")
    assert (contact.name, contact.organisation) == ("Tina Marshall", "Sunflowers")


def test_numbers_given_by_first_name_go_to_each_named_child_alone() -> None:
    request = booked(
        "Strategy held on 20/11/2026. ICPC please for Finley Shawcross (10/10/2016) and Rosie "
        "Shawcross (03/03/2021). LCS: Finley 690201, Rosie 690202." + SIGNED
    ).request
    assert [[r.reference for r in c.case_references] for c in request.children] == [
        ["690201"],
        ["690202"],
    ]


def test_mums_sister_is_an_aunt() -> None:
    request = booked(
        "ICPC for P.D. (DOB 08/08/2017, LCS 680101) - strategy 20/11/2026.\n"
        "Mum's sister Kerry Deane is a protective factor - 07700 900252." + SIGNED
    ).request
    kerry = next(p for p in request.people if p.name == "Kerry Deane")
    assert (kerry.relationship, kerry.phones) == ("aunt", ("+447700900252",))


def test_the_service_named_before_his_worker_is_the_workers_and_the_school_he_attends_too() -> None:
    request = booked(
        "ICPC for K.R. (DOB 19/03/2012, LCS 692210) after the strategy discussion on 20/11/2026.\n"
        "Kai attends Northgate High School - the DSL is Mr Gareth Bowan (g.bowan@example.org). "
        "He is also known to the Youth Offending Team; his worker is Lisa Kaye "
        "(lisa.kaye@example.org, 07700 900272)." + SIGNED
    ).request
    people = {p.name: (p.organisation, p.emails) for p in request.people}
    assert people["Gareth Bowan"] == ("Northgate High School", ("g.bowan@example.org",))
    assert people["Lisa Kaye"][1] == ("lisa.kaye@example.org",)


def test_a_couple_sharing_a_surname_after_a_family_word_is_two_people() -> None:
    request = booked(
        "Review (RCPC) for Jack O'Neal (born 30 November 2014; LCS 600123).\n"
        "Jack lives with his paternal grandparents, Brian and Maureen O'Neal. "
        "His CAMHS clinician is Dr Martin Ferriss (m.ferriss@nhs.example.net)." + SIGNED
    ).request
    names = [p.name for p in request.people]
    assert "Brian O'Neal" in names and "Maureen O'Neal" in names and "Brian" not in names
    assert [c.initials for c in request.children] == ["J.O."]
    assert "Martin Ferriss" in names


def test_a_relative_strategy_day_counts_from_when_the_forwarded_request_was_written() -> None:
    outcome = parse_message(
        message(
            "Please see below from Jo, now on leave.\n\n"
            "From: Jo Fryer <jo.fryer@council.example.org>\n"
            "Sent: Friday, November 20, 2026 5:15 PM\n"
            "Subject: ICPC please\n\n"
            "Strategy discussion this afternoon agreed ICPC for S.H. (DOB 21/07/2021, "
            "LCS 710455).\nMum - Rachel Hales - 07700 900301" + SIGNED
        )
    )
    assert isinstance(outcome, Parsed), outcome
    assert outcome.request.strategy_discussion_date == date(2026, 11, 20)  # not the 24th


LABELLED_REVIEW = """Hi MTS,

Please book a review child protection conference for:

Child: Dylan Roe, DOB 02/02/2012, LCS 4410917
Mother: Faye Roe - 07700 900751 - faye.roe@example.com
Father: {father}
Young person's own number: 07700 900752
Preferred format: Hybrid (mum in person, school on Teams)
"""


@pytest.mark.parametrize("father", ["Deceased", "died 2021", "Not involved", "No contact"])
def test_a_parents_line_that_says_there_is_no_one_to_invite_names_no_one(father: str) -> None:
    request = booked(
        LABELLED_REVIEW.format(father=father) + SIGNED, sender_name="Nell Arden"
    ).request
    parents = [p for p in request.people if p.role.value == "parent"]
    assert [p.name for p in parents] == ["Faye Roe"]


def test_a_format_lines_bracket_is_the_format_not_a_person() -> None:
    request = booked(
        LABELLED_REVIEW.format(father="Deceased") + SIGNED, sender_name="Nell Arden"
    ).request
    assert request.preferred_format is not None and request.preferred_format.value == "hybrid"
    assert not any("hybrid" in p.name.lower() for p in request.people)


def test_the_young_persons_own_number_on_its_own_line_is_theirs() -> None:
    request = booked(
        LABELLED_REVIEW.format(father="Deceased") + SIGNED, sender_name="Nell Arden"
    ).request
    young = [p for p in request.people if p.role.value == "young_person"]
    assert [p.phones for p in young] == [("+447700900752",)]


def test_a_one_letter_field_on_a_childs_line_is_their_gender() -> None:
    request = booked(
        "Review conference please.\n\nChild 1 | K.B. | 14/05/2019 | LCS 744101 | F\n"
        "Child 2 | T.B. | 02/09/2016 | LCS 744102 | M\n" + SIGNED
    ).request
    assert [(c.initials, c.gender) for c in request.children] == [
        ("K.B.", "female"),
        ("T.B.", "male"),
    ]


def test_a_childs_initial_is_not_read_as_a_gender() -> None:
    request = booked(
        "Review conference please.\n\nChild: T.F. (DOB 02/09/2016), LCS 744102\n" + SIGNED
    ).request
    assert [(c.initials, c.gender) for c in request.children] == [("T.F.", "")]


@pytest.mark.parametrize(
    ("line", "relationship"),
    [
        ("Grandmother: Joan Hale (paternal) - 0161 496 0128", "paternal grandmother"),
        ("Grandad: Len Hale (mum's dad) - 0161 496 0129", "maternal grandfather"),
        ("Nan: Joan Hale - 0161 496 0128", "grandmother"),
    ],
)
def test_a_grandparents_side_is_kept_when_the_request_says_it(line: str, relationship: str) -> None:
    request = booked(
        "Review conference please.\n\nChild: T.R. (DOB 02/03/2018), LCS 123456\n"
        "Mum: Kay Hale - 07700 900761\n" + line + "\n" + SIGNED
    ).request
    kin = [
        p.relationship for p in request.people if p.name.endswith("Hale") and p.name != "Kay Hale"
    ]
    assert kin == [relationship]


def people_of(body: str) -> dict[str, str]:
    request = booked(
        "Review conference for T.R. (DOB 02/03/2018), LCS 123456.\n\n" + body + SIGNED
    ).request
    return {p.name: p.relationship for p in request.people if p.role.value == "parent"}


def test_a_grandparents_side_said_beside_their_name_in_a_sentence_is_kept() -> None:
    assert people_of("T. lives with his nan, Rita Vance (mum's mum), 07700 900771.")[
        "Rita Vance"
    ] == ("maternal grandmother")


def test_her_partner_in_a_sentence_about_mum_is_mums_partner() -> None:
    kin = people_of(
        "Mum is Jade Orme 07700 900772 and she lives with her partner Lee Carr 07700 900773."
    )
    assert kin == {"Jade Orme": "mother", "Lee Carr": "mother's partner"}


def test_a_partner_said_later_to_be_the_childs_stepdad_is_the_stepfather() -> None:
    kin = people_of(
        "Mum is Jade Orme (07700 900772). Her partner, Lee Carr, is T.'s stepdad (07700 900773)."
    )
    assert kin["Lee Carr"] == "stepfather"


def young_people(body: str) -> list[tuple[str, tuple[str, ...]]]:
    request = booked(
        "Review conference for T.R. (DOB 02/03/2009), LCS 123456.\n\n" + body + SIGNED
    ).request
    return [(p.name, p.phones) for p in request.people if p.role.value == "young_person"]


def test_a_young_persons_own_phone_said_in_a_sentence_is_theirs_under_their_initials() -> None:
    assert young_people(
        "Mum is Jade Orme, 07700 900772. T. wants to take part herself and has her own phone "
        "(07700 900781)."
    ) == [("T.R.", ("+447700900781",))]


@pytest.mark.parametrize(
    "sentence",
    [
        "Mum is Jade Orme and she has her own phone now, 07700 900782.",
        "Mum is Jade Orme, 07700 900772. Florin's own number is 07700 900783.",
    ],
)
def test_a_grown_ups_own_phone_is_not_the_young_persons(sentence: str) -> None:
    assert young_people(sentence) == []


def test_a_sender_who_signs_as_the_workers_team_manager_is_the_team_manager() -> None:
    request = booked(
        "Hello,\n\nThe allocated social worker is Nell Arden (nell.arden@council.example.org), "
        "who is on leave this week. Please book a review conference for T.R. (DOB 02/03/2018), "
        "LCS 123456.\n\nRegards\nCora Blaine\nTeam Manager, Safeguarding West\n0113 496 0200\n",
        sender="cora.blaine@council.example.org",
        sender_name="Cora Blaine",
    ).request
    roles = {p.name: (p.role.value, p.emails, p.phones) for p in request.people}
    assert roles["Cora Blaine"] == (
        "team_manager",
        ("cora.blaine@council.example.org",),
        ("+441134960200",),
    )
    assert roles["Nell Arden"][0] == "social_worker"


def test_a_sender_who_only_mentions_a_team_manager_is_not_one() -> None:
    request = booked(
        "Please book a review conference for T.R. (DOB 02/03/2018), LCS 123456. My team "
        "manager has agreed it.\n\nThanks\nNell Arden\nSocial Worker\n07700 900640\n",
        sender="nell.arden@council.example.org",
        sender_name="Nell Arden",
    ).request
    assert [p.role.value for p in request.people if p.name == "Nell Arden"] == ["social_worker"]


def test_a_couple_named_on_one_labelled_line_is_two_people_sharing_its_contacts() -> None:
    request = booked(
        "Review conference please.\n\nChild: T.R. (DOB 02/03/2018), LCS 123456\n"
        "Foster carers: Jan and Phil Moor, 020 7946 0419, moors.fostering@example.org\n" + SIGNED
    ).request
    carers = [
        (p.name, p.relationship, p.emails, p.phones)
        for p in request.people
        if p.role.value == "parent"
    ]
    assert carers == [
        ("Jan Moor", "foster carer", ("moors.fostering@example.org",), ("+442079460419",)),
        ("Phil Moor", "foster carer", ("moors.fostering@example.org",), ("+442079460419",)),
    ]


def test_a_couple_named_in_a_sentence_share_the_contacts_said_after_them() -> None:
    request = booked(
        "Review conference for T.R. (DOB 02/03/2018), LCS 123456. T. is placed with foster "
        "carers Pat and Derek Ince since October - 0113 496 0712, incefamily@example.org." + SIGNED
    ).request
    carers = {p.name: (p.emails, p.phones) for p in request.people if p.role.value == "parent"}
    assert carers == {
        "Pat Ince": (("incefamily@example.org",), ("+441134960712",)),
        "Derek Ince": (("incefamily@example.org",), ("+441134960712",)),
    }


@pytest.mark.parametrize(
    "line",
    [
        "Kirkstall High - DSL Mr Sean Fell (s.fell@kirkstall.example.org)",
        "Moss Side Primary - Paula Hale, p.hale@mossside.example.org",
        "Ken Adey, k.adey@calderhigh.example.sch.uk",
    ],
)
def test_a_school_known_by_its_name_or_its_sch_uk_address_is_the_school(line: str) -> None:
    request = booked(
        "Review conference please.\n\nChild: T.R. (DOB 02/03/2018), LCS 123456\n\n"
        "Professionals:\n" + line + "\n" + SIGNED
    ).request
    assert [p.role.value for p in request.people if p.role.value not in ("social_worker",)] == [
        "school"
    ]


def test_a_high_risk_worker_is_not_a_school() -> None:
    from bot.intake.fields import read_role

    assert read_role("IDVA high risk domestic abuse").value != "school"
    assert read_role("High Street Surgery").value == "gp"


@pytest.mark.parametrize(
    "sentence",
    [
        "Westdale SW is Cara Lund, cara.lund@westdale.example.org, who will attend.",
        "The Westdale social worker, Cara Lund, will attend to hand over: "
        "cara.lund@westdale.example.org.",
        "Westdale SW was Cara Lund cara.lund@westdale.example.org.",
    ],
)
def test_the_worker_at_the_council_the_family_left_is_a_professional_of_that_council(
    sentence: str,
) -> None:
    request = booked(
        "Transfer in conference please for T.R. (DOB 02/03/2018), LCS 123456, on a plan in "
        "Westdale until they moved last week. " + sentence + SIGNED
    ).request
    handover = [
        (p.role.value, p.organisation, p.emails) for p in request.people if p.name == "Cara Lund"
    ]
    assert handover == [("agency", "Westdale", ("cara.lund@westdale.example.org",))]
    assert "Cara Lund" not in [p.name for p in request.people if p.role.value == "social_worker"]


@pytest.mark.parametrize(
    ("said", "needs"),
    [
        ("Dad's first language is Konkani but he's happy in English - none needed", ""),
        (
            "Mum is Deaf, so a BSL interpreter is needed",
            "Mum is Deaf, so a BSL interpreter is needed",
        ),
    ],
)
def test_an_access_need_that_ends_none_needed_is_no_need(said: str, needs: str) -> None:
    request = booked(
        "Review conference please.\n\nChild: T.R. (DOB 02/03/2018), LCS 123456\n"
        f"Interpreter: {said}\n" + SIGNED
    ).request
    assert request.access_needs == needs
