"""Scenarios: the schema, loading with file/line errors, peer readers, interventions."""

from crossroads.scenario.interventions import apply_edits, apply_interventions
from crossroads.scenario.loading import DEFAULT_SCENARIO, builtin_names, load, register_peer_reader
from crossroads.scenario.schema import Issue, IssueArrays, Scenario, Stake

__all__ = [
    "DEFAULT_SCENARIO",
    "Issue",
    "IssueArrays",
    "Scenario",
    "Stake",
    "apply_edits",
    "apply_interventions",
    "builtin_names",
    "load",
    "register_peer_reader",
]
