"""crossroads: a small state's multi-vector foreign policy as a system, and forecasts of the
contested decisions inside it.

>>> import crossroads
>>> sc = crossroads.load()            # the built-in kazakhstan-2010 scenario
>>> f = crossroads.forecast(sc, "trade-regime", model="eum", preset="scholz")
"""

from crossroads.claims import ClaimsCheck, check_claims
from crossroads.conditionality import (
    Monitor,
    benchmark_status,
    conditional_forecast,
    incentive_effects,
)
from crossroads.errors import (
    CrossroadsError,
    InterventionError,
    ModelError,
    ScenarioError,
    StoreError,
)
from crossroads.forecasting import Forecast, forecast
from crossroads.importers import ImportResult, import_file
from crossroads.network import Dependence, Relations, dependence, relations
from crossroads.scenario import Scenario, apply_interventions, builtin_names, load
from crossroads.uncertainty import (
    ComparisonResult,
    EnsembleResult,
    SensitivityResult,
    compare,
    ensemble,
    sensitivity,
)

__version__ = "0.1.0"

__all__ = [
    "ClaimsCheck",
    "ComparisonResult",
    "CrossroadsError",
    "Dependence",
    "EnsembleResult",
    "Forecast",
    "ImportResult",
    "InterventionError",
    "ModelError",
    "Monitor",
    "Relations",
    "Scenario",
    "ScenarioError",
    "SensitivityResult",
    "StoreError",
    "__version__",
    "apply_interventions",
    "benchmark_status",
    "builtin_names",
    "check_claims",
    "compare",
    "conditional_forecast",
    "dependence",
    "ensemble",
    "forecast",
    "import_file",
    "incentive_effects",
    "load",
    "relations",
    "sensitivity",
]
