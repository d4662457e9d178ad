"""The report's "Linked issues" section: per linked set (active, or created by an
intervention's ``link``) the realised trades as a table and a chart, each issue with and
without the link, and each aim's plan frontier (:mod:`crossroads.linked_summary`,
:mod:`crossroads.aims`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from crossroads.errors import CrossroadsError
from crossroads.report import figures as F
from crossroads.report.tables import FigureBag, table_of
from crossroads.scenario import Scenario

__all__ = ["aims_section", "linked_section"]


def linked_section(sc: Scenario, table: pd.DataFrame | None, bag: FigureBag,
                   *, runs: int, seed: int) -> dict[str, Any] | None:  # fmt: skip
    """The section as plain data, or None when the scenario has no linkage (no section).

    ``table`` is the report's forecast table (issue x model) the exchange forecast is
    put beside.
    """
    from crossroads.linked_summary import summarise_linked_sets

    if not sc.linkages:
        return None
    try:
        summaries = summarise_linked_sets(sc, runs=runs, seed=seed)
    except CrossroadsError as e:
        return {"available": False, "reason": str(e), "sets": []}
    if not summaries:
        return {
            "available": False,
            "reason": "no linkage is active and no intervention switches one on",
            "sets": [],
        }
    scales = {iss.id: (iss.scale.min, iss.scale.max) for iss in sc.issues}
    sets = []
    for s in summaries:
        tables = []
        if table is not None:
            tables.append(table_of(s.beside(table), "The exchange forecast of the linked "
                                   "issues beside the single-issue models"))  # fmt: skip
        trades = s.trades(None).rename(
            columns={"name_i": "i", "i_gives": "i gives ground on", "name_j": "j",
                     "j_gives": "j gives ground on", "gain_i": "gain of i", "gain_j": "gain of j"}
        )  # fmt: skip
        figures = []
        if len(trades):
            tables.append(table_of(trades, "Realised trades, largest joint gain first "
                                   "(gains in salience x 0-100 points)"))  # fmt: skip
            gains = s.forecast.gains_df().drop(columns=["actor"])
            tables.append(table_of(gains, "Who gains: own exchanges and the externalities of "
                                   "others' exchanges"))  # fmt: skip
            figures.append(
                bag.add(
                    F.moved_figure(s.moved(), title=f"Who gave ground on what: {s.label}"),
                    "Each actor's move on each issue over the exchanges, % of the issue's "
                    "scale (an actor gives ground on the issue it cares less about).",
                )
            )
        if s.comparison is not None:
            tables.append(table_of(s.comparison, f"With and without the link (exchange, "
                                   f"{s.runs:,} runs, common random numbers)"))  # fmt: skip
            figures.append(
                bag.add(
                    F.with_without_figure(
                        s.comparison, scales, s.names, title=f"With and without the link: {s.label}"
                    ),
                    "Mean forecast of each linked issue, whiskers the 5-95% range of the "
                    "ensemble, without the link and with each intervention that switches it.",
                )  # fmt: skip
            )
        sets.append(
            {
                "label": s.label,
                "active": s.active,
                "headline": s.headline(),
                "note": s.note,
                "trades": len(s.forecast.exchanges),
                "tables": tables,
                "figures": figures,
            }
        )
    return {"available": True, "reason": None, "sets": sets}


def aims_section(sc: Scenario, models: Sequence[str], bag: FigureBag,
                 *, runs: int, seed: int, answers: Sequence[Any] | None = None,
                 ) -> dict[str, Any] | None:  # fmt: skip
    """Each aim's plan under each model: a table and the frontier; None without aims.

    ``answers``: the :func:`crossroads.aims.answer_aims` of :func:`aim_models`, when the
    caller has them already (planned here otherwise)."""
    from crossroads.aims import aim_models, answer_aims

    if not sc.aims:
        return None
    if answers is None:
        answers = answer_aims(sc, aim_models(sc, models), runs=runs, seed=seed)
    out = []
    for aim in sc.aims:
        mine = [a for a in answers if a.aim.id == aim.id]
        plans = [a.result for a in mine if a.result is not None]
        rows = pd.DataFrame(
            [
                {
                    "model": a.model,
                    "cheapest package": (
                        a.result.best.label if a.result and a.result.best else "none reaches it"
                    ),
                    "cost": a.result.best.cost if a.result and a.result.best else None,
                    "P": a.result.best.probability if a.result and a.result.best else None,
                    "± se": a.result.best.mc_error if a.result and a.result.best else None,
                    "packages": a.result.evaluated if a.result else 0,
                    "why not": a.error or (a.result.reason if a.result else None),
                }
                for a in mine
            ]
        )
        figures = []
        if plans:
            figures.append(
                bag.add(
                    F.frontier_figure(
                        plans,
                        aim.probability,
                        title=f"{aim.name or aim.id}: cost against probability",
                    ),
                    f"Every package of costed interventions ({runs:,} runs each, common random "
                    "numbers), the frontier per model, the cheapest package reaching the aim "
                    "ringed, the required probability dashed.",
                )  # fmt: skip
            )
        out.append(
            {
                "id": aim.id,
                "name": aim.name or aim.id,
                "text": f"{aim.issue}: P(forecast {aim.target}) >= {aim.probability:g}",
                "cite": {"source": aim.source, "where": aim.where}
                if aim.source or aim.where
                else None,
                "headlines": [a.headline() for a in mine],
                "table": table_of(rows, "The cheapest package under each model", digits=3),
                "figures": figures,
                "left_out": mine[0].left_out if mine else [],
            }
        )
    return {"runs": runs, "aims": out}
