"""Every registered model meets the same contract (crossroads.models.spec)."""

from __future__ import annotations

import inspect
import typing

import numpy as np
import pytest

from crossroads.errors import ModelError
from crossroads.models import MODELS, KernelResult, ModelParams, ModelSpec, get_model

NAMES = list(MODELS)

# a small issue every model accepts: 5 actors, positive capabilities, saliences 0.2-0.9
C = np.array([3.0, 1.0, 2.0, 4.0, 1.5])
S = np.array([0.9, 0.4, 0.6, 0.2, 0.7])
X = np.array([10.0, 80.0, 45.0, 30.0, 95.0])


def _batch(runs: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    c = C * rng.uniform(0.5, 1.5, (runs, len(C)))
    s = np.clip(S + rng.uniform(-0.1, 0.1, (runs, len(S))), 0.05, 0.95)
    x = np.clip(X + rng.uniform(-5, 5, (runs, len(X))), 0, 100)
    return c, s, x


def _inputs_for(spec: ModelSpec, runs: int, seed: int = 0):
    """A batch in the model's first input shape: (runs, actors) or, for an issues model,
    two linked issues (runs, actors, 2) with the second issue mirrored."""
    c, s, x = _batch(runs, seed)
    if "scalar" in spec.inputs or "spatial" in spec.inputs:
        return c, s, x, (0.0, 100.0)
    s2 = np.stack([s, np.clip(1.0 - s, 0.05, 0.95)], axis=-1)
    x2 = np.stack([x, 100.0 - x], axis=-1)
    return c, s2, x2, np.array([[0.0, 100.0], [0.0, 100.0]])


def _stochastic_settings(spec: ModelSpec) -> list[ModelParams]:
    """Every single-choice change of the defaults that makes the model draw random numbers."""
    out = []
    for name, values in spec.choices().items():
        for v in values:
            p = spec.override(spec.defaults, {name: v})
            if p.is_stochastic():
                out.append(p)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_specification_shape(name):
    spec = get_model(name)
    assert isinstance(spec, ModelSpec) and spec.name == name and spec.title
    assert issubclass(spec.params, ModelParams)
    cfg = spec.params.model_config
    assert cfg["frozen"] and cfg["extra"] == "forbid" and cfg["strict"]
    assert "default" in spec.presets and spec.defaults == spec.params()
    for key, preset in spec.presets.items():
        assert type(preset) is spec.params, key
        # provenance is the dump, and the dump gives the preset back
        assert spec.validate(preset.model_dump()) == preset, key
    assert spec.inputs and spec.inputs <= {"scalar", "spatial", "issues"}
    sig = inspect.signature(spec.run)
    for kw in ("scale", "params", "rng"):
        assert sig.parameters[kw].kind is inspect.Parameter.KEYWORD_ONLY, kw
        assert sig.parameters[kw].default is None, kw
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())


@pytest.mark.parametrize("name", NAMES)
def test_parameters_are_validated_once_with_clear_messages(name):
    spec = get_model(name)
    with pytest.raises(ModelError, match=f"model '{name}' has no parameter 'no_such_thing'"):
        spec.validate({"no_such_thing": 1})
    with pytest.raises(ModelError, match=f"model '{name}' has no preset 'nope'; presets: default"):
        spec.preset("nope")
    with pytest.raises(ModelError, match="parameters of another model"):
        spec.validate(next(get_model(m) for m in NAMES if m != name).defaults)
    for field, values in spec.choices().items():
        with pytest.raises(
            ModelError,
            match=f"model '{name}' parameter '{field}' must be one of {values[0]}.*; got 'bogus'",
        ):
            spec.validate({field: "bogus"})
    for field, info in spec.params.model_fields.items():
        if info.annotation is bool:
            with pytest.raises(ModelError, match=f"'{field}' must be true or false; got 'yes'"):
                spec.validate({field: "yes"})
        if info.annotation in (int, float):
            with pytest.raises(ModelError, match=f"'{field}' must be .*; got 'many'"):
                spec.validate({field: "many"})
    # frozen: presets cannot be edited in place
    with pytest.raises(Exception, match="frozen"):
        spec.defaults.__setattr__(next(iter(spec.params.model_fields), "x"), 1)


