"""The values read from a message: each as written, with where it was found."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Value:
    """One value as written, and where: "the email body" or "attachment 'form.docx'"."""

    text: str
    source: str


@dataclass(slots=True)
class Fields:
    """Every field found in a message, keyed by (group, index, name); index 0 for singles."""

    values: dict[tuple[str, int, str], list[Value]] = field(default_factory=dict)

    def add(self, key: tuple[str, int, str], value: Value) -> None:
        """Record a value; repeats are kept so conflicts can be reported."""
        self.values.setdefault(key, []).append(value)

    def max_index(self, group: str) -> int:
        """The highest number used so far for ``group`` (0 if none)."""
        return max((k[1] for k in self.values if k[0] == group), default=0)

    def has(self, group: str, index: int, name: str) -> bool:
        """Whether that field already has a value."""
        return (group, index, name) in self.values
