"""What a match run returns and wants: the changes it names, the counts and ids of its findings, and a
desired hit per (deployment, advisory, package)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Key = tuple[int, int, str, str]  # deployment, advisory, ecosystem, name_key
CHUNK = 500


@dataclass(frozen=True)
class Change:
    """One finding a run opens, reopens or closes: which advisory, how severe, which package, and why."""

    advisory: str
    severity: str
    package: str
    version: str
    reason: str = ""
    finding: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "advisory": self.advisory,
            "severity": self.severity,
            "package": self.package,
            "version": self.version,
            "reason": self.reason,
            "finding": self.finding,
        }


@dataclass
class Match:
    """What one match run changed (or, for a preview, would change); `opened` lists the new open findings
    for notices; `new`, `reopening` and `closing` name each finding behind the counts."""

    created: int = 0
    reopened: int = 0
    moved: int = 0
    closed: int = 0
    suppressed: int = 0
    opened: list[int] = field(default_factory=list)
    new: list[Change] = field(default_factory=list)
    reopening: list[Change] = field(default_factory=list)
    closing: list[Change] = field(default_factory=list)

    def __iadd__(self, other: Match) -> Match:
        self.created += other.created
        self.reopened += other.reopened
        self.moved += other.moved
        self.closed += other.closed
        self.suppressed += other.suppressed
        self.opened += other.opened
        self.new += other.new
        self.reopening += other.reopening
        self.closing += other.closing
        return self


@dataclass(frozen=True)
class Hit:
    version: str
    purl: str
    name: str
    fixed: tuple[str, ...]
