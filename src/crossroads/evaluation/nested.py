"""Nested cross-validation of a fit: the whole selection rerun inside each outer fold.

The plain out-of-fold MAE of :func:`crossroads.evaluation.fitting.fit` scores, on each
held-out fold, the candidate the search chose without it. But ``fit`` then *decides*
on that figure -- keep the fitted choice only if it beats the unfitted default by more
than a standard error -- and a figure used to make a decision is optimistic about the
decision. Nested cross-validation scores the decision too (Varma and Simon 2006, "Bias
in error estimation when using cross-validation for model selection", BMC
Bioinformatics 7:91; Cawley and Talbot 2010, "On over-fitting in model selection and
subsequent selection bias in performance evaluation", JMLR 11):

- outer folds by proposal (:func:`~crossroads.evaluation.fitting.assign_folds`), the
  same folds as the plain cross-validation;
- inside each outer training set, the full selection: its own inner folds by proposal
  (seeded from the seed and the outer fold), the search run on each inner training set
  and scored on the inner held-out fold, and the verdict :func:`verdict` on the paired
  difference of those inner out-of-fold errors from the default's (clustered SE); the
  choice is the search's result on the whole outer training set when that verdict is
  ``beats_default``, and the default otherwise;
- that choice scored on the outer held-out fold, which no selection inside it has seen.

The inner selection uses the plain inner out-of-fold comparison to decide (a third
level would be needed to decide on a nested figure, and so on); ``fit``'s own verdict
uses the nested comparison, which is the honest one.

Selections only: candidates are run once on all issues and cached by the caller, so
this costs argmins (grid) or cached coordinate descents, not model runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from crossroads.errors import CrossroadsError
from crossroads.evaluation.clustered import paired

__all__ = ["BEATS", "NO_BETTER", "NestedFold", "inner_seed", "nested_cv", "verdict"]

#: Verdict when the fitted choice beats the default by more than the SE of the difference.
BEATS = "beats_default"
#: Verdict otherwise.
NO_BETTER = "no_better"


def verdict(difference: dict[str, float]) -> str:
    """:data:`BEATS` when ``difference['mean'] < -difference['se']``, else :data:`NO_BETTER`.

    ``difference`` is fitted-minus-default error (:func:`~crossroads.evaluation.clustered.
    paired`); a NaN standard error (fewer than two proposals) never beats.
    """
    mean, se = difference["mean"], difference["se"]
    return BEATS if bool(mean < -se) else NO_BETTER


def inner_seed(seed: int, outer_fold: int) -> int:
    """Seed of the inner fold assignment inside outer fold ``outer_fold`` (deterministic)."""
    return int(np.random.SeedSequence([seed, outer_fold, 1]).generate_state(1)[0])


@dataclass(frozen=True)
class NestedFold:
    """One outer fold of the nested cross-validation.

    Attributes
    ----------
    fold, n_train, n_test : int
    groups : list of str
        The outer held-out proposals.
    inner_difference : dict
        ``mean`` and ``se`` of the inner out-of-fold errors minus the default's, on the
        outer training issues.
    inner_verdict : str
        :func:`verdict` of ``inner_difference``.
    chosen : Any
        The choice scored on the held-out fold (the search's, or the default).
    chose_default : bool
    test_mae, default_test_mae : float
        MAE of the choice and of the default on the outer held-out fold.
    """

    fold: int
    n_train: int
    n_test: int
    groups: list[str]
    inner_difference: dict[str, float]
    inner_verdict: str
    chosen: Any
    chose_default: bool
    test_mae: float
    default_test_mae: float


def nested_cv(
    select: Callable[[np.ndarray], Any],
    errors_of: Callable[[Any], np.ndarray],
    default: Any,
    groups: Sequence[str],
    outer: np.ndarray,
    outer_chosen: Sequence[Any],
    inner_folds: int,
    seed: int,
    assign: Callable[[Sequence[str], int, int], np.ndarray],
) -> tuple[np.ndarray, list[NestedFold]]:
    """Nested cross-validation of "search, then keep the result only if it beats the default".

    Parameters
    ----------
    select : callable
        ``select(columns)`` -> the search's choice using only the issues where the boolean
        mask ``columns`` is true. Called, outer fold by outer fold, once per inner fold
        with that inner training set (never with an outer held-out issue).
    errors_of : callable
        ``errors_of(choice)`` -> absolute errors of a choice on all issues.
    default : Any
        The unfitted starting point.
    groups : sequence of str
        Proposal of each issue.
    outer : ndarray of int
        Outer fold of each issue.
    outer_chosen : sequence
        ``select`` on each outer training set (the plain cross-validation's choices,
        reused rather than searched again).
    inner_folds : int
    seed : int
        The fit's seed; inner folds use :func:`inner_seed`.
    assign : callable
        The fold assignment, ``assign(groups, k, seed)``.

    Returns
    -------
    errors : ndarray of shape (issues,)
        Each issue's error under the choice made in its outer fold's training set.
    folds : list of NestedFold

    Raises
    ------
    CrossroadsError
        When an outer training set has fewer proposals than ``inner_folds``.
    """
    groups_arr = np.asarray(groups)
    default_err = errors_of(default)
    nested = np.full(len(groups_arr), np.nan)
    out: list[NestedFold] = []
    if inner_folds < 2:
        raise CrossroadsError(
            f"nested cross-validation needs at least 2 inner folds, got {inner_folds}"
        )
    for f in range(int(outer.max()) + 1):
        test = outer == f
        idx = np.flatnonzero(~test)
        train_groups = groups_arr[idx]
        n_train_groups = len(set(train_groups.tolist()))
        if n_train_groups < inner_folds:
            raise CrossroadsError(
                f"outer fold {f} trains on {n_train_groups} groups (proposals), too few for "
                f"{inner_folds} inner folds; "
                + (
                    f"use at most {n_train_groups} inner folds"
                    if n_train_groups >= 2
                    else "nested cross-validation needs 2 proposals in every outer training set"
                )
            )
        inner = assign(train_groups.tolist(), inner_folds, inner_seed(seed, f))
        inner_oof = np.full(len(idx), np.nan)
        for j in range(inner_folds):
            held = inner == j
            columns = ~test
            columns[idx[held]] = False
            inner_oof[held] = errors_of(select(columns))[idx[held]]
        diff = paired(inner_oof, default_err[idx], train_groups)
        v = verdict(diff)
        chosen = outer_chosen[f] if v == BEATS else default
        err = errors_of(chosen)
        nested[test] = err[test]
        out.append(
            NestedFold(
                fold=f,
                n_train=len(idx),
                n_test=int(test.sum()),
                groups=list(dict.fromkeys(groups_arr[test].tolist())),
                inner_difference=diff,
                inner_verdict=v,
                chosen=chosen,
                chose_default=chosen == default,
                test_mae=float(np.nanmean(err[test])),
                default_test_mae=float(np.mean(default_err[test])),
            )
        )
    return nested, out
