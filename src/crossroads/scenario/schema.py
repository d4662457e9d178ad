"""The scenario format, version 1, as pydantic models.

A scenario is one YAML document with ``crossroads: 1`` at its top. Field types
and simple ranges are checked here; cross-references, duplicate ids and ranges
that depend on another field (a position inside its issue's scale) are checked
by :mod:`crossroads.scenario.checks`, which can name the exact field.

Salience is on 0-1 (share of attention an actor gives the issue), capability is
any non-negative number (only ratios between actors matter), positions lie on
the issue's scale (0-100 unless the issue says otherwise).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    Tag,
)

__all__ = [
    "ACTOR_KINDS",
    "MAX_MAGNITUDE",
    "Actor",
    "Agreement",
    "Benchmark",
    "Dimension",
    "Edit",
    "Event",
    "Flow",
    "Incentive",
    "Indicator",
    "Cost",
    "Intervention",
    "Issue",
    "IssueArrays",
    "LinkedArrays",
    "Linkage",
    "Membership",
    "Observation",
    "Observed",
    "Scale",
    "Scenario",
    "Source",
    "SpatialStake",
    "Stake",
    "Uncertainty",
]

#: Largest magnitude of any number in a scenario. Capabilities only matter as ratios, and
#: positions as places on a scale, so nothing needs more; beyond it sums of capability x
#: salience x position could overflow to infinity in the models.
MAX_MAGNITUDE = 1e15


def _number(value: Any) -> Any:
    """Refuse ``true``/``false`` where a number is expected (pydantic would read 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


def _bounded(value: float) -> float:
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(
            f"must lie within +-{MAX_MAGNITUDE:g}, the largest magnitude of a scenario number "
            "(rescale: only ratios of capabilities matter)"
        )
    return value


_Num = (BeforeValidator(_number), AfterValidator(_bounded))
Finite = Annotated[float, Field(allow_inf_nan=False), *_Num]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False), *_Num]
Unit = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), BeforeValidator(_number)]
Int = Annotated[int, BeforeValidator(_number)]
Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Text = Annotated[str, Field(max_length=4000)]

