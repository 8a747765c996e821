from dataclasses import dataclass, field


class Severity:
    """How a finding weighs in a verdict once a person has confirmed it."""

    VETO = "veto"  # 单项否决 on its own (W-V1, W-V2, W-V3)
    PROBLEM = "problem"  # listed; counted toward the W-V4 thresholds; maybe scored by item
    DEDUCTION = "deduction"  # scored through its deduction item
    WARNING = "warning"  # 即将超期: listed, never scored
    MANUAL = "manual"  # the machine is unsure: a task for staff, never counted

    CHOICES = (
        (VETO, "单项否决"),
        (PROBLEM, "问题"),
        (DEDUCTION, "扣分"),
        (WARNING, "提醒"),
        (MANUAL, "需人工核查"),
    )


@dataclass(frozen=True)
class Draft:
    """A finding the machine proposes. `key` names the problem stably across runs and periods,
    so a re-run updates rather than duplicates, and last period's problems can be matched."""

    key: str
    kind: str
    indicator: str  # W-V1 … W-V6, W-V4a/b/c, or "D" for a deduction-only problem
    severity: str
    title: str  # short, as in a circular's annex
    reason: str  # what a unit operator reads
    item: str = ""  # deduction item code in the rule set, when scored
    count: int = 1
    url: str = ""
    column_url: str = ""
    evidence: dict = field(default_factory=dict, hash=False, compare=False)
