"""What an importer produces, how it joins a scenario, and how the result is written.

An importer reads a dataset file into :class:`Facts`: one source entry naming
the dataset and its version, and the memberships, agreements, flows, indicator
values and (new) organisation actors it adds. :func:`merge` replaces any facts
an earlier import of the same dataset left in the scenario (so importing twice
gives the same file) and validates the result; :func:`write_scenario` writes it
as YAML atomically (a temporary file renamed over the target), so an output is
either complete and loadable or absent.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crossroads.errors import ScenarioError
from crossroads.scenario.schema import Scenario
from crossroads.scenario.yaml_loader import parse_scenario_text, validate_data

__all__ = ["Facts", "dataset_version", "merge", "scenario_yaml", "write_scenario"]

_COLLECTIONS = ("actors", "memberships", "agreements", "flows", "indicators")


@dataclass
class Facts:
    """Facts read from one dataset file, ready to join a scenario.

    Attributes
    ----------
    kind : str
        Importer name (``cow-trade``, ``cow-igo``, ...).
    source : dict
        The ``sources`` entry every fact cites (id, title, version, ...).
    actors, memberships, agreements, flows, indicators : list of dict
        Scenario records in the YAML format (flows use ``from``/``to``).
    notes : list of str
        What was read, mapped, aggregated and skipped, for the person importing.
    """

    kind: str
    source: dict[str, Any]
    actors: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Number of records added per collection."""
        return {c: len(getattr(self, c)) for c in _COLLECTIONS if getattr(self, c)}


def dataset_version(path: Path, pattern: str, default: str | None, explicit: str | None) -> str:
    """The dataset version: ``explicit``, else read from the file name, else ``default``.

    ``pattern`` is a regular expression whose first group is the version in the
    file name (e.g. ``v(\\d+)`` for ``cow_trade_v4_...``).
    """
    if explicit:
        return explicit
    m = re.search(pattern, path.name, flags=re.IGNORECASE)
    if m:
        return m.group(1)
    if default is not None:
        return default
    return "not stated in the file; pass --version"


def _dump(sc: Scenario) -> dict[str, Any]:
    return sc.model_dump(mode="python", by_alias=True, exclude_unset=True)


def merge(scenario: Scenario, facts: Facts, label: str | None = None) -> Scenario:
    """``scenario`` with ``facts`` added, after removing facts of an earlier import of the source.

    Raises
    ------
    ScenarioError
        when the result is not a valid scenario (for example a removed actor is
        still referred to by the author's own facts).
    """
    sid = facts.source["id"]
    data = _dump(scenario)
    data["sources"] = [s for s in data.get("sources", []) if s.get("id") != sid]
    data["sources"].append(facts.source)
    for coll in _COLLECTIONS:
        kept = [x for x in data.get(coll, []) if x.get("source") != sid]
        added = [{**x, "source": sid} for x in getattr(facts, coll)]
        if kept or added:
            data[coll] = kept + added
    return validate_data(data, label or f"{scenario.id} + {facts.kind} import")


def scenario_yaml(scenario: Scenario, header: str | None = None) -> str:
    """The scenario as YAML text in the scenario format (keys in schema order)."""
    text = yaml.safe_dump(
        _dump(scenario), sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    if header:
        text = "".join(f"# {line}\n" for line in header.splitlines()) + text
    return text


def _check_loads(text: str, label: str) -> None:
    """Parse and validate ``text`` as the loader does (libyaml when present: same YAML, faster)."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        parse_scenario_text(text, label)
        return
    data = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    if not isinstance(data, dict) or data.get("crossroads") != 1:
        raise ScenarioError("the written text is not a crossroads 1 scenario", file=label)
    validate_data(data, label)


def write_scenario(scenario: Scenario, out: Path, header: str | None = None) -> Path:
    """Write ``scenario`` to ``out`` atomically; the written text is re-read and validated first.

    The text goes to a temporary file in the target's directory, is parsed back
    with the scenario loader, and only then renamed over ``out``; on any error
    the temporary file is removed and ``out`` is untouched.
    """
    out = Path(out)
    text = scenario_yaml(scenario, header)
    _check_loads(text, str(out))
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise ScenarioError("the output's directory does not exist", file=str(out))
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=directory)
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.chmod(tmp, 0o666 & ~mask)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out
