"""Scenarios: the schema, loading with file/line errors, peer readers, interventions.

The public names are imported on first use (PEP 562), so reading
``crossroads.scenario.DEFAULT_SCENARIO`` (the command line's default) loads neither the
schema nor YAML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossroads.lazy import lazy_exports

_EXPORTS = {
    "DEFAULT_SCENARIO": "crossroads.scenario.catalogue",
    "builtin_names": "crossroads.scenario.catalogue",
    "apply_edits": "crossroads.scenario.interventions",
    "apply_interventions": "crossroads.scenario.interventions",
    "load": "crossroads.scenario.loading",
    "register_peer_reader": "crossroads.scenario.loading",
    "Issue": "crossroads.scenario.schema",
    "IssueArrays": "crossroads.scenario.schema",
    "Scenario": "crossroads.scenario.schema",
    "Stake": "crossroads.scenario.schema",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports these
    from crossroads.scenario.catalogue import DEFAULT_SCENARIO, builtin_names
    from crossroads.scenario.interventions import apply_edits, apply_interventions
    from crossroads.scenario.loading import load, register_peer_reader
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
