"""The conditionality monitor: benchmark status, incentives unlocked, and what they change.

A benchmark names an indicator, a threshold and a direction (e.g. Freedom House
political rights ``<= 5``), or is qualitative and judged by dated evidence. Its
status in year Y comes from the latest evidence dated in or before Y:

- an entered observation of the benchmark (``value``, or ``met`` for a
  qualitative benchmark, with its evidence and source), or
- for a quantitative benchmark, the scenario's indicator value of the same
  name for the benchmark's actor (default: the focus), as imported from a
  dataset (``crossroads import``).

When both fall in the same year the entered observation is used and the
indicator is shown next to it. A value is judged against the threshold; when an
observation also states ``met`` and the two disagree, the row says so. With no
evidence the status is unknown. Evidence carries forward: the row shows the
date it is as of.

An incentive is unlocked when its rule holds — ``all`` of its benchmarks met,
or ``at_least`` k — and unknown counts as not met. An unlocked incentive's
``triggers`` name interventions; :func:`incentive_effects` applies them and
reports how the stakes and each affected issue's forecast move, so the paper's
conditional package can be read as "if these benchmarks were met, the EU's
offer moves to X and the forecast on issue Y moves by Z".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError
from crossroads.scenario.schema import Benchmark, Scenario

__all__ = [
    "Monitor",
    "benchmark_status",
    "conditional_forecast",
    "incentive_effects",
    "judge",
]

_ALIASES = {
    "freedomhousepoliticalrights": "freedomhouse.political_rights",
    "freedomhousecivilliberties": "freedomhouse.civil_liberties",
    "vdemelectoraldemocracy": "vdem.v2x_polyarchy",
    "vdemelectoraldemocracyindex": "vdem.v2x_polyarchy",
    "vdemliberaldemocracy": "vdem.v2x_libdem",
    "vdemliberaldemocracyindex": "vdem.v2x_libdem",
}


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def indicator_name(benchmark: Benchmark) -> str:
    """The indicator a benchmark reads: its ``indicator``, or the documented name of an alias.

    "Freedom House political rights" reads ``freedomhouse.political_rights``;
    "V-Dem electoral democracy" reads ``vdem.v2x_polyarchy``.
    """
    return _ALIASES.get(_key(benchmark.indicator), benchmark.indicator)


def judge(value: float, direction: str, threshold: float) -> bool:
    """Whether ``value`` meets ``direction threshold`` (``<=``, ``>=``, ``==``)."""
    if direction == "<=":
        return bool(value <= threshold)
    if direction == ">=":
        return bool(value >= threshold)
    if direction == "==":
        return bool(np.isclose(value, threshold))
    raise CrossroadsError(f"unknown direction {direction!r}; use <=, >= or ==")


def _sort_date(date: str) -> str:
    return (date + "-00-00")[:10] if len(date) == 4 else (date + "-00")[:10]


@dataclass(frozen=True)
class Monitor:
    """Benchmark and incentive status per year.

    Attributes
    ----------
    scenario : str
    years : list of int
    benchmarks : DataFrame
        ``year, benchmark, name, indicator, actor, qualitative, direction,
        threshold, value, met`` (True / False / None = unknown), ``as_of``,
        ``basis`` (``observation``, ``indicator``, ``assumed``, ``none``),
        ``evidence, source, where, data`` (the indicator's value when an
        observation was used), ``remark`` (e.g. a stated ``met`` that disagrees
        with the value).
    incentives : DataFrame
        ``year, incentive, name, rule, k, requires, met, unmet, unknown,
        unlocked, why, triggers``.
    assumed : list of str
        Benchmarks assumed met (what-if).
    """

    scenario: str
    years: list[int]
    benchmarks: pd.DataFrame
    incentives: pd.DataFrame
    assumed: list[str]

    def status(self, benchmark: str, year: int) -> bool | None:
        """A benchmark's met / unmet / unknown (None) in a year."""
        b = self.benchmarks
        hit = b[(b.benchmark == benchmark) & (b.year == year)]
        if hit.empty:
            raise KeyError((benchmark, year))
        v = hit.met.iloc[0]
        return None if v is None or (isinstance(v, float) and np.isnan(v)) else bool(v)

    def unlocked(self, year: int) -> list[str]:
        """Incentives unlocked in ``year``."""
        i = self.incentives
        return list(i[(i.year == year) & i.unlocked].incentive)

    def status_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """:attr:`benchmarks` and :attr:`incentives`, each with a ``status`` column.

        A benchmark's status is ``met``, ``unmet`` or ``?`` (unknown); an
        incentive's ``unlocked`` or ``locked``.
        """

        def mark(v: Any) -> str:
            if v is None or (isinstance(v, float) and np.isnan(v)):
                return "?"
            return "met" if v else "unmet"

        b = self.benchmarks.assign(status=self.benchmarks.met.map(mark))
        i = self.incentives.assign(status=np.where(self.incentives.unlocked, "unlocked", "locked"))
        return b, i

    def history(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Benchmark x year (met / unmet / ?) and incentive x year (unlocked / locked) tables."""
        b, i = self.status_tables()
        bt = b.pivot(index="benchmark", columns="year", values="status")
        it = i.pivot(index="incentive", columns="year", values="status")
        return bt, it

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""

        def recs(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for r in df.to_dict(orient="records"):
                out.append(
                    {
                        k: (
                            None
                            if (
                                not isinstance(v, list | tuple | bool)
                                and v is not None
                                and pd.isna(v)
                            )
                            else v
                        )
                        for k, v in r.items()
                    }
                )
            return out

        return {
            "scenario": self.scenario,
            "years": self.years,
            "assumed": self.assumed,
            "benchmarks": recs(self.benchmarks),
            "incentives": recs(self.incentives),
        }


def _benchmark_row(sc: Scenario, b: Benchmark, year: int, assumed: set[str]) -> dict[str, Any]:
    actor = b.actor or sc.focus
    name = indicator_name(b)
    row: dict[str, Any] = {
        "year": year,
        "benchmark": b.id,
        "name": b.name,
        "indicator": name,
        "actor": actor,
        "qualitative": b.qualitative,
        "direction": b.direction,
        "threshold": b.threshold,
        "value": None,
        "met": None,
        "as_of": None,
        "basis": "none",
        "evidence": None,
        "source": None,
        "where": None,
        "data": None,
        "remark": None,
    }
    if b.id in assumed:
        row.update(met=True, basis="assumed", evidence="assumed met (what-if)")
        return row
    end = f"{year}-12-31"
    obs = sorted(
        (o for o in sc.observations if o.benchmark == b.id and _sort_date(o.date) <= end),
        key=lambda o: _sort_date(o.date),
    )
    ob = obs[-1] if obs else None
    ind = None
    if not b.qualitative and actor is not None:
        cands = [
            i for i in sc.indicators if i.indicator == name and i.actor == actor and i.year <= year
        ]
        ind = max(cands, key=lambda i: i.year) if cands else None
    use_ind = ind is not None and (ob is None or ind.year > int(ob.date[:4]))
    if use_ind:
        assert ind is not None
        row.update(
            value=ind.value,
            as_of=str(ind.year),
            basis="indicator",
            source=ind.source,
            where=ind.where,
            evidence=f"{name} = {ind.value:g}" + (f" ({ind.label})" if ind.label else ""),
        )
        row["met"] = judge(ind.value, b.direction or "==", b.threshold or 0.0)
        return row
    if ob is None:
        return row
    row.update(
        as_of=ob.date,
        basis="observation",
        evidence=ob.evidence,
        source=ob.source,
        where=ob.where,
        value=ob.value,
    )
    if ind is not None and ind.year == int(ob.date[:4]):
        row["data"] = ind.value
    if b.qualitative or ob.value is None:
        row["met"] = ob.met
        if not b.qualitative and ob.value is None:
            row["remark"] = "judged without a value"
        return row
    met = judge(ob.value, b.direction or "==", b.threshold or 0.0)
    row["met"] = met
    if ob.met is not None and ob.met != met:
        row["remark"] = (
            f"the observation states met: {str(ob.met).lower()}, but "
            f"{ob.value:g} {b.direction} {b.threshold:g} is {str(met).lower()}"
        )
    if row["data"] is not None and not np.isclose(row["data"], ob.value):
        row["remark"] = ((row["remark"] + "; ") if row["remark"] else "") + (
            f"the imported {name} is {row['data']:g}"
        )
    return row


def _incentive_row(inc, year: int, status: dict[str, bool | None]) -> dict[str, Any]:
    met = [b for b in inc.requires if status.get(b) is True]
    unmet = [b for b in inc.requires if status.get(b) is False]
    unknown = [b for b in inc.requires if status.get(b) is None]
    need = len(inc.requires) if inc.rule == "all" else int(inc.k or 1)
    unlocked = len(met) >= need
    rule = "all of" if inc.rule == "all" else f"at least {need} of"
    parts = [f"needs {rule} {len(inc.requires)}; {len(met)} met"]
    if met:
        parts.append("met: " + ", ".join(met))
    if unmet:
        parts.append("unmet: " + ", ".join(unmet))
    if unknown:
        parts.append("unknown (counted as not met): " + ", ".join(unknown))
    return {
        "year": year,
        "incentive": inc.id,
        "name": inc.name,
        "rule": inc.rule,
        "k": need,
        "requires": list(inc.requires),
        "met": met,
        "unmet": unmet,
        "unknown": unknown,
        "unlocked": unlocked,
        "why": ("unlocked: " if unlocked else "locked: ") + "; ".join(parts),
        "triggers": list(inc.triggers),
    }


def _default_year(sc: Scenario) -> int:
    if sc.year is not None:
        return sc.year
    dates = [int(o.date[:4]) for o in sc.observations] + [i.year for i in sc.indicators]
    if not dates:
        raise CrossroadsError(
            f"scenario '{sc.id}' has no year and no observation; give a year (--year)"
        )
    return max(dates)


def benchmark_status(
    scenario: Scenario,
    year: int | None = None,
    years: Sequence[int] | range | None = None,
    *,
    assume_met: Iterable[str] = (),
) -> Monitor:
    """Each benchmark's status and each incentive's, in a year or over a range of years.

    Parameters
    ----------
    scenario : Scenario
    year : int, optional
        Default: the scenario's ``year`` (else the latest dated evidence).
    years : sequence of int, optional
        Several years (the history); overrides ``year``.
    assume_met : iterable of str
        Benchmarks to treat as met (what-if).

    Returns
    -------
    Monitor

    Raises
    ------
    CrossroadsError
        for an unknown benchmark in ``assume_met``, or no year to report.

    Examples
    --------
    >>> import crossroads
    >>> m = crossroads.benchmark_status(crossroads.load("kazakhstan-2010"), 2010)
    >>> m.status("fh-political-rights", 2010)
    False
    """
    ids = {b.id for b in scenario.benchmarks}
    assumed = set(assume_met)
    unknown = sorted(assumed - ids)
    if unknown:
        raise CrossroadsError(
            f"unknown benchmark(s) {', '.join(unknown)}; benchmarks: {', '.join(sorted(ids))}"
        )
    ys = (
        list(years)
        if years is not None
        else [year if year is not None else _default_year(scenario)]
    )
    if not ys:
        raise CrossroadsError("an empty range of years")
    brows, irows = [], []
    for y in ys:
        status = {}
        for b in scenario.benchmarks:
            r = _benchmark_row(scenario, b, y, assumed)
            status[b.id] = r["met"]
            brows.append(r)
        for inc in scenario.incentives:
            irows.append(_incentive_row(inc, y, status))
    bcols = [
        "year",
        "benchmark",
        "name",
        "indicator",
        "actor",
        "qualitative",
        "direction",
        "threshold",
        "value",
        "met",
        "as_of",
        "basis",
        "evidence",
        "source",
        "where",
        "data",
        "remark",
    ]
    icols = [
        "year",
        "incentive",
        "name",
        "rule",
        "k",
        "requires",
        "met",
        "unmet",
        "unknown",
        "unlocked",
        "why",
        "triggers",
    ]
    bdf = pd.DataFrame(brows, columns=bcols).astype({"met": object})
    return Monitor(scenario.id, ys, bdf, pd.DataFrame(irows, columns=icols), sorted(assumed))


def incentive_effects(
    scenario: Scenario,
    incentives: Iterable[str] | None = None,
    *,
    model: str = "mean",
    preset: str | None = None,
    **params: Any,
) -> pd.DataFrame:
    """What each incentive's triggered interventions do: stakes moved and forecasts shifted.

    For each incentive (default: every one that triggers an intervention) its
    interventions are applied together, and every issue they touch is forecast
    with and without them.

    Returns
    -------
    DataFrame
        One row per incentive and issue: ``incentive, interventions, issue,
        model, before, after, shift`` (forecast after the last round),
        ``moves`` (e.g. ``"eu-council position 50 -> 85"``).

    Examples
    --------
    >>> import crossroads
    >>> fx = crossroads.incentive_effects(crossroads.load("kazakhstan-2010"),
    ...                                   ["association-agreement"])  # doctest: +SKIP
    """
    from crossroads.forecasting import forecast
    from crossroads.scenario.interventions import apply_interventions

    by_id = {i.id: i for i in scenario.incentives}
    chosen = (
        list(incentives)
        if incentives is not None
        else [i.id for i in scenario.incentives if i.triggers]
    )
    rows = []
    for iid in chosen:
        if iid not in by_id:
            raise CrossroadsError(
                f"no incentive '{iid}' in scenario '{scenario.id}'; incentives: "
                f"{', '.join(by_id) or 'none'}"
            )
        inc = by_id[iid]
        if not inc.triggers:
            continue
        after_sc = apply_interventions(scenario, inc.triggers)
        touched = []
        for iv in inc.triggers:
            for ed in scenario.intervention(iv).edits:
                if ed.issue not in touched:
                    touched.append(ed.issue)
        for issue in touched:
            before = forecast(scenario, issue, model, preset=preset, **params)
            after = forecast(after_sc, issue, model, preset=preset, **params)
            b_iss, a_iss = scenario.issue(issue), after_sc.issue(issue)
            moves = []
            old = {s.actor: s for s in b_iss.stakes}
            new = {s.actor: s for s in a_iss.stakes}
            for actor in list(old) + [a for a in new if a not in old]:
                o, n = old.get(actor), new.get(actor)
                if o is None:
                    moves.append(f"{actor} added at {n.position:g}")
                    continue
                if n is None:
                    moves.append(f"{actor} removed")
                    continue
                for fld in ("position", "salience", "capability"):
                    if not np.isclose(getattr(o, fld), getattr(n, fld)):
                        moves.append(f"{actor} {fld} {getattr(o, fld):g} -> {getattr(n, fld):g}")
            rows.append(
                {
                    "incentive": iid,
                    "interventions": list(inc.triggers),
                    "issue": issue,
                    "model": model,
                    "before": float(before.outcome),
                    "after": float(after.outcome),
                    "shift": float(after.outcome) - float(before.outcome),
                    "moves": moves,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "incentive",
            "interventions",
            "issue",
            "model",
            "before",
            "after",
            "shift",
            "moves",
        ],
    )


def conditional_forecast(
    scenario: Scenario,
    year: int | None = None,
    *,
    assume_met: Iterable[str] = (),
    model: str = "mean",
    preset: str | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Every issue forecast with the interventions of the incentives unlocked in ``year``.

    Returns
    -------
    DataFrame
        ``issue, baseline, conditional, shift, interventions`` (applied, from
        the unlocked incentives, in incentive order).
    """
    from crossroads.forecasting import forecast

    mon = benchmark_status(scenario, year, assume_met=assume_met)
    y = mon.years[0]
    ivs: list[str] = []
    for iid in mon.unlocked(y):
        for t in next(i for i in scenario.incentives if i.id == iid).triggers:
            if t not in ivs:
                ivs.append(t)
    rows = []
    for iss in scenario.issues:
        base = forecast(scenario, iss.id, model, preset=preset, **params)
        cond = forecast(scenario, iss.id, model, preset=preset, interventions=ivs, **params)
        rows.append(
            {
                "issue": iss.id,
                "baseline": float(base.outcome),
                "conditional": float(cond.outcome),
                "shift": float(cond.outcome) - float(base.outcome),
                "interventions": ivs,
            }
        )
    return pd.DataFrame(
        rows, columns=["issue", "baseline", "conditional", "shift", "interventions"]
    )
