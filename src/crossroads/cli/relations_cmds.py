"""Commands for relations, dependence, imports, claims and conditionality.

relations, dependence, import, check, benchmarks: each parses its options, calls
the Python API (:mod:`crossroads.network`, :mod:`crossroads.importers`,
:mod:`crossroads.claims`, :mod:`crossroads.conditionality`) and prints Rich
tables, or JSON with ``--json``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crossroads.cli.application import app, console, print_json
from crossroads.cli.tables import df_table, fmt
from crossroads.errors import CrossroadsError
from crossroads.scenario import DEFAULT_SCENARIO

if TYPE_CHECKING:  # the library is imported inside each command, so --help stays fast
    import pandas as pd

__all__ = ["parse_years"]

ScenarioArg = Annotated[str, typer.Argument(help="A built-in scenario name or a scenario file.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
YearOpt = Annotated[int | None, typer.Option("--year", help="The year (default: the scenario's).")]
ActorOpt = Annotated[
    str | None,
    typer.Option("--actor", help="Whose relations/data (default: the scenario's focus)."),
]


def parse_years(text: str) -> range:
    """``"2008-2012"`` -> ``range(2008, 2013)``; one year ``"2010"`` also works."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not m:
        raise CrossroadsError(f"--years must look like 2008-2012, got {text!r}")
    a = int(m.group(1))
    b = int(m.group(2) or a)
    if b < a:
        raise CrossroadsError(f"--years {text}: the second year is before the first")
    if b - a > 200:
        raise CrossroadsError(f"--years {text}: at most 200 years")
    return range(a, b + 1)


def _names(sc) -> dict[str, str]:
    return {a.id: a.name for a in sc.actors}


