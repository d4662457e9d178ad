"""The API by area, one :class:`fastapi.APIRouter` per module.

=================  ===============================================================
``pages``          the dashboard page and the Plotly bundle
``reference``      the endpoint list, health, the models
``scenarios``      list and show scenarios; upload, validate, check, import files
``forecasts``      one forecast
``uncertainty``    ensembles, what-if comparisons, sensitivity, the dashboard update
``linked``         forecasts of linked issues, their summary with charts, plans
``system``         relations, dependence, conditionality
``evaluation``     evaluate and fit models against observed outcomes
``runs``           the run store
``report``         the HTML report
=================  ===============================================================

Every route reaches the server's state through :mod:`crossroads.web.deps`;
:func:`crossroads.web.create_app` includes :data:`ROUTERS` in this order.
"""

from __future__ import annotations

from fastapi import APIRouter

from crossroads.web.routes import (
    evaluation,
    forecasts,
    linked,
    pages,
    reference,
    report,
    runs,
    scenarios,
    system,
    uncertainty,
)

__all__ = ["ROUTERS"]

#: Every router of the API, in the order the app includes them.
ROUTERS: tuple[APIRouter, ...] = (
    pages.router,
    reference.router,
    scenarios.router,
    forecasts.router,
    uncertainty.router,
    linked.router,
    system.router,
    runs.router,
    report.router,
    evaluation.router,
)
