"""Uncertainty at scale: Monte Carlo ensembles, sensitivity, what-if comparison.

The public functions are re-exported here and at the top level (``crossroads.ensemble``,
``crossroads.sensitivity``, ``crossroads.compare``); each lives in a module named for its
topic (``monte_carlo``, ``sensitivity_analysis``, ``what_if``), so every module imports the
ordinary way (``import crossroads.uncertainty.sampling``).
"""

from crossroads.uncertainty.monte_carlo import EnsembleResult, ensemble
from crossroads.uncertainty.sensitivity_analysis import SensitivityResult, sensitivity
from crossroads.uncertainty.what_if import ComparisonResult, compare

__all__ = [
    "ComparisonResult",
    "EnsembleResult",
    "SensitivityResult",
    "compare",
    "ensemble",
    "sensitivity",
]
