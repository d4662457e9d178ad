"""Forecast accuracy on decisions whose outcomes are known, and cross-validated fitting.

``evaluate`` scores models against observed outcomes (a DEU III file, or any
scenario whose issues record ``observed``); ``fit`` chooses a model's free
parameters and input choices by k-fold cross-validation over groups of issues
(DEU III proposals) and reports the out-of-fold error next to the in-sample one.
"""

from crossroads.evaluation.fitting import (
    Candidate,
    Dimension,
    FitResult,
    FoldResult,
    assign_folds,
    cross_validate,
    dimensions,
    fit,
    grid,
    save_fit_preset,
)
from crossroads.evaluation.issues import Inputs, IssueSet, Source, issue_set, open_source
from crossroads.evaluation.runner import PAD_SAFE, run_model
from crossroads.evaluation.scoring import Evaluation, evaluate, parse_model_spec, scores

__all__ = [
    "PAD_SAFE",
    "Candidate",
    "Dimension",
    "Evaluation",
    "FitResult",
    "FoldResult",
    "Inputs",
    "IssueSet",
    "Source",
    "assign_folds",
    "cross_validate",
    "dimensions",
    "evaluate",
    "fit",
    "grid",
    "issue_set",
    "open_source",
    "parse_model_spec",
    "run_model",
    "save_fit_preset",
    "scores",
]