_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _date(value: Any) -> Any:
    """Normalise a year, a ``datetime.date`` or a 'YYYY[-MM[-DD]]' string to a string."""
    if isinstance(value, bool):
        return value  # let pydantic reject it
    if isinstance(value, int):
        if not 1000 <= value <= 2999:
            raise ValueError("a year must have four digits")
        return str(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if not _DATE_RE.match(value):
            raise ValueError("a date must be YYYY, YYYY-MM or YYYY-MM-DD")
        return value
    raise ValueError("a date must be YYYY, YYYY-MM or YYYY-MM-DD")


Date = Annotated[str, BeforeValidator(_date)]


def _listing(ids: Any, most: int = 20) -> str:
    """``a, b, c``; past ``most`` ids, the first ones and how many there are in all."""
    ids = list(ids)
    if not ids:
        return "none"
    if len(ids) <= most:
        return ", ".join(ids)
    return ", ".join(ids[:most]) + f", ... ({len(ids):,} in all)"


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Cited(_Base):
    """Fields every fact may carry: where it comes from."""

    source: Id | None = None
    where: Text | None = None
    note: Text | None = None


class Source(_Base):
    """A document or dataset that facts cite."""

    id: Id
    title: Text
    author: Text | None = None
    publisher: Text | None = None
    year: Int | None = None
    url: Text | None = None
    version: Text | None = None
    note: Text | None = None


ACTOR_KINDS = ("state", "bloc", "organisation", "company", "ngo", "group")


class Actor(_Cited):
    """A state, bloc, organisation, firm, NGO or a group inside a state."""

    id: Id
    name: Text
    kind: Literal["state", "bloc", "organisation", "company", "ngo", "group"]
    part_of: Id | None = None
    led_by: Id | None = None
    iso3: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    cow: Int | None = None
    founded: Date | None = None
    description: Text | None = None


class Membership(_Cited):
    """An actor's tie to an organisation or bloc: member, observer, partner, chair, applicant."""

    actor: Id
    organisation: Id
    role: Literal["member", "founder", "observer", "partner", "chair", "applicant", "host"]
    since: Date | None = None
    until: Date | None = None
    outcome: Literal["granted", "rejected", "pending", "withdrawn", "suspended"] | None = None


class Agreement(_Cited):
    """A treaty, partnership, memorandum or project binding two or more parties."""

    id: Id
    name: Text
    kind: Literal[
        "treaty",
        "partnership",
        "memorandum",
        "strategy",
        "declaration",
        "customs",
        "infrastructure",
        "border",
        "programme",
        "other",
    ]
    parties: Annotated[list[Id], Field(min_length=1)]
    status: Literal["proposed", "under_negotiation", "signed", "in_force", "expired", "rejected"]
    signed: Date | None = None
    in_force: Date | None = None
    until: Date | None = None
    scope: list[Text] = Field(default_factory=list)


class Flow(_Cited):
    """Exports, imports, trade, investment or energy between two actors in one year.

    A flow gives either ``value`` with ``unit`` or ``share`` (0-1) of ``of``
    (for example the exporter's total exports), or both.
    """

    kind: Literal["exports", "imports", "trade", "investment", "energy", "students", "other"]
    origin: Id = Field(alias="from")
    target: Id = Field(alias="to")
    year: Annotated[Int, Field(ge=1800, le=2200)]
    value: Finite | None = None
    unit: Text | None = None
    share: Unit | None = None
    of: Text | None = None
    approximate: StrictBool = False

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Event(_Cited):
    """A dated event."""

    id: Id
    date: Date
    title: Text
    actors: list[Id] = Field(default_factory=list)
    description: Text | None = None


class Scale(_Base):
    """The scale an issue's positions lie on, with labelled points."""

    min: Finite = 0.0
    max: Finite = 100.0
    labels: dict[Finite, Text] = Field(default_factory=dict)


class Uncertainty(_Base):
    """Uncertainty about one stake field: a uniform range, a truncated normal, or options.

    Give exactly one of ``range`` (uniform on [low, high]), ``sd`` (normal around
    the stake's value, truncated to the legal range), ``options`` (with optional
    ``weights``), ``plus_minus`` (uniform on value +- plus_minus) or ``relative``
    (uniform on value x (1 +- relative)). In ``uncertainty_default``, ``range``
    and ``options`` are offsets added to each stake's value. See
    :mod:`crossroads.uncertainty.sampling` for the built-in default.
    """

    range: Annotated[list[Finite], Field(min_length=2, max_length=2)] | None = None
    sd: NonNeg | None = None
    options: list[Finite] | None = None
    weights: list[NonNeg] | None = None
    plus_minus: NonNeg | None = None
    relative: NonNeg | None = None


class Stake(_Cited):
    """One actor's stake in an issue: capability, position, salience (0-1)."""

    actor: Id
    capability: NonNeg
    position: Finite
    salience: Unit
    uncertainty: dict[Literal["position", "salience", "capability"], Uncertainty] | None = None


class SpatialStake(_Cited):
    """One actor's stake in a multi-dimensional issue (one with ``dimensions``).

    ``positions`` and ``saliences`` hold one value per dimension, in the issue's
    dimension order; each position lies on its dimension's scale, saliences are in
    0-1 and sum to at most 1 (the share of the actor's attention per dimension).
    """

    actor: Id
    capability: NonNeg
    positions: Annotated[list[Finite], Field(min_length=1)]
    saliences: Annotated[list[Unit], Field(min_length=1)]

    @property
    def salience(self) -> float:
        """The actor's total salience over the dimensions."""
        return float(sum(self.saliences))


def _stake_kind(value: Any) -> str:
    """'SpatialStake' for a stake given per dimension (``positions``/``saliences``)."""
    if isinstance(value, dict):
        return "SpatialStake" if "positions" in value or "saliences" in value else "Stake"
    return "SpatialStake" if isinstance(value, SpatialStake) else "Stake"


#: A stake of a one-dimensional issue, or of a multi-dimensional one. (The tags
#: appear in pydantic's error locations; the loader drops them.)
AnyStake = Annotated[
    Annotated[Stake, Tag("Stake")] | Annotated[SpatialStake, Tag("SpatialStake")],
    Discriminator(_stake_kind),
]


class Dimension(_Cited):
    """One dimension of a multi-dimensional issue (KTAB's spatial issues)."""

    id: Id
    title: Text
    scale: Scale = Field(default_factory=Scale)


class Observed(_Cited):
    """The outcome that was actually reached, for scoring forecasts."""

    value: Finite
    date: Date | None = None


class Issue(_Cited):
    """A contested decision on a one-dimensional scale, or on several ``dimensions``.

    An issue with ``dimensions`` takes :class:`SpatialStake` stakes (a position and
    a salience per dimension); one without takes :class:`Stake` stakes.
    """

    id: Id
    title: Text
    question: Text
    scale: Scale = Field(default_factory=Scale)
    status_quo: Finite | None = None
    decided_by: Text | None = None
    rationale: Text | None = None
    stakes: Annotated[list[AnyStake], Field(min_length=1)]
    observed: Observed | None = None
    dimensions: Annotated[list[Dimension], Field(min_length=1)] | None = None

    def stake(self, actor: str) -> Stake | SpatialStake:
        """The stake of ``actor`` (an actor id)."""
        for s in self.stakes:
            if s.actor == actor:
                return s
        raise KeyError(actor)


class Edit(_Base):
    """One change an intervention makes to one actor's stake in one issue.

    ``set`` replaces fields, ``shift`` adds to them (results are clipped to the
    legal range), ``add`` inserts a new stake, ``remove`` drops the actor. ``note`` gives
    the edit's reasoning.
    """

    issue: Id
    actor: Id
    set: dict[Literal["position", "salience", "capability"], Finite] | None = None
    shift: dict[Literal["position", "salience", "capability"], Finite] | None = None
    add: dict[Literal["position", "salience", "capability"], Finite] | None = None
    remove: StrictBool = False
    note: Text | None = None


class Linkage(_Cited):
    """Issues bargained together: actors may trade concessions across them.

    A linkage is what the exchange model (Stokman & Van Oosten 1994) needs: each actor
    gives ground on the issue it cares less about for a gain on the one it cares more
    about. An ``active`` linkage holds in the baseline; a proposed one (``active: false``)
    is switched on by an intervention's ``link`` (and an active one off by ``unlink``).
    """

    id: Id
    name: Text
    issues: Annotated[list[Id], Field(min_length=2)]
    active: StrictBool = True
    rationale: Text | None = None


class Cost(_Cited):
    """What an intervention costs whoever offers it, in the scenario's own units."""

    value: NonNeg
    unit: Text | None = None


class Intervention(_Cited):
    """A named what-if: a carrot or a stick, as edits to stakes and links between issues.

    ``edits`` change stakes; ``link`` switches on linkages (by id) so that their issues are
    bargained together, ``unlink`` switches them off. ``cost`` is what the intervention
    costs, for the search of the cheapest package that reaches an aim.
    """

    id: Id
    name: Text
    description: Text | None = None
    edits: list[Edit] = Field(default_factory=list)
    link: list[Id] = Field(default_factory=list)
    unlink: list[Id] = Field(default_factory=list)
    cost: Cost | None = None


class Aim(_Cited):
    """What the scenario's policy maker wants from an issue: ``target`` (``'>=75'`` or
    ``'<=40'``, on the issue's scale) reached with at least ``probability``. ``crossroads
    run`` and the report answer each aim with :func:`crossroads.plan`: the cheapest package
    of the scenario's costed interventions that reaches it."""

    id: Id
    issue: Id
    target: Text
    probability: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False), BeforeValidator(_number)]
    name: Text | None = None


