"""crossroads: a small state's multi-vector foreign policy as a system, and forecasts of the
contested decisions inside it.

>>> import crossroads
>>> sc = crossroads.load()            # the built-in kazakhstan-2010 scenario
>>> f = crossroads.forecast(sc, "trade-regime", model="eum", preset="scholz")
"""

# ``crossroads.ensemble`` below is the function; its subpackage's modules are imported by full
# name (``from crossroads.ensemble.sampling import ...``).
from crossroads.ensemble import EnsembleResult, ensemble
from crossroads.ensemble.compare import ComparisonResult, compare
from crossroads.ensemble.sensitivity import SensitivityResult, sensitivity
from crossroads.errors import (
    CrossroadsError,
    InterventionError,
    ModelError,
    ScenarioError,
    StoreError,
)
from crossroads.forecast import Forecast, forecast
from crossroads.scenario import Scenario, apply_interventions, builtin_names, load

__version__ = "0.1.0"

__all__ = [
    "ComparisonResult",
    "CrossroadsError",
    "EnsembleResult",
    "Forecast",
    "InterventionError",
    "ModelError",
    "Scenario",
    "ScenarioError",
    "SensitivityResult",
    "StoreError",
    "__version__",
    "apply_interventions",
    "builtin_names",
    "compare",
    "ensemble",
    "forecast",
    "load",
    "sensitivity",
]
