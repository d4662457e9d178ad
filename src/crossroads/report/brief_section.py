"""The report's opening section: the brief of every contested issue
(:func:`crossroads.briefing.brief`), before any table of the system."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crossroads.aims import AimAnswer
from crossroads.errors import CrossroadsError
from crossroads.scenario import Scenario

__all__ = ["brief_section"]


def brief_section(
    sc: Scenario,
    models: Sequence[str],
    lead: str,
    *,
    runs: int,
    seed: int,
    aims: Sequence[AimAnswer],
) -> dict[str, Any]:
    """The brief as the template takes it.

    Parameters
    ----------
    sc : Scenario
    models : sequence of str
        The report's models (the spread).
    lead : str
        The report's focus model.
    runs, seed : int
        Of the brief's ensembles and comparisons; ``runs`` 0 (ensembles off) leaves the
        brief out, with the reason.
    aims : sequence of AimAnswer
        The report's aim answers (computed once for the brief and the aims section).

    Returns
    -------
    dict
        ``available`` (False with a ``reason``), ``lead``, ``runs``, ``seed``, ``columns``
        and ``rows`` (one per issue: ``id``, ``cells``, ``words``, ``change``, ``notes``).
    """
    from crossroads.briefing import brief

    if not sc.issues:
        return {"available": False, "reason": "the scenario has no contested issues"}
    if runs <= 0:
        return {"available": False, "reason": "not computed (ensemble runs set to 0)"}
    try:
        b = brief(sc, models, runs=runs, seed=seed, lead=lead, aims=aims)
    except CrossroadsError as e:
        return {"available": False, "reason": str(e)}
    df = b.to_df()
    rows = []
    for item, r in zip(b.issues, df.itertuples(index=False), strict=True):
        cells = ["" if v is None or v != v else (f"{v:g}" if isinstance(v, float) else str(v))
                 for v in r[1:]]  # fmt: skip
        rows.append(
            {
                "id": item.issue,
                "title": item.title,
                "cells": cells,
                "words": item.band_words(),
                "change": item.change_text(),
                "notes": "; ".join(item.notes),
            }
        )
    return {
        "available": True,
        "lead": b.lead,
        "models": b.models,
        "runs": b.runs,
        "seed": b.seed,
        "columns": list(df.columns[1:]),
        "rows": rows,
    }
