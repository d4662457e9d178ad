"""Run one model over every issue of an :class:`IssueSet` in as few kernel calls as possible.

Model kernels are batched over a leading run axis, but the issues of a data set have
different actor counts. Two ways to batch them:

- padding: every issue padded to the widest with zero-capability, zero-salience
  actors placed at the issue's largest position. Valid only for a model whose
  forecast does not change when such actors are added. :data:`PAD_SAFE` lists the
  models for which that holds; ``tests/test_evaluate.py`` checks it for each of them
  on the DEU III issues (the weighted mean ignores zero weights; the weighted median
  places pads after every real actor, so they never become the "next" position of an
  exact half split).
- grouping: one call per distinct actor count, the issue's real actors only. Always
  valid; used for every other model (an EUM actor with zero capability still makes
  and receives offers and moves the median).

Issues on different scales run in separate calls (a kernel takes one ``scale``).

A model of linked issues (inputs ``issues`` only, e.g. ``exchange``) runs once per package
instead: all the scored issues of a DEU III proposal (or of a scenario's linked set) are
bargained over together (:mod:`crossroads.evaluation.linked_runs`).

Models in :data:`POSITIVE_WEIGHTS` (KTAB's ``smp``) refuse actors with zero
capability or zero salience: KTAB's votes need a positive weight, and an actor that
gives an issue no salience has no preference over it. Such actors are left out of
those models' runs (on the 180 scored issues of ``deu3-dev.tsv``: the 147 stakes
with salience 0, and with the default ``council`` capabilities also the Parliament
under consultation, 206 in all); an issue
left without actors gets no forecast (NaN, counted as ``missing``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from crossroads.errors import ModelError
from crossroads.evaluation.issues import IssueSet
from crossroads.evaluation.linked_runs import run_linked
from crossroads.models import get_model
from crossroads.seeding import as_generator

__all__ = ["PAD_SAFE", "POSITIVE_WEIGHTS", "run_model"]

#: Models whose forecast is unchanged by zero-weight pad actors (tested).
PAD_SAFE: frozenset[str] = frozenset({"mean", "median"})

#: Models that need every actor's capability and salience > 0 (others are left out).
POSITIVE_WEIGHTS: frozenset[str] = frozenset({"smp"})


def _final(forecast: np.ndarray) -> np.ndarray:
    """The last round's forecast, shape (runs,), from (runs, rounds + 1[, 1])."""
    f = np.asarray(forecast, dtype=float)[:, -1]
    if f.ndim == 2:
        if f.shape[1] != 1:
            raise ModelError("a multi-dimensional forecast cannot be scored on a 0-100 issue")
        f = f[:, 0]
    return f


def run_model(
    model: str,
    params: dict[str, Any],
    issues: IssueSet,
    *,
    pad: bool | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Final forecast of ``model`` on every issue.

    Parameters
    ----------
    model : str
        A name in :data:`crossroads.models.MODELS`.
    params : dict
        Parameters (overrides of the model's defaults; see :func:`crossroads.presets.resolve`).
    issues : IssueSet
    pad : bool, optional
        Force padding (True) or grouping by actor count (False); by default padding
        for models in :data:`PAD_SAFE`. Not used by a model of linked issues (one call
        per package shape, see :func:`crossroads.evaluation.linked_runs.run_linked`).
    seed : int
        Seeds a stochastic model's draws (the batches run in a fixed order).

    Returns
    -------
    ndarray of shape (issues,)
        NaN where the model gives no forecast (e.g. every weight zero).

    Raises
    ------
    ModelError
        From the kernel, prefixed with the model and the first issue of the failing batch.
    """
    mod = get_model(model)
    settings = mod.validate(params)
    rng = as_generator(seed)
    if "scalar" not in mod.inputs and "issues" in mod.inputs:
        return run_linked(model, mod, settings.forecast_only(), issues, rng)
    pad = model in PAD_SAFE if pad is None else pad
    n = len(issues)
    out = np.full(n, np.nan)
    mask = issues.mask
    if model in POSITIVE_WEIGHTS:
        pad = False
        mask = mask & (issues.capability > 0) & (issues.salience > 0)
    counts = mask.sum(axis=1)
    batches: dict[tuple, list[int]] = defaultdict(list)
    for i in range(n):
        if counts[i] == 0:
            continue
        key = (float(issues.scale[i, 0]), float(issues.scale[i, 1]))
        batches[key if pad else (*key, int(counts[i]))].append(i)
    for key, rows in batches.items():
        idx = np.array(rows)
        if pad:
            c, s, x = issues.capability[idx], issues.salience[idx], issues.position[idx]
        else:
            k = key[2]
            m = mask[idx]
            c = issues.capability[idx][m].reshape(len(idx), k)
            s = issues.salience[idx][m].reshape(len(idx), k)
            x = issues.position[idx][m].reshape(len(idx), k)
        try:
            res = mod.run(c, s, x, scale=(key[0], key[1]), params=settings, rng=rng)
        except ModelError as e:
            raise ModelError(
                f"model '{model}' failed on issue '{issues.issues[rows[0]]}' "
                f"(batch of {len(rows)}): {e}"
            ) from None
        out[idx] = _final(res.forecast)
    return out
