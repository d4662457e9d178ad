"""Uncertain inputs of a set of linked issues, for ensembles of a model of linked issues.

A model of linked issues (``exchange``) forecasts one issue from the stakes of every issue
bargained with it: the issue's linked set after the interventions
(:func:`crossroads.scenario.linked_sets.linked_set_of`). Each issue's stakes follow their
own distributions exactly as for a single-issue ensemble
(:func:`crossroads.uncertainty.sampling.input_spec`); what changes is where the uniforms
come from.

Randomness
----------
The uniforms of a run have shape (3, actors x issues of the scenario): issue ``i`` (its
place in the scenario's issue list) reads columns ``i * A .. i * A + A - 1``, ``A`` the
number of actors in the scenario, one column per actor in the scenario's actor order. So
an actor's draws on two issues are independent, and a run's draws for an issue do not
depend on which other issues are linked with it: switching a link on or off, or editing
another issue's stakes, leaves every draw in place (common random numbers across
packages of interventions). These are not the draws of a single-issue ensemble with the
same seed (whose uniforms have A columns): compare a linked model with single-issue
models through their distributions, not run by run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError
from crossroads.scenario import Scenario, apply_interventions
from crossroads.scenario.linked_sets import linked_set_of
from crossroads.uncertainty.sampling import FIELDS, InputSpec, input_spec

__all__ = ["LinkedInputSpec", "linked_input_spec"]


@dataclass(frozen=True)
class LinkedInputSpec:
    """The uncertain inputs of a linked set, with the forecast of one of its issues kept.

    Attributes
    ----------
    issue : str
        The issue whose forecast the ensemble summarises.
    issues : list of str
        The linked set (scenario order); ``issue`` is ``issues[target]``.
    target : int
    specs : tuple of InputSpec
        One per issue of the set.
    rows : tuple of ndarray of int
        Per issue: each of its stakes' row among :attr:`actors`.
    actors, names : list of str
        Every actor with a stake in the set, in the scenario's actor order.
    offsets : ndarray of int, shape (issues,)
        Each issue's first uniform column (its scenario index x actors in the scenario).
    n_cols : int
        Uniform columns per field: actors x issues of the scenario.
    scale : (float, float)
        The target issue's scale (what the summary bins).
    kernel_scale : ndarray of shape (issues, 2)
        Every issue's (min, max), as the kernel takes it.
    """

    issue: str
    issues: list[str]
    target: int
    specs: tuple[InputSpec, ...]
    rows: tuple[np.ndarray, ...]
    actors: list[str]
    names: list[str]
    offsets: np.ndarray
    n_cols: int
    scale: tuple[float, float]
    kernel_scale: np.ndarray

    @property
    def n_actors(self) -> int:
        return len(self.actors)

    @property
    def width(self) -> int:
        """Uniform columns of one issue (the scenario's actors)."""
        return self.specs[0].n_cols

    def _assemble(self, parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], runs: int):
        n, k = len(self.actors), len(self.issues)
        c, s = np.zeros((runs, n, k)), np.zeros((runs, n, k))
        x = np.full((runs, n, k), np.nan)
        for j, (cj, sj, xj) in enumerate(parts):
            r = self.rows[j]
            c[:, r, j], s[:, r, j], x[:, r, j] = cj, sj, xj
        return c, s, x

    @property
    def nominal(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The stakes' own values (c, s, x), each of shape (actors, issues); x NaN and c, s
        zero where an actor has no stake."""
        parts = [tuple(v[None, :] for v in sp.nominal) for sp in self.specs]
        c, s, x = self._assemble(parts, 1)
        return c[0], s[0], x[0]

    def transform(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Inputs ``(c, s, x)``, each (runs, actors, issues), from uniforms of shape
        (runs, 3, :attr:`n_cols`)."""
        w = self.width
        parts = [
            sp.transform(u[:, :, o : o + w]) for sp, o in zip(self.specs, self.offsets, strict=True)
        ]
        return self._assemble(parts, len(u))

    def select(self, forecast: np.ndarray) -> np.ndarray:
        """The target issue's forecast: (runs, rounds + 1) from (runs, rounds + 1, issues)."""
        return np.asarray(forecast)[..., self.target]

    def inputs_df(self) -> pd.DataFrame:
        """One row per (issue, actor, field): as :meth:`InputSpec.inputs_df`, with the issue."""
        frames = [sp.inputs_df().assign(issue=sp.issue) for sp in self.specs]
        df = pd.concat(frames, ignore_index=True)
        return df[["issue", *[c for c in df.columns if c != "issue"]]]


def linked_input_spec(
    scenario: Scenario,
    issue: str | None = None,
    *,
    interventions: Sequence[str] = (),
    default_uncertainty: bool = True,
    fields: Sequence[str] = FIELDS,
) -> LinkedInputSpec:
    """The uncertain inputs of ``issue``'s linked set after ``interventions``.

    The set is the one the interventions leave (an intervention may switch a linkage on or
    off); each issue's distributions are :func:`~crossroads.uncertainty.sampling.input_spec`'s.
    """
    target = scenario.issue(issue).id
    after = apply_interventions(scenario, interventions) if interventions else scenario
    issues = linked_set_of(after, target)
    for i in issues:
        if after.issue(i).dimensions:
            raise CrossroadsError(
                f"issue '{i}' has dimensions; a model of linked issues bargains over "
                "one-dimensional issues"
            )
    specs = tuple(
        input_spec(
            scenario, i, interventions=interventions, default_uncertainty=default_uncertainty,
            fields=fields,
        )
        for i in issues
    )  # fmt: skip
    have = {a for sp in specs for a in sp.actors}
    order = [a for a in after.actors if a.id in have]
    row = {a.id: r for r, a in enumerate(order)}
    index = {iss.id: k for k, iss in enumerate(after.issues)}
    n_sc = len(after.actors)
    return LinkedInputSpec(
        issue=target,
        issues=list(issues),
        target=issues.index(target),
        specs=specs,
        rows=tuple(np.array([row[a] for a in sp.actors], dtype=np.intp) for sp in specs),
        actors=[a.id for a in order],
        names=[a.name for a in order],
        offsets=np.array([index[i] * n_sc for i in issues], dtype=np.intp),
        n_cols=n_sc * len(after.issues),
        scale=specs[issues.index(target)].scale,
        kernel_scale=np.array([sp.scale for sp in specs], dtype=float),
    )
