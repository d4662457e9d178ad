"""Forecast several linked issues at once with a model of linked issues (``exchange``).

The single-issue API is :func:`crossroads.forecast`; this is its counterpart for models
whose :attr:`~crossroads.models.spec.ModelSpec.inputs` are ``issues``: actors trade
concessions across the issues of a linked set (Stokman & Van Oosten 1994), so the set is
forecast as one. :func:`crossroads.forecast` on one issue of such a model runs this on the
issue's linked set (:func:`crossroads.scenario.linked_sets.linked_set_of`) and keeps that
issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from crossroads.errors import CrossroadsError
from crossroads.models import get_model
from crossroads.presets import resolve
from crossroads.scenario import Scenario, apply_interventions, load
from crossroads.scenario.linked_sets import linked_set_of
from crossroads.seeding import Seed, as_generator

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LinkedForecast", "forecast_issues", "linked_inputs"]


@dataclass(frozen=True)
class LinkedForecast:
    """One model's forecast of a set of linked issues, round by round.

    Attributes
    ----------
    scenario, model : str
    params : dict
        Every model parameter, after preset and overrides.
    issues : list of str
        The issues bargained together, in the scenario's order.
    actors, names : list of str
        Every actor with a stake in one of the issues, in the scenario's actor order.
    capability, salience : ndarray of shape (actors, issues)
        0 where an actor has no stake.
    has_stake : ndarray of bool, shape (actors, issues)
    scale : ndarray of shape (issues, 2)
        Each issue's (min, max).
    trajectory : ndarray of shape (rounds + 1, actors, issues)
        Each actor's position after each round (round 0 the input); NaN without a stake.
    forecast : ndarray of shape (rounds + 1, issues)
        Expected outcome of each issue: entry 0 before any exchange, entry k after round k.
    rounds : int
        Rounds made.
    exchanges : pandas.DataFrame
        One row per realised exchange (:func:`crossroads.models.exchange.exchanges_df`,
        actors by id), with the actors' display names in ``name_i`` and ``name_j``.
    externalities : ndarray of shape (exchanges, actors)
        Each actor's gain (+) or loss (-) from each exchange's shift of the outcomes
        (:func:`crossroads.models.exchange.externalities` with ``partial_stakes``: an actor
        with a stake in one of the two issues counts that issue), salience x 0-100 units.
    observed : list of float or None
        Each issue's observed outcome, when recorded.
    interventions : list of str
    linkages : list of str
        The active linkages that make up the set (empty when the issues were named).
    """

    scenario: str
    model: str
    params: dict[str, Any]
    issues: list[str]
    actors: list[str]
    names: list[str]
    capability: np.ndarray
    salience: np.ndarray
    has_stake: np.ndarray
    scale: np.ndarray
    trajectory: np.ndarray
    forecast: np.ndarray
    rounds: int
    exchanges: pd.DataFrame
    externalities: np.ndarray
    observed: list[float | None]
    interventions: list[str] = field(default_factory=list)
    linkages: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> dict[str, float]:
        """Each issue's final forecast."""
        return {i: float(v) for i, v in zip(self.issues, self.forecast[-1], strict=True)}

    def moves_df(self) -> pd.DataFrame:
        """Per issue: the forecast before any exchange, after the last round, and the move."""
        import pandas as pd

        return pd.DataFrame(
            {
                "issue": self.issues,
                "before": self.forecast[0],
                "after": self.forecast[-1],
                "move": self.forecast[-1] - self.forecast[0],
                "exchanges": [
                    int(((self.exchanges["i_gives"] == i) | (self.exchanges["j_gives"] == i)).sum())
                    for i in self.issues
                ],
                "observed": self.observed,
            }
        )

    def gains_df(self) -> pd.DataFrame:
        """Per actor: exchanges taken part in, gains from its own exchanges, and the
        externalities of the exchanges of others (salience x 0-100 units; + is a gain)."""
        import pandas as pd

        ex = self.exchanges
        n = len(self.actors)
        idx = {a: k for k, a in enumerate(self.actors)}
        own = np.zeros(n)
        count = np.zeros(n, dtype=int)
        part = np.zeros((len(ex), n), dtype=bool)
        if len(ex):
            ai = ex["actor_i"].map(idx).to_numpy()
            aj = ex["actor_j"].map(idx).to_numpy()
            np.add.at(own, ai, ex["gain_i"].to_numpy())
            np.add.at(own, aj, ex["gain_j"].to_numpy())
            np.add.at(count, ai, 1)
            np.add.at(count, aj, 1)
            part[np.arange(len(ex)), ai] = True
            part[np.arange(len(ex)), aj] = True
        third = np.where(part, 0.0, self.externalities).sum(axis=0) if len(ex) else np.zeros(n)
        return pd.DataFrame(
            {
                "actor": self.actors,
                "name": self.names,
                "exchanges": count,
                "own_gain": own,
                "externalities": third,
                "total": own + third,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON schema (docs/models/exchange.md, "JSON")."""

        def num(v: float) -> float | None:
            return float(v) if np.isfinite(v) else None

        ex = self.exchanges
        records = []
        for k, row in enumerate(ex.itertuples(index=False)):
            ext = {
                a: float(self.externalities[k, j])
                for j, a in enumerate(self.actors)
                if a not in (row.actor_i, row.actor_j) and self.externalities[k, j] != 0.0
            }
            records.append(
                {
                    "round": int(row.round),
                    "actor_i": row.actor_i,
                    "actor_j": row.actor_j,
                    "i_gives": row.i_gives,
                    "j_gives": row.j_gives,
                    "i_position": float(row.i_position),
                    "j_position": float(row.j_position),
                    "gain_i": float(row.gain_i),
                    "gain_j": float(row.gain_j),
                    "externalities": ext,
                }
            )
        return {
            "scenario": self.scenario,
            "model": self.model,
            "params": self.params,
            "interventions": self.interventions,
            "linkages": self.linkages,
            "rounds": self.rounds,
            "issues": [
                {
                    "id": iss,
                    "scale": self.scale[k].tolist(),
                    "forecast": self.forecast[:, k].tolist(),
                    "observed": self.observed[k],
                }
                for k, iss in enumerate(self.issues)
            ],
            "actors": [
                {
                    "id": a,
                    "name": self.names[j],
                    "trajectory": {
                        iss: [num(v) for v in self.trajectory[:, j, k]]
                        for k, iss in enumerate(self.issues)
                        if self.has_stake[j, k]
                    },
                }
                for j, a in enumerate(self.actors)
            ],
            "exchanges": records,
            "gains": self.gains_df().drop(columns=["name"]).to_dict(orient="records"),
        }


def _named(ex: pd.DataFrame, actors: list[str], names: list[str]) -> pd.DataFrame:
    name = dict(zip(actors, names, strict=True))
    return ex.assign(name_i=ex["actor_i"].map(name), name_j=ex["actor_j"].map(name))


def _which_set(sc: Scenario, sets: list[list[str]]) -> str:
    """Why no single linked set can be chosen, and what would choose one."""
    if sets:
        listed = "; ".join(", ".join(s) for s in sets)
        return (
            f"scenario '{sc.id}' has {len(sets)} linked sets of issues ({listed}); name the "
            "issues (--issues a,b) or one issue (--issue)"
        )
    text = f"scenario '{sc.id}' has no active linkage; name the issues (--issues a,b)"
    offers = [
        f"'{iv.id}' links {', '.join(iv.link)}" for iv in sc.interventions if iv.link
    ]  # fmt: skip
    if offers:
        text += "; or apply an intervention that links issues (-i): " + "; ".join(offers[:5])
    return text


def linked_inputs(scenario: Scenario, issues: Sequence[str]):
    """The stakes of ``issues`` as (actors, issues) arrays with NaN positions where an actor
    has no stake (what the exchange kernel takes). Returns the
    :class:`~crossroads.scenario.schema.LinkedArrays` and the position array."""
    arr = scenario.linked_arrays(list(issues))
    x = np.where(arr.has_stake, arr.position, np.nan)
    return arr, x


def forecast_issues(
    scenario: Scenario | str,
    issues: Sequence[str] | None = None,
    model: str = "exchange",
    *,
    issue: str | None = None,
    preset: str | None = None,
    interventions: Sequence[str] = (),
    seed: Seed = 0,
    **params: Any,
) -> LinkedForecast:
    """Forecast a set of linked issues with a model of linked issues.

    Parameters
    ----------
    scenario : Scenario or str
        A loaded scenario, or anything :func:`crossroads.load` accepts (a decide file is a
        scenario whose issues are all linked).
    issues : sequence of str, optional
        The issues to bargain over together. Default: the linked set of ``issue`` (after
        ``interventions``), or of the scenario's only linked set.
    model : str
        A model whose inputs are ``issues`` (``exchange``).
    issue : str, optional
        An issue whose linked set to forecast, when ``issues`` is not given.
    preset, interventions, seed, **params
        As for :func:`crossroads.forecast`. ``seed`` feeds the randomised variants.

    Returns
    -------
    LinkedForecast

    Examples
    --------
    >>> import crossroads
    >>> f = crossroads.forecast_issues("tests/data/linked.yaml", ["trade", "rights"])
    >>> f.issues, len(f.forecast)
    (['trade', 'rights'], 11)
    """
    from crossroads.models.exchange import exchanges_df, externalities
    from crossroads.scenario.linked_sets import linked_sets

    sc = load(scenario) if not isinstance(scenario, Scenario) else scenario
    if interventions:
        sc = apply_interventions(sc, interventions)
    spec = get_model(model)
    spec.check_inputs("issues", "; use crossroads.forecast for one issue")
    used: list[str] = []
    if issues:
        ids = [sc.issue(i).id for i in issues]
        if len(set(ids)) != len(ids):
            raise CrossroadsError(f"issues: {', '.join(ids)} names an issue twice")
    else:
        if issue is not None:
            ids = linked_set_of(sc, issue)
        else:
            sets = linked_sets(sc)
            if len(sets) != 1:
                raise CrossroadsError(_which_set(sc, sets))
            ids = sets[0]
        used = [lk.id for lk in sc.linkages if lk.active and set(lk.issues) & set(ids)]
    where = f"{scenario}: " if not isinstance(scenario, Scenario) else ""
    arr, x = linked_inputs(sc, ids)
    spec.check_actors(len(arr.actors), f"{where}issues {', '.join(ids)}: ")
    for k, iss in enumerate(ids):
        if not np.any(arr.capability[:, k] * arr.salience[:, k] > 0):
            raise CrossroadsError(
                f"{where}issue '{iss}': every actor has zero capability x salience; "
                "nothing to weight"
            )
    full = resolve(model, preset, **params)
    res = spec.run(
        arr.capability[None],
        arr.salience[None],
        x[None],
        scale=arr.scale,
        params=full,
        rng=as_generator(seed),
    )
    rounds = int(res.rounds[0])
    ext = externalities(res, arr.salience[None], partial_stakes=True)
    return LinkedForecast(
        scenario=sc.id,
        model=model,
        params=full.model_dump(),
        issues=list(ids),
        actors=list(arr.actors),
        names=list(arr.names),
        capability=arr.capability,
        salience=arr.salience,
        has_stake=arr.has_stake,
        scale=arr.scale,
        trajectory=res.positions[0, : rounds + 1],
        forecast=res.forecast[0, : rounds + 1],
        rounds=rounds,
        exchanges=_named(exchanges_df(res, arr.actors, ids), arr.actors, arr.names),
        externalities=ext,
        observed=[
            (sc.issue(i).observed.value if sc.issue(i).observed is not None else None) for i in ids
        ],
        interventions=list(interventions),
        linkages=used,
    )
