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
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, use_attribute_docstrings=True
    )


class _Cited(_Base):
    """Fields every fact may carry: where it comes from."""

    source: Id | None = None
    """Id of the entry in `sources` this fact comes from."""
    where: Text | None = None
    """Where in the source: section, page, footnote or table."""
    note: Text | None = None
    """Free text: the reasoning behind the fact or how it was read off the source."""


class Source(_Base):
    """A document or dataset that facts cite."""

    id: Id
    """Id that facts cite in their `source` field."""
    title: Text
    """Title of the document or dataset."""
    author: Text | None = None
    """Author or authors."""
    publisher: Text | None = None
    """Publisher or issuing body."""
    year: Int | None = None
    """Year of publication."""
    url: Text | None = None
    """Where to find it."""
    version: Text | None = None
    """Version or edition of a dataset."""
    note: Text | None = None
    """Free text about the source."""


ACTOR_KINDS = ("state", "bloc", "organisation", "company", "ngo", "group")


class Actor(_Cited):
    """A state, bloc, organisation, firm, NGO or a group inside a state."""

    id: Id
    """Id used everywhere else in the scenario to refer to the actor."""
    name: Text
    """Display name."""
    kind: Literal["state", "bloc", "organisation", "company", "ngo", "group"]
    """What sort of actor it is; memberships are in actors of kind `organisation` or `bloc`."""
    part_of: Id | None = None
    """Id of the actor this one belongs to (a group inside a state); never itself, directly or
    through a circle.
    """
    led_by: Id | None = None
    """Id of the actor that leads this organisation or bloc."""
    iso3: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    """ISO 3166-1 alpha-3 country code (three capitals), used to match independent data."""
    cow: Int | None = None
    """Correlates of War country code, used to match independent data."""
    founded: Date | None = None
    """When the actor was founded."""
    description: Text | None = None
    """Free text about the actor."""


class Membership(_Cited):
    """An actor's tie to an organisation or bloc: member, observer, partner, chair, applicant."""

    actor: Id
    """Id of the member actor."""
    organisation: Id
    """Id of the organisation or bloc (an actor of kind `organisation` or `bloc`)."""
    role: Literal["member", "founder", "observer", "partner", "chair", "applicant", "host"]
    """The actor's role in the organisation."""
    since: Date | None = None
    """When the tie began (or the application was made)."""
    until: Date | None = None
    """When the tie ended, if it did."""
    outcome: Literal["granted", "rejected", "pending", "withdrawn", "suspended"] | None = None
    """For an application: what came of it."""


class Agreement(_Cited):
    """A treaty, partnership, memorandum or project binding two or more parties."""

    id: Id
    """Id of the agreement."""
    name: Text
    """Display name."""
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
    """What sort of agreement it is."""
    parties: Annotated[list[Id], Field(min_length=1)]
    """Ids of the actors bound by it."""
    status: Literal["proposed", "under_negotiation", "signed", "in_force", "expired", "rejected"]
    """Where the agreement stands."""
    signed: Date | None = None
    """When it was signed."""
    in_force: Date | None = None
    """When it entered into force."""
    until: Date | None = None
    """When it expired or ended."""
    scope: list[Text] = Field(default_factory=list)
    """What it covers, as short phrases."""


