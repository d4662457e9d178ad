"""crossroads: a small state's multi-vector foreign policy as a system, and forecasts of the
contested decisions inside it.

>>> import crossroads
>>> sc = crossroads.load()            # the built-in kazakhstan-2010 scenario
>>> f = crossroads.forecast(sc, "trade-regime", model="eum", preset="scholz")
"""

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
    "CrossroadsError",
    "Forecast",
    "InterventionError",
    "ModelError",
    "Scenario",
    "ScenarioError",
    "StoreError",
    "__version__",
    "apply_interventions",
    "builtin_names",
    "forecast",
    "load",
]
