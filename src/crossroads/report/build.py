"""Collect everything the HTML report shows: tables, figures and the sections' status.

The report is built from the public APIs of the other layers -- forecasts
(:mod:`crossroads.forecasting`), ensembles, sensitivity and comparisons
(:mod:`crossroads.uncertainty`), relations and dependence (:mod:`crossroads.network`),
the conditionality monitor (:mod:`crossroads.conditionality`), each imported where
its section is computed. A section that cannot be computed -- a scenario without
the data it needs (no flows, no trade figures, no benchmarks), ensembles turned off
(``runs=0``), or a :class:`~crossroads.errors.CrossroadsError` raised while
computing it -- says why in the page, never disappears silently.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError
from crossroads.evaluation.calibrated_display import (
    CALIBRATED_LABEL,
    CalibratedInterval,
    builtin_interval,
)
from crossroads.forecasting import Forecast, forecast
from crossroads.model_registry import DEFAULT_MODEL, DEFAULT_MODELS
from crossroads.models import model_names
from crossroads.report import figures as F
from crossroads.report.facts import citations
from crossroads.report.tables import FigureBag, Table, table_of
from crossroads.scenario import Scenario
from crossroads.scenario.schema import Issue
from crossroads.summary import scenario_summary
from crossroads.wording import count, possessive

__all__ = [
    "DEFAULT_MODELS",
    "FigureBag",
    "ReportOptions",
    "Table",
    "build_context",
    "conditionality_section",
    "MIN_CHART_YEARS",
    "chart",
    "dependence_section",
    "network_section",
    "system_sections",
    "table_of",
]


@dataclass(frozen=True)
class ReportOptions:
    """What the report computes.

    Attributes
    ----------
    models : sequence of str, optional
        Models run on every issue (default: :data:`DEFAULT_MODELS` that exist).
    presets : mapping of str to str
        Model -> preset name.
    runs : int
        Ensemble runs per issue and model (0: no ensembles).
    seed : int
        Seed of every ensemble, sensitivity study and comparison.
    sensitivity : {'oat', 'sobol'} or None
        Sensitivity study of each issue with :attr:`focus_model` (None: none).
    focus_model : str, optional
        The model used for sensitivity and for comparing interventions with
        uncertainty (default: ``eum`` when run, else the first model).
    year : int, optional
        Year of the relations network and conditionality status (default: the
        scenario's ``year``).
    """

    models: Sequence[str] | None = None
    presets: Mapping[str, str] = field(default_factory=dict)
    runs: int = 1000
    seed: int = 0
    sensitivity: str | None = "oat"
    focus_model: str | None = None
    year: int | None = None

    def resolved_models(self) -> list[str]:
        if self.models is None:
            have = model_names()
            return [m for m in DEFAULT_MODELS if m in have]
        return list(self.models)

    def resolved_focus(self) -> str:
        models = self.resolved_models()
        if self.focus_model is not None:
            return self.focus_model
        return "eum" if "eum" in models else models[0]


def _cite(source: str | None, where: str | None) -> dict[str, str] | None:
    if not source and not where:
        return None
    return {"source": source or "", "where": where or ""}


# --- the system -----------------------------------------------------------------------------


def network_section(sc: Scenario, year: int | None, bag: FigureBag) -> dict[str, Any]:
    """The relations network of ``year``: a figure and tables of memberships and overlaps.

    Parameters
    ----------
    sc : Scenario
    year : int or None
        Memberships, agreements and flows in force that year (None: all years).
    bag : FigureBag
        Where the figure is added.

    Returns
    -------
    dict
        ``available`` (False with a ``reason`` when the scenario records no
        memberships, agreements or flows), ``figure``, ``by_leader``, ``overlaps``,
        ``joint``, ``timeline`` (:class:`Table`).
    """
    from crossroads.network import relations

    if not (sc.memberships or sc.agreements or sc.flows):
        return {
            "available": False,
            "reason": "the scenario records no memberships, agreements or flows",
        }
    try:
        rel = relations(sc, year)
    except CrossroadsError as e:
        return {"available": False, "reason": str(e)}
    names = rel.names
    held = rel.memberships
    held_pairs = set(zip(held["actor"], held["organisation"], strict=True)) if len(held) else set()
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    g = rel.graph

    def node(n: str) -> None:
        if n in nodes:
            return
        d = g.nodes[n]
        if d.get("type") == "agreement":
            nodes[n] = {
                "id": n,
                "label": d.get("name", n),
                "kind": "agreement",
                "hover": f"{d.get('name', n)} ({str(d.get('status', '')).replace('_', ' ')})",
            }  # noqa: E501
        else:
            nodes[n] = {
                "id": n,
                "label": names.get(n, n),
                "kind": d.get("kind", "actor"),
                "hover": f"{names.get(n, n)} ({d.get('kind', '')})",
            }

    for u, v, d in g.edges(data=True):
        kind = d.get("type")
        if kind == "membership":
            if (u, v) not in held_pairs:
                continue
        elif kind == "party":
            since, until = d.get("since"), d.get("until")
            if year is not None and (
                (since is not None and since > year) or (until is not None and until < year)
            ):
                continue
            if d.get("status") in ("rejected", "proposed"):
                continue
        elif kind == "flow":
            if year is not None and d.get("year") is not None and d["year"] > year:
                continue
        elif kind not in ("part_of", "led_by"):
            continue
        node(u)
        node(v)
        edges.append({"source": u, "target": v, "kind": kind.replace("_", " ")})
    fig = F.network_figure(
        list(nodes.values()),
        edges,
        title=f"Relations in {year}" if year else "Relations (all years)",
    )
    overlaps = rel.overlaps.copy()
    if len(overlaps):
        overlaps["common"] = overlaps["common"].map(
            lambda xs: ", ".join(names.get(x, x) for x in xs)
        )
        for c in ("organisation_a", "organisation_b"):
            overlaps[c] = overlaps[c].map(lambda x: names.get(x, x))
    leader = rel.by_leader.copy()
    if len(leader):
        for c in ("leader", "organisations"):
            leader[c] = leader[c].map(
                lambda xs: ", ".join(names.get(x, x) for x in xs) if isinstance(xs, list) else xs
            )
    joint = rel.joint.copy().head(15)
    if len(joint):
        for c in ("actor_a", "actor_b"):
            joint[c] = joint[c].map(lambda x: names.get(x, x))
        joint["organisations"] = joint["organisations"].map(
            lambda xs: ", ".join(names.get(x, x) for x in xs)
        )
    timeline = rel.timeline.copy()
    if len(timeline):
        timeline["actors"] = timeline["actors"].map(
            lambda xs: ", ".join(names.get(x, x) for x in xs) if isinstance(xs, list) else xs
        )
    return {
        "available": True,
        "year": year,
        "figure": bag.add(
            fig,
            f"Actors, organisations and agreements in force in {year or 'any year'}; "
            "edges are memberships held that year, parties to agreements, flows and "
            "part-of / led-by ties. Kamada-Kawai layout: nodes close in the graph sit close "
            "on the page (distance has no unit); marker size grows with the number of ties; "
            "agreements are labelled by a short name, hover any node for its full name.",
        ),
        "by_leader": table_of(
            leader.rename(columns={"n": "count"}),
            f"{possessive(names.get(rel.focus, rel.focus))} organisations by the power that "
            "leads them",
        )
        if rel.focus
        else None,
        "overlaps": table_of(overlaps.head(15), "Overlapping memberships (full members of both)"),
        "joint": table_of(joint, "Joint memberships between pairs of actors (top 15)"),
        "timeline": table_of(timeline.drop(columns=["id"], errors="ignore"), "Timeline"),
    }


#: A dependence series with fewer years than this is listed in a table, not drawn: one
#: dot or a two-point line says less than the numbers and invites reading a trend into it.
MIN_CHART_YEARS = 3


def chart(
    rows: Sequence[Mapping[str, Any]],
    bag: FigureBag,
    figures: list[dict[str, str]],
    sparse: list[dict[str, Any]],
    *,
    title: str,
    y_title: str,
    unit: str,
    caption: str,
) -> None:
    """Chart the series of ``rows`` with at least :data:`MIN_CHART_YEARS` years (one figure
    added to ``bag`` and ``figures``) and append the other series' rows to ``sparse``
    (``series``, ``year``, ``value``, ``unit``) for a table."""
    years: dict[str, set[Any]] = {}
    for r in rows:
        if r.get("value") is not None and math.isfinite(float(r["value"])):
            years.setdefault(str(r["series"]), set()).add(r["year"])
    dense = [r for r in rows if len(years.get(str(r["series"]), ())) >= MIN_CHART_YEARS]
    for r in sorted(rows, key=lambda r: (str(r["series"]), r["year"])):
        if 0 < len(years.get(str(r["series"]), ())) < MIN_CHART_YEARS:
            sparse.append(
                {"series": str(r["series"]), "year": r["year"], "value": r["value"], "unit": unit}
            )
    if dense:
        figures.append(bag.add(F.dependence_figure(dense, title=title, y_title=y_title), caption))


def dependence_section(sc: Scenario, year: int | None, bag: FigureBag) -> dict[str, Any]:
    """The focus state's trade and fuel dependence over time: figures and tables.

    Parameters
    ----------
    sc : Scenario
    year : int or None
        Not used: the section covers every year with figures (kept so that the
        system sections share one signature).
    bag : FigureBag
        Where the figures are added.

    Returns
    -------
    dict
        ``available`` (False with a ``reason`` when the scenario records no trade
        or fuel figures), ``figures``, ``tables``, ``note``.
    """
    from crossroads.network.trade_dependence import BASIS_ORDER, MEASURES, dependence

    try:
        dep = dependence(sc)
    except CrossroadsError as e:
        return {"available": False, "reason": str(e)}
    if not dep.years:
        return {"available": False, "reason": "the scenario records no trade or fuel figures"}
    names = dep.names
    who = names.get(dep.actor, dep.actor)
    figures, tables = [], []
    sh = dep.shares
    known = sh[sh["share"].notna()] if len(sh) else sh
    rows = []
    for measure in MEASURES:
        part = known[known["measure"] == measure] if len(known) else known
        if part is None or not len(part):
            continue
        # one basis per partner and year: the best recorded (national total, sum, stated)
        part = part.assign(_o=part["basis"].map(lambda b: BASIS_ORDER.get(b, 9)))
        part = part.sort_values(["partner", "year", "_o"]).drop_duplicates(["partner", "year"])
        top = part.groupby("partner")["share"].mean().sort_values(ascending=False).head(5).index
        rows += [
            {
                "year": r.year,
                "value": 100 * r.share,
                "series": f"{names.get(r.partner, r.partner)}: {measure} ({r.basis})",
            }
            for r in part[part["partner"].isin(top)].itertuples()
        ]
    sparse: list[dict[str, Any]] = []
    chart(
        rows,
        bag,
        figures,
        sparse,
        title=f"Partners' shares of {possessive(who)} exports, imports and trade",
        y_title=f"Share of {possessive(who)} total, %",
        unit="%",
        caption=f"The largest partners' shares of {possessive(who)} exports, imports and total "
        "trade by year; the basis (denominator) is in brackets.",
    )
    vals = sh[sh["share"].isna() & sh["value"].notna()] if len(sh) else sh
    if vals is not None and len(vals):
        rows = [
            {
                "year": r.year,
                "series": f"{names.get(r.partner, r.partner)} {r.measure}",
                "value": r.value,
            }
            for r in vals.itertuples()
        ]
        chart(
            rows,
            bag,
            figures,
            sparse,
            title=f"{possessive(who)} trade values with no recorded total",
            y_title="Value, USD million",
            unit="USD million",
            caption="Flows recorded as values only (no total to divide by).",
        )
    conc = dep.concentration
    fuel = dep.fuel
    if len(conc):
        # the index on its own axis (0-1), not on a % axis beside shares; listed in full in
        # the concentration table below, so series too short to chart are not repeated
        rows = [
            {"year": r.year, "series": f"HHI of {r.measure} partners ({r.basis})", "value": r.hhi}
            for r in conc.itertuples()
        ]
        chart(
            rows,
            bag,
            figures,
            [],
            title=f"Partner concentration of {possessive(who)} trade",
            y_title="Herfindahl-Hirschman index (0-1)",
            unit="index",
            caption="Herfindahl-Hirschman index of partner shares (a lower bound where the "
            "partners cover only part of the total; see the table).",
        )
    if len(fuel):
        rows = [
            {
                "year": r.year,
                "series": f"fuel share of exports ({r.source})",
                "value": 100 * r.share,
            }
            for r in fuel.itertuples()
        ]
        chart(
            rows,
            bag,
            figures,
            sparse,
            title=f"Fuel dependence of {possessive(who)} exports",
            y_title="Fuel's share of exports, %",
            unit="%",
            caption="Fuel's share of export revenue by year.",
        )
    if sparse:
        tables.append(
            table_of(
                pd.DataFrame(sparse, columns=["series", "year", "value", "unit"]),
                f"Figures recorded for fewer than {MIN_CHART_YEARS} years (listed, not charted)",
                digits=1,
            )
        )
    summary = dep.summary()
    tables.append(table_of(summary, f"{possessive(who)} dependence by year (largest partners)"))
    if len(conc):
        c = conc.copy()
        c["excluded"] = c["excluded"].map(lambda xs: ", ".join(names.get(x, x) for x in xs))
        tables.append(
            table_of(c, "Partner concentration (HHI, 0-1) with coverage and bounds", digits=3)
        )
    if len(dep.asymmetry):
        a = dep.asymmetry.copy()
        for col in ("a", "b"):
            a[col] = a[col].map(lambda x: names.get(x, x))
        tables.append(table_of(a, "Asymmetry of dependence between pairs", digits=3))
    return {
        "available": True,
        "figures": figures,
        "tables": tables,
        "note": "Shares state their denominator (basis). No composite balance index is "
        "computed; the components are shown side by side.",
    }


def conditionality_section(
    sc: Scenario, year: int | None, model: str, bag: FigureBag
) -> dict[str, Any]:
    """The conditionality monitor in ``year``: benchmarks met, incentives unlocked, effects.

    Parameters
    ----------
    sc : Scenario
    year : int or None
        The year of the status (None: the latest with evidence).
    model : str
        The model that forecasts what each incentive's interventions would change.
    bag : FigureBag
        Where the status-by-year figure is added.

    Returns
    -------
    dict
        ``available`` (False with a ``reason`` when the scenario defines no
        benchmarks), ``year``, ``words``, ``figures``, ``tables``.
    """
    from crossroads.conditionality import benchmark_status, incentive_effects

    if not sc.benchmarks:
        return {"available": False, "reason": "the scenario defines no benchmarks"}
    try:
        mon = benchmark_status(sc, year)
    except CrossroadsError as e:
        return {"available": False, "reason": str(e)}
    y = mon.years[0]
    bnames = {b.id: b.name for b in sc.benchmarks}

    def status(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "unknown"
        return "met" if v else "not met"

    b = mon.benchmarks
    btab = pd.DataFrame(
        {
            "benchmark": b["name"],
            "test": [
                f"{ind} {d} {t:g}" if d and t == t and t is not None else f"{ind} (judged)"
                for ind, d, t in zip(b["indicator"], b["direction"], b["threshold"], strict=True)
            ],
            "status": b["met"].map(status),
            "value": b["value"],
            "as of": b["as_of"],
            "evidence": b["evidence"],
            "source": [
                ", ".join(x for x in (s_, w) if isinstance(x, str) and x)
                for s_, w in zip(b["source"], b["where"], strict=True)
            ],
        }
    )
    inc = mon.incentives
    itab = pd.DataFrame(
        {
            "incentive": inc["name"],
            "rule": [
                f"all of {len(r)}" if rule == "all" else f"at least {k} of {len(r)}"
                for rule, k, r in zip(inc["rule"], inc["k"], inc["requires"], strict=True)
            ],
            "unlocked": inc["unlocked"].map(lambda v: "unlocked" if v else "locked"),
            "why": inc["why"],
            "triggers": inc["triggers"].map(lambda xs: ", ".join(xs)),
        }
    )
    tables = [
        table_of(btab, f"Benchmarks in {y}"),
        table_of(itab, f"Incentives in {y}"),
    ]
    figures = []
    ev_years = sorted(
        {int(o.date[:4]) for o in sc.observations} | {i.year for i in sc.indicators} | {y}
    )
    if len(ev_years) > 1:
        hist = benchmark_status(sc, years=ev_years)
        h = hist.benchmarks
        cells = {(r.benchmark, int(r.year)): status(r.met) for r in h.itertuples()}
        figures.append(
            bag.add(
                F.status_figure(
                    [bnames.get(bid, bid) for bid in bnames],
                    ev_years,
                    [[cells.get((bid, yy), "unknown") for yy in ev_years] for bid in bnames],
                    title="Benchmark status by year",
                ),
                "Status of each benchmark in each year with evidence (carried forward).",
            )
        )
    words = []
    unlocked = mon.unlocked(y)
    words.append(
        f"In {y}, {int((b['met'] == True).sum())} of {count(len(b), 'benchmark')} met"  # noqa: E712
        f" and {len(unlocked)} of {count(len(inc), 'incentive')} unlocked"
        + (f" ({', '.join(unlocked)})." if unlocked else ".")
    )
    eff = None
    if any(i.triggers for i in sc.incentives):
        try:
            fx = incentive_effects(sc, model=model)
        except CrossroadsError as e:
            words.append(f"Effects of the incentives could not be computed: {e}")
            fx = None
        if fx is not None and len(fx):
            inames = {i.id: i.name for i in sc.incentives}
            eff = pd.DataFrame(
                {
                    "if unlocked": fx["incentive"].map(lambda x: inames.get(x, x)),
                    "interventions": fx["interventions"].map(lambda xs: ", ".join(xs)),
                    "issue": fx["issue"],
                    f"{model} before": fx["before"],
                    "after": fx["after"],
                    "shift": fx["shift"],
                    "stakes moved": fx["moves"].map(lambda xs: "; ".join(xs)),
                }
            )
            tables.append(table_of(eff, f"What each incentive would change ({model} model)"))
    return {
        "available": True,
        "year": y,
        "words": " ".join(words),
        "figures": figures,
        "tables": tables,
    }


def system_sections(sc: Scenario, year: int | None, model: str) -> list[dict[str, Any]]:
    """The report's three system sections as plain data, each figure a Plotly dict.

    What the dashboard's system view shows: the relations network, dependence over
    time and the conditionality status, computed as in the report.

    Parameters
    ----------
    sc : Scenario
    year : int or None
        Year of the network and of the conditionality status.
    model : str
        Model of the incentives' effects.

    Returns
    -------
    list of dict
        One per section: ``title``, ``available``, ``reason`` (why not, or None),
        ``words``, ``figures`` (each ``caption`` and ``figure``) and ``tables``
        (each ``caption``, ``columns``, ``rows``, ``numeric``).
    """
    bag = FigureBag(keep=True)
    sections = [
        ("Relations network", network_section(sc, year, bag)),
        ("Dependence over time", dependence_section(sc, year, bag)),
        ("Conditionality", conditionality_section(sc, year, model, bag)),
    ]
    return [_section_data(title, s) for title, s in sections]


def _section_data(title: str, s: dict[str, Any]) -> dict[str, Any]:
    figures = [s["figure"]] if s.get("figure") else []
    figures += list(s.get("figures") or [])
    tables = [s.get(k) for k in ("by_leader", "overlaps", "joint") if s.get(k)]
    tables += list(s.get("tables") or [])
    return {
        "title": title,
        "available": bool(s.get("available")),
        "reason": s.get("reason"),
        "words": s.get("words") or s.get("note"),
        "figures": [{"caption": f["caption"], "figure": f["figure"]} for f in figures],
        "tables": [
            {"caption": t.caption, "columns": t.columns, "rows": t.rows, "numeric": t.numeric}
            for t in tables
        ],
    }


# --- issues ---------------------------------------------------------------------------------


def _scale_text(iss: Issue) -> str:
    labels = sorted(iss.scale.labels.items())
    text = "; ".join(f"{k:g} = {v}" for k, v in labels)
    return f"{iss.scale.min:g}-{iss.scale.max:g}" + (f" ({text})" if text else "")


def _stakes_table(sc: Scenario, iss: Issue) -> list[dict[str, Any]]:
    names = {a.id: a.name for a in sc.actors}
    w = np.array([s.capability * s.salience for s in iss.stakes], dtype=float)
    share = 100 * w / w.sum() if w.sum() > 0 else np.zeros_like(w)
    rows = []
    for s, sh in zip(iss.stakes, share, strict=True):
        unc = ""
        uncertainty = getattr(s, "uncertainty", None)
        if uncertainty:
            unc = "; ".join(
                f"{k}: " + ", ".join(f"{a} {b}" for a, b in u.model_dump(exclude_none=True).items())
                for k, u in uncertainty.items()
            )
        spatial = hasattr(s, "positions")
        rows.append(
            {
                "actor": names.get(s.actor, s.actor),
                "capability": s.capability,
                "position": ", ".join(f"{v:g}" for v in s.positions) if spatial else s.position,
                "salience": ", ".join(f"{v:g}" for v in s.saliences) if spatial else s.salience,
                "weight": sh,
                "uncertainty": unc,
                "cite": _cite(s.source, s.where),
                "note": s.note or "",
            }
        )
    return rows


def _issue_interventions(sc: Scenario, iss: Issue) -> list[Any]:
    return [iv for iv in sc.interventions if any(e.issue == iss.id for e in iv.edits)]


def _try(fn: Callable[[], Any]) -> tuple[Any, str | None]:
    try:
        return fn(), None
    except CrossroadsError as e:
        return None, str(e)


def _issue(sc: Scenario, iss: Issue, opts: ReportOptions, bag: FigureBag) -> dict[str, Any]:
    models = opts.resolved_models()
    focus = opts.resolved_focus()
    scale = (float(iss.scale.min), float(iss.scale.max))
    labels = dict(iss.scale.labels)
    observed = iss.observed.value if iss.observed is not None else None
    out: dict[str, Any] = {
        "id": iss.id,
        "title": iss.title,
        "question": iss.question,
        "scale": _scale_text(iss),
        "scale_range": f"{iss.scale.min:g}-{iss.scale.max:g}",
        "scale_labels": [(f"{k:g}", v) for k, v in sorted(iss.scale.labels.items())],
        "status_quo": iss.status_quo,
        "decided_by": iss.decided_by,
        "rationale": iss.rationale,
        "cite": _cite(iss.source, iss.where),
        "note": iss.note,
        "observed": None
        if iss.observed is None
        else {
            "value": iss.observed.value,
            "date": iss.observed.date,
            "cite": _cite(iss.observed.source, iss.observed.where),
            "note": iss.observed.note,
        },
        "stakes": _stakes_table(sc, iss),
    }
    arr = sc.arrays(iss.id)
    spatial = bool(iss.dimensions)
    out["spatial"] = spatial
    if spatial:
        dims = [d.title for d in iss.dimensions or []]
        out["dimensions"] = ", ".join(dims)
        out["stakes_figure"] = bag.add(
            F.spatial_stakes_figure(
                arr.names,
                arr.position,
                arr.salience,
                arr.capability,
                dims,
                title=f"Stakes: {iss.title}",
            ),
            "Each actor's position on every dimension; marker area grows with capability.",
        )
    else:
        out["stakes_figure"] = bag.add(
            F.stakes_figure(
                arr.names,
                arr.position,
                arr.salience,
                arr.capability,
                scale,
                labels,
                iss.status_quo,
                observed,
                title=f"Stakes: {iss.title}",
            ),
            "Each actor's position; marker area grows with capability, colour with salience.",
        )

    # point forecasts of every model
    fcs: dict[str, Forecast] = {}
    cis: dict[str, CalibratedInterval] = {}  # the calibrated 90% interval of each forecast
    rows = []
    for m in models:
        f, err = _try(lambda m=m: forecast(sc, iss.id, m, preset=opts.presets.get(m)))
        if f is not None:
            fcs[m] = f
        outcome = None
        ci = None
        if f is not None:
            outcome = float(f.outcome) if np.ndim(f.outcome) == 0 else [float(v) for v in f.outcome]
            ci = builtin_interval(
                m, f.outcome, scale, level=0.9, preset=opts.presets.get(m), params=f.params
            )
            cis[m] = ci
        rows.append(
            {
                "model": m,
                "preset": opts.presets.get(m) or "",
                "forecast": outcome,
                "calibrated": "" if ci is None else ci.text(),
                "calibrated_note": "" if ci is None else (ci.reason or ""),
                "rounds": None if f is None else f.rounds,
                "error": None if f is None else f.error,
                "problem": err or "",
            }
        )
    out["forecasts"] = rows
    out["calibrated_label"] = CALIBRATED_LABEL
    calibrated = {m: (float(fcs[m].outcome), *ends) for m, ci in cis.items() if (ends := _ends(ci))}
    if fcs and spatial:
        out["trajectory_figure"] = bag.add(
            F.spatial_trajectory_figure(
                list(fcs.values()),
                [d.title for d in iss.dimensions or []],
                title=f"Forecast by round: {iss.title}",
            ),
            "Each model's forecast on every dimension after each round; round 0 is the inputs.",
        )
        out["positions_figures"] = []
    elif fcs:
        out["trajectory_figure"] = bag.add(
            F.trajectory_figure(
                list(fcs.values()),
                scale,
                labels,
                iss.status_quo,
                observed,
                title=f"Forecast by round: {iss.title}",
            ),
            "Each model's forecast after each bargaining round; round 0 is the inputs.",
        )
        out["positions_figures"] = [
            bag.add(
                F.positions_figure(f, scale, labels, title=f"{m}: each actor's position by round"),
                f"How each actor moves in the {m} model's bargaining rounds.",
            )
            for m, f in fcs.items()
            if f.rounds >= 1
        ]

    # ensembles
    out["ensemble"] = _ensembles(
        sc, iss, models, opts, bag, scale, labels, observed, calibrated=calibrated
    )
    # sensitivity
    out["sensitivity"] = _sensitivity(sc, iss, focus, opts, bag)
    # interventions
    if spatial:
        out["interventions"] = {
            "available": False,
            "reason": "What-ifs are compared on one-dimensional issues only in this version",
        }
    else:
        out["interventions"] = _interventions(sc, iss, models, focus, opts, bag, scale, labels, fcs)
    return out


def _ends(ci: CalibratedInterval) -> tuple[float, float] | None:
    """A calibrated interval's (lower, upper), or None when there is none."""
    return None if ci.lo is None or ci.hi is None else (ci.lo, ci.hi)


def _ensembles(
    sc, iss, models, opts, bag, scale, labels, observed, calibrated=None
) -> dict[str, Any]:
    """Each model's ensemble (input noise only), with its calibrated interval beside it.

    ``calibrated`` maps a model to (point forecast, lower, upper) of its calibrated 90%
    interval (:func:`crossroads.evaluation.calibrated_display.builtin_interval`).
    """
    from crossroads.uncertainty import ensemble

    calibrated = calibrated or {}

    if opts.runs <= 0:
        return {"available": False, "reason": "not computed (ensemble runs set to 0)"}
    results, rows, problems = [], [], []
    for m in models:
        r, err = _try(
            lambda m=m: ensemble(
                sc,
                iss.id,
                m,
                runs=opts.runs,
                seed=opts.seed,
                preset=opts.presets.get(m),
                keep_runs=True,
            )
        )
        if r is None:
            problems.append(f"{m}: {err}")
            continue
        results.append(r)
        d = r.distribution
        row = {
            "model": m,
            "runs": r.runs,
            "mean": d.mean,
            "± MCSE": d.mcse,
            "5%": d.quantiles.get(0.05),
            "25%": d.quantiles.get(0.25),
            "median": d.median,
            "75%": d.quantiles.get(0.75),
            "95%": d.quantiles.get(0.95),
            "calibrated 90%": "–".join(f"{v:.3g}" for v in calibrated[m][1:])
            if m in calibrated
            else "no calibration",
        }
        if d.observed_percentile is not None:
            row["observed at percentile"] = 100 * d.observed_percentile
        rows.append(row)
    if not results:
        reasons = {p.split(": ", 1)[1] for p in problems}
        # every model refused for the same reason: say it once
        return {
            "available": False,
            "reason": reasons.pop() if len(reasons) == 1 else "; ".join(problems),
        }
    bands = []
    for r in results:
        for b in r.distribution.bands:
            bands.append(
                {
                    "model": r.model,
                    "band": f"{b.low:g}-{b.high:g}: {b.name}",
                    "P (%)": 100 * b.probability,
                    "± MCSE": 100 * b.mcse,
                }
            )
    band_df = pd.DataFrame(bands)
    if len(band_df):
        band_df = band_df.pivot_table(index="band", columns="model", values="P (%)", sort=False)
        band_df = band_df.reset_index()
    return {
        "available": True,
        "runs": opts.runs,
        "seed": opts.seed,
        "figure": bag.add(
            F.ensemble_figure(
                results,
                scale,
                labels,
                observed,
                title=f"Forecast under uncertain inputs: {iss.title}",
                calibrated={m: v for m, v in calibrated.items() if m in {r.model for r in results}},
            ),
            f"{opts.runs:,} runs per model, seed {opts.seed}; the diamond marks the median, "
            "the solid whisker the 5-95% range of the runs: input noise only (the guessed "
            "uncertainty of the stakes, not calibrated on outcomes). The dotted line with an "
            f"open circle is the 90% interval {CALIBRATED_LABEL}: the spread of the point "
            "forecast's errors on 180 decided DEU III issues.",
        ),
        "table": table_of(
            pd.DataFrame(rows),
            "Distribution of the final forecast: 5%-95% are input noise only; 'calibrated "
            "90%' is the point forecast's interval calibrated on DEU III residuals (split "
            "conformal), not input noise",
        ),
        "bands": table_of(band_df, "Probability of each labelled band of the scale, %")
        if len(band_df)
        else None,
        "problems": problems,
    }


def _sensitivity(sc, iss, model, opts, bag) -> dict[str, Any]:
    from crossroads.uncertainty import sensitivity

    if opts.sensitivity is None:
        return {"available": False, "reason": "not computed (no sensitivity method chosen)"}
    res, err = _try(
        lambda: sensitivity(
            sc,
            iss.id,
            model,
            method=opts.sensitivity,
            seed=opts.seed,
            preset=opts.presets.get(model),
        )
    )
    if res is None:
        return {"available": False, "reason": err}
    t = res.table
    figures = []
    if res.method == "oat":
        rows = [
            {"label": r.input, "low": r.forecast_low, "high": r.forecast_high}
            for r in t.itertuples()
        ]
        figures.append(
            bag.add(
                F.tornado_figure(
                    rows,
                    res.point,
                    title=f"Tornado ({model}): {iss.title}",
                    x_title="Forecast, scale points",
                ),
                "Each input alone at the 5% and the 95% quantile of its distribution, the "
                "others at their stake values; the largest swings first (15 shown).",
            )
        )
        shown = t[
            ["input", "distribution", "low", "high", "forecast_low", "forecast_high", "swing"]
        ].head(10)
    else:
        figures.append(
            bag.add(
                F.sobol_figure(t, title=f"Sobol indices ({model}): {iss.title}"),
                f"First-order (alone) and total (with interactions) Sobol indices with 95% "
                f"confidence intervals; {res.model_runs:,} model runs.",
            )
        )
        shown = t[["input", "distribution", "S1", "S1_conf", "ST", "ST_conf"]].head(10)
    return {
        "available": True,
        "method": res.method,
        "model": model,
        "words": res.summary_text(),
        "figures": figures,
        "tables": [table_of(shown, "The ten most important inputs")],
    }


def _interventions(sc, iss, models, focus, opts, bag, scale, labels, fcs) -> dict[str, Any]:
    from crossroads.uncertainty import compare

    ivs = _issue_interventions(sc, iss)
    if not ivs:
        return {"available": False, "reason": "No intervention of this scenario edits this issue"}
    ivname = {iv.id: iv.name for iv in ivs}
    variants: list[tuple[str, list[str]]] = [("baseline", [])]
    variants += [(iv.name, [iv.id]) for iv in ivs]
    if len(ivs) > 1:
        variants.append(("all combined", [iv.id for iv in ivs]))
    # the focus model with uncertainty, on common random numbers
    cmp_res, cmp_note = None, None
    if opts.runs <= 0:
        cmp_note = "Uncertainty of the shifts not computed (ensemble runs set to 0)."
    elif focus in fcs:
        cmp_res, err = _try(
            lambda: compare(
                sc,
                iss.id,
                focus,
                [iv.id for iv in ivs],
                runs=opts.runs,
                seed=opts.seed,
                preset=opts.presets.get(focus),
            )
        )
        if cmp_res is None:
            cmp_note = f"Comparison with uncertainty failed: {err}"
    by_arm: dict[tuple[str, ...], Any] = {}
    if cmp_res is not None:
        for v in cmp_res.variants:
            by_arm[tuple(v.interventions)] = v
    rows, table_rows = [], []
    for name, ids in variants:
        row: dict[str, Any] = {"what-if": name}
        for m in models:
            if m not in fcs:
                continue
            f, err = _try(
                lambda m=m, ids=ids: (
                    fcs[m]
                    if not ids
                    else forecast(sc, iss.id, m, preset=opts.presets.get(m), interventions=ids)
                )
            )
            if f is None:
                row[m] = None
                continue
            item = {"variant": name, "model": m, "forecast": float(f.outcome)}
            v = by_arm.get(tuple(ids)) if m == focus else None
            if v is not None:
                item["low"] = v.distribution.quantiles[0.05]
                item["high"] = v.distribution.quantiles[0.95]
            rows.append(item)
            row[m] = float(f.outcome)
            if ids:
                row[f"{m} shift"] = float(f.outcome) - float(fcs[m].outcome)
        table_rows.append(row)
    compare_table = None
    if cmp_res is not None:
        crow = []
        for v in cmp_res.variants[1:]:
            s = v.shift
            crow.append(
                {
                    "what-if": " + ".join(ivname.get(i, i) for i in v.interventions)
                    if len(v.interventions) == 1
                    else "all combined",
                    "mean shift": s.mean,
                    "± 95% MC": 1.959963984540054 * s.mcse,
                    "5%": s.quantiles[0.05],
                    "median": s.median,
                    "95%": s.quantiles[0.95],
                    "P(up) %": 100 * s.above,
                    "P(down) %": 100 * s.below,
                }
            )
        compare_table = table_of(
            pd.DataFrame(crow),
            f"Shift of the {focus} forecast from the baseline over {cmp_res.runs:,} runs "
            f"(common random numbers, seed {cmp_res.seed})",
        )
        cmp_note = "; ".join(v.describe() for v in cmp_res.variants[1:]) + "."
    whisker = (
        f" The whiskers on {focus} are the 5-95% range over {opts.runs:,} runs."
        if cmp_res is not None
        else ""
    )
    return {
        "available": True,
        "list": [
            {
                "id": iv.id,
                "name": iv.name,
                "description": iv.description,
                "cite": _cite(iv.source, iv.where),
                "edits": [_edit_text(sc, e) for e in iv.edits if e.issue == iss.id],
            }
            for iv in ivs
        ],
        "figure": bag.add(
            F.interventions_figure(rows, scale, labels, title=f"What-ifs compared: {iss.title}"),
            "Point forecast of each model under each what-if (and all combined)." + whisker,
        ),
        "table": table_of(pd.DataFrame(table_rows), "Forecast under each what-if, and its shift"),
        "compare": compare_table,
        "compare_note": cmp_note,
    }


def _edit_text(sc: Scenario, e: Any) -> str:
    names = {a.id: a.name for a in sc.actors}
    who = names.get(e.actor, e.actor)
    if e.remove:
        return f"{who}: removed"
    parts = []
    for k, v in (e.set or {}).items():
        parts.append(f"{k} set to {v:g}")
    for k, v in (e.shift or {}).items():
        parts.append(f"{k} {v:+g}")
    for k, v in (e.add or {}).items():
        parts.append(f"added with {k} {v:g}")
    return f"{who}: " + ", ".join(parts)


# --- the whole report ------------------------------------------------------------------------


def _errors_figure(table: pd.DataFrame | None, models: list[str], bag: FigureBag) -> Any:
    """Forecast against outcome, over the issues with a one-dimensional forecast and outcome."""
    if table is None:
        return None
    cols = [m for m in models if m in table]
    scalar = table["observed"].notna()
    for m in cols:
        scalar &= table[m].map(lambda v: v is None or isinstance(v, float))
    t = table[scalar]
    if not len(t):
        return None
    t = t.assign(**{m: pd.to_numeric(t[m]) for m in cols})
    return bag.add(F.errors_figure(t, cols), "Final forecast of each model against the outcome.")


def build_context(sc: Scenario, opts: ReportOptions) -> dict[str, Any]:
    """Everything the report template needs, as plain data."""
    from crossroads import __version__

    bag = FigureBag()
    year = opts.year if opts.year is not None else sc.year
    summary = scenario_summary(sc)
    if opts.models is None and any(i.dimensions for i in sc.issues) and "smp" in model_names():
        # multi-dimensional issues: the spatial model is the one that forecasts them
        opts = dataclasses.replace(opts, models=[*opts.resolved_models(), "smp"])
    models = opts.resolved_models()
    issues = [_issue(sc, iss, opts, bag) for iss in sc.issues]
    table, scores = (None, None)
    one_d = [i for i in issues if any(r["forecast"] is not None for r in i["forecasts"])]
    if one_d:
        rows = []
        for i in issues:
            row: dict[str, Any] = {"issue": i["id"], "status quo": i["status_quo"]}
            for r in i["forecasts"]:
                row[r["model"]] = r["forecast"]
                row[f"{r['model']} 90%"] = (
                    r["calibrated"] if isinstance(r["forecast"], float) else ""
                )
            row["observed"] = i["observed"]["value"] if i["observed"] else None
            rows.append(row)
        table = pd.DataFrame(rows)
        errs = {
            m: [
                abs(r["forecast"] - i["observed"]["value"])
                for i in issues
                for r in i["forecasts"]
                if r["model"] == m and isinstance(r["forecast"], float) and i["observed"]
            ]
            for m in models
        }
        scored = [m for m in models if errs[m]]
        if scored:
            scores = pd.DataFrame(
                [
                    {
                        "model": m,
                        "issues scored": len(errs[m]),
                        "mean abs. error": float(np.mean(errs[m])),
                        "median abs. error": float(np.median(errs[m])),
                    }
                    for m in scored
                ]
            )
    by_source, uncited = citations(sc)
    unavailable = []
    network = network_section(sc, year, bag)
    dependence = dependence_section(sc, year, bag)
    # the incentives' effects under the command line's default model, as `crossroads
    # benchmarks` computes them, whichever models the report runs (the table names it)
    conditionality = conditionality_section(sc, year, DEFAULT_MODEL, bag)
    for name, sec in (
        ("relations network", network),
        ("dependence over time", dependence),
        ("conditionality status", conditionality),
    ):
        if not sec["available"]:
            unavailable.append((name, sec["reason"]))
    for i in issues:
        for key, label in (
            ("ensemble", "ensemble distribution"),
            ("sensitivity", "sensitivity tornado"),
        ):
            if not i[key]["available"]:
                unavailable.append((f"{i['id']}: {label}", i[key]["reason"]))
    from crossroads.report.linked_section import aims_section, linked_section

    aim_runs = min(opts.runs, 1024) if opts.runs > 0 else 1024
    linked = linked_section(sc, table, bag, runs=aim_runs, seed=opts.seed)
    if linked is not None and not linked["available"]:
        unavailable.append(("linked issues", linked["reason"]))
    from crossroads.aims import aim_models, answer_aims
    from crossroads.report.brief_section import brief_section

    # planned once: the brief names the cheapest package, the aims section shows them all
    answers = (
        answer_aims(sc, aim_models(sc, models), runs=aim_runs, seed=opts.seed) if sc.aims else []
    )
    aims = aims_section(sc, models, bag, runs=aim_runs, seed=opts.seed, answers=answers)
    brief = brief_section(
        sc, models, opts.resolved_focus(), runs=opts.runs, seed=opts.seed, aims=answers
    )
    if not brief["available"]:
        unavailable.append(("brief", brief["reason"]))
    ctx = {
        "scenario": sc,
        "version": __version__,
        "generated": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "year": year,
        "options": opts,
        "models": models,
        "focus_model": opts.resolved_focus(),
        "headline": summary["headline"],
        "memberships": table_of(summary["memberships"], "Organisations of the focus state")
        if len(summary["memberships"])
        else None,
        "agreements": table_of(summary["agreements"], "Agreements of the focus state")
        if len(summary["agreements"])
        else None,
        "key_figures": table_of(summary["dependence"], "Key dependence figures")
        if len(summary["dependence"])
        else None,
        "network": network,
        "dependence": dependence,
        "conditionality": conditionality,
        "linked": linked,
        "aims": aims,
        "brief": brief,
        "issues": issues,
        "forecast_table": table_of(
            table,
            "Every issue, every model (final forecast); 'MODEL 90%': the interval "
            f"{CALIBRATED_LABEL} (the point forecast's errors on 180 decided DEU III issues); "
            "the ensembles of each issue below show the spread under input noise only",
        )
        if table is not None
        else None,
        "scores": table_of(scores, "Error against observed outcomes (scale points)")
        if scores is not None
        else None,
        "errors_figure": _errors_figure(table, models, bag),
        "sources": [{"source": s, "facts": by_source.get(s.id, [])} for s in sc.sources],
        "uncited": uncited,
        "figures": bag.items,
        "unavailable": unavailable,
    }
    return ctx