class Flow(_Cited):
    """Exports, imports, trade, investment or energy between two actors in one year.

    A flow gives either ``value`` with ``unit`` or ``share`` (0-1) of ``of``
    (for example the exporter's total exports), or both.
    """

    kind: Literal["exports", "imports", "trade", "investment", "energy", "students", "other"]
    """What flows."""
    origin: Id = Field(alias="from")
    """Id of the actor the flow comes from (the exporter, the investor)."""
    target: Id = Field(alias="to")
    """Id of the actor the flow goes to."""
    year: Annotated[Int, Field(ge=1800, le=2200)]
    """Year of the figure."""
    value: Finite | None = None
    """Amount, in `unit`."""
    unit: Text | None = None
    """Unit of `value`, e.g. `USD bn`."""
    share: Unit | None = None
    """Share (0-1) of `of`, e.g. 0.394 of total exports."""
    of: Text | None = None
    """What `share` is a share of, e.g. `total exports`."""
    approximate: StrictBool = False
    """True when the source gives the figure as approximate."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )


class Event(_Cited):
    """A dated event."""

    id: Id
    """Id of the event."""
    date: Date
    """When it happened."""
    title: Text
    """What happened, in a line."""
    actors: list[Id] = Field(default_factory=list)
    """Ids of the actors involved."""
    description: Text | None = None
    """Free text about the event."""


class Scale(_Base):
    """The scale an issue's positions lie on, with labelled points."""

    min: Finite = 0.0
    """Lowest position on the scale."""
    max: Finite = 100.0
    """Highest position on the scale; above `min`."""
    labels: dict[Finite, Text] = Field(default_factory=dict)
    """What points of the scale mean, e.g. `{0: WTO first, 100: Customs Union depth}`."""


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
    """Uniform on [low, high] (in `uncertainty_default`: offsets added to each stake's value)."""
    sd: NonNeg | None = None
    """Normal around the stake's value with this standard deviation, truncated to the legal range.

    """
    options: list[Finite] | None = None
    """Discrete values to draw from (in `uncertainty_default`: offsets)."""
    weights: list[NonNeg] | None = None
    """Weights of `options`, one per option (default: equal)."""
    plus_minus: NonNeg | None = None
    """Uniform on value +- plus_minus."""
    relative: NonNeg | None = None
    """Uniform on value x (1 +- relative)."""


class Stake(_Cited):
    """One actor's stake in an issue: capability, position, salience (0-1)."""

    actor: Id
    """Id of the actor; one stake per actor per issue."""
    capability: NonNeg
    """The actor's power to shape the outcome; only ratios between actors matter."""
    position: Finite
    """The outcome the actor wants, on the issue's scale."""
    salience: Unit
    """Share of attention the actor gives the issue (0-1)."""
    uncertainty: dict[Literal["position", "salience", "capability"], Uncertainty] | None = None
    """How uncertain `position`, `salience` or `capability` is, for ensembles."""


class SpatialStake(_Cited):
    """One actor's stake in a multi-dimensional issue (one with ``dimensions``).

    ``positions`` and ``saliences`` hold one value per dimension, in the issue's
    dimension order; each position lies on its dimension's scale, saliences are in
    0-1 and sum to at most 1 (the share of the actor's attention per dimension).
    """

    actor: Id
    """Id of the actor; one stake per actor per issue."""
    capability: NonNeg
    """The actor's power to shape the outcome; only ratios between actors matter."""
    positions: Annotated[list[Finite], Field(min_length=1)]
    """The outcome the actor wants on each dimension, in the issue's dimension order, each on its
    dimension's scale.
    """
    saliences: Annotated[list[Unit], Field(min_length=1)]
    """Attention per dimension (0-1 each), summing to at most 1."""

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
    """Id of the dimension."""
    title: Text
    """What the dimension measures."""
    scale: Scale = Field(default_factory=Scale)
    """The dimension's scale."""


class Observed(_Cited):
    """The outcome that was actually reached, for scoring forecasts."""

    value: Finite
    """The outcome reached, on the issue's scale."""
    date: Date | None = None
    """When it was reached."""


class Issue(_Cited):
    """A contested decision on a one-dimensional scale, or on several ``dimensions``.

    An issue with ``dimensions`` takes :class:`SpatialStake` stakes (a position and
    a salience per dimension); one without takes :class:`Stake` stakes.
    """

    id: Id
    """Id of the issue."""
    title: Text
    """Short title."""
    question: Text
    """The question the issue decides."""
    scale: Scale = Field(default_factory=Scale)
    """The scale positions lie on (0-100 by default)."""
    status_quo: Finite | None = None
    """Where things stand before bargaining, on the scale."""
    decided_by: Text | None = None
    """Who takes the decision."""
    rationale: Text | None = None
    """Why the issue is modelled this way."""
    stakes: Annotated[list[AnyStake], Field(min_length=1)]
    """Each actor's stake: `Stake` entries, or `SpatialStake` entries when the issue has
    `dimensions`.
    """
    observed: Observed | None = None
    """The outcome actually reached, for scoring forecasts."""
    dimensions: Annotated[list[Dimension], Field(min_length=1)] | None = None
    """Dimensions of a multi-dimensional issue (then stakes give `positions` and `saliences`)."""

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
    """Id of the issue the edit changes."""
    actor: Id
    """Id of the actor whose stake it changes."""
    set: dict[Literal["position", "salience", "capability"], Finite] | None = None
    """Fields to replace, e.g. `{position: 60}`."""
    shift: dict[Literal["position", "salience", "capability"], Finite] | None = None
    """Amounts to add to fields, e.g. `{position: -10}`; results are clipped to the legal range."""
    add: dict[Literal["position", "salience", "capability"], Finite] | None = None
    """A new stake for an actor without one: `position`, `salience`, `capability`."""
    remove: StrictBool = False
    """True to drop the actor's stake."""
    note: Text | None = None
    """The edit's reasoning."""


