"""Conditionality: benchmarks, observations, incentives and what unlocking them changes."""

from crossroads.conditionality.monitor import (
    Monitor,
    benchmark_status,
    conditional_forecast,
    incentive_effects,
    indicator_name,
    judge,
)

__all__ = [
    "Monitor",
    "benchmark_status",
    "conditional_forecast",
    "incentive_effects",
    "indicator_name",
    "judge",
]
