"""What the exchange model says about each set of linked issues of a scenario.

For ``crossroads run``, the HTML report and the dashboard: every linked set of the
scenario's active linkages, and every set an intervention's ``link`` would create (a
proposed linkage), with

* the exchange forecast of the set with its linkages on (Stokman & Van Oosten 1994): the
  realised trades, who gains, how far each issue moves
  (:func:`crossroads.forecast_issues`);
* each issue of the set with and without the link, on common random numbers
  (:func:`crossroads.compare` of model ``exchange``: the baseline against each
  intervention that switches the set's linkages on, or, for an active set, off).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from crossroads.linked_forecasting import LinkedForecast, forecast_issues
from crossroads.scenario import Scenario
from crossroads.scenario.interventions import set_links
from crossroads.scenario.linked_sets import linked_sets
from crossroads.uncertainty.what_if import compare
from crossroads.wording import count

__all__ = ["COMPARE_RUNS", "LinkedSetSummary", "summarise_linked_sets"]

#: Ensemble runs of each with/without comparison (``crossroads run``, report, dashboard).
COMPARE_RUNS = 1024

_Z = 1.959963984540054


@dataclass(frozen=True)
class LinkedSetSummary:
    """One linked set: the exchange forecast with its linkages on, and with vs without.

    Attributes
    ----------
    issues : list of str
        The issues bargained together, in the scenario's order.
    linkages : list of str
        The linkages that tie them.
    active : bool
        True when the linkages hold in the baseline; False for a set that interventions
        would create.
    switched_by : list of str
        The interventions that switch the set's linkages on (a proposed set) or off (an
        active set); the arms of :attr:`comparison`.
    forecast : LinkedForecast
        The exchange forecast of the set with its linkages on and no other change.
    comparison : DataFrame or None
        One row per (issue, variant): ``issue``, ``variant`` ('baseline' or an intervention
        id), ``linked`` (whether the set is bargained together in that variant), ``mean``,
        ``mcse``, ``q05``, ``q95``, ``shift`` (mean per-run shift from the baseline) and
        ``shift_ci`` (its 95% Monte Carlo half-width). None when no intervention switches
        the linkages (``note`` says so).
    runs, seed : int
        Of the comparison's ensembles.
    note : str or None
    """

    issues: list[str]
    linkages: list[str]
    active: bool
    switched_by: list[str]
    forecast: LinkedForecast
    comparison: pd.DataFrame | None
    runs: int
    seed: int
    note: str | None = None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``trade + rights``."""
        return " + ".join(self.issues)

    def headline(self) -> str:
        """The set in one sentence: how it is linked and what the exchange model does."""
        f = self.forecast
        how = (
            f"linked in the baseline by {', '.join(self.linkages)}"
            if self.active
            else f"linked by {', '.join(self.linkages)} if "
            + " or ".join(self.switched_by)
            + " is applied"
        )
        moves = ", ".join(
            f"{r.issue} {r.before:.3g} -> {r.after:.3g}" for r in f.moves_df().itertuples()
        )
        return (
            f"{self.label} ({how}): {count(len(f.exchanges), 'exchange')} in "
            f"{count(f.rounds, 'round')}; {moves}"
        )

    def trades(self, top: int | None = 5) -> pd.DataFrame:
        """The realised exchanges with the largest joint gain (all when ``top`` is None):
        round, who gives ground on what to whom, and the gains."""
        ex = self.forecast.exchanges
        cols = ["round", "name_i", "i_gives", "name_j", "j_gives", "gain_i", "gain_j"]
        out = ex.assign(joint=ex["gain_i"] + ex["gain_j"])
        out = out.sort_values(["joint", "round"], ascending=[False, True], kind="stable")
        out = out[cols].reset_index(drop=True)
        return out if top is None else out.head(top)

    def moved(self) -> pd.DataFrame:
        """Actors x issues: how far each actor moved its position on each issue over the
        exchanges (0-100 share of the issue's scale, 0 without a stake)."""
        f = self.forecast
        span = f.scale[:, 1] - f.scale[:, 0]
        delta = np.where(f.has_stake, (f.trajectory[-1] - f.trajectory[0]) / span * 100.0, 0.0)
        return pd.DataFrame(delta, index=pd.Index(f.names, name="actor"), columns=f.issues)

    def beside(self, table: pd.DataFrame) -> pd.DataFrame:
        """The set's rows of a :func:`crossroads.summary.forecast_table` (single-issue
        models) with the linked exchange forecast, its move and its exchanges next to them."""
        moves = self.forecast.moves_df().set_index("issue")
        rows = table[table["issue"].isin(self.issues)].drop(columns=["observed"], errors="ignore")
        rows = rows.drop(columns=["exchange"], errors="ignore").set_index("issue")
        rows = rows.reindex(self.issues)
        rows["exchange, linked"] = moves["after"]
        rows["move"] = moves["move"]
        rows["exchanges"] = moves["exchanges"]
        rows["observed"] = moves["observed"]
        return rows.reset_index()

    def to_dict(self) -> dict[str, Any]:
        return {
            "issues": self.issues,
            "linkages": self.linkages,
            "active": self.active,
            "switched_by": self.switched_by,
            "headline": self.headline(),
            "runs": self.runs,
            "seed": self.seed,
            "note": self.note,
            "moves": self.forecast.moves_df().to_dict(orient="records"),
            "gains": self.forecast.gains_df().to_dict(orient="records"),
            "trades": self.trades(None).to_dict(orient="records"),
            "moved": {
                name: {k: float(v) for k, v in row.items()} for name, row in self.moved().iterrows()
            },
            "comparison": (
                self.comparison.to_dict(orient="records") if self.comparison is not None else None
            ),
            "forecast": self.forecast.to_dict(),
        }