class Linkage(_Cited):
    """Issues bargained together: actors may trade concessions across them.

    A linkage is what the exchange model (Stokman & Van Oosten 1994) needs: each actor
    gives ground on the issue it cares less about for a gain on the one it cares more
    about. An ``active`` linkage holds in the baseline; a proposed one (``active: false``)
    is switched on by an intervention's ``link`` (and an active one off by ``unlink``).
    """

    id: Id
    """Id of the linkage."""
    name: Text
    """Display name."""
    issues: Annotated[list[Id], Field(min_length=2)]
    """Ids of the issues bargained together (one-dimensional issues)."""
    active: StrictBool = True
    """Whether the linkage holds in the baseline (`false`: proposed, switched on by an
    intervention's `link`).
    """
    rationale: Text | None = None
    """Why the issues are linked."""


class Cost(_Cited):
    """What an intervention costs whoever offers it, in the scenario's own units."""

    value: NonNeg
    """What the intervention costs, in the scenario's own units."""
    unit: Text | None = None
    """The unit of `value`."""


class Intervention(_Cited):
    """A named what-if: a carrot or a stick, as edits to stakes and links between issues.

    ``edits`` change stakes; ``link`` switches on linkages (by id) so that their issues are
    bargained together, ``unlink`` switches them off. ``cost`` is what the intervention
    costs, for the search of the cheapest package that reaches an aim.
    """

    id: Id
    """Id of the intervention."""
    name: Text
    """Display name."""
    description: Text | None = None
    """Free text about the intervention."""
    edits: list[Edit] = Field(default_factory=list)
    """Changes to stakes, applied in order."""
    link: list[Id] = Field(default_factory=list)
    """Ids of linkages the intervention switches on."""
    unlink: list[Id] = Field(default_factory=list)
    """Ids of linkages the intervention switches off."""
    cost: Cost | None = None
    """What the intervention costs, for `crossroads plan`."""


class Aim(_Cited):
    """What the scenario's policy maker wants from an issue: ``target`` (``'>=75'`` or
    ``'<=40'``, on the issue's scale) reached with at least ``probability``. ``crossroads
    run`` and the report answer each aim with :func:`crossroads.plan`: the cheapest package
    of the scenario's costed interventions that reaches it."""

    id: Id
    """Id of the aim."""
    issue: Id
    """Id of the issue the aim is about."""
    target: Text
    """The outcome wanted, `'>=X'` or `'<=X'` on the issue's scale."""
    probability: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False), BeforeValidator(_number)]
    """The probability with which the target must be reached (above 0, at most 1)."""
    name: Text | None = None
    """Display name."""


class Benchmark(_Cited):
    """A condition to monitor: an indicator against a threshold, or a qualitative test."""

    id: Id
    """Id of the benchmark."""
    name: Text
    """Display name."""
    indicator: Text
    """The indicator monitored, `<dataset>.<variable>` (e.g. `freedomhouse.pr`)."""
    actor: Id | None = None  # whose indicator (default: the scenario's focus)
    """Whose indicator (default: the scenario's focus)."""
    threshold: Finite | None = None
    """The value to compare the indicator against."""
    direction: Literal["<=", ">=", "=="] | None = None
    """How the indicator must compare with `threshold` to meet the benchmark."""
    qualitative: StrictBool = False
    """True for a benchmark judged met or unmet by observations rather than a threshold."""
    description: Text | None = None
    """Free text about the benchmark."""


