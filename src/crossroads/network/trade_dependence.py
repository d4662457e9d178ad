"""Trade dependence per year: partner shares, concentration, asymmetry, fuel's share.

Flows follow the scenario format's convention: ``from`` the exporter ``to`` the
importer; a share on ``kind: exports`` is a share of the origin's exports, on
``kind: imports`` of the target's imports, on ``kind: trade`` of the origin's
total trade (both directions). So the *reporter* (whose total is the
denominator) is the origin for exports and trade and the target for imports.

A share is either stated in the scenario (``share``) or computed from a value
over a total recorded as an indicator of the reporter: the *national total*
(``<dataset>.exports_total``, ``.imports_total``) or the *sum over partners*
(``<dataset>.exports_sum_partners``, ...), as the COW trade importer writes.
Total trade is exports plus imports. Every share states its denominator.

Concentration is the Herfindahl-Hirschman index over the partners recorded in
one source, with blocs replacing their members (the EU's row, not Germany's,
when both are there), reported with its coverage and bounds
(:func:`~crossroads.dependence_metrics.hhi_bounds`); an importer's index over
every partner country (``<dataset>.exports_partner_hhi``) is shown next to it.
Asymmetry is reported where both sides' shares exist, with Barbieri's (1996)
salience, symmetry and interdependence for total trade. No composite "balance"
index is computed: the components are shown side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crossroads.dependence_metrics import barbieri, hhi_bounds
from crossroads.errors import CrossroadsError
from crossroads.network.graph import FULL_ROLES, held
from crossroads.reference_data import actor_codes, eu_members
from crossroads.scenario.schema import Scenario
from crossroads.wording import possessive

__all__ = [
    "MEASURES",
    "Dependence",
    "bilateral",
    "dependence",
    "fuel_shares",
    "partner_shares",
    "totals",
    "usd_million_factor",
]

MEASURES = ("exports", "imports", "trade")
BASIS_ORDER = {"national total": 0, "sum of partners": 1, "stated": 2}
_FUEL = re.compile(r"fuel|oil|petroleum|hydrocarbon|gas", re.IGNORECASE)


def usd_million_factor(unit: str | None) -> float | None:
    """Factor turning a value in ``unit`` into USD million (None when not a US-dollar unit).

    >>> usd_million_factor("USD bn"), usd_million_factor("USD million"), usd_million_factor("t")
    (1000.0, 1.0, None)
    """
    if not unit:
        return None
    u = unit.lower().replace(".", "").strip()
    if not re.search(r"usd|us\$|\$|dollar", u):
        return None
    if re.search(r"\b(tn|trillion)\b", u):
        return 1e6
    if re.search(r"\b(bn|billion|b)\b", u):
        return 1e3
    if re.search(r"\b(m|mn|mln|million|millions)\b", u):
        return 1.0
    if re.search(r"\b(k|thousand|thousands)\b", u):
        return 1e-3
    return 1e-6


def _reporter(kind: str, origin: str, target: str) -> tuple[str, str]:
    """(reporter, partner) of a flow under the format's convention."""
    return (target, origin) if kind == "imports" else (origin, target)


