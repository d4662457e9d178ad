"""Find and load a scenario: a built-in name, a YAML path, or a peer-format file."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path

from crossroads.errors import ScenarioError
from crossroads.scenario.catalogue import DEFAULT_SCENARIO, builtin_names, builtin_path
from crossroads.scenario.peers.quirks import QuirkReport
from crossroads.scenario.schema import Scenario
from crossroads.scenario.yaml_loader import parse_scenario_text, read_text

__all__ = [
    "DEFAULT_SCENARIO",
    "builtin_names",
    "load",
    "load_with_quirks",
    "peer_readers",
    "register_peer_reader",
]

PeerReader = tuple[str, Callable[[str], bool], Callable[[Path, str], Scenario]]

# Peer readers: (name, sniff(text) -> bool, read(path, label) -> Scenario), tried in order
# for files that are not YAML: those registered by other modules first, newest first, then
# the built-in ones below, which are imported only when a file needs sniffing (so loading a
# YAML scenario does not import them).
_PEER_READERS: list[PeerReader] = []
_BUILTIN_PEERS = (  # name, module, sniff, read
    ("decide", "crossroads.scenario.peers.decide", "looks_like_decide", "read_decide"),
    ("ktab", "crossroads.scenario.peers.ktab_csv", "looks_like_ktab", "read_ktab_csv"),
    ("deu3", "crossroads.scenario.peers.deu3", "looks_like_deu3", "read_deu3"),
    ("eum", "crossroads.scenario.peers.eum_csv", "looks_like_eum", "read_eum_table"),
)


def register_peer_reader(
    name: str, sniff: Callable[[str], bool], read: Callable[[Path, str], Scenario]
) -> None:
    """Register a reader for a peer file format; ``sniff`` sees the file's first 4 KiB.

    A name already registered, or a built-in one (decide, ktab, deu3, eum), is left as it
    is. A reader that takes a ``quirks`` keyword gets a
    :class:`~crossroads.scenario.peers.quirks.QuirkReport` to record what it read by a
    rule instead of refusing (:func:`load_with_quirks` returns it).
    """
    taken = [r[0] for r in _PEER_READERS] + [b[0] for b in _BUILTIN_PEERS]
    if name not in taken:
        _PEER_READERS.insert(0, (name, sniff, read))


def peer_readers() -> list[PeerReader]:
    """Every peer reader in the order files are sniffed (imports the built-in ones)."""
    builtin = []
    for name, module, sniff, read in _BUILTIN_PEERS:
        mod = importlib.import_module(module)
        builtin.append((name, getattr(mod, sniff), getattr(mod, read)))
    return [*_PEER_READERS, *builtin]


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
    if isinstance(source, str) and builtin_path(source) is not None and not Path(source).exists():
        path = builtin_path(source)
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
    for _name, sniff, read in peer_readers():
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
