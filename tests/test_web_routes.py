"""The dashboard's API is a set of routers by area over shared dependencies, not a closure."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fastapi.routing import APIRoute

from crossroads.web import Settings, create_app

WEB = Path(__file__).resolve().parents[1] / "src" / "crossroads" / "web"


def _routes(app):
    """Every route of ``app``, looking inside included routers (newer FastAPI keeps them lazy)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI that copies an included router's routes into the app
        return list(app.routes)
    return [c.original_route for c in iter_route_contexts(app.routes)]


def test_every_route_belongs_to_a_router_module():
    app = create_app(Settings(warm=False)).app_fastapi
    api, other = [], set()
    for route in _routes(app):
        if isinstance(route, APIRoute):
            api.append(route)
        else:
            other.add(route.path)
    # besides the routers: FastAPI's own schema and the static files
    assert other == {"/api/openapi.json", "/static"}
    assert len(api) >= 27
    for route in api:
        fn = route.endpoint
        assert fn.__module__.startswith("crossroads.web.routes."), (route.path, fn.__module__)
        # a module-level function, never one nested in a factory
        assert fn.__qualname__ == fn.__name__, (route.path, fn.__qualname__)


def test_every_listed_endpoint_is_served_and_every_served_one_listed():
    app = create_app(Settings(warm=False)).app_fastapi
    served = {
        (m, re.sub(r"\{[^}]+\}", "{}", r.path))
        for r in _routes(app)
        if isinstance(r, APIRoute)
        for m in r.methods
    }
    listed = {
        (e["method"], re.sub(r"\{[^}]+\}", "{}", e["path"].split("?")[0]))
        for e in app.state.endpoints
    }
    assert listed == served - {("GET", "/assets/plotly.min.js")}  # an asset of the page


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
    return out


def test_web_uses_only_public_names_and_never_the_cli():
    for path in sorted(WEB.rglob("*.py")):
        for module, names in _imports(path):
            where = f"{path.relative_to(WEB)} imports {module} {names}"
            assert not module.startswith("crossroads.cli"), where
            assert not any(n.startswith("_") and not n.endswith("__") for n in names), where
            if module.startswith("crossroads.report"):
                assert module in ("crossroads.report", "crossroads.report.figures"), where