def bilateral(scenario: Scenario) -> pd.DataFrame:
    """Every exports, imports and trade figure between two actors, from the reporter's side.

    Returns
    -------
    DataFrame
        ``year, reporter, partner, measure, value`` (USD million, NaN when the
        flow gives no dollar value), ``share`` (stated, NaN if none), ``of,
        approximate, source, where, derived`` (True for trade = exports +
        imports of one source).
    """
    rows = []
    for f in scenario.flows:
        if f.kind not in MEASURES:
            continue
        rep, par = _reporter(f.kind, f.origin, f.target)
        factor = usd_million_factor(f.unit)
        value = f.value * factor if (f.value is not None and factor is not None) else np.nan
        rows.append(
            {
                "year": f.year,
                "reporter": rep,
                "partner": par,
                "measure": f.kind,
                "value": value,
                "share": np.nan if f.share is None else f.share,
                "of": f.of,
                "approximate": f.approximate,
                "source": f.source,
                "where": f.where,
                "derived": False,
            }
        )
    cols = [
        "year",
        "reporter",
        "partner",
        "measure",
        "value",
        "share",
        "of",
        "approximate",
        "source",
        "where",
        "derived",
    ]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    vals = df[df.value.notna() & df.measure.isin(["exports", "imports"])]
    extra = []
    for (year, rep, par, src), g in vals.groupby(
        ["year", "reporter", "partner", vals.source.fillna("")]
    ):
        if set(g.measure) == {"exports", "imports"} and len(g) == 2:
            extra.append(
                {
                    "year": year,
                    "reporter": rep,
                    "partner": par,
                    "measure": "trade",
                    "value": float(g.value.sum()),
                    "share": np.nan,
                    "of": None,
                    "approximate": bool(g.approximate.any()),
                    "source": src or None,
                    "where": "exports + imports",
                    "derived": True,
                }
            )
    if extra:
        df = pd.concat([df, pd.DataFrame(extra, columns=cols)], ignore_index=True)
    return df


def totals(scenario: Scenario) -> pd.DataFrame:
    """Totals recorded as indicators: ``year, actor, measure, basis, value`` (USD million).

    ``basis`` is ``national total`` (indicator ``*.exports_total``) or ``sum of
    partners`` (``*.exports_sum_partners``); trade is exports + imports of the
    same basis and source.
    """
    rows = []
    for ind in scenario.indicators:
        m = re.search(r"(?:^|\.)(exports|imports|trade)_(total|sum_partners)$", ind.indicator)
        if not m:
            continue
        factor = usd_million_factor(ind.unit)
        if factor is None:
            raise CrossroadsError(
                f"indicator {ind.indicator} ({ind.actor}, {ind.year}) has unit {ind.unit!r}; "
                "a trade total needs a US-dollar unit such as 'USD million'"
            )
        rows.append(
            {
                "year": ind.year,
                "actor": ind.actor,
                "measure": m.group(1),
                "basis": "national total" if m.group(2) == "total" else "sum of partners",
                "value": ind.value * factor,
                "indicator": ind.indicator,
                "source": ind.source,
            }
        )
    cols = ["year", "actor", "measure", "basis", "value", "indicator", "source"]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    extra = []
    for (year, actor, basis, src), g in df.groupby(
        ["year", "actor", "basis", df.source.fillna("")]
    ):
        ms = dict(zip(g.measure, g.value, strict=False))
        if "trade" not in ms and {"exports", "imports"} <= set(ms):
            extra.append(
                {
                    "year": year,
                    "actor": actor,
                    "measure": "trade",
                    "basis": basis,
                    "value": ms["exports"] + ms["imports"],
                    "indicator": "exports + imports",
                    "source": src or None,
                }
            )
    if extra:
        df = pd.concat([df, pd.DataFrame(extra, columns=cols)], ignore_index=True)
    # two imports may record the same total (a partner sum from the dyads and from a summary)
    return (
        df.assign(_v=df.value.round(6))
        .drop_duplicates(["year", "actor", "measure", "basis", "_v"])
        .drop(columns="_v")
        .reset_index(drop=True)
    )


def _contained(scenario: Scenario, actor: str, bloc: str, year: int, eu: tuple) -> bool:
    """Whether ``actor`` is inside ``bloc`` in ``year``: part_of chain, full membership, or
    (for the EU actor) an EU member state by its COW code that year; ``eu`` is
    ``(eu actor id, {actor: cow code})``."""
    actors = {a.id: a for a in scenario.actors}
    if actor == bloc or actors.get(bloc) is None or actors[bloc].kind != "bloc":
        return False
    a = actors.get(actor)
    seen = set()
    while a is not None and a.part_of and a.id not in seen:
        seen.add(a.id)
        if a.part_of == bloc:
            return True
        a = actors.get(a.part_of)
    for m in scenario.memberships:
        if m.actor == actor and m.organisation == bloc and m.role in FULL_ROLES and held(m, year):
            return True
    eu_actor, cow_of = eu
    if eu_actor == bloc and actor in cow_of:
        return cow_of[actor] in eu_members(year)
    return False


