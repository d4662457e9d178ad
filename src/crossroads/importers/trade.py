"""Correlates of War Trade v4.0: dyadic trade and national totals.

Three layouts are read:

* one country's dyads (as extracted from the R package peacesciencer):
  ``year, partner, stateabb, statenme, <abb>_exports, <abb>_imports[, *_smooth]``,
  where ``<abb>`` names the reporting country (``kaz`` for Kazakhstan) and
  ``partner`` is the partner's COW code; values in current USD million;
* the COW file ``Dyadic_COW_4.0.csv`` itself: ``ccode1, ccode2, year, flow1,
  flow2[, smoothflow1, smoothflow2]`` (``flow1`` = imports of ccode1 from ccode2,
  ``-9`` = missing), for the country passed as the reporter;
* a prepared partner summary: ``year, tot_exp_sy, tot_imp_sy, sum_exp_dyads,
  sum_imp_dyads, eu27_exp, ...`` giving the national totals (COW National Trade)
  next to the sums over partners and the EU27/Russia/China values.

The two denominators differ: a partner's share of exports is its value over the
country's *national total* (COW's national trade data) or over the *sum of
partners* (the dyads that have a value). For Kazakhstan in 2009 the EU27's
15,318 of exports are 35.5% of the national total 43,205 and 42.5% of the
partner sum 36,075.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crossroads.dependence_metrics import hhi_of_values
from crossroads.errors import ScenarioError
from crossroads.importers.base import Facts, dataset_version
from crossroads.importers.csvfile import read_table
from crossroads.reference_data import ActorCodes, country_by_abb, country_by_cow, eu_members
from crossroads.scenario.schema import Scenario
from crossroads.wording import possessive

__all__ = ["TradeData", "read_cow_trade", "trade_facts"]

UNIT = "USD million"
SUMMARY_COLUMNS = ("year", "tot_exp_sy", "tot_imp_sy", "sum_exp_dyads", "sum_imp_dyads")
#: Partner groups of the prepared summary file: column prefix (``<prefix>_exp``,
#: ``<prefix>_imp``) -> the partner's COW code, or ``'eu'`` for the scenario's EU actor.
SUMMARY_PARTNERS = {"eu27": "eu", "rus": 365, "chn": 710}


@dataclass(frozen=True)
class TradeData:
    """One country's trade as read from a COW trade file.

    Attributes
    ----------
    label : str
        The file, as named by the user.
    reporter : int or None
        COW code of the reporting country (None when the file does not say).
    dyads : DataFrame or None
        Columns ``year, partner`` (COW code), ``abb, name, exports, imports``
        (USD million, NaN when missing), ``line``.
    totals : DataFrame or None
        Columns ``year, exports_total, imports_total`` (national totals),
        ``exports_sum_partners, imports_sum_partners``, ``line``.
    groups : DataFrame or None
        Summary partner values: ``year, group`` (``eu27``, ``rus``, ``chn``),
        ``exports, imports, line``.
    smoothed : bool
        Whether the dyads are COW's smoothed series.
    layout : str
        ``dyads``, ``cow-dyadic`` or ``summary``.
    """

    label: str
    reporter: int | None
    dyads: pd.DataFrame | None
    totals: pd.DataFrame | None
    groups: pd.DataFrame | None
    smoothed: bool
    layout: str

    def partner_sums(self) -> pd.DataFrame:
        """Per year the sum over partners of exports and imports (from the dyads or the summary)."""
        if self.dyads is not None:
            g = self.dyads.groupby("year")[["exports", "imports"]].sum(min_count=1)
            return g.rename(
                columns={"exports": "exports_sum_partners", "imports": "imports_sum_partners"}
            )
        assert self.totals is not None
        return self.totals.set_index("year")[["exports_sum_partners", "imports_sum_partners"]]


def read_cow_trade(
    path: Path, label: str | None = None, *, reporter: int | None = None, smoothed: bool = False
) -> TradeData:
    """Read a COW Trade v4 file (dyads of one country, COW's dyadic file, or a summary).

    Parameters
    ----------
    path : Path
    label : str, optional
        The file as the user named it.
    reporter : int, optional
        COW code of the reporting country; needed for COW's own dyadic file,
        checked against the file when it names its reporter.
    smoothed : bool
        Read COW's smoothed flows instead of the raw ones.

    Raises
    ------
    ScenarioError
        naming file, line and column of the first bad cell, or the missing column.
    """
    label = label or str(path)
    t = read_table(Path(path), label)
    if t.has(*SUMMARY_COLUMNS):
        return _read_summary(t, reporter)
    if t.has("ccode1", "ccode2", "year", "flow1", "flow2"):
        return _read_cow_dyadic(t, reporter, smoothed)
    prefixes = sorted({c[: -len("_exports")] for c in t.header if c.endswith("_exports")})
    if not prefixes:
        raise ScenarioError(
            "not a COW trade file: expected a summary (tot_exp_sy, ...), COW's dyadic file "
            "(ccode1, ccode2, flow1, flow2) or one country's dyads (year, partner, "
            "<abb>_exports, <abb>_imports)",
            file=label,
            line=t.header_line,
        )
    abb = prefixes[0]
    country = country_by_abb(abb)
    if country is None:
        raise ScenarioError(
            f"the reporting country '{abb}' (from column {abb}_exports) is not in the code table",
            file=label,
            line=t.header_line,
            field=f"{abb}_exports",
        )
    if reporter is not None and reporter != country.cow:
        raise ScenarioError(
            f"the file reports {possessive(country.name)} trade (COW {country.cow}), "
            f"not COW {reporter}",
            file=label,
            line=t.header_line,
            field=f"{abb}_exports",
        )
    suffix = "_smooth" if smoothed else ""
    exp_col, imp_col = f"{abb}_exports{suffix}", f"{abb}_imports{suffix}"
    t.need("year", "partner", exp_col, imp_col, what="a COW dyads file")
    rows = []
    for line, row in t.rows:
        exports = t.number(line, row, exp_col)
        imports = t.number(line, row, imp_col)
        for col, v in ((exp_col, exports), (imp_col, imports)):
            if v is not None and v < 0:
                raise ScenarioError(
                    f"trade cannot be negative, got {v:g}", file=label, line=line, field=col
                )
        rows.append(
            {
                "year": t.year(line, row),
                "partner": t.integer(line, row, "partner"),
                "abb": row.get("stateabb", ""),
                "name": row.get("statenme", ""),
                "exports": np.nan if exports is None else exports,
                "imports": np.nan if imports is None else imports,
                "line": line,
            }
        )
    dyads = pd.DataFrame(rows)
    _no_duplicate_dyads(dyads, label)
    return TradeData(label, country.cow, dyads, None, None, smoothed, "dyads")


def _no_duplicate_dyads(dyads: pd.DataFrame, label: str) -> None:
    dup = dyads.duplicated(["year", "partner"], keep="first")
    if dup.any():
        r = dyads[dup].iloc[0]
        raise ScenarioError(
            f"partner {int(r.partner)} appears twice in {int(r.year)}",
            file=label,
            line=int(r.line),
            field="partner",
        )


def _read_cow_dyadic(t, reporter: int | None, smoothed: bool) -> TradeData:
    if reporter is None:
        raise ScenarioError(
            "COW's dyadic file holds every country; name the reporting country (--actor)",
            file=t.label,
            line=t.header_line,
        )
    f1, f2 = ("smoothflow1", "smoothflow2") if smoothed else ("flow1", "flow2")
    t.need("ccode1", "ccode2", "year", f1, f2, what="COW's dyadic trade file")
    rows = []
    for line, row in t.rows:
        c1, c2 = t.integer(line, row, "ccode1"), t.integer(line, row, "ccode2")
        if reporter not in (c1, c2):
            continue
        v1, v2 = t.number(line, row, f1), t.number(line, row, f2)
        v1 = None if v1 is None or v1 < 0 else v1  # -9: missing
        v2 = None if v2 is None or v2 < 0 else v2
        # flow1: imports of ccode1 from ccode2; flow2: imports of ccode2 from ccode1
        imports, exports = (v1, v2) if c1 == reporter else (v2, v1)
        partner = c2 if c1 == reporter else c1
        rows.append(
            {
                "year": t.year(line, row),
                "partner": partner,
                "abb": row.get("importer2" if c1 == reporter else "importer1", ""),
                "name": "",
                "exports": np.nan if exports is None else exports,
                "imports": np.nan if imports is None else imports,
                "line": line,
            }
        )
    if not rows:
        raise ScenarioError(
            f"no dyad of COW {reporter} in the file",
            file=t.label,
            line=t.header_line,
            field="ccode1",
        )
    dyads = pd.DataFrame(rows)
    _no_duplicate_dyads(dyads, t.label)
    return TradeData(t.label, reporter, dyads, None, None, smoothed, "cow-dyadic")


def _read_summary(t, reporter: int | None) -> TradeData:
    totals, groups = [], []
    for line, row in t.rows:
        year = t.year(line, row)
        rec = {"year": year, "line": line}
        for out, col in (
            ("exports_total", "tot_exp_sy"),
            ("imports_total", "tot_imp_sy"),
            ("exports_sum_partners", "sum_exp_dyads"),
            ("imports_sum_partners", "sum_imp_dyads"),
        ):
            v = t.number(line, row, col)
            if v is not None and v < 0:
                raise ScenarioError(
                    f"trade cannot be negative, got {v:g}", file=t.label, line=line, field=col
                )
            rec[out] = np.nan if v is None else v
        totals.append(rec)
        for prefix in SUMMARY_PARTNERS:
            if t.has(f"{prefix}_exp", f"{prefix}_imp"):
                e, i = t.number(line, row, f"{prefix}_exp"), t.number(line, row, f"{prefix}_imp")
                groups.append(
                    {
                        "year": year,
                        "group": prefix,
                        "exports": np.nan if e is None else e,
                        "imports": np.nan if i is None else i,
                        "line": line,
                    }
                )
    tot = pd.DataFrame(totals)
    dup = tot.duplicated("year")
    if dup.any():
        r = tot[dup].iloc[0]
        raise ScenarioError(
            f"year {int(r.year)} appears twice", file=t.label, line=int(r.line), field="year"
        )
    return TradeData(
        t.label, reporter, None, tot, pd.DataFrame(groups) if groups else None, False, "summary"
    )


def _abb(code: int) -> str:
    row = country_by_cow(code)
    return row.abb if row else str(code)


def trade_facts(
    data: TradeData,
    scenario: Scenario,
    codes: ActorCodes,
    *,
    reporter_actor: str | None = None,
    version: str | None = None,
    eu_composition: str = "per-year",
    group_flows: bool = False,
) -> Facts:
    """Turn COW trade data into scenario facts.

    Dyads become ``exports`` flows (reporter -> partner) and ``imports`` flows
    (partner -> reporter) in USD million for every partner that maps to an
    actor, and for the EU actor as the sum over its members of the year
    (``eu_composition``); unmapped partners enter only the sums. The sums over
    all partners and the HHI of partner countries become indicators of the
    reporter (``cow_trade.exports_sum_partners``, ``cow_trade.exports_partner_hhi``,
    and the same for imports); a summary file adds the national totals
    (``cow_trade.exports_total``, ``cow_trade.imports_total``); with
    ``group_flows`` its EU27 (fixed 2007 composition), Russia and China columns
    also become flows (the claims check uses them when no dyadic file is given).
    """
    path = Path(data.label)
    ver = dataset_version(path, r"_v(\d+(?:\.\d+)?)_", "4.0", version)
    if ver.isdigit():
        ver += ".0"
    sid = "cow-trade-v4" if data.layout != "summary" else "cow-trade-v4-totals"
    layout_title = {
        "dyads": "dyadic trade",
        "cow-dyadic": "dyadic trade",
        "summary": "national totals and partner sums",
    }[data.layout]
    source = {
        "id": sid,
        "title": f"Correlates of War Trade v{ver}: {layout_title}",
        "publisher": "Correlates of War Project",
        "version": ver,
        "url": "https://correlatesofwar.org/data-sets/bilateral-trade/",
        "note": f"imported from {path.name} by crossroads import cow-trade; values in current "
        f"{UNIT}" + ("; smoothed series" if data.smoothed else ""),
    }
    facts = Facts(kind="cow-trade", source=source)
    if reporter_actor is None:
        if data.reporter is None:
            raise ScenarioError(
                "the file does not say whose trade it is; name the country (--actor)",
                file=data.label,
            )
        reporter_actor = codes.require(
            cow=data.reporter, what="the reporting country", file=data.label
        )
    rep = reporter_actor
    where = path.name
    if data.totals is not None:
        for _, r in data.totals.iterrows():
            for col, name in (
                ("exports_total", "exports_total"),
                ("imports_total", "imports_total"),
                ("exports_sum_partners", "exports_sum_partners"),
                ("imports_sum_partners", "imports_sum_partners"),
            ):
                if np.isfinite(r[col]):
                    facts.indicators.append(
                        {
                            "actor": rep,
                            "indicator": f"cow_trade.{name}",
                            "year": int(r.year),
                            "value": float(r[col]),
                            "unit": UNIT,
                            "where": f"{where}, line {r.line}",
                        }
                    )
        if group_flows and data.groups is not None:
            for r in data.groups.itertuples(index=False):
                target = (
                    codes.eu
                    if SUMMARY_PARTNERS[r.group] == "eu"
                    else codes.actor_for_cow(int(SUMMARY_PARTNERS[r.group]))
                )
                if target is None or target == rep:
                    continue
                note = "EU27: the fixed 27 members of 2007" if r.group == "eu27" else None
                for kind, v in (("exports", r.exports), ("imports", r.imports)):
                    if not np.isfinite(v):
                        continue
                    flow = {
                        "kind": kind,
                        "year": int(r.year),
                        "value": float(v),
                        "unit": UNIT,
                        "where": f"{where}, line {r.line}, column {r.group}_"
                        f"{'exp' if kind == 'exports' else 'imp'}",
                    }
                    flow.update(
                        {"from": rep, "to": target}
                        if kind == "exports"
                        else {"from": target, "to": rep}
                    )
                    if note:
                        flow["note"] = note
                    facts.flows.append(flow)
        facts.notes.append(
            f"national totals and partner sums for {data.totals.year.min()}-"
            f"{data.totals.year.max()}"
            + (
                " with the EU27, Russia and China columns as flows"
                if group_flows
                else " (partner values come from the dyadic file)"
            )
        )
        return facts
    dy = data.dyads
    assert dy is not None
    mapped: dict[int, str] = {}
    for code in sorted(dy.partner.unique()):
        actor = codes.actor_for_cow(int(code))
        if actor is not None and actor != rep:
            mapped[int(code)] = actor
    for _, r in dy[dy.partner.isin(list(mapped))].sort_values(["year", "partner"]).iterrows():
        actor = mapped[int(r.partner)]
        cite = f"{where}, line {r.line}"
        if np.isfinite(r.exports):
            facts.flows.append(
                {
                    "kind": "exports",
                    "from": rep,
                    "to": actor,
                    "year": int(r.year),
                    "value": float(r.exports),
                    "unit": UNIT,
                    "where": cite,
                }
            )
        if np.isfinite(r.imports):
            facts.flows.append(
                {
                    "kind": "imports",
                    "from": actor,
                    "to": rep,
                    "year": int(r.year),
                    "value": float(r.imports),
                    "unit": UNIT,
                    "where": cite,
                }
            )
    if codes.eu is not None and codes.eu != rep:
        for year, g in dy.groupby("year"):
            members = eu_members(int(year), eu_composition)
            rows = g[g.partner.isin(list(members))]
            if rows.empty:
                continue
            missing = sorted(members - set(rows.partner.astype(int)))
            for kind, col in (("exports", "exports"), ("imports", "imports")):
                vals = rows[col]
                if not vals.notna().any():
                    continue
                no_value = sorted(rows.loc[vals.isna(), "abb"].astype(str))
                which = (
                    f"members at the end of {year}"
                    if eu_composition == "per-year"
                    else "fixed EU27 of 2007"
                )
                note = f"sum over {int(vals.notna().sum())} EU member states ({which})"
                if missing or no_value:
                    note += "; without a value: " + ", ".join([_abb(m) for m in missing] + no_value)
                flow = {
                    "kind": kind,
                    "year": int(year),
                    "value": float(vals.sum()),
                    "unit": UNIT,
                    "where": where,
                    "note": note,
                }
                flow.update(
                    {"from": rep, "to": codes.eu}
                    if kind == "exports"
                    else {"from": codes.eu, "to": rep}
                )
                facts.flows.append(flow)
    sums = data.partner_sums()
    for year, r in sums.iterrows():
        g = dy[dy.year == year]
        for kind in ("exports", "imports"):
            total = r[f"{kind}_sum_partners"]
            if not np.isfinite(total):
                continue
            n = int(g[kind].notna().sum())
            facts.indicators.append(
                {
                    "actor": rep,
                    "indicator": f"cow_trade.{kind}_sum_partners",
                    "year": int(year),
                    "value": float(total),
                    "unit": UNIT,
                    "where": where,
                    "note": f"sum over the {n} partners with a value",
                }
            )
            h = hhi_of_values(g[kind].to_numpy())
            if np.isfinite(h):
                facts.indicators.append(
                    {
                        "actor": rep,
                        "indicator": f"cow_trade.{kind}_partner_hhi",
                        "year": int(year),
                        "value": round(h, 6),
                        "unit": "index 0-1",
                        "where": where,
                        "note": f"Herfindahl-Hirschman index over {n} partner countries "
                        "(shares of the sum of partners)",
                    }
                )
    unmapped = sorted(set(dy.partner.astype(int)) - set(mapped) - {data.reporter or -1})
    names = {a.id: a.name for a in scenario.actors}
    facts.notes.append(
        f"{dy.year.min()}-{dy.year.max()}: {dy.partner.nunique()} partners; "
        f"{len(mapped)} map to actors ({', '.join(names[a] for a in sorted(set(mapped.values())))})"
        + (
            f"; the EU actor '{codes.eu}' gets the sum over its members ({eu_composition})"
            if codes.eu
            else "; no EU actor, so no EU aggregate"
        )
        + f"; {len(unmapped)} partners enter only the sums over partners"
    )
    return facts
