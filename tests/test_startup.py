"""Fast start (issue 9): lazy imports, extras that say what to install, the compile notice."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
import tomllib

import pytest

import crossroads
from crossroads.cli import main

from conftest import ROOT

#: modules no command may load just by being registered (nor ``crossroads --help``)
HEAVY = (
    "pandas",
    "numpy",
    "numba",
    "networkx",
    "pydantic",
    "scipy",
    "SALib",
    "plotly",
    "yaml",
    "crossroads.importers",
    "crossroads.claims",
    "crossroads.network",
    "crossroads.scenario.schema",
    "crossroads.forecasting",
    # the package itself is a lazy shell; its option table (option_fields) is light
    "crossroads.uncertainty.options",
    "crossroads.uncertainty.monte_carlo",
    "crossroads.uncertainty.sampling",
    "crossroads.evaluation.fitting",
)


def _python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=None if env is None else {**os.environ, **env},
        timeout=600,
    )


def _loaded(code: str, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` (modules or packages) are in sys.modules after running ``code``."""
    r = _python(
        code
        + "\nimport sys, json\n"
        + f"print(json.dumps(sorted(n for n in {list(names)!r} "
        + "if any(m == n or m.startswith(n + '.') for m in sys.modules))))\n"
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


# --- lazy imports ------------------------------------------------------------------------------
def test_import_crossroads_loads_nothing_heavy():
    assert _loaded("import crossroads", HEAVY) == []


def test_importing_the_cli_registers_commands_without_the_library():
    assert _loaded("import crossroads.cli", HEAVY) == []


def test_a_json_command_never_makes_a_rich_console():
    code = """
        import contextlib, io
        from crossroads.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["show", "kazakhstan-2010", "actors", "--json"]) == 0
    """
    assert _loaded(textwrap.dedent(code), ("rich.console",)) == []


def test_lazy_console_stands_for_a_rich_console():
    from rich.console import Console

    from crossroads.cli.application import LazyConsole

    lazy = LazyConsole(width=50, soft_wrap=True)
    assert lazy.width == 50 and isinstance(lazy.real, Console) and lazy.real is lazy.real
    lazy._width = 70  # writes go to the console (as monkeypatch.setattr does in tests)
    assert lazy.real.width == 70
    with lazy.capture() as cap:
        lazy.print("hello", markup=False)
    assert cap.get() == "hello\n"


def test_help_loads_nothing_heavy():
    code = """
        import contextlib, io
        from crossroads.cli import main
        with contextlib.redirect_stdout(io.StringIO()) as out:
            assert main(["--help"]) == 0
        assert "forecast" in out.getvalue()
    """
    assert _loaded(textwrap.dedent(code), HEAVY) == []


def test_mean_forecast_loads_only_what_it_needs():
    code = """
        import contextlib, io
        from crossroads.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["forecast", "kazakhstan-2010", "--issue", "eu-offer", "--json"]) == 0
    """
    unneeded = (
        "numba",
        "networkx",
        "scipy",
        "SALib",
        "plotly",
        "jinja2",
        "crossroads.importers",
        "crossroads.claims",
        "crossroads.network",
        "crossroads.uncertainty.monte_carlo",
        "crossroads.uncertainty.sampling",
        "crossroads.evaluation.issues",
        "crossroads.evaluation.scoring",
        "crossroads.scenario.peers.deu3",
        "crossroads.report",
        "crossroads.web",
    )
    assert _loaded(textwrap.dedent(code), unneeded) == []


def test_help_lists_every_command_but_the_hidden_compile(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for cmd in ("run", "forecast", "ensemble", "evaluate", "relations", "report", "serve"):
        assert f" {cmd} " in out
    assert " compile " not in out


def test_lazy_names_dir_and_from_import():
    assert set(crossroads.__all__) <= set(dir(crossroads))
    for name in crossroads.__all__:
        value = getattr(crossroads, name)
        assert value is not None
        exec(f"from crossroads import {name} as _x", {})  # noqa: S102 - the import form itself
    # the same objects as in the modules that define them
    from crossroads.forecasting import forecast
    from crossroads.scenario.loading import load

    assert crossroads.forecast is forecast and crossroads.load is load
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = crossroads.no_such_name
    # submodules still import through the lazy package
    assert importlib.import_module("crossroads.scenario.yaml_loader").MAX_BYTES > 0


def test_lazy_subpackages_export_what_they_list():
    for pkg in ("crossroads.scenario", "crossroads.evaluation"):
        mod = importlib.import_module(pkg)
        assert set(mod.__all__) <= set(dir(mod))
        for name in mod.__all__:
            assert getattr(mod, name) is not None


def test_version_in_one_low_module():
    from crossroads.version import __version__

    assert crossroads.__version__ == __version__ == importlib.metadata.version("crossroads")
    # the run store reads it without importing the top-level package's public names
    assert (
        _loaded(
            "from crossroads.store import RunStore",
            ("crossroads.forecasting", "crossroads.scenario.schema", "crossroads.claims"),
        )
        == []
    )


# --- dependencies: extras ----------------------------------------------------------------------
def test_web_and_dask_are_extras():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = " ".join(meta["dependencies"])
    for name in ("fastapi", "uvicorn", "python-multipart", "httpx", "dask"):
        assert name not in core
    extras = meta["optional-dependencies"]
    assert [d.split(">")[0] for d in extras["web"]] == [
        "fastapi",
        "uvicorn",
        "python-multipart",
        "httpx",
    ]
    assert [d.split(">")[0] for d in extras["dask"]] == ["dask[distributed]"]
    assert extras["all"] == ["crossroads[web,dask]"]
    make = (ROOT / "Makefile").read_text()
    assert 'pip install --quiet -e ".[all]"' in make
    assert 'pip install --quiet -e ".[all,test]"' in make


@pytest.mark.parametrize("missing", ["fastapi", "uvicorn", "python_multipart"])
def test_serve_without_the_web_extra_says_what_to_install(missing, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, missing, None)  # import of it now fails
    if missing == "python_multipart":
        monkeypatch.setitem(sys.modules, "multipart", None)
    assert main(["serve", "--port", "1"]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"error: crossroads serve needs the web extra (no module named '{missing}'): "
        "pip install 'crossroads[web]'\n"
    )


@pytest.mark.parametrize("option", [["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:1"]])
def test_dask_options_without_the_dask_extra_say_what_to_install(option, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)
    rc = main(["ensemble", "kazakhstan-2010", "--issue", "eu-offer", "--runs", "64", "--no-store"])
    assert rc == 0  # in this process: no extra needed
    capsys.readouterr()
    args = ["ensemble", "kazakhstan-2010", "--issue", "eu-offer", "--runs", "64", "--no-store"]
    assert main([*args, *option]) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: running on Dask (--workers, --scheduler) needs the dask extra "
        "(no module named 'distributed'): pip install 'crossroads[dask]'\n"
    )


# --- numba: the compile notice and compiling ahead ---------------------------------------------
TINY_KERNEL = """
from numba import njit

@njit(cache=True)
def tiny(x):
    return x * 2.0 + 1.0
"""

NOTIFY = """
import sys
sys.path.insert(0, {folder!r})
from tiny_kernel import tiny
from crossroads.models.compilation import kernel_is_cached, notify_if_compiling
print("cached" if kernel_is_cached(tiny) else "absent")
first = notify_if_compiling("tiny", tiny, seconds=1)
again = notify_if_compiling("tiny", tiny, seconds=1)  # once per process
assert tiny(1.0) == 3.0
print(first, again)
"""


def test_compile_notice_when_the_cache_is_absent_and_not_when_present(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "tiny_kernel.py").write_text(TINY_KERNEL)
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}
    code = NOTIFY.format(folder=str(src))
    first = _python(code, env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["absent", "True", "False"]
    assert first.stderr == "compiling the tiny model (once; about 1 s) ...\n"
    second = _python(code, env)  # the first process wrote the cache
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["cached", "False", "False"]
    assert second.stderr == ""
    # a changed kernel source makes numba's index stale: compiling again, notice again
    (src / "tiny_kernel.py").write_text(TINY_KERNEL.replace("+ 1.0", "+ 1.0 + 0.0"))
    os.utime(src / "tiny_kernel.py", (1, 1))
    third = _python(code, env)
    assert third.returncode == 0, third.stderr
    assert third.stdout.split()[0] == "absent"
    assert third.stderr.startswith("compiling the tiny model")


@pytest.mark.slow
def test_compile_ahead_prints_the_notice_once_then_nothing(tmp_path):
    """``python -m crossroads.models.precompile eum`` on an empty cache, then again."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "crossroads.models.precompile", "eum"]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=900)
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    assert lines[0] == "compiling the eum model (once; about 10 s) ..."
    assert lines[1].startswith("compiled the eum model in ") and len(lines) == 2
    assert list(tmp_path.rglob("eum_kernel.eum_batch-*.nbi"))
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=900)
    assert second.returncode == 0 and second.stderr == ""


def test_compile_rejects_a_model_without_kernel(capsys):
    assert main(["compile", "mean"]) == 1
    assert capsys.readouterr().err == (
        "error: no compiled kernel for model 'mean'; models with one: eum, smp, exchange\n"
    )
