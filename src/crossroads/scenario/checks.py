"""Checks that pydantic field types cannot express.

Each check yields ``(loc, message)`` pairs, ``loc`` being the path of the
offending field in the document (as pydantic's ``loc``), so the loader can turn
it into a line number.
"""

from __future__ import annotations

from collections.abc import Iterator

from crossroads.errors import CrossroadsError
from crossroads.scenario.schema import Scenario, SpatialStake
from crossroads.scenario.targets import parse_target

__all__ = ["semantic_problems"]

Loc = tuple[str | int, ...]

_REF_KINDS = ("organisation", "bloc")


def _duplicates(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    for collection in (
        "sources",
        "actors",
        "agreements",
        "events",
        "issues",
        "linkages",
        "interventions",
        "aims",
        "benchmarks",
        "incentives",
    ):
        seen: dict[str, int] = {}
        for i, item in enumerate(getattr(scenario, collection)):
            if item.id in seen:
                yield (
                    (collection, i, "id"),
                    (
                        f"duplicate id '{item.id}' (first used at "
                        f"{collection}[{seen[item.id]}]); ids must be unique"
                    ),
                )
            else:
                seen[item.id] = i
    for k, issue in enumerate(scenario.issues):
        seen = {}
        for j, stake in enumerate(issue.stakes):
            if stake.actor in seen:
                yield (
                    ("issues", k, "stakes", j, "actor"),
                    (
                        f"actor '{stake.actor}' has two stakes in issue '{issue.id}'; "
                        "one stake per actor"
                    ),
                )
            seen[stake.actor] = j


def _cited(scenario: Scenario) -> Iterator[tuple[Loc, object]]:
    """Every object that may carry ``source``, with its location."""
    for collection in (
        "actors",
        "memberships",
        "agreements",
        "flows",
        "events",
        "issues",
        "linkages",
        "interventions",
        "aims",
        "benchmarks",
        "observations",
        "incentives",
        "indicators",
    ):
        for i, item in enumerate(getattr(scenario, collection)):
            yield (collection, i), item
    for i, iv in enumerate(scenario.interventions):
        if iv.cost is not None:
            yield ("interventions", i, "cost"), iv.cost
    for k, issue in enumerate(scenario.issues):
        for j, stake in enumerate(issue.stakes):
            yield ("issues", k, "stakes", j), stake
        if issue.observed is not None:
            yield ("issues", k, "observed"), issue.observed


def _references(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    actors = {a.id: a for a in scenario.actors}
    sources = {s.id for s in scenario.sources}
    issues = {i.id: i for i in scenario.issues}
    benchmarks = {b.id for b in scenario.benchmarks}
    interventions = {i.id for i in scenario.interventions}

    def unknown_actor(ref: str) -> str:
        return f"unknown actor '{ref}'; every actor used must be listed under 'actors'"

    if scenario.focus is not None and scenario.focus not in actors:
        yield ("focus",), unknown_actor(scenario.focus)
    for loc, item in _cited(scenario):
        src = getattr(item, "source", None)
        if src is not None and src not in sources:
            yield (
                loc + ("source",),
                (f"unknown source '{src}'; every source cited must be listed under 'sources'"),
            )
    for i, a in enumerate(scenario.actors):
        for field in ("part_of", "led_by"):
            ref = getattr(a, field)
            if ref is not None and ref not in actors:
                yield ("actors", i, field), unknown_actor(ref)
    yield from _part_of_cycles(scenario)
    for i, m in enumerate(scenario.memberships):
        if m.actor not in actors:
            yield ("memberships", i, "actor"), unknown_actor(m.actor)
        if m.organisation not in actors:
            yield ("memberships", i, "organisation"), unknown_actor(m.organisation)
        elif actors[m.organisation].kind not in _REF_KINDS:
            yield (
                ("memberships", i, "organisation"),
                (
                    f"'{m.organisation}' is a {actors[m.organisation].kind}; "
                    "memberships are in an actor of kind organisation or bloc"
                ),
            )
        if m.since and m.until and m.until < m.since:
            yield ("memberships", i, "until"), f"until ({m.until}) is before since ({m.since})"
    for i, ag in enumerate(scenario.agreements):
        for j, p in enumerate(ag.parties):
            if p not in actors:
                yield ("agreements", i, "parties", j), unknown_actor(p)
    for i, f in enumerate(scenario.flows):
        if f.origin not in actors:
            yield ("flows", i, "from"), unknown_actor(f.origin)
        if f.target not in actors:
            yield ("flows", i, "to"), unknown_actor(f.target)
        if f.value is None and f.share is None:
            yield ("flows", i), "a flow needs a value (with unit) or a share"
        if f.value is not None and not f.unit:
            yield ("flows", i, "unit"), "a flow with a value needs its unit (e.g. 'USD bn')"
    for i, e in enumerate(scenario.events):
        for j, a in enumerate(e.actors):
            if a not in actors:
                yield ("events", i, "actors", j), unknown_actor(a)
    for k, issue in enumerate(scenario.issues):
        lo, hi = issue.scale.min, issue.scale.max
        if not hi > lo:
            yield ("issues", k, "scale", "max"), f"scale max ({hi:g}) must exceed min ({lo:g})"
            continue
        for label_at in issue.scale.labels:
            if not lo <= label_at <= hi:
                yield (
                    ("issues", k, "scale", "labels"),
                    (f"label at {label_at:g} lies outside the scale {lo:g}-{hi:g}"),
                )
        if issue.status_quo is not None and not lo <= issue.status_quo <= hi:
            yield (
                ("issues", k, "status_quo"),
                (f"{issue.status_quo:g} lies outside the scale {lo:g}-{hi:g}"),
            )
        if issue.observed is not None and not lo <= issue.observed.value <= hi:
            yield (
                ("issues", k, "observed", "value"),
                (f"{issue.observed.value:g} lies outside the scale {lo:g}-{hi:g}"),
            )
        if issue.dimensions:
            yield from _dimension_problems(issue, k)
        for j, s in enumerate(issue.stakes):
            if s.actor not in actors:
                yield ("issues", k, "stakes", j, "actor"), unknown_actor(s.actor)
            if issue.dimensions or isinstance(s, SpatialStake):
                yield from _spatial_stake_problems(issue, s, ("issues", k, "stakes", j))
                continue
            if not lo <= s.position <= hi:
                yield (
                    ("issues", k, "stakes", j, "position"),
                    (f"{s.position:g} lies outside the issue's scale {lo:g}-{hi:g}"),
                )
            for field, u in (s.uncertainty or {}).items():
                yield from _uncertainty_problems(
                    u, ("issues", k, "stakes", j, "uncertainty", field), _legal(field, lo, hi)
                )
    for field, u in (scenario.uncertainty_default or {}).items():
        yield from _uncertainty_problems(u, ("uncertainty_default", field))
    for i, iv in enumerate(scenario.interventions):
        for j, ed in enumerate(iv.edits):
            loc = ("interventions", i, "edits", j)
            if ed.issue not in issues:
                yield loc + ("issue",), f"unknown issue '{ed.issue}'"
                continue
            if ed.actor not in actors:
                yield loc + ("actor",), unknown_actor(ed.actor)
                continue
            has = any(s.actor == ed.actor for s in issues[ed.issue].stakes)
            touched = set(ed.set or {}) | set(ed.shift or {})
            if issues[ed.issue].dimensions and (ed.add is not None or touched - {"capability"}):
                yield (
                    loc,
                    (
                        f"issue '{ed.issue}' has dimensions; an edit of it may only set or shift "
                        "capability, or remove an actor"
                    ),
                )
                continue
            actions = sum(x is not None for x in (ed.set, ed.shift, ed.add)) + int(ed.remove)
            if actions != 1:
                yield loc, "an edit does exactly one of: set, shift, add, remove"
            elif ed.add is not None:
                if has:
                    yield (
                        loc + ("actor",),
                        (f"'{ed.actor}' already has a stake in '{ed.issue}'; use set or shift"),
                    )
                missing = {"position", "salience", "capability"} - set(ed.add)
                if missing:
                    yield loc + ("add",), f"add needs {', '.join(sorted(missing))}"
            elif not has:
                yield (
                    loc + ("actor",),
                    (f"'{ed.actor}' has no stake in issue '{ed.issue}'; use add to give it one"),
                )
    yield from _linkage_problems(scenario)
    yield from _aim_problems(scenario)
    for i, ob in enumerate(scenario.observations):
        if ob.benchmark not in benchmarks:
            yield ("observations", i, "benchmark"), f"unknown benchmark '{ob.benchmark}'"
        if ob.value is None and ob.met is None:
            yield ("observations", i), "an observation needs a value or met: true/false"
    for i, b in enumerate(scenario.benchmarks):
        if not b.qualitative and (b.threshold is None or b.direction is None):
            yield (
                ("benchmarks", i),
                (
                    "a quantitative benchmark needs threshold and direction (<=, >=, ==); "
                    "or set qualitative: true"
                ),
            )
    for i, b in enumerate(scenario.benchmarks):
        if b.actor is not None and b.actor not in actors:
            yield ("benchmarks", i, "actor"), unknown_actor(b.actor)
    for i, ind in enumerate(scenario.indicators):
        if ind.actor not in actors:
            yield ("indicators", i, "actor"), unknown_actor(ind.actor)
    for i, inc in enumerate(scenario.incentives):
        for j, b in enumerate(inc.requires):
            if b not in benchmarks:
                yield ("incentives", i, "requires", j), f"unknown benchmark '{b}'"
        for j, t in enumerate(inc.triggers):
            if t not in interventions:
                yield ("incentives", i, "triggers", j), f"unknown intervention '{t}'"
        if inc.rule == "at_least" and (inc.k is None or inc.k > len(inc.requires)):
            yield (
                ("incentives", i, "k"),
                (
                    f"rule at_least needs k between 1 and {len(inc.requires)} "
                    "(the benchmarks listed)"
                ),
            )


def _part_of_cycles(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    """An actor may not be part of itself, directly or through others (a part_of cycle)."""
    parent = {a.id: a.part_of for a in scenario.actors}
    index = {a.id: i for i, a in enumerate(scenario.actors)}
    done: set[str] = set()  # actors whose part_of chain has been followed to its end
    for a in scenario.actors:
        chain: list[str] = []
        on_chain: set[str] = set()
        node: str | None = a.id
        while node is not None and node in parent and node not in done and node not in on_chain:
            chain.append(node)
            on_chain.add(node)
            node = parent[node]
        done.update(chain)
        if node is None or node not in on_chain:
            continue
        loop = chain[chain.index(node) :]
        first = min(loop, key=index.__getitem__)
        if len(loop) == 1:
            message = f"actor '{first}' is part_of itself"
        else:
            k = loop.index(first)
            loop = loop[k:] + loop[:k]
            message = f"part_of goes round in a circle: {' -> '.join(loop + [first])}"
        yield ("actors", index[first], "part_of"), message


def _linkage_problems(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    """Linkages name distinct one-dimensional issues; interventions do something, and link
    or unlink linkages that exist and are not already in that state."""
    issues = {i.id: i for i in scenario.issues}
    linkages = {lk.id: lk for lk in scenario.linkages}
    for i, lk in enumerate(scenario.linkages):
        for j, ref in enumerate(lk.issues):
            loc = ("linkages", i, "issues", j)
            if ref not in issues:
                yield loc, f"unknown issue '{ref}'; a linkage names issues of this scenario"
            elif issues[ref].dimensions:
                yield loc, f"issue '{ref}' has dimensions; linked issues are one-dimensional"
            elif ref in lk.issues[:j]:
                yield loc, f"issue '{ref}' is named twice in linkage '{lk.id}'"
    for i, iv in enumerate(scenario.interventions):
        if not (iv.edits or iv.link or iv.unlink):
            yield (
                ("interventions", i),
                "an intervention needs edits, link or unlink (it would change nothing)",
            )
        for key, wanted in (("link", True), ("unlink", False)):
            for j, ref in enumerate(getattr(iv, key)):
                loc = ("interventions", i, key, j)
                if ref not in linkages:
                    known = ", ".join(linkages) or "none"
                    yield loc, f"unknown linkage '{ref}'; linkages: {known}"
                elif linkages[ref].active == wanted:
                    state = "active" if wanted else "not active"
                    yield loc, f"linkage '{ref}' is already {state} in the baseline"


def _aim_problems(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    """Aims name a one-dimensional issue of the scenario and a target on its scale."""
    issues = {i.id: i for i in scenario.issues}
    for i, aim in enumerate(scenario.aims):
        iss = issues.get(aim.issue)
        if iss is None:
            known = ", ".join(issues) or "none"
            yield ("aims", i, "issue"), f"unknown issue '{aim.issue}'; issues: {known}"
            continue
        if iss.dimensions:
            yield (
                ("aims", i, "issue"),
                f"issue '{aim.issue}' has dimensions; an aim needs a one-dimensional issue",
            )
            continue
        try:
            t = parse_target(aim.target)
        except CrossroadsError as e:
            yield ("aims", i, "target"), str(e)
            continue
        lo, hi = iss.scale.min, iss.scale.max
        if not lo <= t.value <= hi:
            yield (
                ("aims", i, "target"),
                f"target {t} is off the scale of issue '{iss.id}' ({lo:g}-{hi:g})",
            )


def _legal(field: str, lo: float, hi: float) -> tuple[str, float, float]:
    """The legal range of a stake field on an issue with scale ``lo``-``hi``."""
    if field == "position":
        return "the issue's scale", lo, hi
    if field == "salience":
        return "salience's range", 0.0, 1.0
    return "capability's range", 0.0, float("inf")


def _uncertainty_problems(
    u, loc: Loc, legal: tuple[str, float, float] | None = None
) -> Iterator[tuple[Loc, str]]:
    """Problems of one uncertainty; ``legal`` bounds absolute values (None: offsets)."""
    kinds = sum(x is not None for x in (u.range, u.sd, u.options))
    extra = sum(x is not None for x in (u.plus_minus, u.relative))
    if kinds + extra != 1:
        if extra:
            yield loc, "give exactly one of: range [low, high], sd, options, plus_minus, relative"
        else:
            yield loc, "give exactly one of: range [low, high], sd, options"
    elif u.weights is not None and u.options is None:
        yield loc + ("weights",), "weights go only with options"
    elif u.range is not None and not u.range[0] <= u.range[1]:
        yield loc + ("range",), "range must be [low, high] with low <= high"
    elif u.options is not None and not u.options:
        yield loc + ("options",), "options must not be empty"
    elif u.weights is not None and len(u.weights) != len(u.options):
        yield loc + ("weights",), "weights must have one entry per option"
    elif u.weights is not None and sum(u.weights) <= 0:
        yield loc + ("weights",), "weights must not all be zero"
    elif legal is not None and (u.range is not None or u.options is not None):
        what, lo, hi = legal
        key = "range" if u.range is not None else "options"
        vals = u.range if u.range is not None else u.options
        if min(vals) < lo or max(vals) > hi:
            shown = ", ".join(f"{v:g}" for v in vals)
            bounds = f"{lo:g}-{hi:g}" if hi < float("inf") else f">= {lo:g}"
            yield loc + (key,), f"{key} [{shown}] must lie within {what} ({bounds})"


def _dimension_problems(issue, k: int) -> Iterator[tuple[Loc, str]]:
    """Problems of a multi-dimensional issue's own fields."""
    seen: dict[str, int] = {}
    for d, dim in enumerate(issue.dimensions):
        if dim.id in seen:
            yield (
                ("issues", k, "dimensions", d, "id"),
                (f"duplicate dimension id '{dim.id}' (first used at dimensions[{seen[dim.id]}])"),
            )
        seen.setdefault(dim.id, d)
        if not dim.scale.max > dim.scale.min:
            yield (
                ("issues", k, "dimensions", d, "scale", "max"),
                (f"scale max ({dim.scale.max:g}) must exceed min ({dim.scale.min:g})"),
            )
    for field in ("status_quo", "observed"):
        if getattr(issue, field) is not None:
            yield (
                ("issues", k, field),
                (f"{field} is one-dimensional; an issue with dimensions cannot have one"),
            )


def _spatial_stake_problems(issue, s, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Problems of one stake given per dimension (or of a per-dimension stake on a 1-D issue)."""
    if not issue.dimensions:
        yield (
            loc + ("positions",),
            (
                "positions and saliences (one per dimension) need the issue's 'dimensions'; "
                "a one-dimensional issue's stake has position and salience"
            ),
        )
        return
    n = len(issue.dimensions)
    if not isinstance(s, SpatialStake):
        yield (
            loc + ("positions",),
            (f"the issue has {n} dimensions; give positions and saliences, one per dimension"),
        )
        return
    for field in ("positions", "saliences"):
        got = len(getattr(s, field))
        if got != n:
            yield loc + (field,), f"has {got} values; the issue has {n} dimensions"
            return
    for d, (x, dim) in enumerate(zip(s.positions, issue.dimensions, strict=True)):
        lo, hi = dim.scale.min, dim.scale.max
        if hi > lo and not lo <= x <= hi:
            yield (
                loc + ("positions", d),
                (f"{x:g} lies outside dimension '{dim.id}''s scale {lo:g}-{hi:g}"),
            )
    total = sum(s.saliences)
    if total > 1 + 1e-9:
        yield (
            loc + ("saliences",),
            (f"saliences sum to {total:g}; an actor's saliences sum to at most 1"),
        )


def semantic_problems(scenario: Scenario) -> list[tuple[Loc, str]]:
    """All cross-reference, duplicate and range problems of a parsed scenario, in file order."""
    return [*_duplicates(scenario), *_references(scenario)]
