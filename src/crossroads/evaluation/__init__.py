"""Forecast accuracy on decisions whose outcomes are known, and cross-validated fitting.

``evaluate`` scores models against observed outcomes (a DEU III file, or any
scenario whose issues record ``observed``); ``evaluate_calibrated`` adds conformal
predictive intervals calibrated on other decided issues (coverage, CRPS, Brier);
``fit`` chooses a model's free parameters and input choices by k-fold
cross-validation over groups of issues (DEU III proposals) and reports the
out-of-fold error next to the in-sample one.

The names are imported on first use (PEP 562), like those of the top-level package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossroads.lazy import lazy_exports

_EXPORTS = {
    "CalibratedEvaluation": "crossroads.evaluation.calibrated_scoring",
    "calibrate_on": "crossroads.evaluation.calibrated_scoring",
    "evaluate_calibrated": "crossroads.evaluation.calibrated_scoring",
    "Calibration": "crossroads.evaluation.calibration",
    "builtin_calibration": "crossroads.evaluation.calibration",
    "calibrate": "crossroads.evaluation.calibration",
    "Candidate": "crossroads.evaluation.fitting",
    "Dimension": "crossroads.evaluation.fitting",
    "FitResult": "crossroads.evaluation.fitting",
    "FoldResult": "crossroads.evaluation.fitting",
    "assign_folds": "crossroads.evaluation.fitting",
    "cross_validate": "crossroads.evaluation.fitting",
    "dimensions": "crossroads.evaluation.fitting",
    "fit": "crossroads.evaluation.fitting",
    "grid": "crossroads.evaluation.fitting",
    "save_fit_preset": "crossroads.evaluation.fitting",
    "Inputs": "crossroads.evaluation.issues",
    "IssueSet": "crossroads.evaluation.issues",
    "Source": "crossroads.evaluation.issues",
    "issue_set": "crossroads.evaluation.issues",
    "open_source": "crossroads.evaluation.issues",
    "PAD_SAFE": "crossroads.evaluation.runner",
    "run_model": "crossroads.evaluation.runner",
    "Evaluation": "crossroads.evaluation.scoring",
    "evaluate": "crossroads.evaluation.scoring",
    "parse_model_spec": "crossroads.evaluation.scoring",
    "scores": "crossroads.evaluation.scoring",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports these
    from crossroads.evaluation.calibrated_scoring import (
        CalibratedEvaluation,
        calibrate_on,
        evaluate_calibrated,
    )
    from crossroads.evaluation.calibration import Calibration, builtin_calibration, calibrate
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
    "CalibratedEvaluation",
    "Calibration",
    "Candidate",
    "Dimension",
    "Evaluation",
    "FitResult",
    "FoldResult",
    "Inputs",
    "IssueSet",
    "Source",
    "assign_folds",
    "builtin_calibration",
    "calibrate",
    "calibrate_on",
    "cross_validate",
    "dimensions",
    "evaluate",
    "evaluate_calibrated",
    "fit",
    "grid",
    "issue_set",
    "open_source",
    "parse_model_spec",
    "run_model",
    "save_fit_preset",
    "scores",
]
