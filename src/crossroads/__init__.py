"""crossroads: a small state's multi-vector foreign policy as a system, and forecasts of the
contested decisions inside it.

>>> import crossroads
>>> sc = crossroads.load()            # the built-in kazakhstan-2010 scenario
>>> f = crossroads.forecast(sc, "trade-regime", model="eum", preset="scholz")

The public names below are imported on first use (PEP 562), so ``import crossroads`` loads
nothing heavy and each command of the ``crossroads`` CLI imports only what it needs;
``from crossroads import forecast`` and ``crossroads.forecast`` work as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossroads.lazy import lazy_exports
from crossroads.version import __version__

#: public name -> the module that defines it
_EXPORTS = {
    "ClaimsCheck": "crossroads.claims",
    "check_claims": "crossroads.claims",
    "Monitor": "crossroads.conditionality",
    "benchmark_status": "crossroads.conditionality",
    "conditional_forecast": "crossroads.conditionality",
    "incentive_effects": "crossroads.conditionality",
    "CrossroadsError": "crossroads.errors",
    "InterventionError": "crossroads.errors",
    "ModelError": "crossroads.errors",
    "ScenarioError": "crossroads.errors",
    "StoreError": "crossroads.errors",
    "Forecast": "crossroads.forecasting",
    "forecast": "crossroads.forecasting",
    "LinkedForecast": "crossroads.linked_forecasting",
    "forecast_issues": "crossroads.linked_forecasting",
    "ImportResult": "crossroads.importers",
    "import_file": "crossroads.importers",
    "Dependence": "crossroads.network",
    "Relations": "crossroads.network",
    "dependence": "crossroads.network",
    "relations": "crossroads.network",
    "Scenario": "crossroads.scenario",
    "apply_interventions": "crossroads.scenario",
    "builtin_names": "crossroads.scenario",
    "load": "crossroads.scenario",
    "PlanResult": "crossroads.planning",
    "plan": "crossroads.planning",
    "ComparisonResult": "crossroads.uncertainty",
    "EnsembleResult": "crossroads.uncertainty",
    "SensitivityResult": "crossroads.uncertainty",
    "compare": "crossroads.uncertainty",
    "ensemble": "crossroads.uncertainty",
    "sensitivity": "crossroads.uncertainty",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ imports these
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
    from crossroads.linked_forecasting import LinkedForecast, forecast_issues
    from crossroads.network import Dependence, Relations, dependence, relations
    from crossroads.planning import PlanResult, plan
    from crossroads.scenario import Scenario, apply_interventions, builtin_names, load
    from crossroads.uncertainty import (
        ComparisonResult,
        EnsembleResult,
        SensitivityResult,
        compare,
        ensemble,
        sensitivity,
    )

__all__ = [
    "ClaimsCheck",
    "ComparisonResult",
    "CrossroadsError",
    "Dependence",
    "EnsembleResult",
    "Forecast",
    "ImportResult",
    "InterventionError",
    "LinkedForecast",
    "ModelError",
    "Monitor",
    "PlanResult",
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
    "forecast_issues",
    "import_file",
    "incentive_effects",
    "load",
    "plan",
    "relations",
    "sensitivity",
]
