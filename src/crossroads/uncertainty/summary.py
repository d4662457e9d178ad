"""Streaming, mergeable summaries of a forecast distribution with bounded memory.

Quantiles come from an exact histogram on a fine grid: :data:`GRID_BINS` equal
bins over the issue's scale (2**16 bins; on a 0-100 scale a bin is 0.0015 wide).
Each bin keeps its count and the smallest and largest value that fell into it.
The ``p`` quantile is the order statistic ``x_(k)``, ``k = ceil(p N)`` (numpy's
``method='inverted_cdf'``); it is estimated by the midpoint of the bin holding
``x_(k)``, clipped to that bin's smallest and largest value. So the estimate is
never further than **half a bin width** from the exact empirical quantile, and it
is exact whenever that bin holds one distinct value (point masses, such as the
median model's forecasts at actor positions).

The mean and variance are exact: each fixed block of runs (see
:data:`crossroads.uncertainty.sampling.BLOCK`) contributes its count, sum and sum
of squared deviations, and the blocks are combined with :func:`math.fsum`, so
the result does not depend on the order in which chunks finish nor on how runs
are grouped into chunks. Band probabilities and counts are integer counts.

With a ``threshold`` X, each chunk also counts exactly (not from the histogram) its
valid runs with forecast >= X and <= X, so ``P(forecast >= X)``, ``P(forecast <= X)``
and their Monte Carlo standard errors ``sqrt(p (1 - p) / n)`` are exact and the same on
every executor and chunking (:class:`ThresholdShares`).

Memory: a few arrays of :data:`GRID_BINS` entries plus three numbers per block
of runs (about 24 bytes per 1,024 runs), whatever the number of runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crossroads.errors import ModelError
from crossroads.uncertainty.sampling import BLOCK

__all__ = [
    "GRID_BINS",
    "QUANTILES",
    "Band",
    "Distribution",
    "Part",
    "StreamSummary",
    "ThresholdShares",
    "bands_of",
]

#: Histogram bins over the scale (the quantile resolution is the scale's width / 2**17).
GRID_BINS = 2**16

#: Quantiles every summary reports.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

#: z for the 95% intervals used in Monte Carlo standard errors of quantiles.
_Z = 1.959963984540054


@dataclass(frozen=True)
class Part:
    """What one chunk of runs contributes to a :class:`StreamSummary` (picklable, small).

    Histogram entries are sparse: only bins that received a value.
    """

    start: int
    stop: int
    bins: np.ndarray
    counts: np.ndarray
    mins: np.ndarray
    maxs: np.ndarray
    band_counts: np.ndarray
    signs: np.ndarray
    blocks: np.ndarray
    block_n: np.ndarray
    block_sum: np.ndarray
    block_m2: np.ndarray
    n_invalid: int
    rounds_sum: int
    rounds_max: int
    values: np.ndarray | None = None
    rounds: np.ndarray | None = None
    at_least: int = 0
    at_most: int = 0


@dataclass(frozen=True)
class ThresholdShares:
    """Exact shares of the valid runs whose forecast is >= and <= a threshold.

    Attributes
    ----------
    value : float
        The threshold X.
    n : int
        Valid runs counted.
    at_least, at_most : int
        Runs with forecast >= X and with forecast <= X (a run equal to X is in both).
    """

    value: float
    n: int
    at_least: int
    at_most: int

    @staticmethod
    def _mcse(p: float, n: int) -> float:
        return math.sqrt(p * (1 - p) / n) if n else math.nan

    @property
    def p_at_least(self) -> float:
        """P(forecast >= X): the share of valid runs at or above the threshold."""
        return self.at_least / self.n if self.n else math.nan

    @property
    def p_at_most(self) -> float:
        """P(forecast <= X): the share of valid runs at or below the threshold."""
        return self.at_most / self.n if self.n else math.nan

    @property
    def p_at_least_mcse(self) -> float:
        """Monte Carlo standard error of :attr:`p_at_least`, sqrt(p (1 - p) / n)."""
        return self._mcse(self.p_at_least, self.n)

    @property
    def p_at_most_mcse(self) -> float:
        """Monte Carlo standard error of :attr:`p_at_most`, sqrt(p (1 - p) / n)."""
        return self._mcse(self.p_at_most, self.n)

    def share(self, op: str) -> tuple[float, float]:
        """(probability, Monte Carlo error) of ``forecast op X`` for ``op`` '>=' or '<='."""
        if op == ">=":
            return self.p_at_least, self.p_at_least_mcse
        if op == "<=":
            return self.p_at_most, self.p_at_most_mcse
        raise ValueError(f"op must be '>=' or '<=', got {op!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "n": self.n,
            "runs_at_least": self.at_least,
            "runs_at_most": self.at_most,
            "p_at_least": self.p_at_least,
            "p_at_least_mcse": self.p_at_least_mcse,
            "p_at_most": self.p_at_most,
            "p_at_most_mcse": self.p_at_most_mcse,
        }


def bands_of(lo: float, hi: float, labels: dict[float, str]) -> list[tuple[float, float, str]]:
    """Bands between consecutive labelled points of a scale, as (low, high, name).

    Unlabelled ends of the scale are included as bands of their own, named by
    their numbers. No labels: no bands.
    """
    if not labels:
        return []
    pts = sorted((float(k), v) for k, v in labels.items())
    if pts[0][0] > lo:
        pts.insert(0, (lo, f"{lo:g}"))
    if pts[-1][0] < hi:
        pts.append((hi, f"{hi:g}"))
    return [(a, b, f"{na} .. {nb}") for (a, na), (b, nb) in zip(pts, pts[1:], strict=False)]


class StreamSummary:
    """A distribution accumulated from :class:`Part` objects in any order.

    Parameters
    ----------
    lo, hi : float
        The grid's range (the issue's scale; for shifts, minus to plus its width).
    total_runs : int
        Runs in the whole ensemble (sizes the per-block arrays).
    band_edges : sequence of float
        Edges e_0 < ... < e_m of labelled bands: band i is [e_i, e_i+1), the last
        one closed.
    bins : int
        Histogram bins.
    keep : bool
        Keep every run's value (for :meth:`values`), O(runs) memory.
    threshold : float, optional
        Count the runs at or above and at or below this value exactly.
    """

    def __init__(
        self,
        lo: float,
        hi: float,
        total_runs: int,
        band_edges: Sequence[float] = (),
        bins: int = GRID_BINS,
        keep: bool = False,
        threshold: float | None = None,
    ) -> None:
        self.threshold = None if threshold is None else float(threshold)
        self.at_least = 0
        self.at_most = 0
        self.lo, self.hi, self.nbins = float(lo), float(hi), int(bins)
        self.total_runs = int(total_runs)
        self.band_edges = np.asarray(band_edges, dtype=float)
        n_blocks = -(-self.total_runs // BLOCK)
        self.counts = np.zeros(self.nbins, dtype=np.int64)
        self.mins = np.full(self.nbins, np.inf)
        self.maxs = np.full(self.nbins, -np.inf)
        self.band_counts = np.zeros(max(len(self.band_edges) - 1, 0), dtype=np.int64)
        self.signs = np.zeros(3, dtype=np.int64)
        self.block_n = np.zeros(n_blocks, dtype=np.int64)
        self.block_sum = np.zeros(n_blocks)
        self.block_m2 = np.zeros(n_blocks)
        self.n_invalid = 0
        self.rounds_sum = 0
        self.rounds_max = 0
        self.keep = keep
        self._values: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.seen = 0

    # --- building parts (worker side) ------------------------------------------------
    @staticmethod
    def part(
        values: np.ndarray,
        rounds: np.ndarray,
        start: int,
        lo: float,
        hi: float,
        band_edges: np.ndarray,
        bins: int = GRID_BINS,
        keep: bool = False,
        what: str = "forecast",
        threshold: float | None = None,
    ) -> Part:
        """Summarise runs ``start`` .. ``start + len(values) - 1`` into a :class:`Part`.

        ``start`` must be a multiple of :data:`BLOCK`. NaN values are invalid runs
        (counted, left out of every statistic). Values outside [lo, hi] by more
        than 1e-9 of the width raise :class:`ModelError`. With ``threshold`` X the part
        counts the valid runs with value >= X and <= X, exactly.
        """
        if start % BLOCK:
            raise ValueError("a part starts at a block boundary")
        values = np.asarray(values, dtype=float)
        rounds = np.asarray(rounds, dtype=np.int64)
        n = len(values)
        valid = ~np.isnan(values)
        v = values[valid]
        width = hi - lo
        tol = 1e-9 * width
        if v.size and (v.min() < lo - tol or v.max() > hi + tol):
            bad = v.min() if v.min() < lo - tol else v.max()
            raise ModelError(f"a {what} of {bad:.6g} lies outside {lo:g}..{hi:g}")
        idx = np.floor((v - lo) * (bins / width)).astype(np.int64)
        np.clip(idx, 0, bins - 1, out=idx)
        order = np.argsort(idx, kind="stable")
        idx_s, v_s = idx[order], v[order]
        if v_s.size:
            starts = np.flatnonzero(np.r_[True, idx_s[1:] != idx_s[:-1]])
            ubins = idx_s[starts]
            counts = np.diff(np.r_[starts, v_s.size])
            mins = np.minimum.reduceat(v_s, starts)
            maxs = np.maximum.reduceat(v_s, starts)
        else:
            ubins = counts = np.empty(0, dtype=np.int64)
            mins = maxs = np.empty(0)
        if len(band_edges) >= 2:
            b = np.searchsorted(band_edges[1:-1], v, side="right")
            band_counts = np.bincount(b, minlength=len(band_edges) - 1)
        else:
            band_counts = np.zeros(0, dtype=np.int64)
        signs = np.array([(v < 0).sum(), (v == 0).sum(), (v > 0).sum()], dtype=np.int64)
        first = start // BLOCK
        nb = -(-n // BLOCK)
        blocks = np.arange(first, first + nb)
        bn = np.zeros(nb, dtype=np.int64)
        bs = np.zeros(nb)
        bm = np.zeros(nb)
        for i in range(nb):  # one fixed-size block at a time: sums never depend on chunking
            seg = values[i * BLOCK : (i + 1) * BLOCK]
            seg = seg[~np.isnan(seg)]
            bn[i] = seg.size
            if seg.size:
                bs[i] = seg.sum()
                bm[i] = ((seg - bs[i] / seg.size) ** 2).sum()
        return Part(
            start=start,
            stop=start + n,
            bins=ubins,
            counts=counts,
            mins=mins,
            maxs=maxs,
            band_counts=band_counts,
            signs=signs,
            blocks=blocks,
            block_n=bn,
            block_sum=bs,
            block_m2=bm,
            n_invalid=int(n - v.size),
            rounds_sum=int(rounds.sum()),
            rounds_max=int(rounds.max()) if n else 0,
            values=values.copy() if keep else None,
            rounds=rounds.copy() if keep else None,
            at_least=int((v >= threshold).sum()) if threshold is not None else 0,
            at_most=int((v <= threshold).sum()) if threshold is not None else 0,
        )

    # --- merging (client side) --------------------------------------------------------
    def add(self, p: Part) -> None:
        """Merge one part (parts may arrive in any order; each range exactly once)."""
        self.counts[p.bins] += p.counts
        self.mins[p.bins] = np.minimum(self.mins[p.bins], p.mins)
        self.maxs[p.bins] = np.maximum(self.maxs[p.bins], p.maxs)
        if len(p.band_counts):
            self.band_counts += p.band_counts
        self.signs += p.signs
        self.block_n[p.blocks] = p.block_n
        self.block_sum[p.blocks] = p.block_sum
        self.block_m2[p.blocks] = p.block_m2
        self.n_invalid += p.n_invalid
        self.at_least += p.at_least
        self.at_most += p.at_most
        self.rounds_sum += p.rounds_sum
        self.rounds_max = max(self.rounds_max, p.rounds_max)
        self.seen += p.stop - p.start
        if self.keep and p.values is not None and p.rounds is not None:
            self._values[p.start] = (p.values, p.rounds)

    @property
    def n(self) -> int:
        """Valid runs merged so far."""
        return int(self.block_n.sum())

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        """Every run's value and round count, in run order (needs ``keep=True``)."""
        if not self.keep:
            raise ValueError("values were not kept; pass keep=True")
        keys = sorted(self._values)
        if not keys:
            return np.empty(0), np.empty(0, dtype=np.int64)
        return (
            np.concatenate([self._values[k][0] for k in keys]),
            np.concatenate([self._values[k][1] for k in keys]),
        )

    # --- statistics -------------------------------------------------------------------
    @property
    def bin_width(self) -> float:
        return (self.hi - self.lo) / self.nbins

    def order_statistic(self, k: int) -> float:
        """Estimate of the ``k``-th smallest valid value (1-based), within half a bin."""
        n = self.n
        if n == 0:
            return math.nan
        k = min(max(int(k), 1), n)
        cum = np.cumsum(self.counts)
        j = int(np.searchsorted(cum, k, side="left"))
        mid = self.lo + (j + 0.5) * self.bin_width
        return float(min(max(mid, self.mins[j]), self.maxs[j]))

    def quantile(self, p: float) -> float:
        """The ``p`` quantile, x_(ceil(p N)) (numpy's 'inverted_cdf'), within half a bin."""
        return self.order_statistic(max(1, math.ceil(p * self.n - 1e-9)))

    def quantile_mcse(self, p: float) -> float:
        """Monte Carlo standard error of the ``p`` quantile.

        From the binomial 95% interval of the order statistic's rank
        (``N p +- 1.96 sqrt(N p (1 - p))``), divided by 2 x 1.96.
        """
        n = self.n
        if n < 2:
            return math.nan
        half = _Z * math.sqrt(n * p * (1 - p))
        lo_k = max(1, math.floor(n * p - half))
        hi_k = min(n, math.ceil(n * p + half))
        return (self.order_statistic(hi_k) - self.order_statistic(lo_k)) / (2 * _Z)

    def cdf(self, x: float) -> float:
        """Share of valid values <= ``x`` (exact except inside the bin holding ``x``)."""
        n = self.n
        if n == 0:
            return math.nan
        j = int(np.floor((x - self.lo) / self.bin_width))
        if j < 0:
            return 0.0
        if j >= self.nbins:
            return 1.0
        below = int(self.counts[:j].sum())
        if self.counts[j] and self.maxs[j] <= x:
            below += int(self.counts[j])
        elif self.counts[j] and self.mins[j] <= x:
            below += int(self.counts[j]) // 2
        return below / n

    def threshold_shares(self) -> ThresholdShares | None:
        """The exact shares at or above and at or below the threshold (None without one)."""
        if self.threshold is None:
            return None
        return ThresholdShares(self.threshold, self.n, self.at_least, self.at_most)

    def moments(self) -> tuple[float, float]:
        """Exact mean and sample standard deviation of the valid values."""
        n = self.n
        if n == 0:
            return math.nan, math.nan
        keep = self.block_n > 0
        bn, bs, bm = self.block_n[keep], self.block_sum[keep], self.block_m2[keep]
        mean = math.fsum(bs.tolist()) / n
        dev = bs / bn - mean
        m2 = math.fsum(bm.tolist()) + math.fsum((bn * dev * dev).tolist())
        sd = math.sqrt(m2 / (n - 1)) if n > 1 else 0.0
        return mean, sd

    def distribution(
        self,
        band_names: Sequence[str] = (),
        observed: float | None = None,
        quantiles: Sequence[float] = QUANTILES,
    ) -> Distribution:
        """The summary as a :class:`Distribution`."""
        n = self.n
        mean, sd = self.moments()
        nz = np.flatnonzero(self.counts)
        bands = []
        for i, name in enumerate(band_names):
            p = self.band_counts[i] / n if n else math.nan
            bands.append(
                Band(
                    name=name,
                    low=float(self.band_edges[i]),
                    high=float(self.band_edges[i + 1]),
                    probability=float(p),
                    mcse=float(math.sqrt(p * (1 - p) / n)) if n else math.nan,
                )
            )
        return Distribution(
            n=n,
            n_invalid=self.n_invalid,
            mean=mean,
            sd=sd,
            mcse=sd / math.sqrt(n) if n else math.nan,
            min=float(self.mins[nz[0]]) if nz.size else math.nan,
            max=float(self.maxs[nz[-1]]) if nz.size else math.nan,
            quantiles={float(p): self.quantile(p) for p in quantiles},
            quantile_mcse={float(p): self.quantile_mcse(p) for p in quantiles},
            bands=bands,
            resolution=self.bin_width / 2,
            mean_rounds=(self.rounds_sum / (n + self.n_invalid)) if n + self.n_invalid else 0.0,
            max_rounds=self.rounds_max,
            observed=observed,
            observed_percentile=self.cdf(observed) if observed is not None and n else None,
            threshold=self.threshold_shares(),
            below=float(self.signs[0] / n) if n else math.nan,
            zero=float(self.signs[1] / n) if n else math.nan,
            above=float(self.signs[2] / n) if n else math.nan,
        )