class Observation(_Cited):
    """A value (or, for a qualitative benchmark, a met/unmet judgement) at a date."""

    benchmark: Id
    """Id of the benchmark observed."""
    date: Date
    """When the observation was made."""
    value: Finite | None = None
    """The indicator's value (quantitative benchmarks)."""
    met: StrictBool | None = None
    """Whether the benchmark was met (qualitative benchmarks)."""
    evidence: Text | None = None
    """What the judgement rests on."""


class Indicator(_Cited):
    """One country-year value of a named indicator, typically imported from a dataset.

    ``indicator`` is ``<dataset>.<variable>`` (e.g. ``freedomhouse.political_rights``,
    ``vdem.v2x_polyarchy``, ``wdi.TX.VAL.FUEL.ZS.UN``); ``label`` keeps a text
    rating that goes with the value (e.g. "Not Free").
    """

    actor: Id
    """Id of the actor (country) the value is for."""
    indicator: Text
    """`<dataset>.<variable>`, e.g. `vdem.v2x_polyarchy`."""
    year: Annotated[Int, Field(ge=1800, le=2200)]
    """Year of the value."""
    value: Finite
    """The value."""
    unit: Text | None = None
    """Unit of the value."""
    label: Text | None = None
    """A text rating that goes with the value, e.g. `Not Free`."""


class Incentive(_Cited):
    """A reward unlocked when its benchmarks are met (all of them, or at least ``k``)."""

    id: Id
    """Id of the incentive."""
    name: Text
    """Display name."""
    requires: Annotated[list[Id], Field(min_length=1)]
    """Ids of the benchmarks it depends on."""
    rule: Literal["all", "at_least"] = "all"
    """Unlocked when `all` benchmarks are met, or `at_least` `k` of them."""
    k: Annotated[Int, Field(ge=1)] | None = None
    """How many benchmarks must be met under `rule: at_least`."""
    triggers: list[Id] = Field(default_factory=list)
    """Ids of the interventions the incentive sets off when unlocked."""
    description: Text | None = None
    """Free text about the incentive."""


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
    """Version of the format: `1`, on the file's first line."""
    id: Id
    """Id of the scenario."""
    title: Text
    """Title."""
    description: Text | None = None
    """Free text about the scenario."""
    year: Int | None = None
    """The year the scenario describes."""
    focus: Id | None = None
    """Id of the small state the system is about."""
    sources: list[Source] = Field(default_factory=list)
    """Documents and datasets that facts cite."""
    actors: Annotated[list[Actor], Field(min_length=1)]
    """States, blocs, organisations, companies, NGOs and groups."""
    memberships: list[Membership] = Field(default_factory=list)
    """Ties of actors to organisations and blocs."""
    agreements: list[Agreement] = Field(default_factory=list)
    """Treaties, partnerships and other agreements."""
    flows: list[Flow] = Field(default_factory=list)
    """Trade, energy, investment and other flows between actors."""
    events: list[Event] = Field(default_factory=list)
    """Dated events."""
    issues: list[Issue] = Field(default_factory=list)
    """The contested decisions the models forecast."""
    linkages: list[Linkage] = Field(default_factory=list)
    """Sets of issues bargained together (the exchange model)."""
    interventions: list[Intervention] = Field(default_factory=list)
    """Named what-ifs: edits to stakes and links between issues."""
    aims: list[Aim] = Field(default_factory=list)
    """What the policy maker wants from issues, answered with `crossroads plan`."""
    benchmarks: list[Benchmark] = Field(default_factory=list)
    """Conditions to monitor."""
    observations: list[Observation] = Field(default_factory=list)
    """Observed values or judgements of benchmarks."""
    incentives: list[Incentive] = Field(default_factory=list)
    """Rewards unlocked when benchmarks are met."""
    indicators: list[Indicator] = Field(default_factory=list)
    """Country-year values of named indicators, usually imported."""
    uncertainty_default: dict[Literal["position", "salience", "capability"], Uncertainty] | None = (
        None
    )
    """Uncertainty applied to every stake that gives none of its own."""

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
