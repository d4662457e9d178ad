"""Compiled (numba) kernel of the expected utility model; see :mod:`crossroads.models.eum`.

The entry point is :func:`eum_batch`, which takes plain arrays and integer codes
for every modelling choice (decoded and validated in ``eum.py``). Each run is
computed on its own, so a run's numbers never depend on the other runs in its
batch. A round costs O(n^2) time (the O(n^3) sum of every voter's vote on every
pair is done with sorted positions and prefix sums, see :func:`_probabilities`) on
O(n^2) scratch arrays that the caller allocates once per thread.

Speed notes: every function uses ``error_model="numpy"`` (a float division needs
no Python zero check, so loops vectorise; every division is guarded by hand).
Powers b^r are computed as exp(r log b) with the vectorisable :func:`_vlog` and
:func:`_vexp` below (accurate to a few units in the last place, like libm), which
take most of the transcendental cost off a round.

All equations are from Scholz, Calbert & Smith (2011), "Unravelling Bueno De
Mesquita's group decision model", *Journal of Theoretical Politics* 23(4),
510-531, doi:10.1177/0951629811418142; ``eum.py`` names the equation of each step.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["eum_batch"]

# Integer codes of the modelling choices (kept in step with eum.CHOICES).
NUM_POSITIVE, NUM_NET = 0, 1
DEN_ALL, DEN_PAIR = 0, 1
VOTE_RISK, VOTE_LINEAR = 0, 1
SAL_CHALLENGED, SAL_CHALLENGER = 0, 1
RISK_OWN, RISK_OPPONENT = 0, 1
RISKCALC_SCHOLZ, RISKCALC_NEUTRAL = 0, 1
COMP_FRACTION, COMP_WEIGHTED = 0, 1
CCHOICE_LOWEST, CCHOICE_LEAST_MOVE = 0, 1
OCHOICE_BY_TYPE, OCHOICE_LEAST_MOVE = 0, 1
RANGE_INITIAL, RANGE_CURRENT, RANGE_SCALE = 0, 1, 2
STOP_POSITIONS, STOP_FORECAST = 0, 1
FC_MEAN, FC_MEDIAN = 0, 1

#: Expected utilities closer than this count as equal (utilities are O(1)); without it a
#: tie could be broken by the last bit of a sum, which depends on the actors' order.
EPS = 1e-12

_JIT = {"cache": True, "error_model": "numpy"}

# Scratch (allocated by the caller, one set per thread): M[k] are n x n matrices stored
# flat (entry [a, b] at a * n + b), MI the same memory seen as int64 (for the bit work
# of _vexp and _vlog); V[k] are vectors of n.
_M_DT, _M_LOGD, _M_P, _M_US, _M_UF, _M_T1, _M_T2, _M_T3 = range(8)
N_MATS = 8
_V_U, _V_MUD, _V_R, _V_DANGER, _V_USQ, _V_W, _V_X, _V_NEW, _V_SU = range(9)
N_VECS = 9

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LN2 = 6.93147180559945286227e-01
_INV_LN2 = 1.44269504088896338700e00
_SHIFT = 6755399441055744.0  # 1.5 * 2**52: adding and subtracting it rounds to an integer
_SQRT2 = 1.4142135623730951
_DBL_MIN = 2.2250738585072014e-308


@njit(fastmath={"contract"}, **_JIT)
def _vexp(xs, out, tmp, tb):
    """out[i] = exp(xs[i]) for xs <= 700 (and -inf -> 0); ``tmp`` is scratch, ``tb`` the
    same memory as int64.

    Cody-Waite reduction x = k ln2 + f, |f| <= ln2/2, a degree-13 Taylor polynomial
    for exp(f) (error < 1 ulp) and 2^k built in the exponent bits.
    """
    n = xs.shape[0]
    for i in range(n):
        x = xs[i]
        x = x if x > -708.0 else -708.0
        kf = (x * _INV_LN2 + _SHIFT) - _SHIFT
        f = (x - kf * _LN2_HI) - kf * _LN2_LO
        p = 1.0 / 6227020800.0
        p = p * f + 1.0 / 479001600.0
        p = p * f + 1.0 / 39916800.0
        p = p * f + 1.0 / 3628800.0
        p = p * f + 1.0 / 362880.0
        p = p * f + 1.0 / 40320.0
        p = p * f + 1.0 / 5040.0
        p = p * f + 1.0 / 720.0
        p = p * f + 1.0 / 120.0
        p = p * f + 1.0 / 24.0
        p = p * f + 1.0 / 6.0
        p = p * f + 0.5
        p = p * f + 1.0
        p = p * f + 1.0
        out[i] = p
        tb[i] = (np.int64(kf) + 1023) << 52
    for i in range(n):
        out[i] = out[i] * tmp[i] if xs[i] > -708.0 else 0.0


@njit(fastmath={"contract"}, **_JIT)
def _vlog(xs, xb, out, tmp, mb, tmp2, eb):
    """out[i] = log(xs[i]) for xs >= 0 (0 -> -inf); ``xb`` is xs's memory as int64;
    ``tmp``, ``tmp2`` are scratch with int64 views ``mb``, ``eb``.

    x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m-1)/(m+1),
    by its odd series to s^23 (|s| <= 0.1716, error < 1 ulp).
    """
    n = xs.shape[0]
    for i in range(n):
        bits = xb[i]
        eb[i] = ((bits >> 52) & 0x7FF) | 0x4330000000000000
        mb[i] = (bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000
    for i in range(n):
        m = tmp[i]
        big = m > _SQRT2
        m = m * 0.5 if big else m
        ef = tmp2[i] - (4503599627370496.0 + 1023.0)
        ef = ef + 1.0 if big else ef
        s = (m - 1.0) / (m + 1.0)
        z = s * s
        p = 1.0 / 23.0
        p = p * z + 1.0 / 21.0
        p = p * z + 1.0 / 19.0
        p = p * z + 1.0 / 17.0
        p = p * z + 1.0 / 15.0
        p = p * z + 1.0 / 13.0
        p = p * z + 1.0 / 11.0
        p = p * z + 1.0 / 9.0
        p = p * z + 1.0 / 7.0
        p = p * z + 1.0 / 5.0
        p = p * z + 1.0 / 3.0
        p = p * z + 1.0
        out[i] = ef * _LN2 + 2.0 * s * p
    for i in range(n):
        if xs[i] < _DBL_MIN:  # zero or subnormal: rare, leave it to libm
            out[i] = math.log(xs[i]) if xs[i] > 0.0 else -math.inf


@njit(**_JIT)
def _span(a):
    """(max, min) of a non-empty vector (explicit loops compile much faster than methods)."""
    hi = a[0]
    lo = a[0]
    for i in range(1, a.shape[0]):
        hi = max(hi, a[i])
        lo = min(lo, a[i])
    return hi, lo


@njit(**_JIT)
def _copy(src, dst):
    for i in range(src.shape[0]):
        dst[i] = src[i]


@njit(**_JIT)
def _sort_order(x, order):
    """Stable insertion sort of indices by x (numba's argsort takes seconds to compile)."""
    n = x.shape[0]
    for a in range(n):
        order[a] = a
    for a in range(1, n):
        k = order[a]
        v = x[k]
        b = a - 1
        while b >= 0 and x[order[b]] > v:
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = k


@njit(**_JIT)
def _weighted_median(x, w, order):
    """Weighted median of x with weights w: the midpoint when the cumulative weight hits
    half exactly; equal weights when all weights are zero. ``order`` is int scratch."""
    n = x.shape[0]
    _sort_order(x, order)
    total = 0.0
    for a in range(n):
        total += w[a]
    equal = total <= 0.0
    if equal:
        total = float(n)
    half = total / 2.0
    tol = 1e-12 * max(total, 1.0)
    cum = 0.0
    for p in range(n):
        a = order[p]
        cum += 1.0 if equal else w[a]
        if cum >= half - tol:
            if abs(cum - half) <= tol and p < n - 1:
                return (x[a] + x[order[p + 1]]) / 2.0
            return x[a]
    return x[order[n - 1]]


@njit(**_JIT)
def _forecast(x, w, wsum, rule, order):
    """Weighted mean or median of x; equal weights when every weight is zero. The mean is
    clipped to [min x, max x], where it lies exactly, against rounding (tiny weights)."""
    n = x.shape[0]
    if rule == FC_MEDIAN:
        return _weighted_median(x, w, order)
    acc = 0.0
    if wsum > 0.0:
        for a in range(n):
            acc += w[a] * x[a]
        acc /= wsum
    else:
        for a in range(n):
            acc += x[a]
        acc /= n
    hi, lo = _span(x)
    return min(hi, max(lo, acc))


@njit(**_JIT)
def _probabilities(dK, w, P, n, num_rule, den_rule, order, su, pre):
    """P[a, b]: probability that a wins a challenge against b (Scholz et al. eq. 30).

    ``dK[k, a]`` is voter k's utility loss at actor a's position; it grows with the
    distance |x_k - x_a|, so k's votes for a over b, ``w_k (dK[k, b] - dK[k, a])``, go
    to whichever of the two is nearer. With the actors sorted by position, the voters
    for the lower of a pair are exactly those left of the pair's midpoint. So with
    prefix sums ``pre[m, b]`` (the sum of w_k dK[k, b] over the m leftmost voters) a
    pair's votes for and against take O(1), and a round costs O(n^2) rather than the
    O(n^3) of summing every voter's vote on every pair (same numbers up to rounding).
    ``order`` sorts the actors by position and ``su`` holds the sorted positions. A
    challenge on which no votes are cast has P = 0.
    """
    for b in range(n):
        pre[b] = 0.0
    for p in range(n):
        k = order[p]
        wk = w[k]
        src, dst, krow = p * n, (p + 1) * n, k * n
        for b in range(n):
            pre[dst + b] = pre[src + b] + wk * dK[krow + b]
    tot = n * n
    den_all = 0.0
    for p in range(n):
        a = order[p]
        P[a * n + a] = 0.0
        lo = p  # voters strictly left of the midpoint: sorted positions [0, lo)
        hi = p  # voters at or left of the midpoint: [0, hi)
        for q in range(p + 1, n):
            b = order[q]
            if su[q] == su[p]:
                nab = 0.0
                nba = 0.0
            else:
                mid = 0.5 * (su[p] + su[q])
                while lo < n and su[lo] < mid:
                    lo += 1
                if hi < lo:
                    hi = lo
                while hi < n and su[hi] <= mid:
                    hi += 1
                # Left of the midpoint vote for a (the lower), right of it for b.
                row = lo * n
                nab = max(pre[row + b] - pre[row + a], 0.0)
                row = hi * n
                nba = max((pre[tot + a] - pre[row + a]) - (pre[tot + b] - pre[row + b]), 0.0)
            absvotes = nab + nba
            if num_rule == NUM_NET:
                net = nab - nba
                nab = max(net, 0.0)
                nba = max(-net, 0.0)
            if den_rule == DEN_PAIR:
                inv = 1.0 / absvotes if absvotes > 0.0 else 0.0
            else:
                inv = 1.0
                den_all += 2.0 * absvotes
            P[a * n + b] = nab * inv
            P[b * n + a] = nba * inv
    if den_rule == DEN_ALL:
        inv = 1.0 / den_all if den_all > 0.0 else 0.0
        for ab in range(n * n):
            P[ab] *= inv


@njit(**_JIT)
def _log0(b):
    return math.log(b) if b > 0.0 else -math.inf


@njit(**_JIT)
def _risk_exponents(V, M, s, codes, q, t_value, t_closer, need_mu):
    """Risk exponents r (sec. 5, eqs. 32-33), computed with every r = 1 and linear votes.

    Uses M[_M_DT] (linear distances) and M[_M_P] (probabilities with linear votes).
    """
    n = s.shape[0]
    sal_rule = codes[3]
    dT, P = M[_M_DT], M[_M_P]
    mud, r, danger = V[_V_MUD], V[_V_R], V[_V_DANGER]
    for i in range(n):
        acc = 0.0
        for j in range(n):
            if j == i:
                continue
            dl = dT[i * n + j]
            sal = s[i] if sal_rule == SAL_CHALLENGED else s[j]
            p = P[j * n + i]
            # With r = 1: Us = 2 dl, Uf = -2 dl, Usq = 0, Ub = m, Uw = -m.
            e = sal * (p * 2.0 * dl - (1.0 - p) * 2.0 * dl) + (1.0 - sal) * 2.0 * dl
            if need_mu:
                m = mud[j] + dl
                tt = (1.0 if mud[j] < dl - EPS else 0.0) if t_closer else t_value
                e -= (1.0 - q) * (tt * m - (1.0 - tt) * m)
            acc += e
        danger[i] = acc
    dmax, dmin = _span(danger)
    spread = dmax - dmin
    big = max(1.0, abs(dmax), abs(dmin))
    for i in range(n):
        rr = 0.0
        if spread > 1e-12 * big:
            rr = (2.0 * danger[i] - dmax - dmin) / spread
            rr = min(1.0, max(-1.0, rr))
        r[i] = (1.0 - rr / 3.0) / (1.0 + rr / 3.0)


@njit(**_JIT)
def _round(x, new, w, s, d, codes, q, t_value, t_closer, capitulation, M, MI, V, order, pre):
    """One round: risk exponents, utilities, probabilities, offers; writes ``new``."""
    n = x.shape[0]
    nn = n * n
    num_rule, den_rule, vote_rule = codes[0], codes[1], codes[2]
    sal_rule, risk_rule, riskcalc = codes[3], codes[4], codes[5]
    comp_rule, cchoice, ochoice = codes[6], codes[7], codes[8]
    dT, logd, P, Us, Uf = M[_M_DT], M[_M_LOGD], M[_M_P], M[_M_US], M[_M_UF]
    t1, t2, t3 = M[_M_T1], M[_M_T2], M[_M_T3]
    dTi, t1i, t2i = MI[_M_DT], MI[_M_T1], MI[_M_T2]
    u, mud, r, Usq, su = V[_V_U], V[_V_MUD], V[_V_R], V[_V_USQ], V[_V_SU]
    inv = 1.0 / d
    for a in range(n):
        u[a] = x[a] * inv
    need_mu = q < 1.0
    if need_mu:
        mu = _weighted_median(u, w, order)
        for a in range(n):
            mud[a] = abs(u[a] - mu)

    # Pass 1: linear distances; probabilities with linear votes when needed.
    _sort_order(u, order)
    for p in range(n):
        su[p] = u[order[p]]
    for a in range(n):
        for k in range(n):
            dT[a * n + k] = abs(u[a] - u[k])
    linear_p = riskcalc == RISKCALC_SCHOLZ or vote_rule == VOTE_LINEAR
    if linear_p:
        _probabilities(dT, w, P, n, num_rule, den_rule, order, su, pre)
    if riskcalc == RISKCALC_SCHOLZ:
        _risk_exponents(V, M, s, codes, q, t_value, t_closer, need_mu)
    else:
        for a in range(n):
            r[a] = 1.0

    # Pass 2: b^r = exp(r log b) for the utilities (eqs. 15-16, 24) and, with
    # vote_utility='risk', for every voter's utility of every position.
    risk_votes = vote_rule == VOTE_RISK
    if risk_votes:
        _vlog(dT, dTi, logd, t1, t1i, t2, t2i)
    for ab in range(nn):
        t3[ab] = 0.5 - 0.5 * dT[ab]
    _vlog(t3, MI[_M_T3], Us, t1, t1i, t2, t2i)  # log(0.5 - 0.5 delta)
    for ab in range(nn):
        t3[ab] = 0.5 + 0.5 * dT[ab]
    _vlog(t3, MI[_M_T3], Uf, t1, t1i, t2, t2i)  # log(0.5 + 0.5 delta)
    for a in range(n):
        ra = r[a]
        for b in range(n):
            Us[a * n + b] *= ra
            Uf[a * n + b] *= ra
    _vexp(Us, t3, t1, t1i)
    for ab in range(nn):
        Us[ab] = 2.0 - 4.0 * t3[ab]
    _vexp(Uf, t3, t1, t1i)
    for ab in range(nn):
        Uf[ab] = 2.0 - 4.0 * t3[ab]
    log_half = math.log(0.5)
    for a in range(n):
        Usq[a] = 2.0 - 4.0 * math.exp(r[a] * log_half)
    if risk_votes:
        for k in range(n):
            rk = r[k]
            for a in range(n):
                t3[k * n + a] = rk * logd[k * n + a]
        _vexp(t3, dT, t1, t1i)  # dT[k, a] = delta_ka ** r_k (0 on the diagonal)
        _probabilities(dT, w, P, n, num_rule, den_rule, order, su, pre)
    elif not linear_p:
        _probabilities(dT, w, P, n, num_rule, den_rule, order, su, pre)

    # Offers (sec. 6) and each actor's choice among those it receives.
    for i in range(n):
        best_type = 3
        best_key = 0.0
        best_pos = x[i]
        for j in range(n):
            if j == i or x[j] == x[i]:
                continue
            ij, ji = i * n + j, j * n + i
            # E^i(U_ij), eq. 25a: i challenges j, who resists with probability s_j.
            ei = s[j] * (P[ij] * Us[ij] + (1.0 - P[ij]) * Uf[ij]) + (1.0 - s[j]) * Us[ij]
            ei -= q * Usq[i]
            # E(U_ji), eq. 25b: j challenges i, reckoned with risk exponent r_k.
            sal = s[i] if sal_rule == SAL_CHALLENGED else s[j]
            k = i if risk_rule == RISK_OWN else j
            us_ = Us[ij] if k == i else Us[ji]
            uf_ = Uf[ij] if k == i else Uf[ji]
            ej = sal * (P[ji] * us_ + (1.0 - P[ji]) * uf_) + (1.0 - sal) * us_
            ej -= q * Usq[k]
            if need_mu:
                dl = abs(u[i] - u[j])
                mi = mud[i] + dl
                ti = (1.0 if mud[i] < dl - EPS else 0.0) if t_closer else t_value
                ub = 2.0 - 4.0 * math.exp(r[i] * _log0(0.5 - 0.25 * mi))
                uw = 2.0 - 4.0 * math.exp(r[i] * _log0(0.5 + 0.25 * mi))
                ei -= (1.0 - q) * (ti * ub + (1.0 - ti) * uw)
                mj = mud[j] + dl
                tj = (1.0 if mud[j] < dl - EPS else 0.0) if t_closer else t_value
                ub = 2.0 - 4.0 * math.exp(r[k] * _log0(0.5 - 0.25 * mj))
                uw = 2.0 - 4.0 * math.exp(r[k] * _log0(0.5 + 0.25 * mj))
                ej -= (1.0 - q) * (tj * ub + (1.0 - tj) * uw)
            # Classify j's offer to i.
            if ej > ei + EPS and ei > EPS:  # a confrontation that i loses
                typ = 0
                pos = x[j]
                key = abs(pos - x[i])
            elif ej > EPS and ei < -EPS and ej > -ei + EPS:  # a compromise
                typ = 1
                if comp_rule == COMP_FRACTION:
                    pos = x[i] + (x[j] - x[i]) * (-ei / ej)
                else:
                    pos = (-ei * x[i] + ej * x[j]) / (ej - ei)
                if cchoice == CCHOICE_LOWEST and ochoice == OCHOICE_BY_TYPE:
                    key = (-ei * x[i] + ej * x[j]) / (ej - ei)
                else:
                    key = abs(pos - x[i])
            elif capitulation and ej > EPS and ei < -EPS and ej < -ei - EPS:
                typ = 2
                pos = x[j]
                key = abs(pos - x[i])
            else:
                continue
            if ochoice == OCHOICE_LEAST_MOVE:
                typ = 0
            if typ < best_type:
                better = True
            elif typ == best_type:
                tie = EPS * d
                better = key < best_key - tie or (key <= best_key + tie and pos < best_pos)
            else:
                better = False
            if better:
                best_type = typ
                best_key = key
                best_pos = pos
        new[i] = best_pos


@njit(nogil=True, **_JIT)
def eum_batch(
    c,
    s,
    x,
    scale_d,
    rounds,
    tol,
    codes,
    q,
    t_value,
    t_closer,
    capitulation,
    out_x,
    out_f,
    out_r,
    M,
    MI,
    V,
    order,
    pre,
):
    """Run the model on every run of a batch, writing into the output arrays.

    Parameters
    ----------
    c, s, x : float64 arrays of shape (runs, actors)
    scale_d : float64 array of shape (runs,), the scale's range (for ``range='scale'``)
    rounds : int, the round cap
    tol : float, stopping tolerance as a fraction of the initial range of positions
    codes : int64 array of the choice codes, in ``eum._CODE_ORDER``
    q, t_value : float; t_closer : bool (T by the median rule); capitulation : bool
    out_x : (runs, rounds + 1, actors), out_f : (runs, rounds + 1), out_r : int64 (runs,)
        Filled with the positions, forecasts and rounds made.
    M : float64 (N_MATS, actors**2), MI : M's memory as int64, V : float64 (N_VECS, actors),
    order : int64 (actors,), pre : float64 (actors * (actors + 1),)
        Scratch for this call (one set per thread).

    Each run goes on to its stopping rule or the cap, then carries its last state
    forward. Releases the GIL, so threads can run disjoint slices of a batch at once.
    """
    runs, n = x.shape
    range_rule, stop_rule, fc_rule = codes[9], codes[10], codes[11]
    w, xr, new = V[_V_W], V[_V_X], V[_V_NEW]
    for run in range(runs):
        cr, sr, x0 = c[run], s[run], x[run]
        wsum = 0.0
        for a in range(n):
            w[a] = cr[a] * sr[a]
            wsum += w[a]
            xr[a] = x0[a]
        hi, lo = _span(x0)
        d0 = hi - lo
        _copy(xr, out_x[run, 0])
        f_prev = _forecast(xr, w, wsum, fc_rule, order)
        out_f[run, 0] = f_prev
        done = 0
        for t in range(1, rounds + 1):
            if range_rule == RANGE_INITIAL:
                d = d0
            elif range_rule == RANGE_CURRENT:
                hi, lo = _span(xr)
                d = hi - lo
            else:
                d = scale_d[run]
            _copy(xr, new)
            if d > 0.0:
                _round(
                    xr,
                    new,
                    w,
                    sr,
                    d,
                    codes,
                    q,
                    t_value,
                    t_closer,
                    capitulation,
                    M,
                    MI,
                    V,
                    order,
                    pre,
                )
            f_new = _forecast(new, w, wsum, fc_rule, order)
            _copy(new, out_x[run, t])
            out_f[run, t] = f_new
            change = 0.0
            if stop_rule == STOP_POSITIONS:
                for a in range(n):
                    change = max(change, abs(new[a] - xr[a]))
            else:
                change = abs(f_new - f_prev)
            _copy(new, xr)
            f_prev = f_new
            done = t
            if change <= tol * d0:
                break
        for t in range(done + 1, rounds + 1):
            _copy(xr, out_x[run, t])
            out_f[run, t] = f_prev
        out_r[run] = done