@pytest.mark.parametrize("name", NAMES)
def test_kernel_result_shapes_and_batch_independence(name):
    spec = get_model(name)
    runs = 6
    c, s, x, scale = _inputs_for(spec, runs)
    res = spec.run(c, s, x, scale=scale)
    assert isinstance(res, KernelResult)
    assert res.positions.shape[0] == runs and res.positions.shape[2] == len(C)
    # (runs, rounds + 1), or (runs, rounds + 1, issues) for an issues model
    assert res.forecast.shape == res.positions.shape[:2] + x.shape[2:]
    assert res.rounds.shape == (runs,)
    np.testing.assert_allclose(res.positions[:, 0], x, rtol=0, atol=1e-9)  # round 0: inputs
    # a run's numbers never depend on the other runs of its batch (up to rounding of sums)
    for r in (0, 3):
        one = spec.run(c[r : r + 1], s[r : r + 1], x[r : r + 1], scale=scale)
        t = int(one.rounds[0])
        assert t == res.rounds[r]
        np.testing.assert_allclose(one.forecast[0], res.forecast[r, : t + 1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_declared_input_shapes_are_the_accepted_ones(name):
    spec = get_model(name)
    c, s, x = _batch(2)
    x3 = np.stack([x, 100 - x], axis=-1)
    s3 = np.stack([s, s], axis=-1) / 2
    if spec.inputs == {"issues"}:  # several linked issues only: a (runs, actors) x is refused
        res = spec.run(c, s3, x3, scale=np.array([[0.0, 100.0]] * 2))
        assert res.positions.shape[-1] == 2 and res.forecast.shape[-1] == 2
        with pytest.raises(ModelError, match="issues"):
            spec.run(c, s, x, scale=(0.0, 100.0))
    elif "spatial" in spec.inputs:
        res = spec.run(c, s3, x3, scale=(0.0, 100.0))
        assert res.positions.shape[-1] == 2 and res.forecast.shape[-1] == 2
    else:
        with pytest.raises(ModelError, match=f"model '{name}' is one-dimensional"):
            spec.run(c, s3, x3, scale=(0.0, 100.0))


@pytest.mark.parametrize("name", NAMES)
def test_stochastic_settings_draw_only_from_the_generator_given(name):
    spec = get_model(name)
    settings = _stochastic_settings(spec)
    c, s, x, scale = _inputs_for(spec, 8, seed=5)
    # deterministic settings ignore rng
    a = spec.run(c, s, x, scale=scale, params=spec.defaults, rng=np.random.default_rng(1))
    b = spec.run(c, s, x, scale=scale, params=spec.defaults, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(a.forecast, b.forecast)
    differs = []
    for p in settings:
        with pytest.raises(ModelError, match="give rng"):
            spec.run(c, s, x, scale=scale, params=p)
        np.random.seed(0)  # noqa: NPY002 (the global state must not matter)
        one = spec.run(c, s, x, scale=scale, params=p, rng=np.random.default_rng(11))
        np.random.seed(99)  # noqa: NPY002
        two = spec.run(c, s, x, scale=scale, params=p, rng=np.random.default_rng(11))
        np.testing.assert_array_equal(one.forecast, two.forecast)
        other = spec.run(c, s, x, scale=scale, params=p, rng=np.random.default_rng(12))
        differs.append(not np.array_equal(one.forecast, other.forecast))
        # a batch's first runs draw what a shorter batch draws
        head = spec.run(c[:3], s[:3], x[:3], scale=scale, params=p, rng=np.random.default_rng(11))
        n = head.forecast.shape[1]
        np.testing.assert_array_equal(head.forecast, one.forecast[:3, :n])
    # another generator gives other numbers (a random tie-break alone may change nothing on
    # inputs without ties, so at least one stochastic setting must show it)
    assert not settings or any(differs)


def test_every_stochastic_model_is_covered():
    # smp's stochastic transitions, and the exchange model's random rates and tie-breaks
    assert [m for m in NAMES if _stochastic_settings(get_model(m))] == ["smp", "exchange"]


def test_registry_names_the_module_and_the_models():
    with pytest.raises(ModelError, match="unknown model 'oracle'; models: mean, median"):
        get_model("oracle")
    for name in NAMES:
        assert MODELS[name] == f"crossroads.models.{name}"
        hints = typing.get_type_hints(get_model(name).params)
        assert set(get_model(name).params.model_fields) <= set(hints)  # every field annotated
