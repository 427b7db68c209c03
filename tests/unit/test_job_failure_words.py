"""A failed job's reason, as the timeline and the status page show it: in words, never Graph's
own text (which may quote an address) and never a bare class name where a status is known."""

from __future__ import annotations

from bot.runtime.jobs import failure_words
from bot.runtime.outbox import MailNotSent
from graph.errors import GraphError, Unavailable


def test_mails_not_sent_say_how_many_and_where_to_look() -> None:
    assert failure_words(MailNotSent(2, 3)) == (
        "2 of 3 emails were not sent; each one is on the timeline"
    )


def test_a_graph_answer_is_named_by_its_status_without_graphs_message() -> None:
    err = GraphError("Recipient jo.parent@family.example.net is not valid", status=400)
    assert failure_words(err) == "Graph answered 400"


def test_a_graph_that_did_not_answer_says_so() -> None:
    assert failure_words(Unavailable(3)) == "no answer from Graph (Unavailable)"


def test_anything_else_is_its_kind_of_error() -> None:
    assert failure_words(KeyError("x")) == "KeyError"