class Benchmark(_Cited):
    """A condition to monitor: an indicator against a threshold, or a qualitative test."""

    id: Id
    name: Text
    indicator: Text
    actor: Id | None = None  # whose indicator (default: the scenario's focus)
    threshold: Finite | None = None
    direction: Literal["<=", ">=", "=="] | None = None
    qualitative: StrictBool = False
    description: Text | None = None


class Observation(_Cited):
    """A value (or, for a qualitative benchmark, a met/unmet judgement) at a date."""

    benchmark: Id
    date: Date
    value: Finite | None = None
    met: StrictBool | None = None
    evidence: Text | None = None


class Indicator(_Cited):
    """One country-year value of a named indicator, typically imported from a dataset.

    ``indicator`` is ``<dataset>.<variable>`` (e.g. ``freedomhouse.political_rights``,
    ``vdem.v2x_polyarchy``, ``wdi.TX.VAL.FUEL.ZS.UN``); ``label`` keeps a text
    rating that goes with the value (e.g. "Not Free").
    """

    actor: Id
    indicator: Text
    year: Annotated[Int, Field(ge=1800, le=2200)]
    value: Finite
    unit: Text | None = None
    label: Text | None = None


class Incentive(_Cited):
    """A reward unlocked when its benchmarks are met (all of them, or at least ``k``)."""

    id: Id
    name: Text
    requires: Annotated[list[Id], Field(min_length=1)]
    rule: Literal["all", "at_least"] = "all"
    k: Annotated[Int, Field(ge=1)] | None = None
    triggers: list[Id] = Field(default_factory=list)
    description: Text | None = None


