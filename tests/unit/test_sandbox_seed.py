"""A sandbox seed file that cannot be users is one line naming the file, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.sandbox.seed import SeedError, load_seed


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("- just\n- a list\n", "expected a mapping with a list of users under 'users'"),
        ("users: everyone\n", "expected a mapping with a list of users under 'users'"),
        ("users:\n  - displayName: No Id\n", "users[0] needs at least an id and a mail"),
        ("users: [\n", "cannot be read as YAML"),
    ],
)
def test_a_seed_that_cannot_be_users_is_refused_naming_the_file(
    tmp_path: Path, text: str, said: str
) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(text)
    with pytest.raises(SeedError, match=f"^{seed}: ") as raised:
        load_seed(seed)
    assert said in str(raised.value)


def test_the_bundled_seed_still_loads() -> None:
    assert any(user.role == "chair" for user in load_seed())