@dataclass(frozen=True)
class Dependence:
    """Trade dependence of one actor, per year.

    Attributes
    ----------
    scenario, actor : str
    shares : DataFrame
        ``year, partner, measure, share, basis`` (``stated``, ``national
        total``, ``sum of partners``), ``denominator`` (text), ``value`` (USD
        million), ``source, where, approximate``.
    concentration : DataFrame
        ``year, measure, source, basis, partners, hhi, hhi_upper, coverage,
        excluded`` (members counted in their bloc).
    asymmetry : DataFrame
        ``year, measure, a, b, share_a`` (b's share of a's measure), ``share_b,
        asymmetry, salience, symmetry, interdependence`` (Barbieri 1996; total
        trade only), ``basis_a, basis_b``.
    fuel : DataFrame
        ``year, share, what, source, where``: fuel's (or oil's) share of exports.
    names : dict
    """

    scenario: str
    actor: str
    shares: pd.DataFrame
    concentration: pd.DataFrame
    asymmetry: pd.DataFrame
    fuel: pd.DataFrame
    names: dict[str, str]

    @property
    def years(self) -> list[int]:
        """Years with any figure."""
        ys = set(self.shares.year) | set(self.concentration.year) | set(self.fuel.year)
        return sorted(int(y) for y in ys)

    def share(self, partner: str, measure: str, year: int, basis: str) -> float:
        """One share (NaN when absent); ``basis`` as in :attr:`shares`."""
        s = self.shares
        hit = s[
            (s.partner == partner) & (s.measure == measure) & (s.year == year) & (s.basis == basis)
        ]
        return float(hit.share.iloc[0]) if len(hit) else float("nan")

    def table(self, year: int) -> pd.DataFrame:
        """Partners x (measure, basis) shares in one year, largest first."""
        s = self.shares[self.shares.year == year]
        if s.empty:
            return pd.DataFrame()
        t = s.pivot_table(
            index="partner", columns=["measure", "basis"], values="share", aggfunc="first"
        )
        first = t.columns[0]
        return t.sort_values(first, ascending=False)

    def _inside(self, year: int, measure: str, basis: str) -> set[str]:
        """Partners counted inside a bloc partner in this year, measure and basis."""
        c = self.concentration
        c = c[(c.year == year) & (c.measure == measure) & (c.basis == basis)]
        return {p for ex in c.excluded for p in ex}

    def summary(self) -> pd.DataFrame:
        """One row per year: the main partners' export/import/trade shares, HHI, fuel share.

        Uses the national total where recorded, else the sum of partners, else
        stated shares; the ``basis`` column says which.
        """
        rows = []
        for y in self.years:
            row: dict[str, Any] = {"year": y}
            s = self.shares[(self.shares.year == y) & self.shares.share.notna()]
            v = self.shares[(self.shares.year == y) & self.shares.share.isna()]
            if s.empty and not v.empty:
                row["basis"] = "no total"
                for m in MEASURES:
                    vm = v[v.measure == m].drop_duplicates("partner").nlargest(3, "value")
                    row[m] = ", ".join(
                        f"{self.names.get(p, p)} {x:,.0f} USD m"
                        for p, x in zip(vm.partner, vm.value, strict=True)
                    )
            if not s.empty:
                best = min(s.basis.unique(), key=lambda b: BASIS_ORDER.get(b, 9))
                row["basis"] = best
                sb = s[s.basis == best]
                for m in MEASURES:
                    inside = self._inside(y, m, best)
                    sm = sb[(sb.measure == m) & ~sb.partner.isin(inside)]
                    sm = sm.drop_duplicates("partner").nlargest(3, "share")
                    row[m] = ", ".join(
                        f"{self.names.get(p, p)} {100 * v:.1f}%"
                        for p, v in zip(sm.partner, sm.share, strict=True)
                    )
            c = self.concentration[
                (self.concentration.year == y) & (self.concentration.measure == "exports")
            ]
            if not c.empty:
                c = c.assign(_o=(c.basis != "all partner countries").astype(int))
                best_c = c.sort_values(["_o", "coverage"], ascending=[True, False]).iloc[0]
                row["exports HHI"] = (
                    f"{best_c.hhi:.3f}"
                    if np.isclose(best_c.hhi, best_c.hhi_upper)
                    else f"{best_c.hhi:.3f}-{best_c.hhi_upper:.3f}"
                )
                row["HHI basis"] = (
                    best_c.basis
                    if best_c.basis == "all partner countries"
                    else f"{best_c.basis}, {100 * best_c.coverage:.0f}% covered"
                )
            f = self.fuel[self.fuel.year == y]
            if not f.empty:
                row["fuel share of exports"] = "; ".join(
                    f"{100 * v:.1f}% ({w})" for v, w in zip(f.share, f.source, strict=True)
                )
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""

        def recs(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for r in df.to_dict(orient="records"):
                out.append(
                    {
                        k: (None if (not isinstance(v, list | tuple) and pd.isna(v)) else v)
                        for k, v in r.items()
                    }
                )
            return out

        return {
            "scenario": self.scenario,
            "actor": self.actor,
            "years": self.years,
            "shares": recs(self.shares),
            "concentration": recs(self.concentration),
            "asymmetry": recs(self.asymmetry),
            "fuel": recs(self.fuel),
        }


def partner_shares(bil: pd.DataFrame, tot: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Stated shares, and each dollar value over every total recorded for its reporter.

    Shared by :func:`dependence` and :func:`crossroads.claims.check_claims` (which
    puts a scenario's shares next to a dataset's).

    Parameters
    ----------
    bil : DataFrame
        Bilateral figures, as :func:`bilateral` returns them.
    tot : DataFrame
        Totals, as :func:`totals` returns them.
    names : dict
        Actor id -> name, for the text of a missing denominator.

    Returns
    -------
    DataFrame
        ``year, reporter, partner, measure, share, basis, denominator, value,
        source, where, approximate``: one row per stated share (``basis``
        ``stated``), per value over each total of its reporter (``national
        total`` or ``sum of partners``), and per value with neither (``no
        total``, share NaN).
    """
    cols = [
        "year",
        "reporter",
        "partner",
        "measure",
        "share",
        "basis",
        "denominator",
        "value",
        "source",
        "where",
        "approximate",
    ]
    if bil.empty:
        return pd.DataFrame(columns=cols)
    keep = ["year", "reporter", "partner", "measure", "value", "source", "where", "approximate"]
    stated = bil[bil.share.notna()]
    stated = stated[keep].assign(
        share=stated.share.astype(float), basis="stated", denominator=stated.of.fillna("not stated")
    )
    vals = bil[bil.value.notna()]
    t = tot.rename(columns={"actor": "reporter", "value": "total", "source": "total_source"})
    merged = (
        vals[keep + ["share"]]
        .rename(columns={"share": "stated_share"})
        .merge(t, on=["year", "reporter", "measure"], how="left")
    )
    has = merged.total.notna()
    computed = merged[has]
    computed = computed[keep].assign(
        share=np.where(
            computed.total > 0,
            computed.value / computed.total.where(computed.total > 0, 1.0),
            np.nan,
        ),
        basis=computed.basis,
        denominator=[
            f"{b} {v:,.1f} USD million ({i}, {s})"
            for b, v, i, s in zip(
                computed.basis,
                computed.total,
                computed.indicator,
                computed.total_source,
                strict=True,
            )
        ],
    )
    none = merged[~has & merged.stated_share.isna()]
    none = none[keep].assign(
        share=np.nan,
        basis="no total",
        denominator=[
            f"no total of {possessive(names.get(r, r))} {m} recorded"
            for r, m in zip(none.reporter, none.measure, strict=True)
        ],
    )
    out = pd.concat(
        [x for x in (stated, computed, none) if not x.empty] or [pd.DataFrame(columns=cols)],
        ignore_index=True,
    )
    out["year"] = out.year.astype(int)
    return out[cols]


def _concentration(scenario: Scenario, shares: pd.DataFrame, actor: str) -> pd.DataFrame:
    codes = actor_codes(scenario)
    eu = (codes.eu, {a: c for c, a in codes.cow.items()})
    rows = []
    s = shares[shares.share.notna()]
    for (year, measure, src, basis), g in s.groupby(
        ["year", "measure", s.source.fillna(""), "basis"]
    ):
        g = g.drop_duplicates("partner")
        partners = list(g.partner)
        excluded = sorted(
            p for p in partners if any(_contained(scenario, p, q, int(year), eu) for q in partners)
        )
        keep = g[~g.partner.isin(excluded)]
        lo, hi, cov = hhi_bounds(keep.share.to_numpy())
        rows.append(
            {
                "year": int(year),
                "measure": measure,
                "source": src or None,
                "basis": basis,
                "partners": len(keep),
                "hhi": lo,
                "hhi_upper": hi,
                "coverage": cov,
                "excluded": excluded,
            }
        )
    for ind in scenario.indicators:
        m = re.search(r"(?:^|\.)(exports|imports|trade)_partner_hhi$", ind.indicator)
        if m and ind.actor == actor:
            rows.append(
                {
                    "year": ind.year,
                    "measure": m.group(1),
                    "source": ind.source,
                    "basis": "all partner countries",
                    "partners": np.nan,
                    "hhi": ind.value,
                    "hhi_upper": ind.value,
                    "coverage": 1.0,
                    "excluded": [],
                }
            )
    cols = [
        "year",
        "measure",
        "source",
        "basis",
        "partners",
        "hhi",
        "hhi_upper",
        "coverage",
        "excluded",
    ]
    return (
        pd.DataFrame(rows, columns=cols)
        .sort_values(["year", "measure", "basis"], kind="stable")
        .reset_index(drop=True)
    )


def _best(sh: pd.DataFrame) -> pd.DataFrame:
    sh = sh[sh.share.notna()].assign(_o=lambda d: d.basis.map(BASIS_ORDER).fillna(9))
    return (
        sh.sort_values("_o", kind="stable")
        .drop_duplicates(["year", "reporter", "partner", "measure"])
        .drop(columns="_o")
    )


def _asymmetry(all_shares: pd.DataFrame, actor: str) -> pd.DataFrame:
    best = _best(all_shares)
    idx = {(r.year, r.reporter, r.partner, r.measure): r for r in best.itertuples(index=False)}
    rows = []
    for (year, rep, par, measure), r in idx.items():
        if rep != actor:
            continue
        other = idx.get((year, par, rep, measure))
        if other is None:
            continue
        row = {
            "year": int(year),
            "measure": measure,
            "a": rep,
            "b": par,
            "share_a": r.share,
            "share_b": other.share,
            "asymmetry": r.share - other.share,
            "salience": np.nan,
            "symmetry": np.nan,
            "interdependence": np.nan,
            "basis_a": r.basis,
            "basis_b": other.basis,
        }
        if measure == "trade":
            row.update(barbieri(r.share, other.share))
        rows.append(row)
    cols = [
        "year",
        "measure",
        "a",
        "b",
        "share_a",
        "share_b",
        "asymmetry",
        "salience",
        "symmetry",
        "interdependence",
        "basis_a",
        "basis_b",
    ]
    return pd.DataFrame(rows, columns=cols)


def fuel_shares(scenario: Scenario, actor: str) -> pd.DataFrame:
    """Fuel's (or oil's) share of ``actor``'s exports, from indicators and sector flows.

    An indicator counts when it is the World Bank's ``TX.VAL.FUEL.ZS.UN`` or its
    name mentions fuel, oil, petroleum, hydrocarbons or gas and exports (a value
    in percent becomes a fraction); a flow counts when it is a stated share of
    exports from a sector actor ``part_of`` ``actor`` whose id or name mentions
    the same words. Shared by :func:`dependence` and :func:`crossroads.claims.check_claims`.

    Returns
    -------
    DataFrame
        ``year, share`` (0-1), ``what`` (the indicator or sector), ``source,
        where``, sorted by year and ``what``.
    """
    rows = []
    actors = {a.id: a for a in scenario.actors}
    for ind in scenario.indicators:
        name = ind.indicator
        if ind.actor != actor:
            continue
        if name.endswith("TX.VAL.FUEL.ZS.UN") or (
            _FUEL.search(name) and re.search(r"export", name, re.IGNORECASE)
        ):
            pct = name.endswith(".ZS.UN") or bool(ind.unit and "%" in ind.unit)
            rows.append(
                {
                    "year": ind.year,
                    "share": ind.value / 100 if pct else ind.value,
                    "what": f"{name}" + (f" ({ind.unit})" if ind.unit else ""),
                    "source": ind.source,
                    "where": ind.where,
                }
            )
    for f in scenario.flows:
        sector = actors.get(f.origin)
        if (
            f.kind == "exports"
            and f.share is not None
            and sector is not None
            and sector.part_of == actor
            and _FUEL.search(f"{sector.id} {sector.name}")
        ):
            rows.append(
                {
                    "year": f.year,
                    "share": f.share,
                    "what": f"{sector.name}: share of {f.of or 'exports'}",
                    "source": f.source,
                    "where": f.where,
                }
            )
    return (
        pd.DataFrame(rows, columns=["year", "share", "what", "source", "where"])
        .sort_values(["year", "what"], kind="stable")
        .reset_index(drop=True)
    )


def dependence(scenario: Scenario, actor: str | None = None, year: int | None = None) -> Dependence:
    """Trade dependence of ``actor`` (default: the scenario's focus).

    Parameters
    ----------
    scenario : Scenario
    actor : str, optional
    year : int, optional
        Keep one year only (default: every year with a figure).

    Returns
    -------
    Dependence

    Raises
    ------
    CrossroadsError
        when no actor is given and the scenario names no focus, or the actor is unknown.

    Examples
    --------
    >>> import crossroads
    >>> d = crossroads.dependence(crossroads.load("kazakhstan-2010"))
    >>> d.share("eu", "exports", 2009, "stated")
    0.394
    """
    actor = actor or scenario.focus
    ids = {a.id for a in scenario.actors}
    if actor is None:
        raise CrossroadsError(
            f"scenario '{scenario.id}' names no focus; say whose dependence to compute"
        )
    if actor not in ids:
        raise CrossroadsError(f"no actor '{actor}' in scenario '{scenario.id}'")
    names = {a.id: a.name for a in scenario.actors}
    bil = bilateral(scenario)
    tot = totals(scenario)
    all_shares = partner_shares(bil, tot, names)
    mine = all_shares[all_shares.reporter == actor].drop(columns="reporter")
    conc = _concentration(scenario, mine, actor)
    asym = _asymmetry(all_shares, actor)
    fuel = fuel_shares(scenario, actor)
    if year is not None:
        mine, conc = mine[mine.year == year], conc[conc.year == year]
        asym, fuel = asym[asym.year == year], fuel[fuel.year == year]
    return Dependence(
        scenario.id,
        actor,
        mine.reset_index(drop=True),
        conc.reset_index(drop=True),
        asym.reset_index(drop=True),
        fuel.reset_index(drop=True),
        names,
    )