def _candidate_sets(sc: Scenario) -> list[tuple[list[str], list[str], bool, list[str]]]:
    """(issues, linkages, active, switched_by) of every active set and every set an
    intervention's ``link`` creates, in the scenario's issue order."""
    base = linked_sets(sc)
    out: dict[tuple[str, ...], tuple[list[str], list[str], bool, list[str]]] = {}

    def linkages_of(s: Scenario, group: list[str]) -> list[str]:
        return [lk.id for lk in s.linkages if lk.active and set(lk.issues) & set(group)]

    for group in base:
        off = [iv.id for iv in sc.interventions if set(iv.unlink) & set(linkages_of(sc, group))]
        out[tuple(group)] = (group, linkages_of(sc, group), True, off)
    for iv in sc.interventions:
        if not iv.link:
            continue
        linked = set_links(sc, iv.link, where=f"intervention '{iv.id}'")
        for group in linked_sets(linked):
            key = tuple(group)
            if group in base:
                continue
            if key in out:
                out[key][3].append(iv.id)
            else:
                out[key] = (group, linkages_of(linked, group), False, [iv.id])
    order = {iss.id: k for k, iss in enumerate(sc.issues)}
    return sorted(out.values(), key=lambda s: order[s[0][0]])


def _comparison(
    sc: Scenario, issues: list[str], arms: list[str], runs: int, seed: int, active: bool
) -> pd.DataFrame:
    rows = []
    for iss in issues:
        res = compare(sc, iss, "exchange", arms, runs=runs, seed=seed, combine=False)
        for v in res.variants:
            d, s = v.distribution, v.shift
            rows.append(
                {
                    "issue": iss,
                    "variant": v.name,
                    "linked": active if not v.interventions else not active,
                    "mean": d.mean,
                    "mcse": d.mcse,
                    "q05": d.quantiles[0.05],
                    "q95": d.quantiles[0.95],
                    "shift": s.mean if s is not None else 0.0,
                    "shift_ci": _Z * s.mcse if s is not None else 0.0,
                }
            )
    return pd.DataFrame(rows)


def summarise_linked_sets(
    scenario: Scenario, *, runs: int = COMPARE_RUNS, seed: int = 0
) -> list[LinkedSetSummary]:
    """Every linked set of ``scenario``, active or proposed, summarised (module docstring).

    Parameters
    ----------
    scenario : Scenario
    runs, seed : int
        Of each with/without comparison (one :func:`crossroads.compare` per issue of a
        set, all arms on the same draws).

    Returns
    -------
    list of LinkedSetSummary
        Empty when the scenario has no linkage an intervention or the baseline switches on.
    """
    out = []
    names = {iv.id: iv.name for iv in scenario.interventions}
    for issues, linkages, active, switched in _candidate_sets(scenario):
        on = scenario if active else set_links(scenario, linkages)
        lf = forecast_issues(on, issues, "exchange", seed=seed)
        lf = replace(lf, linkages=linkages)
        note = None
        table = None
        if switched:
            table = _comparison(scenario, issues, switched, runs, seed, active)
        else:
            note = (
                f"no intervention switches {', '.join(linkages)} off; nothing to compare the "
                "linked forecast with"
            )
        out.append(
            LinkedSetSummary(
                issues=issues,
                linkages=linkages,
                active=active,
                switched_by=switched,
                forecast=lf,
                comparison=table,
                runs=runs,
                seed=seed,
                note=note,
                names={k: names[k] for k in switched},
            )
        )
    return out