@dataclass(frozen=True)
class Band:
    """Probability that the forecast falls in one labelled band [low, high)."""

    name: str
    low: float
    high: float
    probability: float
    mcse: float


@dataclass(frozen=True)
class Distribution:
    """The distribution of a forecast (or of a shift) over an ensemble.

    Attributes
    ----------
    n, n_invalid : int
        Runs summarised, and runs with no forecast (every actor's capability x
        salience zero in that draw), which are left out.
    mean, sd, mcse : float
        Exact mean, standard deviation, and Monte Carlo standard error of the mean
        (sd / sqrt(n)).
    min, max : float
    quantiles : dict of float to float
        p -> x_(ceil(p n)), within ``resolution`` of the exact value.
    quantile_mcse : dict of float to float
        Monte Carlo standard error of each quantile.
    bands : list of Band
    resolution : float
        Largest error of a quantile (half a histogram bin).
    mean_rounds : float
        Mean bargaining rounds per run; ``max_rounds`` the largest.
    observed, observed_percentile : float or None
        The observed outcome and the share of runs at or below it.
    threshold : ThresholdShares or None
        Exact shares at or above and at or below the ensemble's threshold, when it has one
        (reported by :class:`~crossroads.uncertainty.monte_carlo.EnsembleResult` under
        ``threshold``).
    below, zero, above : float
        Shares of values < 0, == 0 and > 0 (meaningful for shifts).
    """

    n: int
    n_invalid: int
    mean: float
    sd: float
    mcse: float
    min: float
    max: float
    quantiles: dict[float, float]
    quantile_mcse: dict[float, float]
    bands: list[Band] = field(default_factory=list)
    resolution: float = 0.0
    mean_rounds: float = 0.0
    max_rounds: int = 0
    observed: float | None = None
    observed_percentile: float | None = None
    threshold: ThresholdShares | None = None
    below: float = math.nan
    zero: float = math.nan
    above: float = math.nan

    @property
    def median(self) -> float:
        return self.quantiles.get(0.5, math.nan)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "n_invalid": self.n_invalid,
            "mean": self.mean,
            "sd": self.sd,
            "mcse": self.mcse,
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "quantiles": {f"{p:g}": v for p, v in self.quantiles.items()},
            "quantile_mcse": {f"{p:g}": v for p, v in self.quantile_mcse.items()},
            "bands": [
                {
                    "name": b.name,
                    "low": b.low,
                    "high": b.high,
                    "probability": b.probability,
                    "mcse": b.mcse,
                }
                for b in self.bands
            ],
            "resolution": self.resolution,
            "mean_rounds": self.mean_rounds,
            "max_rounds": self.max_rounds,
            "observed": self.observed,
            "observed_percentile": self.observed_percentile,
            "share_below_zero": self.below,
            "share_zero": self.zero,
            "share_above_zero": self.above,
        }
