"""One issue's stakes as a table: who, how strong, where, how much they care, how sure, why.

>>> from crossroads.scenario import load
>>> from crossroads.scenario.stake_listing import stakes_frame
>>> list(stakes_frame(load("kazakhstan-2010"), "trade-regime").columns)
['actor', 'name', 'capability', 'position', 'salience', 'uncertainty', 'source', 'note']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossroads.scenario.schema import Scenario, SpatialStake, Uncertainty

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "stakes_frame", "uncertainty_text"]

#: The columns of :func:`stakes_frame`, in order.
COLUMNS = ("actor", "name", "capability", "position", "salience", "uncertainty", "source", "note")


def _g(x: float) -> str:
    return f"{x:g}"


def uncertainty_text(field: str, u: Uncertainty) -> str:
    """``"position sd 10"``, ``"salience 0.6-0.9"``: one field's uncertainty in words."""
    if u.range is not None:
        what = f"{_g(u.range[0])}..{_g(u.range[1])}"
    elif u.sd is not None:
        what = f"sd {_g(u.sd)}"
    elif u.options is not None:
        what = "one of " + "/".join(_g(o) for o in u.options)
        if u.weights:
            what += " (weights " + "/".join(_g(w) for w in u.weights) + ")"
    elif u.plus_minus is not None:
        what = f"± {_g(u.plus_minus)}"
    elif u.relative is not None:
        what = f"× (1 ± {_g(u.relative)})"
    else:
        what = "none given"
    return f"{field} {what}"


def _uncertainty(own: dict | None, default: dict | None) -> str:
    """Per field, in the order ensembles resolve it: the stake's own uncertainty, the
    scenario's ``uncertainty_default``, else the built-in default
    (:data:`crossroads.uncertainty.sampling.BUILTIN_DEFAULT`)."""
    own, default = own or {}, default or {}
    parts, builtin = [], []
    for field in ("position", "salience", "capability"):
        if field in own:
            parts.append(uncertainty_text(field, own[field]))
        elif field in default:
            parts.append(uncertainty_text(field, default[field]) + " (scenario default)")
        else:
            builtin.append(field)
    if builtin:
        parts.append(f"{', '.join(builtin)}: built-in default")
    return "; ".join(parts)


def stakes_frame(scenario: Scenario, issue_id: str | None = None) -> pd.DataFrame:
    """The stakes of one issue, one row per actor (columns :data:`COLUMNS`).

    ``uncertainty`` describes, per field, the stake's own uncertainty, else the scenario's
    ``uncertainty_default``, else the built-in default (as ensembles draw them); ``source`` is
    the source id and its section (``where``), ``note`` the stake's reasoning. For an issue with
    dimensions, ``position`` and ``salience`` hold one value per dimension.
    """
    import pandas as pd

    issue = scenario.issue(issue_id)
    names = {a.id: a.name for a in scenario.actors}
    rows = []
    for s in issue.stakes:
        spatial = isinstance(s, SpatialStake)
        cited = ", ".join(x for x in (s.source, s.where) if x)
        rows.append(
            {
                "actor": s.actor,
                "name": names.get(s.actor, s.actor),
                "capability": s.capability,
                "position": list(s.positions) if spatial else s.position,
                "salience": list(s.saliences) if spatial else s.salience,
                "uncertainty": ""
                if spatial
                else _uncertainty(s.uncertainty, scenario.uncertainty_default),
                "source": cited,
                "note": s.note or "",
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))
