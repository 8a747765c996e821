from dataclasses import dataclass, field

from audits.glossary import Indicator, Kind, Severity

__all__ = ["Draft", "Indicator", "Kind", "Severity"]


@dataclass(frozen=True)
class Draft:
    """A finding the machine proposes. `key` names the problem stably across runs and periods,
    so a re-run updates rather than duplicates, and last period's problems can be matched."""

    key: str
    kind: Kind
    indicator: Indicator
    severity: Severity
    title: str  # short, as in a circular's annex
    reason: str  # what a unit operator reads
    item: str = ""  # deduction item code in the rule set, when scored
    count: int = 1
    url: str = ""
    column_url: str = ""
    evidence: dict = field(default_factory=dict, hash=False, compare=False)