class IssueArrays(BaseModel):
    """One issue as arrays for a model kernel (single run; add a run axis to batch)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    issue: str
    actors: list[str]
    names: list[str]
    capability: np.ndarray
    salience: np.ndarray
    position: np.ndarray
    scale_min: float
    scale_max: float
    #: Dimension ids of a multi-dimensional issue (then ``position`` and ``salience``
    #: have shape (actors, dims)), with each dimension's scale.
    dimensions: list[str] = Field(default_factory=list)
    dim_scale_min: np.ndarray | None = None
    dim_scale_max: np.ndarray | None = None


class LinkedArrays(BaseModel):
    """Stakes of linked one-dimensional issues as arrays of shape (actors, issues)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    issues: list[str]
    actors: list[str]
    names: list[str]
    capability: np.ndarray
    salience: np.ndarray
    position: np.ndarray
    has_stake: np.ndarray
    scale: np.ndarray  # (issues, 2): min, max


class Scenario(_Base):
    """A validated scenario: the system and its contested issues."""

    crossroads: Literal[1]
    id: Id
    title: Text
    description: Text | None = None
    year: Int | None = None
    focus: Id | None = None
    sources: list[Source] = Field(default_factory=list)
    actors: Annotated[list[Actor], Field(min_length=1)]
    memberships: list[Membership] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)
    linkages: list[Linkage] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    aims: list[Aim] = Field(default_factory=list)
    benchmarks: list[Benchmark] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    incentives: list[Incentive] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    uncertainty_default: dict[Literal["position", "salience", "capability"], Uncertainty] | None = (
        None
    )

    # --- look-ups -----------------------------------------------------------------
    def actor(self, actor_id: str) -> Actor:
        """The actor with id ``actor_id``."""
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def issue(self, issue_id: str | None = None) -> Issue:
        """The issue with id ``issue_id`` (the only issue when ``None`` and there is one)."""
        from crossroads.errors import CrossroadsError

        if issue_id is None:
            if len(self.issues) == 1:
                return self.issues[0]
            ids = _listing(i.id for i in self.issues)
            raise CrossroadsError(f"scenario '{self.id}' has several issues; choose one of: {ids}")
        for i in self.issues:
            if i.id == issue_id:
                return i
        ids = _listing(i.id for i in self.issues)
        raise CrossroadsError(f"no issue '{issue_id[:80]}' in scenario '{self.id}'; issues: {ids}")

    def intervention(self, intervention_id: str) -> Intervention:
        """The intervention with id ``intervention_id``."""
        from crossroads.errors import InterventionError

        for i in self.interventions:
            if i.id == intervention_id:
                return i
        ids = _listing(i.id for i in self.interventions)
        raise InterventionError(
            f"no intervention '{intervention_id[:80]}' in scenario '{self.id}'; "
            f"interventions: {ids}"
        )

    def linkage(self, linkage_id: str) -> Linkage:
        """The linkage with id ``linkage_id``."""
        from crossroads.errors import CrossroadsError

        for lk in self.linkages:
            if lk.id == linkage_id:
                return lk
        ids = _listing(lk.id for lk in self.linkages)
        raise CrossroadsError(
            f"no linkage '{linkage_id[:80]}' in scenario '{self.id}'; linkages: {ids}"
        )

    def linked_arrays(self, issue_ids: list[str]) -> LinkedArrays:
        """Stakes of several one-dimensional issues as (actors, issues) arrays.

        The actors are every actor with a stake on one of the issues, in the order of the
        scenario's actor list. An actor without a stake on an issue has capability and
        salience 0 there, its position the issue's midpoint and ``has_stake`` False.
        """
        from crossroads.errors import CrossroadsError

        issues = [self.issue(i) for i in issue_ids]
        for iss in issues:
            if iss.dimensions:
                raise CrossroadsError(
                    f"issue '{iss.id}' has dimensions; linked issues are one-dimensional"
                )
        have = {s.actor for iss in issues for s in iss.stakes}
        actors = [a for a in self.actors if a.id in have]
        n, k = len(actors), len(issues)
        cap, sal, pos = np.zeros((n, k)), np.zeros((n, k)), np.empty((n, k))
        mask = np.zeros((n, k), dtype=bool)
        row = {a.id: r for r, a in enumerate(actors)}
        for j, iss in enumerate(issues):
            pos[:, j] = (iss.scale.min + iss.scale.max) / 2
            for s in iss.stakes:
                r = row[s.actor]
                cap[r, j], sal[r, j], pos[r, j], mask[r, j] = (
                    s.capability,
                    s.salience,
                    s.position,
                    True,
                )
        return LinkedArrays(
            issues=[i.id for i in issues],
            actors=[a.id for a in actors],
            names=[a.name for a in actors],
            capability=cap,
            salience=sal,
            position=pos,
            has_stake=mask,
            scale=np.array([[i.scale.min, i.scale.max] for i in issues], dtype=float),
        )

    def arrays(self, issue_id: str | None = None) -> IssueArrays:
        """Capability, salience and position of one issue's stakes as float arrays.

        Shapes are (actors,); for an issue with ``dimensions``, salience and position
        are (actors, dims).
        """
        issue = self.issue(issue_id)
        names = {a.id: a.name for a in self.actors}
        if issue.dimensions:
            return IssueArrays(
                issue=issue.id,
                actors=[s.actor for s in issue.stakes],
                names=[names.get(s.actor, s.actor) for s in issue.stakes],
                capability=np.array([s.capability for s in issue.stakes], dtype=float),
                salience=np.array([s.saliences for s in issue.stakes], dtype=float),
                position=np.array([s.positions for s in issue.stakes], dtype=float),
                scale_min=issue.scale.min,
                scale_max=issue.scale.max,
                dimensions=[d.id for d in issue.dimensions],
                dim_scale_min=np.array([d.scale.min for d in issue.dimensions], dtype=float),
                dim_scale_max=np.array([d.scale.max for d in issue.dimensions], dtype=float),
            )
        return IssueArrays(
            issue=issue.id,
            actors=[s.actor for s in issue.stakes],
            names=[names.get(s.actor, s.actor) for s in issue.stakes],
            capability=np.array([s.capability for s in issue.stakes], dtype=float),
            salience=np.array([s.salience for s in issue.stakes], dtype=float),
            position=np.array([s.position for s in issue.stakes], dtype=float),
            scale_min=issue.scale.min,
            scale_max=issue.scale.max,
        )
