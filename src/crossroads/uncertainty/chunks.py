"""Units of work that executors run: a chunk of runs, or a slice of a design matrix.

A chunk is a range of run indices made of whole blocks (:data:`BLOCK` runs).
The worker draws the chunk's inputs from the seed (no input data travels), runs
the batched model once per variant (a baseline and, for what-if comparisons,
each intervention on the same draws) and returns small :class:`Part` summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crossroads.errors import ModelError
from crossroads.models.spec import ModelParams
from crossroads.seeding import BLOCK, model_rng
from crossroads.uncertainty.linked_sampling import LinkedInputSpec
from crossroads.uncertainty.sampling import InputSpec, draw_uniforms
from crossroads.uncertainty.summary import GRID_BINS, Part, StreamSummary

__all__ = [
    "ChunkResult",
    "Job",
    "chunk_ranges",
    "default_chunk_size",
    "final_forecast",
    "run_chunk",
    "run_design",
]

#: Default upper bound on runs per chunk.
MAX_DEFAULT_CHUNK = 16 * BLOCK


def default_chunk_size(n_actors: int) -> int:
    """Runs per chunk for an issue with ``n_actors`` actors: whole blocks, fewer for big issues.

    Aims at about 2**24 actor^2-sized temporaries per chunk (EUM's pairwise
    arrays), between 1 and 16 blocks.
    """
    blocks = max(1, min(MAX_DEFAULT_CHUNK // BLOCK, 2**24 // (BLOCK * max(n_actors, 1) ** 2)))
    return blocks * BLOCK


def chunk_ranges(runs: int, chunk_size: int) -> list[tuple[int, int]]:
    """Split runs 0 .. runs-1 into chunks of ``chunk_size`` (a multiple of :data:`BLOCK`)."""
    if chunk_size % BLOCK:
        raise ValueError("chunk size must be a multiple of BLOCK")
    return [(a, min(a + chunk_size, runs)) for a in range(0, runs, chunk_size)]


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to run chunks of one ensemble (small, picklable).

    Attributes
    ----------
    model : str
    params : ModelParams
        The model's full, validated parameters.
    specs : tuple of InputSpec
        The baseline first, then any what-if variants; all share the uniforms.
    seed : int
    band_edges : ndarray
        Edges of the issue's labelled bands (may be empty).
    keep : bool
        Return every run's forecast too.
    bins : int
        Histogram bins of the summaries.
    threshold : float, optional
        Count each variant's runs with forecast >= and <= this value exactly.
    """

    model: str
    params: ModelParams
    specs: tuple[InputSpec | LinkedInputSpec, ...]
    seed: int
    band_edges: np.ndarray = field(default_factory=lambda: np.empty(0))
    keep: bool = False
    bins: int = GRID_BINS
    threshold: float | None = None


@dataclass(frozen=True)
class ChunkResult:
    """A chunk's parts: one per variant, and one per variant's shift from the baseline."""

    start: int
    stop: int
    parts: tuple[Part, ...]
    shifts: tuple[Part, ...]


def final_forecast(
    model: str, forecast: np.ndarray, rounds: np.ndarray, runs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each run's final forecast (runs,) and rounds (runs,) from a kernel's forecast
    (runs, rounds + 1) and rounds (the input spec's selection of the summarised issue)."""
    f = np.asarray(forecast)
    if f.ndim != 2 or f.shape[0] != runs:
        raise ModelError(
            f"model '{model}' returned a forecast of shape {f.shape}; ensembles summarise "
            "one-dimensional forecasts (runs, rounds + 1) -- multi-dimensional issues are not "
            "supported by ensemble, sensitivity or compare"
        )
    return f[:, -1], np.asarray(rounds, dtype=np.int64)


def _run_model(
    job: Job, spec: InputSpec, u: np.ndarray, start: int
) -> tuple[np.ndarray, np.ndarray]:
    """Final forecasts and rounds of runs ``start`` .. ``start + len(u) - 1``.

    A stochastic model is called once per block of :data:`BLOCK` runs with that block's
    generator (:func:`crossroads.seeding.model_rng`), so its draws for a run depend only
    on the seed and the run's index. ``start`` is a multiple of :data:`BLOCK`.
    """
    from crossroads.models import get_model

    model = get_model(job.model)
    params = job.params.forecast_only()
    c, s, x = spec.transform(u)
    if not params.is_stochastic():
        res = model.run(c, s, x, scale=spec.kernel_scale, params=params)
        return final_forecast(job.model, spec.select(res.forecast), res.rounds, len(u))
    f, rounds = np.empty(len(u)), np.empty(len(u), dtype=np.int64)
    for a in range(0, len(u), BLOCK):
        b = slice(a, a + BLOCK)
        rng = model_rng(job.seed, (start + a) // BLOCK)
        res = model.run(c[b], s[b], x[b], scale=spec.kernel_scale, params=params, rng=rng)
        f[b], rounds[b] = final_forecast(
            job.model, spec.select(res.forecast), res.rounds, len(u[b])
        )
    return f, rounds


def run_chunk(job: Job, start: int, stop: int) -> ChunkResult:
    """Run runs ``start`` .. ``stop - 1`` of every variant of ``job`` and summarise them.

    Deterministic: the result depends only on ``job`` and the range.
    """
    u = draw_uniforms(job.seed, start, stop, job.specs[0].n_cols)
    lo, hi = job.specs[0].scale
    parts, shifts = [], []
    base = None
    for spec in job.specs:
        f, rounds = _run_model(job, spec, u, start)
        parts.append(
            StreamSummary.part(
                f,
                rounds,
                start,
                lo,
                hi,
                job.band_edges,
                job.bins,
                job.keep,
                threshold=job.threshold,
            )  # fmt: skip
        )
        if base is None:
            base = f
        else:
            w = hi - lo
            shifts.append(
                StreamSummary.part(
                    f - base, rounds, start, -w, w, np.empty(0), 2 * job.bins, job.keep, "shift"
                )
            )
    return ChunkResult(start, stop, tuple(parts), tuple(shifts))


def run_design(
    job: Job, design: np.ndarray, fidx: np.ndarray, aidx: np.ndarray, start: int = 0
) -> np.ndarray:
    """Final forecasts of the baseline for rows of a design on [0, 1].

    Parameters
    ----------
    job : Job
    design : ndarray of shape (rows, inputs)
        Uniforms for the varied inputs (e.g. a Sobol sequence).
    fidx, aidx : ndarray of int, shape (inputs,)
        Each varied input's field (index into FIELDS) and actor (index into the stakes).
        Every other input is drawn at u = 0.5 (it is fixed, so u is unused).
    start : int
        Index of the first row in the whole design, a multiple of :data:`BLOCK` (a stochastic
        model's draws follow the rows' indices).

    Returns
    -------
    ndarray of shape (rows,)
    """
    spec = job.specs[0]
    u = np.full((len(design), 3, spec.n_cols), 0.5)
    u[:, fidx, spec.cols[aidx]] = design
    f, _ = _run_model(job, spec, u, start)
    return f
