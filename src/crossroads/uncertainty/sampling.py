"""Uncertain stake inputs: which distribution each input follows, and draws from a seed.

Every stake field (capability ``c``, salience ``s``, position ``x``) of every
actor follows one distribution, chosen in this order:

1. the stake's own ``uncertainty`` for that field;
2. the scenario's ``uncertainty_default`` for that field;
3. the built-in default :data:`BUILTIN_DEFAULT` (unless switched off with
   ``default_uncertainty=False``);
4. otherwise the field is fixed at the stake's value.

The built-in default
--------------------
* position: uniform on value +- 10% of the issue scale's width (+-10 points on
  0-100), truncated to the scale;
* salience: uniform on value +- 0.1, truncated to 0-1;
* capability: uniform on value x (1 +- 0.2) (+-20% relative), truncated to >= 0.

"Truncated" means the uniform is restricted to the part of its interval inside the
legal range (it stays uniform there); a normal (``sd``) is truncated the same way
(drawn by inverse CDF between the legal bounds). Set a field's ``sd``,
``plus_minus`` or ``relative`` to 0 to fix it.

Randomness
----------
Runs are grouped in fixed blocks of :data:`BLOCK` runs. Block ``b`` draws from
``numpy.random.SeedSequence(seed, spawn_key=(b,))`` -- the ``b``-th child of
``SeedSequence(seed).spawn(...)`` -- one uniform array of shape
(runs in block, 3, actors in the scenario). Run ``r``'s inputs therefore depend
only on ``seed`` and ``r``: never on the executor, the worker count or the chunk
size, and the first ``n`` runs of a larger ensemble are the ``n`` runs of a
smaller one. Uniforms are indexed by the actor's place in the scenario's actor
list, not by its place among an issue's stakes, so a what-if that adds or drops
a stake leaves every other actor's draws unchanged (common random numbers).
Each uniform becomes a value by the inverse CDF of that input's distribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError, ModelError
from crossroads.scenario import Scenario, apply_interventions
from crossroads.scenario.schema import Uncertainty
from crossroads.seeding import BLOCK, block_seed, check_seed

__all__ = [
    "BLOCK",
    "BUILTIN_DEFAULT",
    "FIELDS",
    "FieldDraws",
    "InputSpec",
    "block_seed",
    "check_seed",
    "draw_inputs",
    "draw_uniforms",
    "input_spec",
]

#: Field order along axis 1 of the uniform draws and in every (3, actors) array.
FIELDS = ("capability", "salience", "position")

#: The built-in default uncertainty, per field. ``position`` is in units of the
#: issue scale's width (0.1 = 10% of max - min); see the module docstring.
BUILTIN_DEFAULT: dict[str, dict[str, float]] = {
    "position": {"plus_minus_share_of_scale": 0.10},
    "salience": {"plus_minus": 0.10},
    "capability": {"relative": 0.20},
}

FIXED, UNIFORM, NORMAL, DISCRETE = 0, 1, 2, 3
_BELOW_ONE = float(np.nextafter(1.0, 0.0))
_KIND_NAMES = {FIXED: "fixed", UNIFORM: "uniform", NORMAL: "normal", DISCRETE: "options"}


def draw_uniforms(seed: int, start: int, stop: int, n_cols: int) -> np.ndarray:
    """Uniforms on [0, 1) for runs ``start`` .. ``stop - 1``.

    Returns
    -------
    ndarray of shape (stop - start, 3, n_cols)
        Axis 1 follows :data:`FIELDS`; axis 2 the scenario's actor list.
    """
    out = np.empty((max(stop - start, 0), 3, n_cols))
    for b in range(start // BLOCK, (stop - 1) // BLOCK + 1) if stop > start else ():
        lo = max(start, b * BLOCK) - b * BLOCK
        hi = min(stop, (b + 1) * BLOCK) - b * BLOCK
        at = b * BLOCK + lo - start
        rng = np.random.Generator(np.random.PCG64(block_seed(seed, b)))
        # Generator.random fills in C order, so a block's first rows never depend on
        # how many rows are asked for.
        if lo == 0:
            rng.random(out=out[at : at + hi])
        else:
            out[at : at + hi - lo] = rng.random((hi, 3, n_cols))[lo:]
    return out


@dataclass(frozen=True)
class FieldDraws:
    """How one field's values are drawn, for every actor of an issue (arrays of shape (actors,)).

    ``kind`` is 0 fixed, 1 uniform on [a, b], 2 normal(mu, sd) truncated to
    [lo, hi] (``a``, ``b`` hold the CDF at the bounds), 3 options with cumulative
    weights ``cum`` (padded with 2.0 beyond each actor's last option).
    """

    field: str
    lo: float
    hi: float
    kind: np.ndarray
    value: np.ndarray
    a: np.ndarray
    b: np.ndarray
    mu: np.ndarray
    sd: np.ndarray
    options: np.ndarray
    cum: np.ndarray

    def inverse_cdf(self, u: np.ndarray) -> np.ndarray:
        """Values for uniforms ``u`` of shape (runs, actors), by each actor's inverse CDF."""
        # Fixed inputs have a == b == value and uniform ones [a, b]: one fused expression
        # covers both (a + u * 0 is exactly a); normal and option columns are replaced below.
        out = self.a + u * (self.b - self.a)
        kind = self.kind
        m = kind == NORMAL
        if m.any():
            from scipy.special import ndtri

            pa, pb = self.a[m], self.b[m]
            z = ndtri(pa + u[:, m] * (pb - pa))
            out[:, m] = np.clip(self.mu[m] + self.sd[m] * z, self.lo, self.hi)
        m = kind == DISCRETE
        if m.any():
            cum = self.cum[m]  # (k, K)
            uu = np.minimum(u[:, m], _BELOW_ONE)  # u == 1 (possible in designs) is the last option
            idx = (uu[:, :, None] >= cum[None, :, :-1]).sum(axis=-1)
            out[:, m] = np.take_along_axis(self.options[m][None, :, :], idx[..., None], -1)[..., 0]
        return out


@dataclass(frozen=True)
class InputSpec:
    """The uncertain inputs of one issue: a distribution per (field, actor).

    Attributes
    ----------
    issue : str
    actors, names : list of str
        Stake actors (ids, display names) in stake order.
    cols : ndarray of int, shape (actors,)
        Each stake actor's place in the scenario's actor list (its uniform column).
    n_cols : int
        Number of actors in the scenario.
    scale : (float, float)
    fields : tuple of FieldDraws
        Capability, salience, position (the order of :data:`FIELDS`).
    origin : list of list of str, shape (3, actors)
        Where each distribution comes from: 'stake', 'scenario default',
        'built-in default' or 'fixed'.
    """

    issue: str
    actors: list[str]
    names: list[str]
    cols: np.ndarray
    n_cols: int
    scale: tuple[float, float]
    fields: tuple[FieldDraws, FieldDraws, FieldDraws]
    origin: list[list[str]]

    @property
    def n_actors(self) -> int:
        return len(self.actors)

    @property
    def nominal(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The stakes' own values (c, s, x), each of shape (actors,)."""
        return tuple(f.value.copy() for f in self.fields)  # type: ignore[return-value]

    @property
    def uncertain(self) -> np.ndarray:
        """Boolean array of shape (3, actors): which inputs vary."""
        return np.array([f.kind != FIXED for f in self.fields])

    @property
    def kernel_scale(self) -> tuple[float, float]:
        """The scale as the model kernel takes it (for one issue, :attr:`scale`)."""
        return self.scale

    def select(self, forecast: np.ndarray) -> np.ndarray:
        """The forecast the ensemble summarises: for one issue, the kernel's own."""
        return np.asarray(forecast)

    def transform(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Inputs ``(c, s, x)``, each (runs, actors), from uniforms of shape (runs, 3, n_cols)."""
        return tuple(  # type: ignore[return-value]
            self.fields[i].inverse_cdf(u[:, i, :][:, self.cols]) for i in range(3)
        )

    def quantile(self, field: int, actor: int, p: float) -> float:
        """The ``p`` quantile of one input's distribution."""
        fd = self.fields[field]
        u = np.full((1, self.n_actors), p)
        return float(fd.inverse_cdf(u)[0, actor])

    def describe(self, field: int, actor: int) -> str:
        """One input's distribution in words, e.g. 'uniform 25-45'."""
        fd = self.fields[field]
        k = int(fd.kind[actor])
        if k == FIXED:
            return f"fixed {fd.value[actor]:g}"
        if k == UNIFORM:
            return f"uniform {fd.a[actor]:.4g}-{fd.b[actor]:.4g}"
        if k == NORMAL:
            hi = "" if not np.isfinite(fd.hi) else f"-{fd.hi:g}"
            return f"normal {fd.mu[actor]:.4g} sd {fd.sd[actor]:.4g} in {fd.lo:g}{hi}"
        n = int(np.sum(fd.cum[actor] <= 1.0 + 1e-12))
        opts = fd.options[actor, :n]
        w = np.diff(np.concatenate([[0.0], fd.cum[actor, :n]]))
        return "options " + ", ".join(f"{o:g} ({p:.0%})" for o, p in zip(opts, w, strict=True))

    def inputs_df(self) -> pd.DataFrame:
        """One row per (actor, field): value, distribution, origin, uncertain."""
        rows = []
        for j in range(self.n_actors):
            for i, field in enumerate(FIELDS):
                rows.append(
                    {
                        "actor": self.actors[j],
                        "name": self.names[j],
                        "field": field,
                        "value": float(self.fields[i].value[j]),
                        "distribution": self.describe(i, j),
                        "origin": self.origin[i][j],
                        "uncertain": bool(self.fields[i].kind[j] != FIXED),
                    }
                )
        return pd.DataFrame(rows)


def _legal(field: str, lo: float, hi: float) -> tuple[float, float]:
    if field == "position":
        return lo, hi
    if field == "salience":
        return 0.0, 1.0
    return 0.0, float("inf")


def _builtin(field: str, lo: float, hi: float) -> Uncertainty:
    d = BUILTIN_DEFAULT[field]
    if field == "position":
        return Uncertainty(plus_minus=d["plus_minus_share_of_scale"] * (hi - lo))
    if field == "salience":
        return Uncertainty(plus_minus=d["plus_minus"])
    return Uncertainty(relative=d["relative"])


def _one(
    u: Uncertainty, value: float, lo: float, hi: float, offsets: bool, shift: float
) -> tuple[int, float, float, float, float, list[float], list[float]]:
    """(kind, a, b, mu, sd, options, weights) of one input."""
    clip = lambda v: min(max(v, lo), hi)  # noqa: E731
    if u.range is not None:
        a, b = (value + u.range[0], value + u.range[1]) if offsets else tuple(u.range)
        a, b = clip(a + shift), clip(b + shift)
        return (UNIFORM if b > a else FIXED), a, b, value, 0.0, [], []
    if u.plus_minus is not None or u.relative is not None:
        half = u.plus_minus if u.plus_minus is not None else abs(value) * u.relative
        a, b = clip(value - half), clip(value + half)
        return (UNIFORM if b > a else FIXED), a, b, value, 0.0, [], []
    if u.sd is not None:
        if u.sd == 0:
            return FIXED, value, value, value, 0.0, [], []
        from scipy.special import ndtr

        pa = float(ndtr((lo - value) / u.sd)) if np.isfinite(lo) else 0.0
        pb = float(ndtr((hi - value) / u.sd)) if np.isfinite(hi) else 1.0
        return NORMAL, pa, pb, value, float(u.sd), [], []
    assert u.options is not None  # validated: exactly one kind
    opts = [clip((value + o if offsets else o) + shift) for o in u.options]
    w = list(u.weights) if u.weights is not None else [1.0] * len(opts)
    return DISCRETE, value, value, value, 0.0, opts, w


def input_spec(
    scenario: Scenario,
    issue: str | None = None,
    *,
    interventions: Sequence[str] = (),
    default_uncertainty: bool = True,
    fields: Sequence[str] = FIELDS,
) -> InputSpec:
    """The distribution of every input of ``issue``, after ``interventions``.

    Parameters
    ----------
    scenario : Scenario
    issue : str, optional
        Issue id (may be omitted when the scenario has one issue).
    interventions : sequence of str
        Named interventions to apply first. A field an intervention sets or
        shifts keeps the shape of its stake-level ``range``/``options``, moved by
        the same amount (relative forms follow the new value by construction).
    default_uncertainty : bool
        Apply :data:`BUILTIN_DEFAULT` where neither the stake nor the scenario
        gives an uncertainty. ``False`` keeps only what the scenario states.
    fields : sequence of {'capability', 'salience', 'position'}
        Fields allowed to vary; the others are fixed at the stake's value.

    Returns
    -------
    InputSpec

    Raises
    ------
    CrossroadsError
        Unknown issue. :class:`~crossroads.errors.InterventionError` for an
        unknown intervention.
    """
    bad = [f for f in fields if f not in FIELDS]
    if bad:
        raise CrossroadsError(f"unknown field {bad[0]!r}; fields: {', '.join(FIELDS)}")
    base_issue = scenario.issue(issue)
    after = apply_interventions(scenario, interventions) if interventions else scenario
    iss = after.issue(base_issue.id)
    before = {s.actor: s for s in base_issue.stakes}
    lo, hi = float(iss.scale.min), float(iss.scale.max)
    col_of = {a.id: k for k, a in enumerate(after.actors)}
    names = {a.id: a.name for a in after.actors}
    scen_default = scenario.uncertainty_default or {}
    n = len(iss.stakes)
    per_field = []
    origin: list[list[str]] = []
    for field in FIELDS:
        flo, fhi = _legal(field, lo, hi)
        kind = np.zeros(n, dtype=np.int8)
        value = np.empty(n)
        a, b, mu, sd = (np.zeros(n) for _ in range(4))
        opts: list[list[float]] = []
        wts: list[list[float]] = []
        orig = []
        for j, st in enumerate(iss.stakes):  # builds the spec once; not a kernel loop
            v = float(getattr(st, field))
            value[j] = v
            u, src, offsets = None, "fixed", False
            if field in fields:
                if st.uncertainty and field in st.uncertainty:
                    u, src = st.uncertainty[field], "stake"
                elif field in scen_default:
                    u, src, offsets = scen_default[field], "scenario default", True
                elif default_uncertainty:
                    u, src, offsets = _builtin(field, lo, hi), "built-in default", True
            if u is None:
                kind[j], a[j], b[j], mu[j] = FIXED, v, v, v
                opts.append([])
                wts.append([])
                orig.append("fixed")
                continue
            shift = 0.0
            old = before.get(st.actor)
            if src == "stake" and old is not None and old.uncertainty is st.uncertainty:
                shift = v - float(getattr(old, field))
            k, a[j], b[j], mu[j], sd[j], o, w = _one(u, v, flo, fhi, offsets, shift)
            kind[j] = k
            opts.append(o)
            wts.append(w)
            orig.append(src if k != FIXED else "fixed")
        width = max([len(o) for o in opts] + [1])
        options = np.zeros((n, width))
        cum = np.full((n, width), 2.0)
        for j, (o, w) in enumerate(zip(opts, wts, strict=True)):
            if o:
                options[j, : len(o)] = o
                c = np.cumsum(w) / np.sum(w)
                c[-1] = 1.0
                cum[j, : len(o)] = c
        per_field.append(FieldDraws(field, flo, fhi, kind, value, a, b, mu, sd, options, cum))
        origin.append(orig)
    return InputSpec(
        issue=iss.id,
        actors=[s.actor for s in iss.stakes],
        names=[names.get(s.actor, s.actor) for s in iss.stakes],
        cols=np.array([col_of[s.actor] for s in iss.stakes], dtype=np.intp),
        n_cols=len(after.actors),
        scale=(lo, hi),
        fields=tuple(per_field),  # type: ignore[arg-type]
        origin=origin,
    )


def draw_inputs(
    spec: InputSpec, seed: int, start: int, stop: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inputs ``(c, s, x)`` of runs ``start`` .. ``stop - 1``, each (runs, actors).

    Examples
    --------
    >>> import crossroads
    >>> from crossroads.uncertainty.sampling import input_spec, draw_inputs
    >>> sc = crossroads.load("tests/data/ensemble-small.yaml")
    >>> c, s, x = draw_inputs(input_spec(sc, "trade"), seed=1, start=0, stop=5)
    >>> x.shape
    (5, 4)
    """
    if spec.n_actors < 1:
        raise ModelError(f"issue '{spec.issue}' has no stakes")
    return spec.transform(draw_uniforms(check_seed(seed), start, stop, spec.n_cols))


def kind_name(kind: int) -> str:
    """'fixed', 'uniform', 'normal' or 'options'."""
    return _KIND_NAMES[int(kind)]
