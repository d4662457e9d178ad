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
from crossroads.model_registry import DEFAULT_MODEL, or_list
from crossroads.scenario import DEFAULT_SCENARIO
from crossroads.wording import count, possessive

if TYPE_CHECKING:  # the library is imported inside each command, so --help stays fast
    pass

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
    from crossroads.network import (
        joint_table,
        leader_table,
        membership_table,
        overlap_table,
        relations,
        timeline_table,
    )
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
    console.print(df_table(membership_table(r), title=f"{sc.title}\nMemberships {when}"))
    if r.focus is not None:
        console.print(
            df_table(
                leader_table(r),
                title=f"{possessive(names.get(r.focus, r.focus))} organisations by "
                f"the power that leads them (led_by, grouped by part_of) {when}",
            )
        )
    ov = overlap_table(r)
    scope = f" among {possessive(names.get(r.focus, r.focus))} organisations" if r.focus else ""
    console.print(
        df_table(
            ov.head(limit),
            title=f"Overlapping memberships{scope} {when} "
            f"({count(len(ov), 'pair')}{', first ' + str(limit) if len(ov) > limit else ''})",
        )
    )
    console.print(
        df_table(
            joint_table(r).head(limit),
            title=f"Joint memberships {when} ({count(len(r.joint), 'pair')}"
            f"{', first ' + str(limit) if len(r.joint) > limit else ''})",
        )
    )
    tl = timeline_table(r)
    console.print(
        df_table(
            tl.tail(limit),
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
    from crossroads.network import (
        MEASURES,
        concentration_table,
        denominator_table,
        dependence,
        fuel_table,
        partner_share_table,
    )
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
    for measure in MEASURES:
        tab = partner_share_table(d, measure)
        if tab.empty:
            continue
        console.print(
            df_table(
                tab,
                title=f"{who}, {year}: partners' shares of {measure} (%), by denominator",
                digits=1,
            )
        )
    dens = denominator_table(d)
    if not dens.empty:
        console.print(df_table(dens, title="Denominators"))
    if not d.concentration.empty:
        console.print(
            df_table(
                concentration_table(d),
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
        console.print(
            df_table(
                fuel_table(d),
                title=f"Fuel's share of {possessive(who)} exports in {year}",
                digits=1,
            )
        )


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
    from crossroads.reference_data import EU_COMPOSITIONS
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
    rows = chk.table()
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
    model: Annotated[
        str, typer.Option(help=f"Model for the incentives' effects: {or_list()}.")
    ] = DEFAULT_MODEL,
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
    b, i = mon.status_tables()
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
    if not i.empty:
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
