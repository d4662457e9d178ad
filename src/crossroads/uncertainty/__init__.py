"""Uncertainty at scale: Monte Carlo ensembles, sensitivity, what-if comparison.

The public functions are re-exported here and at the top level (``crossroads.ensemble``,
``crossroads.sensitivity``, ``crossroads.compare``); each lives in a module named for its
topic (``monte_carlo``, ``sensitivity_analysis``, ``what_if``), so every module imports the
ordinary way (``import crossroads.uncertainty.sampling``).
"""

import importlib
from typing import Any

#: public name -> the module that defines it; imported on first use, so that importing
#: ``crossroads.uncertainty.options`` (the CLI does, to build its options) stays light.
_WHERE = {
    "EnsembleResult": "monte_carlo",
    "ensemble": "monte_carlo",
    "SensitivityResult": "sensitivity_analysis",
    "sensitivity": "sensitivity_analysis",
    "ComparisonResult": "what_if",
    "compare": "what_if",
}

__all__ = [
    "ComparisonResult",
    "EnsembleResult",
    "SensitivityResult",
    "compare",
    "ensemble",
    "sensitivity",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