# --- relations ------------------------------------------------------------------------------
@app.command("relations")
def relations_cmd(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    year: YearOpt = None,
    actor: ActorOpt = None,
    both: Annotated[
        str | None,
        typer.Option(help="Two organisations, e.g. sco,csto: who is a full member of both."),
    ] = None,
    limit: Annotated[int, typer.Option(help="Rows shown in the longer tables.")] = 15,
    as_json: JsonOpt = False,
) -> None:
    """Memberships in a year, overlapping organisations, joint memberships, the timeline.

    Example: crossroads relations kazakhstan-2010 --year 2010 --both sco,csto
    """
    import pandas as pd

    from crossroads.network import relations
    from crossroads.scenario import load

    sc = load(scenario)
    r = relations(sc, year, actor)
    pair = None
    if both is not None:
        pair = [x.strip() for x in both.split(",")]
        ids = {a.id for a in sc.actors}
        if len(pair) != 2 or not all(pair):
            raise CrossroadsError(f"--both needs two organisation ids, e.g. sco,csto; got {both!r}")
        for o in pair:
            if o not in ids:
                raise CrossroadsError(f"--both: no actor '{o}' in scenario '{sc.id}'")
    if as_json:
        out = r.to_dict()
        if pair is not None:
            out["both"] = {"organisations": pair, "members": r.shared(*pair)}
        print_json(out)
        return
    names = r.names
    when = f"in {r.year}" if r.year is not None else "(all years)"
    if pair is not None:
        members = r.shared(*pair)
        console.print(
            f"Full members of both {names[pair[0]]} and {names[pair[1]]} {when}: "
            + (", ".join(names.get(a, a) for a in members) or "none"),
            markup=False,
        )
    ms = r.memberships
    rows = []
    for a, g in ms.groupby("actor", sort=False):
        full = sorted({names.get(o, o) for o in g[g.full].organisation})
        other = sorted(
            {
                f"{names.get(o, o)} ({role})"
                for o, role in zip(g[~g.full].organisation, g[~g.full].role, strict=True)
            }
        )
        rows.append(
            {
                "actor": names.get(a, a),
                "member of": ", ".join(full),
                "n": len(full),
                "other ties": ", ".join(other),
            }
        )
    df = (
        pd.DataFrame(rows).sort_values("n", ascending=False, kind="stable")
        if rows
        else pd.DataFrame(columns=["actor", "member of", "n", "other ties"])
    )
    console.print(df_table(df, title=f"{sc.title}\nMemberships {when}"))
    if r.focus is not None:
        bl = r.by_leader.assign(
            organisations=lambda d: d.organisations.map(
                lambda x: ", ".join(names.get(o, o) for o in x)
            ),
            camp=lambda d: d.camp.map(
                lambda c: names.get(c, c) if c != "none" else "no single leader"
            ),
        ).drop(columns="leader")
        console.print(
            df_table(
                bl,
                title=f"{names.get(r.focus, r.focus)}'s organisations by "
                f"the power that leads them (led_by, grouped by part_of) {when}",
            )
        )
    ov = r.overlaps
    if r.focus is not None:
        mine = set(ms[(ms.actor == r.focus) & ms.full].organisation)
        ov = ov[ov.organisation_a.isin(mine) & ov.organisation_b.isin(mine)]
    shown = ov.head(limit).assign(
        organisations=lambda d: [
            f"{names.get(a, a)} & {names.get(b, b)}"
            for a, b in zip(d.organisation_a, d.organisation_b, strict=True)
        ],
        members=lambda d: d.common.map(lambda x: ", ".join(names.get(a, a) for a in x)),
    )[["organisations", "n", "members"]]
    scope = f" among {names.get(r.focus, r.focus)}'s organisations" if r.focus else ""
    console.print(
        df_table(
            shown,
            title=f"Overlapping memberships{scope} {when} "
            f"({len(ov)} pairs{', first ' + str(limit) if len(ov) > limit else ''})",
        )
    )
    jt = r.joint.head(limit).assign(
        pair=lambda d: [
            f"{names.get(a, a)} & {names.get(b, b)}"
            for a, b in zip(d.actor_a, d.actor_b, strict=True)
        ],
        organisations=lambda d: d.organisations.map(
            lambda x: ", ".join(names.get(o, o) for o in x)
        ),
    )[["pair", "n", "organisations"]]
    console.print(
        df_table(
            jt,
            title=f"Joint memberships {when} ({len(r.joint)} pairs"
            f"{', first ' + str(limit) if len(r.joint) > limit else ''})",
        )
    )
    tl = r.timeline.assign(
        actors=lambda d: d.actors.map(lambda x: ", ".join(names.get(a, a) for a in x))
    )
    shown_tl = tl.tail(limit)
    console.print(
        df_table(
            shown_tl[["date", "what", "title", "actors", "source"]],
            title="Timeline of events and agreements"
            + (f" up to {r.year}" if r.year is not None else "")
            + (f" (the last {limit} of {len(tl)}; --json for all)" if len(tl) > limit else ""),
        )
    )


