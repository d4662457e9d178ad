"""Run a model of linked issues (``exchange``) over the scored issues, one package at a time.

A model whose :attr:`~crossroads.models.spec.ModelSpec.inputs` are ``issues`` forecasts a
set of issues bargained together at once (Stokman & Van Oosten 1994: actors trade
concessions across the issues of a package). Here the package of a scored issue is its
:meth:`~crossroads.evaluation.issues.IssueSet.bargaining_sets` label: the DEU III proposal
(``prnr``; the Council negotiates a proposal's issues as one), or a scenario's linked set.
Only the *scored* issues of a package are bargained over (the issues of an
:class:`~crossroads.evaluation.issues.IssueSet`); an issue alone in its package gets the
model's one-issue forecast (for ``exchange``: the capability x salience weighted mean).

Each package becomes arrays (actors, issues): the actors with a stake in any of its issues,
in the source's actor order, with the capability and salience each gets from the
single-issue inputs (council weights, salience exponent) and a NaN position where it has
no stake. Packages of the same shape (actors, issues) and scales run in one batched call,
one run per package; the forecast of an issue is its expected outcome after the last round.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from crossroads.errors import ModelError
from crossroads.evaluation.issues import IssueSet
from crossroads.models.spec import ModelParams, ModelSpec

__all__ = ["package_arrays", "packages", "run_linked"]


def packages(issues: IssueSet) -> list[np.ndarray]:
    """The rows of each package, in order of first appearance; issues without a stake are
    left out (they get no forecast)."""
    rows: dict[str, list[int]] = defaultdict(list)
    has = issues.mask.any(axis=1)
    for i, label in enumerate(issues.bargaining_sets()):
        if has[i]:
            rows[label].append(i)
    return [np.array(r, dtype=int) for r in rows.values()]


def package_arrays(
    issues: IssueSet, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One package as the arrays a model of linked issues takes.

    Returns
    -------
    actors : ndarray of int, shape (actors,)
        The source's actor numbers, ascending.
    c, s, x : ndarray of shape (actors, issues)
        Capability, salience and position; NaN position (c = s = 0) without a stake.
    """
    ids = issues.actor_index()[rows]
    mask = issues.mask[rows]
    actors = np.unique(ids[mask])
    n, k = len(actors), len(rows)
    col = np.searchsorted(actors, ids)  # column of each stake in the package
    r, j = np.nonzero(mask)  # r: issue within the package, j: column in the IssueSet
    c, s = np.zeros((n, k)), np.zeros((n, k))
    x = np.full((n, k), np.nan)
    a = col[r, j]
    c[a, r] = issues.capability[rows][r, j]
    s[a, r] = issues.salience[rows][r, j]
    x[a, r] = issues.position[rows][r, j]
    return actors, c, s, x


def run_linked(
    name: str, spec: ModelSpec, settings: ModelParams, issues: IssueSet, rng: np.random.Generator
) -> np.ndarray:
    """Final forecast of every issue, each bargained over with the rest of its package.

    Parameters
    ----------
    name : str
        The model's name (for messages).
    spec : ModelSpec
        A model whose inputs are ``issues``.
    settings : ModelParams
        Validated parameters.
    issues : IssueSet
    rng : numpy.random.Generator
        Feeds a randomised variant; batches run in order of their first package, packages
        within a batch in order of first appearance.

    Returns
    -------
    ndarray of shape (issues,)
        NaN for an issue without a stake or whose weights are all zero.

    Raises
    ------
    ModelError
        From the kernel, prefixed with the model and the first package of the failing batch.
    """
    out = np.full(len(issues), np.nan)
    labels = issues.bargaining_sets()
    batches: dict[tuple, list[tuple[np.ndarray, tuple]]] = defaultdict(list)
    for rows in packages(issues):
        arrays = package_arrays(issues, rows)
        scale = issues.scale[rows]
        key = (arrays[1].shape, scale.tobytes())
        batches[key].append((rows, arrays))
    for members in batches.values():
        c = np.stack([m[1][1] for m in members])
        s = np.stack([m[1][2] for m in members])
        x = np.stack([m[1][3] for m in members])
        scale = issues.scale[members[0][0]]
        try:
            res = spec.run(c, s, x, scale=scale, params=settings, rng=rng)
        except ModelError as e:
            first = labels[members[0][0][0]]
            raise ModelError(
                f"model '{name}' failed on package '{first}' (batch of {len(members)}): {e}"
            ) from None
        final = np.asarray(res.forecast, dtype=float)[:, -1, :]  # (packages, issues)
        for p, (rows, _) in enumerate(members):
            out[rows] = final[p]
    return out
