"""Forecast one issue of a scenario with one model: the public single-run API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from crossroads.models import get_model
from crossroads.models.base import require_weight
from crossroads.presets import resolve
from crossroads.scenario import Scenario, apply_interventions, load
from crossroads.seeding import Seed, as_generator

if TYPE_CHECKING:  # pandas is imported only when a table is asked for
    import pandas as pd

__all__ = ["Forecast", "forecast"]


@dataclass(frozen=True)
class Forecast:
    """One model's forecast of one issue, round by round.

    Attributes
    ----------
    scenario, issue, model : str
        Ids of the scenario and issue, and the model's name.
    params : dict
        Every model parameter, after preset and overrides.
    actors, names : list of str
        Actor ids and display names, in stake order.
    capability, salience : ndarray of shape (actors,)
    trajectory : ndarray of shape (rounds + 1, actors[, dims])
        Positions after each round (round 0 = input).
    forecast : ndarray of shape (rounds + 1[, dims])
        The model's forecast after each round.
    weighted_mean : ndarray of shape (rounds + 1[, dims])
        Capability x salience weighted mean of the positions after each round.
    rounds : int
        Rounds made before the stopping rule held.
    observed : float or None
        The observed outcome, when the scenario records one.
    interventions : list of str
        Interventions applied before forecasting.
    """

    scenario: str
    issue: str
    model: str
    params: dict[str, Any]
    actors: list[str]
    names: list[str]
    capability: np.ndarray
    salience: np.ndarray
    trajectory: np.ndarray
    forecast: np.ndarray
    weighted_mean: np.ndarray
    rounds: int
    scale: tuple[float, float]
    observed: float | None = None
    interventions: list[str] = field(default_factory=list)
    #: Dimension ids of a multi-dimensional issue (then trajectory is
    #: (rounds + 1, actors, dims) and salience (actors, dims)); None for one dimension.
    dimensions: list[str] | None = None
    #: For a model of linked issues (``exchange``): the issues bargained together with this
    #: one (itself included); None for a single-issue model.
    linked_issues: list[str] | None = None

    @property
    def outcome(self) -> float | np.ndarray:
        """The final forecast."""
        out = self.forecast[-1]
        return float(out) if np.ndim(out) == 0 else out

    @property
    def error(self) -> float | None:
        """Absolute error against the observed outcome, when known (one-dimensional only)."""
        if self.observed is None or np.ndim(self.forecast[-1]) != 0:
            return None
        return abs(float(self.forecast[-1]) - self.observed)

    def to_df(self) -> pd.DataFrame:
        """Round-by-round table: one row per round, a column per actor, forecast, weighted mean."""
        import pandas as pd

        if self.trajectory.ndim != 2:
            rows = []
            for r in range(self.trajectory.shape[0]):
                for d in range(self.trajectory.shape[2]):
                    row = {"round": r, "dim": d}
                    row.update(dict(zip(self.names, self.trajectory[r, :, d], strict=True)))
                    row["forecast"] = self.forecast[r, d]
                    row["weighted_mean"] = self.weighted_mean[r, d]
                    rows.append(row)
            return pd.DataFrame(rows).set_index(["round", "dim"])
        df = pd.DataFrame(self.trajectory, columns=self.names)
        df.index.name = "round"
        df["forecast"] = self.forecast
        df["weighted_mean"] = self.weighted_mean
        return df

    def stakes_df(self) -> pd.DataFrame:
        """The inputs: one row per actor with capability, salience, first and last position."""
        import pandas as pd

        return pd.DataFrame(
            {
                "actor": self.actors,
                "name": self.names,
                "capability": self.capability,
                "salience": list(self.salience) if self.salience.ndim > 1 else self.salience,
                "position": list(self.trajectory[0]),
                "final": list(self.trajectory[-1]),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON schema (docs/tour.md, "JSON output")."""
        return {
            "scenario": self.scenario,
            "issue": self.issue,
            "model": self.model,
            "params": self.params,
            "interventions": self.interventions,
            "scale": list(self.scale),
            "actors": self.names,
            "actor_ids": self.actors,
            "capability": self.capability.tolist(),
            "salience": self.salience.tolist(),
            "rounds": self.rounds,
            "trajectory": self.trajectory.tolist(),
            "forecast": self.forecast.tolist(),
            "weighted_mean": self.weighted_mean.tolist(),
            "outcome": np.asarray(self.forecast[-1]).tolist(),
            "observed": self.observed,
            "error": self.error,
            **({"dimensions": self.dimensions} if self.dimensions else {}),
            **({"linked_issues": self.linked_issues} if self.linked_issues else {}),
        }

    def _repr_html_(self) -> str:  # Jupyter: a trajectory chart (inline SVG) and the table
        # display code lives with the other presentation code; imported only when displayed
        from crossroads.display import forecast_html

        return forecast_html(self)


