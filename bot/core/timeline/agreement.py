"""Whether a format decision has the agreement and risk assessment the playbook asks for."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.conference import Role
from bot.core.playbook.model import FormatRules
from bot.core.timeline.text import capitalise, roles_words

__all__ = ["format_agreement_problems"]


def format_agreement_problems(
    rules: FormatRules, agreed_by: Iterable[Role], risk_assessed: bool
) -> list[str]:
    """What still stops the format being set, in plain English; empty when nothing does."""
    problems: list[str] = []
    agreed = set(agreed_by)
    missing = [role for role in rules.agreed_by if role not in agreed]
    if missing:
        plural = len(missing) > 1 or missing[0] in (Role.PARENT, Role.AGENCY)
        verb = "have" if plural else "has"
        problems.append(
            capitalise(
                f"{roles_words(missing)} {verb} not yet agreed the format. The playbook asks "
                f"for the agreement of {roles_words(rules.agreed_by)}."
            )
        )
    if rules.risk_assessment and not risk_assessed:
        problems.append(
            "The risk assessment has not been done. The playbook asks for one before the "
            "format is decided."
        )
    return problems
