"""Issues with known outcomes as padded arrays, ready for batched model runs.

An :class:`IssueSet` holds every scored issue of a source (a DEU III file or any
scenario with ``observed`` outcomes) as arrays of shape (issues, actors), actors
absent from an issue masked out. :class:`Inputs` are the choices made about the
inputs before a model sees them: the DEU III capability scheme and a salience
exponent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from crossroads.errors import CrossroadsError, ModelError, ScenarioError
from crossroads.evaluation.formats import FORMATS
from crossroads.scenario import Scenario
from crossroads.scenario.linked_sets import linked_set_of
from crossroads.scenario.loading import load_with_quirks
from crossroads.scenario.peers.deu3 import (
    CAPABILITY_SCHEMES,
    Deu3Table,
    capabilities,
    looks_like_deu3,
    proposal_of,
    read_deu3_table,
)
from crossroads.scenario.peers.quirks import QuirkReport
from crossroads.scenario.yaml_loader import read_text

__all__ = ["FORMATS", "Inputs", "IssueSet", "Source", "issue_set", "open_source"]


@dataclass(frozen=True)
class Inputs:
    """Choices about a model's inputs, made before the model runs.

    Attributes
    ----------
    capability : {'council', 'equal', 'gdp'} or None
        DEU III capability scheme (:mod:`crossroads.scenario.peers.deu3`); None keeps a
        scenario's own capabilities (the only choice for sources that are not DEU III).
    unanimity, com, ep_cod, ep_cns, weights_at
        Options of the ``council`` scheme (:func:`~crossroads.scenario.peers.deu3.capabilities`).
    salience_exponent : float, >= 0
        Salience enters the models as ``s ** salience_exponent``: 1 leaves it as is, 0
        ignores it (every actor with a position counts fully), 2 sharpens it.
    """

    capability: str | None = None
    unanimity: str = "weights"
    com: float = 1.0
    ep_cod: float = 1.0
    ep_cns: float = 0.0
    weights_at: str = "proposal"
    salience_exponent: float = 1.0

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "inputs") -> Inputs:
        """Inputs from a mapping (a saved preset's ``inputs``); unknown keys are an error."""
        names = {f.name for f in fields(cls)}
        for key in data:
            if key not in names:
                raise ModelError(
                    f"{where}: unknown input '{key}'; inputs: {', '.join(sorted(names))}"
                )
        out = cls(**data)
        out.check(where)
        return out

    def check(self, where: str = "inputs") -> None:
        """Raise :class:`ModelError` naming the first invalid field."""
        if self.capability is not None and self.capability not in CAPABILITY_SCHEMES:
            raise ModelError(
                f"{where}: unknown capability scheme '{self.capability}'; schemes: "
                f"{', '.join(CAPABILITY_SCHEMES)}"
            )
        if self.unanimity not in ("weights", "equal"):
            raise ModelError(f"{where}: unanimity must be 'weights' or 'equal'")
        if self.weights_at not in ("proposal", "decision"):
            raise ModelError(f"{where}: weights_at must be 'proposal' or 'decision'")
        for name in ("com", "ep_cod", "ep_cns", "salience_exponent"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or not np.isfinite(v) or v < 0:
                raise ModelError(f"{where}: {name} must be a finite number >= 0, got {v!r}")

    def to_dict(self) -> dict[str, Any]:
        """Every field, for JSON."""
        return asdict(self)

    def describe(self) -> str:
        """A short label, e.g. ``council`` or ``council unan=equal com=0.5 s^2``."""
        if self.capability is None:
            head = "scenario"
        elif self.capability == "council":
            head = "council"
            default = Inputs(capability="council")
            for name in ("unanimity", "com", "ep_cod", "ep_cns", "weights_at"):
                v = getattr(self, name)
                if v != getattr(default, name):
                    short = {"unanimity": "unan", "weights_at": "at"}.get(name, name)
                    head += f" {short}={v:g}" if isinstance(v, float) else f" {short}={v}"
        else:
            head = self.capability
        if self.salience_exponent != 1.0:
            head += f" s^{self.salience_exponent:g}"
        return head


@dataclass(frozen=True)
class Source:
    """Where issues come from: a DEU III table, or a loaded scenario.

    ``quirks`` holds what the file's reader read by a documented rule
    (:mod:`crossroads.scenario.peers.quirks`); empty for YAML and loaded scenarios.
    """

    label: str
    table: Deu3Table | None = None
    scenario: Scenario | None = None
    quirks: QuirkReport = field(default_factory=QuirkReport)

    def __post_init__(self) -> None:
        if self.table is not None and not self.quirks:
            object.__setattr__(self, "quirks", self.table.quirks)

    @property
    def is_deu3(self) -> bool:
        """True for a DEU III file read as a table (capability schemes apply)."""
        return self.table is not None


def open_source(source: str | Path | Scenario | Source, format: str | None = None) -> Source:
    """Open a DEU III file, a scenario file, a built-in name, or wrap a :class:`Scenario`.

    Parameters
    ----------
    source : str, Path, Scenario or Source
    format : {'deu3'} or None
        Force the DEU III reader; by default a file whose header is a DEU III header is
        read as one, anything else through :func:`crossroads.load`.
    """
    if isinstance(source, Source):
        return source
    if isinstance(source, Scenario):
        if format is not None:
            raise CrossroadsError("format applies to files, not to a loaded scenario")
        return Source(label=source.id, scenario=source)
    if format is not None and format not in FORMATS:
        raise CrossroadsError(f"unknown format '{format}'; formats: {', '.join(FORMATS)}")
    label = str(source)
    path = Path(source)
    if format == "deu3":
        return Source(label=label, table=read_deu3_table(path, label))
    if path.is_file() and path.suffix.lower() not in (".yaml", ".yml"):
        if looks_like_deu3(read_text(path, label)[:4096]):
            return Source(label=label, table=read_deu3_table(path, label))
    scenario, quirks = load_with_quirks(source)
    return Source(label=label, scenario=scenario, quirks=quirks)


@dataclass(frozen=True)
class IssueSet:
    """Scored issues as padded arrays.

    Attributes
    ----------
    issues, groups : list of str
        Issue ids, and the group (DEU III proposal) each belongs to; cross-validation
        keeps a group in one fold.
    capability, salience, position : ndarray of shape (issues, actors)
        Absent actors have capability 0, salience 0 and, as position, the largest
        position on the issue (so that a zero-weight pad never changes a weighted
        median: it sorts after every real actor).
    mask : ndarray of bool, shape (issues, actors)
        True where the actor has a stake.
    observed : ndarray of shape (issues,)
    status_quo : ndarray of shape (issues,)
        NaN where unknown.
    scale : ndarray of shape (issues, 2)
        (min, max) of each issue's scale.
    actors : ndarray of int, shape (issues, actors), optional
        Which actor each column holds on each issue (an index into the source's actor
        list; -1 where ``mask`` is False). None: column k is actor k on every issue (a
        DEU III table's actor columns). A model of linked issues uses it to line up an
        actor's stakes across the issues it bargains over together.
    linked : list of str, optional
        The set of issues each issue is bargained together with (a label shared by the
        set): the DEU III proposal, or a scenario's linked set
        (:func:`crossroads.scenario.linked_sets.linked_set_of`). None: ``groups``.
    """

    issues: list[str]
    groups: list[str]
    capability: np.ndarray
    salience: np.ndarray
    position: np.ndarray
    mask: np.ndarray
    observed: np.ndarray
    status_quo: np.ndarray
    scale: np.ndarray
    actors: np.ndarray | None = None
    linked: list[str] | None = None

    def __len__(self) -> int:
        return len(self.issues)

    def subset(self, index: np.ndarray) -> IssueSet:
        """The issues at ``index`` (an integer or boolean array)."""
        idx = np.asarray(index)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        return IssueSet(
            issues=[self.issues[i] for i in idx],
            groups=[self.groups[i] for i in idx],
            capability=self.capability[idx],
            salience=self.salience[idx],
            position=self.position[idx],
            mask=self.mask[idx],
            observed=self.observed[idx],
            status_quo=self.status_quo[idx],
            scale=self.scale[idx],
            actors=None if self.actors is None else self.actors[idx],
            linked=None if self.linked is None else [self.linked[i] for i in idx],
        )

    def actor_index(self) -> np.ndarray:
        """:attr:`actors`, or for aligned columns each column's number (-1 where masked)."""
        if self.actors is not None:
            return self.actors
        cols = np.broadcast_to(np.arange(self.mask.shape[1]), self.mask.shape)
        return np.where(self.mask, cols, -1)

    def bargaining_sets(self) -> list[str]:
        """:attr:`linked`, or :attr:`groups` when it is not set."""
        return list(self.groups) if self.linked is None else list(self.linked)


def _pad(position: np.ndarray, mask: np.ndarray) -> np.ndarray:
    top = np.where(mask, position, -np.inf).max(axis=1)
    return np.where(mask, position, top[:, None])


def issue_set(source: Source, inputs: Inputs | None = None) -> IssueSet:
    """The scored issues of ``source`` under ``inputs``.

    Raises
    ------
    CrossroadsError
        When no issue has an observed outcome, or a capability scheme is asked of a
        source that is not a DEU III file.
    """
    inputs = inputs or Inputs(capability="council" if source.is_deu3 else None)
    inputs.check()
    if source.table is not None:
        out = _from_table(source.table, inputs)
    else:
        if inputs.capability is not None:
            raise CrossroadsError(
                f"capability schemes apply to DEU III files; '{source.label}' is a scenario "
                "with its own capabilities"
            )
        assert source.scenario is not None
        out = _from_scenario(source.scenario, inputs)
    return out


def _from_table(table: Deu3Table, inputs: Inputs) -> IssueSet:
    if inputs.capability is None:
        raise CrossroadsError("a DEU III file needs a capability scheme: council, equal or gdp")
    scored = ~np.isnan(table.meta["out"].to_numpy(dtype=float))
    if not scored.any():
        raise CrossroadsError(f"'{table.label}' has no issue with an observed outcome to score")
    cap = capabilities(
        table,
        inputs.capability,
        unanimity=inputs.unanimity,
        com=inputs.com,
        ep_cod=inputs.ep_cod,
        ep_cns=inputs.ep_cns,
        weights_at=inputs.weights_at,
    )[scored]
    mask = table.mask[scored]
    sal = np.where(mask, table.salience[scored] ** inputs.salience_exponent, 0.0)
    meta = table.meta
    n = int(scored.sum())
    return IssueSet(
        issues=meta.index.to_numpy()[scored].tolist(),
        groups=meta["proposal"].to_numpy()[scored].tolist(),
        capability=np.where(mask, cap, 0.0),
        salience=sal,
        position=_pad(table.position[scored], mask),
        mask=mask,
        observed=meta["out"].to_numpy(dtype=float)[scored],
        status_quo=meta["rp"].to_numpy(dtype=float)[scored],
        scale=np.tile([0.0, 100.0], (n, 1)),
    )


def _from_scenario(sc: Scenario, inputs: Inputs) -> IssueSet:
    scored = [i for i in sc.issues if i.observed is not None]
    if not scored:
        raise CrossroadsError(f"scenario '{sc.id}' has no issue with an observed outcome to score")
    if any(np.ndim(i.observed.value) != 0 for i in scored):
        raise ScenarioError("observed outcomes must be single numbers", file=sc.id)
    width = max(len(i.stakes) for i in scored)
    n = len(scored)
    cap, sal, pos = np.zeros((n, width)), np.zeros((n, width)), np.zeros((n, width))
    mask = np.zeros((n, width), dtype=bool)
    deu3 = any(s.id == "deu3" for s in sc.sources)
    actors = np.full((n, width), -1, dtype=int)
    actor_no = {a.id: k for k, a in enumerate(sc.actors)}
    for r, issue in enumerate(scored):
        a = sc.arrays(issue.id)
        k = len(a.actors)
        cap[r, :k], sal[r, :k], pos[r, :k] = a.capability, a.salience, a.position
        mask[r, :k] = True
        actors[r, :k] = [actor_no[x] for x in a.actors]
    sal = np.where(mask, sal**inputs.salience_exponent, 0.0)
    groups = [proposal_of(i.id) if deu3 else i.id for i in scored]
    linked = groups if deu3 else ["+".join(linked_set_of(sc, i.id)) for i in scored]
    return IssueSet(
        issues=[i.id for i in scored],
        groups=groups,
        capability=cap,
        salience=sal,
        position=_pad(pos, mask),
        mask=mask,
        observed=np.array([i.observed.value for i in scored], dtype=float),
        status_quo=np.array(
            [np.nan if i.status_quo is None else i.status_quo for i in scored], dtype=float
        ),
        scale=np.array([[i.scale.min, i.scale.max] for i in scored], dtype=float),
        actors=actors,
        linked=linked,
    )
