"""Uncertainty at scale: Monte Carlo ensembles, sensitivity, what-if comparison.

Import submodules as ``from crossroads.ensemble import sampling`` or
``from crossroads.ensemble.sampling import ...``: the top-level name
``crossroads.ensemble`` is the :func:`~crossroads.ensemble.runner.ensemble` function.
"""

from crossroads.ensemble.runner import EnsembleResult, ensemble

__all__ = ["EnsembleResult", "ensemble"]
