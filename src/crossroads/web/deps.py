"""What every router shares, reached through FastAPI dependencies.

:func:`crossroads.web.create_app` keeps the server's state on ``app.state``:
``settings`` (:class:`~crossroads.web.settings.Settings`), ``slots`` (the
:class:`~crossroads.web.budget.ComputeSlots` computations run in), ``registry`` (the
:class:`~crossroads.web.scenarios.ScenarioRegistry` of built-in and uploaded
scenarios), ``fit_lock`` (one ``/api/fit`` at a time) and ``endpoints`` (the list
``GET /api`` answers). A route asks for what it needs by type, e.g.
``registry: RegistryDep``; nothing is global, so two apps in one process (as in
the tests) never share state. The dependencies only read that state, so they are
``async``: FastAPI calls them on the event loop instead of in a worker thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from crossroads.errors import CrossroadsError
from crossroads.store import RunStore
from crossroads.web.budget import ComputeSlots
from crossroads.web.http_errors import NotFound
from crossroads.web.scenarios import Entry, ScenarioRegistry
from crossroads.web.settings import Settings

__all__ = [
    "ComputeSlotsDep",
    "EndpointsDep",
    "FitLockDep",
    "NotFound",
    "RegistryDep",
    "RunStoreDep",
    "SettingsDep",
    "endpoints",
    "fit_lock",
    "lookup",
    "registry",
    "run_store",
    "save_to",
    "settings",
    "slots",
]


async def settings(request: Request) -> Settings:
    """The server's settings."""
    return request.app.state.settings


async def registry(request: Request) -> ScenarioRegistry:
    """The scenarios this server holds."""
    return request.app.state.registry


async def fit_lock(request: Request) -> threading.Lock:
    """The lock held while a fit runs."""
    return request.app.state.fit_lock


async def endpoints(request: Request) -> list[dict[str, str]]:
    """The API's endpoints as ``GET /api`` lists them (method, path, what)."""
    return request.app.state.endpoints


async def slots(request: Request) -> ComputeSlots:
    """The child processes computations run in."""
    return request.app.state.slots


SettingsDep = Annotated[Settings, Depends(settings)]
RegistryDep = Annotated[ScenarioRegistry, Depends(registry)]
FitLockDep = Annotated[threading.Lock, Depends(fit_lock)]
EndpointsDep = Annotated[list[dict[str, str]], Depends(endpoints)]
ComputeSlotsDep = Annotated[ComputeSlots, Depends(slots)]


async def run_store(settings: SettingsDep) -> RunStore | None:
    """The server's run store (None when it has none)."""
    return None if settings.store is None else RunStore(settings.store)


RunStoreDep = Annotated[RunStore | None, Depends(run_store)]


def lookup(registry: ScenarioRegistry, key: str) -> Entry:
    """The scenario entry under ``key``.

    Raises
    ------
    NotFound
        No scenario has that key.
    """
    try:
        return registry.get(key)
    except KeyError:
        raise NotFound(f"no scenario '{key}' (see /api/scenarios)") from None


def save_to(settings: Settings, save: bool) -> str | Path | None:
    """Where a computation asked to ``save`` stores its run (None: not asked).

    Raises
    ------
    CrossroadsError
        Saving asked of a server without a run store.
    """
    if not save:
        return None
    if settings.store is None:
        raise CrossroadsError("this server has no run store (start it with --store PATH)")
    return settings.store
