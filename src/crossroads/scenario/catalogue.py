"""The scenarios shipped with the package (``crossroads/data/*.yaml``), by name.

Light on purpose (no schema, no YAML): the command line reads :data:`DEFAULT_SCENARIO`
for its defaults without loading anything.

>>> from crossroads.scenario.catalogue import DEFAULT_SCENARIO, builtin_names
>>> DEFAULT_SCENARIO in builtin_names()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = [
    "COUNTED",
    "DEFAULT_SCENARIO",
    "SHOW_WHAT",
    "builtin_names",
    "builtin_path",
    "counts",
    "counts_text",
]

#: The scenario every command uses when none is named.
DEFAULT_SCENARIO = "kazakhstan-2010"

#: The parts of a scenario ``crossroads show`` (and the dashboard's
#: ``/api/scenarios/{key}/{what}``) can list: the summary, then each collection.
SHOW_WHAT = (
    "summary",
    "actors",
    "issues",
    "memberships",
    "agreements",
    "flows",
    "events",
    "sources",
    "interventions",
    "aims",
    "benchmarks",
    "observations",
    "incentives",
)


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with the package."""
    root = resources.files("crossroads") / "data"
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def builtin_path(name: str) -> Path | None:
    """The file of built-in scenario ``name``, or None if there is none of that name."""
    candidate = resources.files("crossroads") / "data" / f"{name}.yaml"
    return Path(str(candidate)) if candidate.is_file() else None


#: Collections ``crossroads validate`` (and the dashboard's validate) counts, in its order.
COUNTED = (
    "actors",
    "memberships",
    "agreements",
    "flows",
    "events",
    "issues",
    "interventions",
    "benchmarks",
    "incentives",
)


def counts(scenario: object) -> dict[str, int]:
    """How many of each :data:`COUNTED` collection ``scenario`` holds (empty ones left out)."""
    return {k: len(getattr(scenario, k)) for k in COUNTED if getattr(scenario, k)}


def counts_text(numbers: dict[str, int]) -> str:
    """``"3 actors, 1 issue"``: the counts in words, singular where there is one."""
    from crossroads.wording import count

    return ", ".join(count(n, k[:-1] if k.endswith("s") else k) for k, n in numbers.items())