# --- dependence -----------------------------------------------------------------------------
@app.command("dependence")
def dependence_cmd(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    year: YearOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Partner shares of exports, imports and trade, HHI, asymmetry and fuel's share, per year.

    Without --year, one line per year; with --year, every partner and denominator.

    Example: crossroads dependence kazakhstan-2010 --year 2009
    """
    from crossroads.network import dependence
    from crossroads.network.trade_dependence import MEASURES
    from crossroads.scenario import load

    sc = load(scenario)
    d = dependence(sc, actor, year)
    if as_json:
        print_json(d.to_dict())
        return
    who = d.names.get(d.actor, d.actor)
    if year is None:
        s = d.summary()
        if s.empty:
            console.print(f"no trade figures for {who} in scenario '{sc.id}'", markup=False)
            return
        console.print(
            df_table(
                s,
                title=f"{who}: largest partners per year (blocs replace "
                "their members; basis = denominator)",
                digits=3,
            )
        )
        console.print(
            "Add --year Y for every partner, denominator, concentration and asymmetry figure.",
            markup=False,
        )
        return
    if d.shares.empty and d.fuel.empty:
        console.print(f"no trade figures for {who} in {year}", markup=False)
        return
    sh = d.shares
    for measure in MEASURES:
        sm = sh[sh.measure == measure]
        if sm.empty:
            continue
        tab = _share_table(sm, d.names)
        console.print(
            df_table(
                tab,
                title=f"{who}, {year}: partners' shares of {measure} (%), by denominator",
                digits=1,
            )
        )
    dens = sh[sh.basis != "stated"].drop_duplicates(["measure", "basis", "denominator"])
    if not dens.empty:
        console.print(df_table(dens[["measure", "basis", "denominator"]], title="Denominators"))
    if not d.concentration.empty:
        c = d.concentration.assign(
            excluded=lambda x: x.excluded.map(lambda e: ", ".join(d.names.get(a, a) for a in e))
        )
        console.print(
            df_table(
                c[
                    [
                        "measure",
                        "basis",
                        "source",
                        "partners",
                        "hhi",
                        "hhi_upper",
                        "coverage",
                        "excluded",
                    ]
                ],
                title=f"Partner concentration (HHI, 0-1) in {year}; over recorded "
                "partners hhi is a lower bound and hhi_upper an upper one",
                digits=3,
            )
        )
    if not d.asymmetry.empty:
        console.print(
            df_table(
                d.asymmetry,
                title=f"Asymmetry of dependence in {year} (Barbieri 1996 for total trade)",
                digits=3,
            )
        )
    else:
        console.print(
            f"Asymmetry: no partner's own share of trade with {who} is recorded for {year}.",
            markup=False,
        )
    if not d.fuel.empty:
        f = d.fuel.assign(**{"share %": d.fuel.share * 100})
        console.print(
            df_table(
                f[["what", "share %", "source", "where"]],
                title=f"Fuel's share of {who}'s exports in {year}",
                digits=1,
            )
        )


def _share_table(sm: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Partners as rows, one share column per basis (stated shares name their source)."""
    sm = sm.assign(
        col=[
            ("stated (" + (s or "?") + ")") if b == "stated" else b
            for b, s in zip(sm.basis, sm.source, strict=True)
        ]
    )
    tab = sm.pivot_table(index="partner", columns="col", values="share", aggfunc="first") * 100
    order = [c for c in ("national total", "sum of partners") if c in tab.columns]
    order += [c for c in tab.columns if c not in order]
    tab = tab[order]
    val = sm.dropna(subset=["value"]).drop_duplicates("partner").set_index("partner").value
    tab.insert(0, "value (USD m)", val.reindex(tab.index))
    tab = tab.sort_values(order[0], ascending=False)
    tab.index = [names.get(p, p) for p in tab.index]
    tab.index.name = "partner"
    return tab.reset_index()


# --- import ---------------------------------------------------------------------------------
@app.command("import")
def import_cmd(
    kind: Annotated[
        str, typer.Argument(help="cow-trade, cow-igo, freedom-house, vdem, atop, wdi.")
    ],
    file: Annotated[str, typer.Argument(help="The dataset file (CSV).")],
    into: Annotated[str, typer.Option("--into", help="Scenario to add the facts to.")] = (
        DEFAULT_SCENARIO
    ),
    output: Annotated[str, typer.Option("-o", "--output", help="Scenario YAML to write.")] = "",
    actor: ActorOpt = None,
    version: Annotated[
        str | None, typer.Option(help="Dataset version, when the file name does not give it.")
    ] = None,
    eu_composition: Annotated[
        str,
        typer.Option(
            help="EU aggregate from its members: per-year (members at the end of each year) or "
            "eu27-2007."
        ),
    ] = "per-year",
    smoothed: Annotated[bool, typer.Option(help="COW trade: the smoothed flows.")] = False,
    known_only: Annotated[
        bool, typer.Option(help="COW IGO: only organisations the scenario already has.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add facts from an independent dataset to a scenario and write it as YAML.

    The output is written atomically and re-read before it replaces OUT.

    Example: crossroads import cow-trade cow_trade_v4_kazakhstan_dyads.csv
    --into kazakhstan-2010 -o kz-trade.yaml
    """
    from crossroads.importers import import_file, write_scenario
    from crossroads.importers.codes import EU_COMPOSITIONS
    from crossroads.scenario import load

    if not output:
        raise CrossroadsError("name the scenario file to write with -o OUT.yaml")
    if not output.endswith((".yaml", ".yml")):
        raise CrossroadsError(f"-o {output}: the output is a scenario YAML file (.yaml)")
    if eu_composition not in EU_COMPOSITIONS:
        raise CrossroadsError(f"--eu-composition must be one of {', '.join(EU_COMPOSITIONS)}")
    sc = load(into)
    res = import_file(
        sc,
        kind,
        file,
        actor=actor,
        version=version,
        eu_composition=eu_composition,
        smoothed=smoothed,
        known_only=known_only,
    )
    header = (
        f"Scenario '{sc.id}' with {res.facts.source['title']} "
        f"(version {res.facts.source['version']}) imported from {Path(file).name}\n"
        "by `crossroads import`; the facts it added cite source "
        f"'{res.facts.source['id']}'."
    )
    out = write_scenario(res.scenario, Path(output), header=header)
    if as_json:
        print_json(
            {
                "output": str(out),
                "source": res.facts.source,
                "added": res.facts.counts(),
                "notes": res.facts.notes,
            }
        )
        return
    console.print(f"wrote {out}: {res.summary()}", markup=False)


# --- check ----------------------------------------------------------------------------------
@app.command("check")
def check_cmd(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    against: Annotated[
        list[str],
        typer.Option(
            "--against", help="A dataset file (kind from its header, or KIND:FILE); repeatable."
        ),
    ] = [],  # noqa: B006 (typer needs a list default)
    tolerance: Annotated[
        float, typer.Option(help="Relative tolerance: flag when |scenario - data| > T x |data|.")
    ] = 0.05,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put every scenario figure the data also measure next to the data's value.

    Example: crossroads check kazakhstan-2010 --against cow_trade_v4_kazakhstan_dyads.csv
    --against cow_trade_v4_kazakhstan_partner_summary.csv
    """
    from crossroads.claims import check_claims
    from crossroads.scenario import load

    sc = load(scenario)
    chk = check_claims(sc, against, tolerance, actor=actor)
    if as_json:
        print_json(chk.to_dict())
        return
    rows = chk.rows.copy()
    if rows.empty:
        console.print(f"nothing to compare: {'; '.join(chk.notes)}", markup=False)
        return
    rows["flag"] = rows.flagged.map(lambda f: "FLAG" if f else "")
    rows["scenario"] = [
        ("~" if a else "") + fmt(v, 2) + ("%" if u == "%" else "")
        for v, u, a in zip(rows.claim, rows.unit, rows.approximate, strict=True)
    ]
    rows["data "] = [
        fmt(v, 2) + ("%" if u == "%" else "") for v, u in zip(rows.data, rows.unit, strict=True)
    ]
    rows["diff"] = [
        fmt(v, 2) + (" pp" if u == "%" else "")
        for v, u in zip(rows.difference, rows.unit, strict=True)
    ]
    rows["unit"] = rows.unit.map(lambda u: "" if u == "%" else u)
    rows["over"] = [
        (f"{b} {_total(d)}" if b in ("national total", "sum of partners") else (b or ""))
        for b, d in zip(rows.basis, rows.denominator, strict=True)
    ]
    rows.insert(0, "#", range(1, len(rows) + 1))
    console.print(
        df_table(
            rows[
                [
                    "#",
                    "quantity",
                    "year",
                    "scenario",
                    "data ",
                    "unit",
                    "diff",
                    "flag",
                    "over",
                    "dataset",
                ]
            ],
            title=f"{sc.title}\nScenario figures against the data (tolerance {tolerance:g} "
            "relative; shares in %, differences in percentage points; ~ approximate claim; "
            "over = the data's denominator, USD million)",
        )
    )
    console.print(
        f"{len(rows)} compared, {int(chk.rows.flagged.sum())} beyond the tolerance.",
        markup=False,
    )
    for r in rows.itertuples():
        note = r.note if isinstance(r.note, str) else None
        where = r.claim_where if isinstance(r.claim_where, str) else None
        if note:
            cite = f" (claim: {r.claim_source}, {where})" if where else ""
            console.print(f"[{r[1]}] {note}{cite}", markup=False)
    for n in chk.notes:
        console.print(f"note: {n}", markup=False)


def _total(denominator: str) -> str:
    """The number in a denominator text ("national total 43,205.1 USD million (...)")."""
    m = re.search(r"total ([\d,.]+) USD|partners ([\d,.]+) USD", denominator or "")
    return (m.group(1) or m.group(2)) if m else ""


# --- benchmarks -----------------------------------------------------------------------------
@app.command("benchmarks")
def benchmarks_cmd(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    year: YearOpt = None,
    years: Annotated[
        str | None, typer.Option(help="A range of years, e.g. 2008-2012 (history).")
    ] = None,
    assume_met: Annotated[
        list[str],
        typer.Option("--assume-met", help="Treat this benchmark as met (what-if); repeatable."),
    ] = [],  # noqa: B006
    model: Annotated[str, typer.Option(help="Model for the incentives' effects.")] = "mean",
    preset: Annotated[str | None, typer.Option(help="Model preset.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Each benchmark's status and evidence, each incentive locked or unlocked and why,
    and what unlocking it would change in the forecasts.

    Example: crossroads benchmarks kazakhstan-2010 --years 2008-2012
    """
    from crossroads.conditionality import (
        benchmark_status,
        conditional_forecast,
        incentive_effects,
    )
    from crossroads.scenario import load

    if year is not None and years is not None:
        raise CrossroadsError("give --year or --years, not both")
    sc = load(scenario)
    span = parse_years(years) if years is not None else None
    mon = benchmark_status(sc, year, span, assume_met=assume_met)
    effects = incentive_effects(sc, model=model, preset=preset) if sc.incentives else None
    cond = None
    if span is None and sc.issues:
        cond = conditional_forecast(
            sc, mon.years[0], assume_met=assume_met, model=model, preset=preset
        )
    if as_json:
        out = mon.to_dict()
        out["effects"] = [] if effects is None else effects.to_dict(orient="records")
        out["model"] = model
        if cond is not None:
            out["conditional_forecast"] = cond.to_dict(orient="records")
        print_json(out)
        return
    if not sc.benchmarks:
        console.print(f"scenario '{sc.id}' has no benchmarks", markup=False)
        return
    if span is not None:
        bt, it = mon.history()
        console.print(
            df_table(bt, title=f"{sc.title}\nBenchmarks {span.start}-{span.stop - 1}", index=True)
        )
        if not it.empty:
            console.print(df_table(it, title="Incentives", index=True))
        last = mon.incentives[mon.incentives.year == mon.years[-1]]
        for r in last.itertuples():
            console.print(f"{r.incentive} ({mon.years[-1]}): {r.why}", markup=False)
        return
    y = mon.years[0]
    b = mon.benchmarks.copy()
    b["status"] = b.met.map(lambda v: "?" if v is None or v != v else ("met" if v else "unmet"))
    b["test"] = [
        ("qualitative" if q else f"{i} {d} {fmt(t)}")
        for q, i, d, t in zip(b.qualitative, b.indicator, b.direction, b.threshold, strict=True)
    ]
    console.print(
        df_table(
            b[
                [
                    "benchmark",
                    "status",
                    "test",
                    "value",
                    "as_of",
                    "basis",
                    "evidence",
                    "source",
                    "remark",
                ]
            ],
            title=f"{sc.title}\nBenchmarks in {y}"
            + (f" (assumed met: {', '.join(mon.assumed)})" if mon.assumed else ""),
        )
    )
    if not mon.incentives.empty:
        i = mon.incentives.assign(
            status=lambda d: d.unlocked.map(lambda u: "unlocked" if u else "locked")
        )
        console.print(
            df_table(i[["incentive", "status", "why", "triggers"]], title=f"Incentives in {y}")
        )
    if effects is not None and not effects.empty:
        e = effects.assign(moves=lambda d: d.moves.map(lambda m: "; ".join(m)))
        console.print(
            df_table(
                e[["incentive", "interventions", "issue", "before", "after", "shift", "moves"]],
                title=f"If unlocked: the triggered interventions and the "
                f"forecast shift ({model} model)",
            )
        )
    if cond is not None:
        applied = cond.interventions.iloc[0] if len(cond) else []
        if applied:
            console.print(
                df_table(
                    cond.drop(columns="interventions"),
                    title=f"Forecasts with the interventions unlocked in {y}: "
                    f"{', '.join(applied)} ({model} model)",
                )
            )
        else:
            console.print(
                f"No incentive is unlocked in {y}, so no intervention applies.", markup=False
            )
