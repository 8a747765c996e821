"""The engine's records: periods, runs and observations, rule sets, findings, verdicts."""

from audits.models.dictionary import DictionaryEntry, Leader
from audits.models.findings import Exemption, Finding
from audits.models.periods import Period
from audits.models.rectification import Evidence, Rectification
from audits.models.rules import DeductionItem, RuleSet, active_rule_set, rules_for
from audits.models.runs import InspectionRun, Observation, RunSite
from audits.models.verdicts import Bonus, Verdict

__all__ = [
    "Bonus",
    "DeductionItem",
    "DictionaryEntry",
    "Evidence",
    "Exemption",
    "Finding",
    "InspectionRun",
    "Leader",
    "Observation",
    "Period",
    "Rectification",
    "RuleSet",
    "RunSite",
    "Verdict",
    "active_rule_set",
    "rules_for",
]