def forecast(
    scenario: Scenario | str,
    issue: str | None = None,
    model: str = "mean",
    *,
    preset: str | None = None,
    interventions: Sequence[str] = (),
    seed: Seed = 0,
    **params: Any,
) -> Forecast:
    """Forecast ``issue`` of ``scenario`` with ``model``.

    Parameters
    ----------
    scenario : Scenario or str
        A loaded scenario, or anything :func:`crossroads.load` accepts.
    issue : str, optional
        Issue id; may be omitted when the scenario has one issue.
    model : {'mean', 'median', 'eum', 'smp', 'exchange'}
        A model of linked issues (``exchange``) forecasts the issue's linked set (the
        issues its active linkages tie it to, after ``interventions``) and keeps this
        issue; alone, an issue has no one to trade with and its forecast is the
        capability x salience weighted mean.
    preset : str, optional
        A named parameter set of the model (e.g. ``'scholz'`` for ``eum``).
    interventions : sequence of str
        Named interventions of the scenario to apply first.
    seed : None, int, SeedSequence or Generator
        Seeds the draws of a stochastic model (e.g. ``smp`` with stochastic transitions);
        see :func:`crossroads.seeding.as_generator`. Deterministic models draw nothing.
    **params
        Model parameters overriding the preset (e.g. ``rounds=10``).

    Returns
    -------
    Forecast

    Examples
    --------
    >>> import crossroads
    >>> f = crossroads.forecast("kazakhstan-2010", "trade-regime", model="median")
    >>> f.model
    'median'
    """
    sc = load(scenario) if not isinstance(scenario, Scenario) else scenario
    if interventions:
        sc = apply_interventions(sc, interventions)
    iss = sc.issue(issue)
    arrays = sc.arrays(iss.id)
    spec = get_model(model)
    if spec.inputs == {"issues"}:
        return _one_of_linked(sc, iss.id, model, preset, interventions, seed, params)
    full = resolve(model, preset, **params)
    multi = bool(arrays.dimensions)
    if multi:
        spec.check_inputs(
            "spatial",
            f"; issue '{iss.id}' has {len(arrays.dimensions)} dimensions "
            f"({', '.join(arrays.dimensions)}); use model 'smp', or 'mean' for the weighted "
            "mean of each dimension",
        )
    where = f"{scenario}: " if not isinstance(scenario, Scenario) else ""
    spec.check_actors(len(arrays.actors), f"{where}issue '{iss.id}': ")
    require_weight(arrays.capability, arrays.salience, iss.id)
    cap = arrays.capability[:, None] if multi else arrays.capability
    w = cap * arrays.salience
    res = spec.run(
        arrays.capability,
        arrays.salience,
        arrays.position,
        scale=(arrays.dim_scale_min, arrays.dim_scale_max)
        if multi
        else (arrays.scale_min, arrays.scale_max),
        params=full,
        rng=as_generator(seed),
    )
    rounds = int(res.rounds[0])
    traj = res.positions[0, : rounds + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        if traj.ndim == 2:
            wm = traj @ w / w.sum()
        elif w.ndim == 2:  # one weight per actor and dimension
            wm = np.einsum("ad,rad->rd", w, traj) / w.sum(axis=0)
        else:
            wm = np.einsum("a,rad->rd", w, traj) / w.sum()
    return Forecast(
        scenario=sc.id,
        issue=iss.id,
        model=model,
        params=full.model_dump(),
        actors=arrays.actors,
        names=arrays.names,
        capability=arrays.capability,
        salience=arrays.salience,
        trajectory=traj,
        forecast=res.forecast[0, : rounds + 1],
        weighted_mean=wm,
        rounds=rounds,
        scale=(arrays.scale_min, arrays.scale_max),
        observed=iss.observed.value if iss.observed is not None else None,
        interventions=list(interventions),
        dimensions=list(arrays.dimensions) or None,
    )


def _one_of_linked(
    sc: Scenario,
    issue: str,
    model: str,
    preset: str | None,
    interventions: Sequence[str],
    seed: Seed,
    params: dict[str, Any],
) -> Forecast:
    """The forecast of ``issue`` by a model of linked issues, run on the issue's linked set
    (``sc`` has the interventions applied already)."""
    from crossroads.linked_forecasting import forecast_issues
    from crossroads.scenario.linked_sets import linked_set_of

    lf = forecast_issues(sc, linked_set_of(sc, issue), model, preset=preset, seed=seed, **params)
    k = lf.issues.index(issue)
    rows = np.flatnonzero(lf.has_stake[:, k])
    iss = sc.issue(issue)
    order = {s.actor: j for j, s in enumerate(iss.stakes)}
    rows = rows[np.argsort([order[lf.actors[r]] for r in rows])]  # the issue's stake order
    cap, sal = lf.capability[rows, k], lf.salience[rows, k]
    traj = lf.trajectory[:, rows, k]
    w = cap * sal
    with np.errstate(invalid="ignore", divide="ignore"):
        wm = traj @ w / w.sum()
    return Forecast(
        scenario=sc.id,
        issue=issue,
        model=model,
        params=lf.params,
        actors=[lf.actors[r] for r in rows],
        names=[lf.names[r] for r in rows],
        capability=cap,
        salience=sal,
        trajectory=traj,
        forecast=lf.forecast[:, k],
        weighted_mean=wm,
        rounds=lf.rounds,
        scale=(iss.scale.min, iss.scale.max),
        observed=iss.observed.value if iss.observed is not None else None,
        interventions=list(interventions),
        linked_issues=list(lf.issues),
    )
