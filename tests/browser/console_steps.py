"""Reusable chair-console steps for browser tests: run a whole meeting as a chair would.

Each step works on the page alone (no API call): it reads the first prompt waiting, types
a distinct text into its box when it has one, and presses the answer a chair would give.
Part B's tests extend the run to the decisions and the minutes' approval.
"""

from __future__ import annotations

from typing import Any

# The button a chair presses, first match wins: agree, bring the parent in, move on.
CHAIR_CHOICES = (
    "Agrees to recording",
    "Parent joined",
    "End the confidential section now",
    "Spoke to them",
    "Summary given",
    "They gave their views here",
    "Done — next step",
    "Child protection plan",
    "No plan",
    "Called",
)
FINISHED = "the run sheet is finished"


def start_meeting(page: Any) -> None:
    """Press "Start the run sheet now" and wait for the first prompt."""
    page.get_by_role("button", name="Start the run sheet now").click()
    page.locator("#prompts > li").first.wait_for()


def answer_first_prompt(page: Any, typed: dict[str, str]) -> str:
    """Answer the first waiting prompt, typing a distinct text where it takes one.

    Returns the prompt's id; what was typed is kept in ``typed`` by prompt id.
    """
    prompt = page.locator("#prompts > li").first
    prompt_id = str(prompt.get_attribute("id")).removeprefix("prompt-")
    box = prompt.locator("textarea")
    if box.count():
        text = typed[prompt_id] = f"Typed at step {len(typed) + 1}: said at {prompt_id}."
        box.fill(text)
    press_the_chairs_answer(page)
    return prompt_id


def press_the_chairs_answer(page: Any) -> None:
    """Press the first waiting prompt's answer a chair would give and wait for it to clear."""
    prompt = page.locator("#prompts > li").first
    prompt_id = str(prompt.get_attribute("id")).removeprefix("prompt-")
    for label in CHAIR_CHOICES:
        button = prompt.get_by_role("button", name=label, exact=True)
        if button.count():
            button.click()
            break
    else:
        raise AssertionError(f"no chair's answer on prompt {prompt_id}")
    page.locator(f'[id="prompt-{prompt_id}"]').wait_for(state="detached")


def run_to_the_end(page: Any, typed: dict[str, str], *, limit: int = 60) -> list[str]:
    """Answer prompt after prompt until the run sheet is finished; returns the prompt ids."""
    answered: list[str] = []
    for _ in range(limit):
        if FINISHED in page.locator("#now-h + dl").inner_text():
            return answered
        if page.locator("#prompts > li").count():
            answered.append(answer_first_prompt(page, typed))
        else:
            page.get_by_role("button", name="Next step").click()
            page.wait_for_load_state()
    raise AssertionError(f"the run sheet did not finish after {limit} steps: {answered}")
