"""Find and load a scenario: a built-in name, a YAML path, or a peer-format file."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from crossroads.errors import ScenarioError
from crossroads.scenario.peers.decide import looks_like_decide, read_decide
from crossroads.scenario.peers.deu3 import looks_like_deu3, read_deu3
from crossroads.scenario.peers.eum_csv import looks_like_eum, read_eum_table
from crossroads.scenario.peers.ktab_csv import looks_like_ktab, read_ktab_csv
from crossroads.scenario.peers.quirks import QuirkReport
from crossroads.scenario.schema import Scenario
from crossroads.scenario.yaml_loader import parse_scenario_text, read_text

__all__ = ["DEFAULT_SCENARIO", "builtin_names", "load", "load_with_quirks", "register_peer_reader"]

#: The scenario every command uses when none is named.
DEFAULT_SCENARIO = "kazakhstan-2010"

# Peer readers: (name, sniff(text) -> bool, read(path, label) -> Scenario), tried in order
# for files that are not YAML. Other modules (KTAB, DEU III) register theirs here.
_PEER_READERS: list[tuple[str, Callable[[str], bool], Callable[[Path, str], Scenario]]] = []


def register_peer_reader(
    name: str, sniff: Callable[[str], bool], read: Callable[[Path, str], Scenario]
) -> None:
    """Register a reader for a peer file format; ``sniff`` sees the file's first 4 KiB.

    A reader that takes a ``quirks`` keyword gets a
    :class:`~crossroads.scenario.peers.quirks.QuirkReport` to record what it read by a
    rule instead of refusing (:func:`load_with_quirks` returns it).
    """
    if name not in [r[0] for r in _PEER_READERS]:
        _PEER_READERS.insert(0, (name, sniff, read))


register_peer_reader("eum", looks_like_eum, read_eum_table)
register_peer_reader("deu3", looks_like_deu3, read_deu3)
register_peer_reader("ktab", looks_like_ktab, read_ktab_csv)
register_peer_reader("decide", looks_like_decide, read_decide)


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with the package."""
    root = resources.files("crossroads") / "data"
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def _builtin_path(name: str) -> Path | None:
    candidate = resources.files("crossroads") / "data" / f"{name}.yaml"
    return Path(str(candidate)) if candidate.is_file() else None


def load(source: str | Path | None = None) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source : str or Path, optional
        A built-in scenario name (see :func:`builtin_names`), a path to a YAML
        scenario, or a path to a peer-format file (EUM CSV/TSV, KTAB CSV, DEU III
        TSV, decide files of linked issues, and others registered with
        :func:`register_peer_reader`). Defaults to
        ``kazakhstan-2010``.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        with the file, line and field of the first problem.

    Examples
    --------
    >>> import crossroads
    >>> sc = crossroads.load("kazakhstan-2010")
    >>> sc.id
    'kazakhstan-2010'
    """
    return load_with_quirks(source)[0]


def load_with_quirks(source: str | Path | None = None) -> tuple[Scenario, QuirkReport]:
    """:func:`load`, and the quirks a peer reader met (empty for YAML and built-ins).

    Examples
    --------
    >>> from crossroads.scenario.loading import load_with_quirks
    >>> sc, quirks = load_with_quirks("kazakhstan-2010")
    >>> len(quirks)
    0
    """
    quirks = QuirkReport()
    return _load(source, quirks), quirks


def _load(source: str | Path | None, quirks: QuirkReport) -> Scenario:
    source = DEFAULT_SCENARIO if source is None else source
    if isinstance(source, str) and _builtin_path(source) is not None and not Path(source).exists():
        path = _builtin_path(source)
        assert path is not None
        return parse_scenario_text(read_text(path, source), f"{source} (built-in)")
    path = Path(source)
    label = str(source)
    if not path.exists():
        names = ", ".join(builtin_names()) or "none"
        raise ScenarioError(f"no such file or built-in scenario (built-in: {names})", file=label)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_scenario_text(read_text(path, label), label)
    text = read_text(path, label)
    head = text[:4096]
    for _name, sniff, read in _PEER_READERS:
        if sniff(head):
            if "quirks" in inspect.signature(read).parameters:
                return read(path, label, quirks=quirks)
            return read(path, label)
    if head.lstrip().startswith("crossroads"):
        return parse_scenario_text(text, label)
    raise ScenarioError(
        "not a scenario (YAML with 'crossroads: 1') nor a known peer format "
        "(EUM table with Actor/Stakeholder/Name and Position/x columns, KTAB CSV, DEU III TSV, "
        "decide file of #A/#P/#D rows)",
        file=label,
        line=1,
    )
