"""Compiled (numba) kernel of the exchange model; see :mod:`crossroads.models.exchange`.

The entry point is :func:`exchange_batch`, which takes plain arrays and integer codes for
every modelling choice (decoded and validated in ``exchange.py``). Every run is computed
on its own, so a run's numbers never depend on the other runs in its batch; the random
variants take their numbers from a counter-based generator (SplitMix64) keyed by the run's
own seed, the round, and the identity of the exchange (issue pair and actor pair), which
the caller draws from its ``numpy.random.Generator``.

Positions are on the 0-100 scale inside the kernel (the caller normalises each issue's
scale, as the public implementation does); the absolute thresholds below are on that
scale.

All equations are from Stokman & Van Oosten (1994), "The exchange of voting positions",
in B. Bueno de Mesquita & F. N. Stokman (eds.), *European Community Decision Making*,
Yale University Press, 105-127, in the form the public implementation
(decide-exchange-model 2022.1.28) computes them; ``exchange.py`` describes every step.

Layout of a candidate exchange ``e`` (one issue pair, one actor pair): side 0 is actor
``I``, who gives ground on ("supplies") the pair's second issue q and gets it on
("demands") the first, p; side 1 is actor ``J``, who supplies p and demands q. What is
particular to ``e`` is one row of two small tables, so (re)computing it touches few cache
lines: integers in ``ti[e]`` and floats in ``tf[e]``, one column per field and, for
per-side fields, two (``column + h``). Per side ``h``: ``ti[e, _CA + h]`` the actor,
``ti[e, _CS + h]`` the issue supplied (the issue demanded is ``ti[e, _CS + 1 - h]``),
``tf[e, _LAST + h]`` the side's latest move and ``_PSUM``/``_PMIN``/``_PMAX`` the rest of
its list of moves. What candidates share is kept once: an (actor, issue)'s current
position this round in ``cur`` (every candidate in which the actor supplies the issue
moves with it), and the moves realised this round in exchanges where an actor demanded an
issue (``ux``, ``ud``, ``un``), which the public implementation copies into every
candidate in which that actor demands that issue; every such candidate alive receives the
same copies, so one table per (actor, issue) gives the same numbers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["exchange_batch", "N_REC_F", "N_REC_I"]

# Integer codes of the modelling choices (kept in step with exchange.CHOICES).
RATE_EQUAL_GAIN, RATE_RANDOM, RATE_RANDOMISED_EG = 0, 1, 2
START_BLEND, START_VOTING, START_RESET = 0, 1, 2
TIE_FIRST, TIE_RANDOM = 0, 1
STOP_NONE, STOP_FORECAST, STOP_POSITIONS = 0, 1, 2
UPD_DECIDE, UPD_LATEST = 0, 1

#: Record layout of a realised exchange: integer fields and float fields.
N_REC_I = 6  # round, actor i, actor j, issue i gives, issue j gives, (unused: 0)
N_REC_F = 8  # y_i, y_j, gain_i, gain_j, outcome before/after on i's give issue, same on j's

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}
# Helpers that allocate nothing are compiled without reference counting: they take many
# arrays, and counting references to them on every call took most of the time.
_JIT_LEAF = {**_JIT, "_nrt": False}

# Absolute thresholds on the 0-100 scale.
MOVE_MIN = 1e-10  # a move this small is no move (the public implementation's threshold)
GAIN_MIN = 1e-10  # an exchange with a smaller gain is not made (likewise)
EPS = 1e-9  # comparisons of positions and outcomes within EPS count as equal

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
NEG_INF = -np.inf

# Columns of a candidate exchange's row in the float table (per side h: column + h) ...
_RHO, _PRIO, _LAST, _PSUM, _PMIN, _PMAX, _MOVE, _GAIN = 0, 1, 2, 4, 6, 8, 10, 12
N_F = 14
# ... in the integer table ...
_CA, _CS, _HL, _SLOT, _STAMP = 0, 2, 4, 6, 7
N_I = 8
# ... and in the table kept only when realised exchanges are recorded
_GN, _NB0, _NB1 = 0, 2, 4
N_R = 6

#: Gains are scanned for the highest in blocks of this many, each block's highest kept.
BLOCK = 32


@njit(**_JIT)
def _mix(z):
    """SplitMix64 finaliser of a uint64."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(**_JIT)
def _uniform(seed, a, b, c, d):
    """A uniform number in [0, 1) that depends only on the five integer keys."""
    z = _mix(np.uint64(seed) + np.uint64(0x9E3779B97F4A7C15))
    z = _mix(z ^ np.uint64(a + 1))
    z = _mix(z ^ (np.uint64(b + 1) << np.uint64(20)))
    z = _mix(z ^ (np.uint64(c + 1) << np.uint64(40)))
    z = _mix(z ^ np.uint64(d + 7))
    return (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**_JIT_LEAF)
def _earlier(e1, e2, head, hs, hg, hp, tol):
    """Whether exchange e1 precedes e2 (of equal gain) in the public implementation's list:
    walk both gain histories back to the latest choice where they differed."""
    p1 = head[e1]
    p2 = head[e2]
    while True:
        g1 = hg[p1]
        g2 = hg[p2]
        if g1 > g2 + tol:
            return True
        if g1 < g2 - tol:
            return False
        s1 = hs[p1]
        s2 = hs[p2]
        if s1 == 0 and s2 == 0:
            return e1 < e2
        if s1 >= s2:
            p1 = hp[p1]
        if s2 >= s1:
            p2 = hp[p2]


@njit(**_JIT_LEAF)
def _outcome(w, den, xp, out):
    """out[k] = power x salience weighted mean of xp[:, k] (NaN when no weight)."""
    n, kk = xp.shape
    for k in range(kk):
        if den[k] == 0.0:
            out[k] = np.nan
            continue
        acc = 0.0
        for a in range(n):
            acc += w[a, k] * xp[a, k]
        out[k] = acc / den[k]


@njit(inline="always", **_JIT_LEAF)
def _adj_nbs(k, a, b, pos, xst, w, tot, den, ux, ud, un):
    """Outcome of issue ``k`` with its supplier ``a`` at ``pos`` and the moves realised
    earlier this round in exchanges where ``b`` demanded ``k`` (``calculations.
    adjusted_nbs``). Those moves are the same for every candidate in which ``b`` demands
    ``k``, so they are kept once per (actor, issue): ``ux[b, k, c]`` the updated position of
    actor ``c`` (NaN: none), ``ud[b, k]`` the sum of weight x move, ``un[b, k]`` the count."""
    if den[k] == 0.0:
        return 0.0
    num = tot[k] + w[a, k] * (pos - xst[a, k])
    if un[b, k] > 0:
        num += ud[b, k]
        u = ux[b, k, a]
        if not np.isnan(u):
            num -= w[a, k] * (u - xst[a, k])
    return num / den[k]


@njit(inline="always", **_JIT_LEAF)
def _pos_with_updates(k, a, b, xsup, xst, w, tot, ux, ud, un):
    """Sum of weight x position on issue ``k`` with the updates applied last
    (``calculations.adjusted_nbs_by_position``: the supplier's own update, if any, wins
    over its current position)."""
    num = tot[k] + w[a, k] * (xsup - xst[a, k])
    if un[b, k] > 0:
        num += ud[b, k]
        u = ux[b, k, a]
        if not np.isnan(u):
            # the actor's own update replaces its current position
            num += w[a, k] * (xst[a, k] - xsup)
    return num


@njit(inline="always", **_JIT_LEAF)
def _push(e, h, v, ti, tf):
    if ti[e, _HL + h]:
        lv = tf[e, _LAST + h]
        tf[e, _PSUM + h] += lv
        tf[e, _PMIN + h] = min(tf[e, _PMIN + h], lv)
        tf[e, _PMAX + h] = max(tf[e, _PMAX + h], lv)
    tf[e, _LAST + h] = v
    ti[e, _HL + h] = 1


@njit(inline="always", **_JIT_LEAF)
def _move_valid(e, h, move, xs, ti, tf, sum_cap):
    """``AbstractExchangeActor.is_move_valid`` over the side's list of moves (whose last
    entry is ``move``); ``xs`` is the side's current position."""
    am = abs(move)
    if am > 100.0 + EPS or am <= MOVE_MIN:
        return False
    p = xs + move
    if p < -EPS or p > 100.0 + EPS:
        return False
    hl = ti[e, _HL + h] != 0
    tot = tf[e, _PSUM + h] + (tf[e, _LAST + h] if hl else 0.0)
    if sum_cap and tot > 100.0 + EPS:
        return False
    mn = tf[e, _PMIN + h]
    mx = tf[e, _PMAX + h]
    if hl:
        mn = min(mn, tf[e, _LAST + h])
        mx = max(mx, tf[e, _LAST + h])
    return (mn < 0.0 and mx < 0.0) or (mn > 0.0 and mx > 0.0)


@njit(inline="always", **_JIT_LEAF)
def _crosses(t, nb0, nb1):
    """Whether the outcome moves from ``nb0`` past ``t`` to ``nb1`` (``check_nbs``)."""
    d0 = t - nb0
    d1 = t - nb1
    if abs(d0) <= EPS:
        d0 = 0.0
    if abs(d1) <= EPS:
        d1 = 0.0
    return not ((d0 >= 0.0 and d1 >= 0.0) or (d0 <= 0.0 and d1 <= 0.0))


@njit(inline="always", **_JIT_LEAF)
def _capped(k, m, a, b, xa, xb, ta, tb, r, times_r, xst, w, sal, tot, den, ux, ud, un):
    """The moves and gains of an exchange cut back so that the outcome on ``k`` (which
    ``a``, at ``xa``, supplies and ``b``, at ``xb``, demands) stops at ``b``'s position
    ``ta`` instead of passing it (``AbstractExchangeActor.check_nbs``). ``a`` moves only
    that far; ``b``'s move on ``m`` follows from the exchange ratio (``dm = dk * r`` when
    ``times_r``, else ``dk / r``: rho is dq / dp whichever side is cut). The side that
    moved less now gains ``dm`` on its demand issue. Returns (a's move, b's move, a's gain,
    b's gain)."""
    num = _pos_with_updates(k, a, b, xa, xst, w, tot, ux, ud, un)
    delta = abs((ta * den[k] - num) / w[a, k])
    dk = delta * w[a, k] / den[k]
    dm = dk * r if times_r else dk / r
    mo = abs(dm * den[m] / w[b, m])
    ma = delta
    if xb > tb:
        mo = -mo
    if xa > ta:
        ma = -ma
    ga = dm * sal[a, m] - dk * sal[a, k]
    gb = dk * sal[b, k] - dm * sal[b, m]
    return ma, mo, ga, gb


@njit(inline="always", **_JIT_LEAF)
def _sides(e, ti, cur, xst):
    """Exchange e's actors I and J, the issues q (I supplies) and p (J supplies), each
    side's current position on the issue it supplies and the other actor's (fixed) start
    position there, its target: (I, J, q, p, x_Iq, x_Jp, target on q, target on p)."""
    ia = ti[e, _CA]
    ja = ti[e, _CA + 1]
    q = ti[e, _CS]
    p = ti[e, _CS + 1]
    return ia, ja, q, p, cur[ia, q], cur[ja, p], xst[ja, q], xst[ia, p]


@njit(inline="always", **_JIT_LEAF)
def _calculate(e, ti, tf, tr, rec, cur, xst, w, sal, tot, den, ux, ud, un, cap_outcome, sum_cap):
    """(Re)compute exchange e: the moves, the gains and whether it can be made (returned).

    Stokman & Van Oosten (1994): I supplies q and demands p, J the reverse. The outcome
    shift on issue k when actor a moves by d is ``d w_ak / W_k`` (w = power x salience,
    W_k its sum). An exchange trades a shift ``dp`` on p (J's concession) for ``dq`` on
    q (I's), with ``dq = rho dp``; under Equal Gain
    ``rho = (s_Jp + s_Ip) / (s_Jq + s_Iq)``, which makes the gains
    ``G_I = dp s_Ip - dq s_Iq`` and ``G_J = dq s_Jq - dp s_Jp`` equal. The larger exchange
    is tried first: J moves all the way to I's position on p; when I's move would then
    exceed the distance to J's position on q, I moves all the way instead and J's move
    follows from the ratio (``EqualGainExchange.calculate``).

    Each side's current position is the (actor, issue)'s in ``cur``, the other actor's
    (fixed) position on it its start position ``xst``; the voting position the exchange
    would move side h to is ``cur + tf[e, _LAST + h]``.
    """
    ia, ja, q, p, xs0, xs1, tg0, tg1 = _sides(e, ti, cur, xst)
    wi = w[ia, q]
    wj = w[ja, p]
    r = tf[e, _RHO]
    dj = abs(tg1 - xs1)
    di = abs(tg0 - xs0)
    dp = dj * wj / den[p]
    dq = r * dp
    mi = dq * den[q] / wi
    mj = dj
    if abs(mi) > di:
        dq = di * wi / den[q]
        dp = dq / r
        mi = di
        mj = dp * den[p] / wj
    if xs0 > tg0:
        mi = -mi
    if xs1 > tg1:
        mj = -mj
    _push(e, 0, mi, ti, tf)
    _push(e, 1, mj, ti, tf)
    gi = dp * sal[ia, p] - dq * sal[ia, q]
    gj = dq * sal[ja, q] - dp * sal[ja, p]
    tf[e, _MOVE] = mi
    tf[e, _MOVE + 1] = mj
    tf[e, _GAIN] = gi
    tf[e, _GAIN + 1] = gj
    prio = min(abs(gi), abs(gj))
    tf[e, _PRIO] = prio
    ok = _move_valid(e, 0, mi, xs0, ti, tf, sum_cap) and _move_valid(e, 1, mj, xs1, ti, tf, sum_cap)
    if prio < GAIN_MIN or gi < -GAIN_MIN or gj < -GAIN_MIN:
        ok = False
    if not ok:
        return False
    return _cap_and_check(
        e, ti, tf, tr, rec, cur, xst, w, sal, tot, den, ux, ud, un, cap_outcome, sum_cap, mi, mj,
        gi, gj, prio,
    )  # fmt: skip


@njit(inline="always", **_JIT_LEAF)
def _recalculate_demand(
    e, ti, tf, tr, rec, cur, xst, w, sal, tot, den, ux, ud, un, cap_outcome, sum_cap
):
    """:func:`_calculate` after an exchange that changed only the moves recorded on what
    e's sides demand (``ux``, ``ud``, ``un``), not their positions: both sides lose their
    last move, so the uncapped moves and gains are those e's last computation stored, and
    its first validity test, passed then on the same list of moves, passes again."""
    mi = tf[e, _MOVE]
    mj = tf[e, _MOVE + 1]
    gi = tf[e, _GAIN]
    gj = tf[e, _GAIN + 1]
    tf[e, _LAST] = mi
    tf[e, _LAST + 1] = mj
    ti[e, _HL] = 1
    ti[e, _HL + 1] = 1
    prio = min(abs(gi), abs(gj))
    tf[e, _PRIO] = prio
    return _cap_and_check(
        e, ti, tf, tr, rec, cur, xst, w, sal, tot, den, ux, ud, un, cap_outcome, sum_cap, mi, mj,
        gi, gj, prio,
    )  # fmt: skip


@njit(inline="always", **_JIT_LEAF)
def _cap_and_check(
    e, ti, tf, tr, rec, cur, xst, w, sal, tot, den, ux, ud, un, cap_outcome, sum_cap, mi, mj,
    gi, gj, prio,
):  # fmt: skip
    """The second half of :func:`_calculate`: cut back a move that would carry an outcome
    past the other actor's position, then test the moves again."""
    ia, ja, q, p, xs0, xs1, tg0, tg1 = _sides(e, ti, cur, xst)
    r = tf[e, _RHO]
    y0 = xs0 + mi
    y1 = xs1 + mj
    # side 0 (I supplies q; J demands it)
    nb00 = _adj_nbs(q, ia, ja, xs0, xst, w, tot, den, ux, ud, un)
    nb10 = _adj_nbs(q, ia, ja, y0, xst, w, tot, den, ux, ud, un)
    if cap_outcome and _crosses(tg0, nb00, nb10):
        # The outcome on q would pass J's position: move only as far as puts it there.
        ma, mo, gi, gj = _capped(
            q, p, ia, ja, xs0, xs1, tg0, tg1, r, False, xst, w, sal, tot, den, ux, ud, un
        )
        tf[e, _LAST + 1] = mo
        tf[e, _LAST] = ma
        y1 = xs1 + mo
        y0 = xs0 + ma
        prio = min(abs(gi), abs(gj))
        nb10 = _adj_nbs(q, ia, ja, y0, xst, w, tot, den, ux, ud, un)
    # side 1 (J supplies p; I demands it)
    nb01 = _adj_nbs(p, ja, ia, xs1, xst, w, tot, den, ux, ud, un)
    nb11 = _adj_nbs(p, ja, ia, y1, xst, w, tot, den, ux, ud, un)
    if cap_outcome and _crosses(tg1, nb01, nb11):
        ma, mo, gj, gi = _capped(
            p, q, ja, ia, xs1, xs0, tg1, tg0, r, True, xst, w, sal, tot, den, ux, ud, un
        )
        tf[e, _LAST] = mo
        tf[e, _LAST + 1] = ma
        y0 = xs0 + mo
        y1 = xs1 + ma
        prio = min(abs(gj), abs(gi))
        nb11 = _adj_nbs(p, ja, ia, y1, xst, w, tot, den, ux, ud, un)
    tf[e, _PRIO] = prio
    if rec:
        tr[e, _GN] = gi
        tr[e, _GN + 1] = gj
        tr[e, _NB0] = nb00
        tr[e, _NB0 + 1] = nb01
        tr[e, _NB1] = nb10
        tr[e, _NB1 + 1] = nb11
    return _move_valid(e, 0, tf[e, _LAST], xs0, ti, tf, sum_cap) and _move_valid(
        e, 1, tf[e, _LAST + 1], xs1, ti, tf, sum_cap
    )


@njit(inline="always", **_JIT_LEAF)
def _block_max(gd, b, nact):
    """The highest of the gains in block ``b`` (-inf when all are invalid)."""
    m = NEG_INF
    for j in range(b * BLOCK, min(nact, b * BLOCK + BLOCK)):
        if gd[j] > m:
            m = gd[j]
    return m


@njit(inline="always", **_JIT_LEAF)
def _set_gain(i, v, gd, bmax, nact):
    """gd[i] = v, keeping the block maxima right."""
    old = gd[i]
    gd[i] = v
    b = i // BLOCK
    if v >= bmax[b]:
        bmax[b] = v
    elif old == bmax[b]:
        bmax[b] = _block_max(gd, b, nact)


@njit(**_JIT_LEAF)
def _block_maxima(gd, bmax, nact):
    for b in range((nact + BLOCK - 1) // BLOCK):
        bmax[b] = _block_max(gd, b, nact)


@njit(**_JIT_LEAF)
def _run_one(
    c,
    s,
    x0,
    present,
    rounds,
    rate,
    p_rand,
    start_rule,
    salience_weight,
    fixed_weight,
    tie,
    tie_tol,
    stop,
    tol,
    cap_outcome,
    sum_cap,
    upd_rule,
    seed,
    pos_out,
    start_out,
    fc_out,
    rec_i,
    rec_f,
    ti,
    tf,
    tr,
    valid,
    head,
    act,
    gd,
    bmax,
    hist_s,
    hist_g,
    hist_p,
    ux,
    scr_nk_f,
    scr_nk_b,
    scr_nk_i,
    scr_k,
    scr_idx,
    sup_it,
    dem_it,
):
    """One run; returns (rounds made, number of realised exchanges recorded)."""
    n, kk = x0.shape
    hist_cap = hist_s.shape[0]
    rec = rec_i.shape[0] > 0

    w = scr_nk_f[0]
    part = scr_nk_b[0]  # takes part in exchanges on the issue
    for a in range(n):
        for k in range(kk):
            w[a, k] = 0.0
            part[a, k] = False
    for a in range(n):
        for k in range(kk):
            if present[a, k]:
                w[a, k] = c[a, k] * s[a, k]
                part[a, k] = c[a, k] > 0.0 and s[a, k] > 0.0
    den = scr_k[0]
    for k in range(kk):
        den[k] = 0.0
    for k in range(kk):
        for a in range(n):
            den[k] += w[a, k]
    xst = scr_nk_f[1]
    for a in range(n):
        for k in range(kk):
            xst[a, k] = x0[a, k] if present[a, k] else 0.0
    tot = scr_k[1]
    nbs = scr_k[2]
    fc_prev = scr_k[3]
    left = scr_nk_b[1]
    moved = scr_nk_b[2]
    cur = scr_nk_f[2]  # current positions this round (the voting positions at its end)
    ud = scr_nk_f[3]
    un = scr_nk_i[0]
    grp = scr_idx[0, :n]
    sup_cnt = scr_idx[1]
    dem_cnt = scr_idx[2]
    fill = scr_idx[3]
    lists = scr_idx[4, :4]
    sup_end = scr_idx[5]  # end of each (actor, issue)'s list, invalid entries dropped
    dem_end = scr_idx[6]
    nrec = 0

    _outcome(w, den, xst, nbs)
    for a in range(n):
        for k in range(kk):
            pos_out[0, a, k] = x0[a, k] if present[a, k] else np.nan
            start_out[0, a, k] = pos_out[0, a, k]
    for k in range(kk):
        fc_out[0, k] = nbs[k]
    made = 0
    for rnd in range(rounds):
        # 1. outcome (power x salience weighted mean) and each actor's side of it
        for k in range(kk):
            acc = 0.0
            for a in range(n):
                acc += w[a, k] * xst[a, k]
            tot[k] = acc
            nbs[k] = acc / den[k] if den[k] > 0.0 else 0.0
            for a in range(n):
                left[a, k] = xst[a, k] <= nbs[k] + EPS
        for a in range(n):
            for k in range(kk):
                cur[a, k] = xst[a, k]
                moved[a, k] = False
                ud[a, k] = 0.0
                un[a, k] = 0
                for b in range(n):
                    ux[a, k, b] = np.nan
        # 2. candidate exchanges: for each issue pair (p, q), actors right of the outcome
        # on both with those left on both, then right-left with left-right
        ne = 0
        pair = 0
        for p in range(kk):
            for q in range(p + 1, kk):
                for a in range(n):
                    if part[a, p] and part[a, q]:
                        grp[a] = (1 if left[a, p] else 0) + (2 if left[a, q] else 0)
                    else:
                        grp[a] = -1
                for g1 in range(2):
                    for a in range(n):
                        if grp[a] != g1:
                            continue
                        for b in range(n):
                            if grp[b] != 3 - g1:
                                continue
                            # roles: I values p relatively more than J does
                            if s[a, p] / s[a, q] < s[b, p] / s[b, q]:
                                ia, ja = b, a
                            else:
                                ia, ja = a, b
                            e = ne
                            ne += 1
                            ti[e, _CA] = ia
                            ti[e, _CA + 1] = ja
                            ti[e, _CS] = q
                            ti[e, _CS + 1] = p
                            ti[e, _HL] = 0
                            ti[e, _HL + 1] = 0
                            ti[e, _STAMP] = -1
                            for h in range(2):
                                tf[e, _PSUM + h] = 0.0
                                tf[e, _PMIN + h] = np.inf
                                tf[e, _PMAX + h] = -np.inf
                            eg = (s[ja, p] + s[ia, p]) / (s[ja, q] + s[ia, q])
                            if rate == RATE_EQUAL_GAIN:
                                tf[e, _RHO] = eg
                            else:
                                lo = s[ja, p] / s[ja, q]
                                hi = s[ia, p] / s[ia, q]
                                u = _uniform(seed, rnd, pair, a * n + b, 0)
                                if rate == RATE_RANDOM:
                                    tf[e, _RHO] = lo + u * (hi - lo)
                                else:
                                    v = _uniform(seed, rnd, pair, a * n + b, 1)
                                    if v < 0.5:
                                        tf[e, _RHO] = eg + p_rand * u * (hi - eg)
                                    else:
                                        tf[e, _RHO] = eg - p_rand * u * (eg - lo)
                            ok = _calculate(
                                e, ti, tf, tr, rec, cur, xst, w, s, tot, den, ux, ud, un,
                                cap_outcome, sum_cap,
                            )  # fmt: skip
                            valid[e] = ok
                pair += 1
        # 3. index the candidates by (actor, issue supplied) and (actor, issue demanded)
        for i in range(n * kk + 1):
            sup_cnt[i] = 0
            dem_cnt[i] = 0
        for e in range(ne):
            for h in range(2):
                sup_cnt[ti[e, _CA + h] * kk + ti[e, _CS + h] + 1] += 1
                dem_cnt[ti[e, _CA + h] * kk + ti[e, _CS + 1 - h] + 1] += 1
        for i in range(n * kk):
            sup_cnt[i + 1] += sup_cnt[i]
            dem_cnt[i + 1] += dem_cnt[i]
        for i in range(n * kk + 1):
            fill[i] = sup_cnt[i]
        for e in range(ne):
            for h in range(2):
                key = ti[e, _CA + h] * kk + ti[e, _CS + h]
                sup_it[fill[key]] = e
                fill[key] += 1
        for i in range(n * kk + 1):
            fill[i] = dem_cnt[i]
        for e in range(ne):
            for h in range(2):
                key = ti[e, _CA + h] * kk + ti[e, _CS + 1 - h]
                dem_it[fill[key]] = e
                fill[key] += 1
        for i in range(n * kk):
            sup_end[i] = sup_cnt[i + 1]
            dem_end[i] = dem_cnt[i + 1]
        # 4. realise exchanges, highest gain first. The public implementation stable-sorts
        # its list of exchanges by gain before every choice (EqualGainModel.highest_gain),
        # so equal gains keep their earlier order: the earlier is the one whose gain was
        # higher at the latest choice where the two differed, else the one made first.
        # Each exchange's gain history (hist_*) answers that without keeping the list.
        nh = 0
        for e in range(ne):
            hist_s[nh] = 0
            hist_g[nh] = tf[e, _PRIO]
            hist_p[nh] = -1
            head[e] = nh
            nh += 1
        nreal = 0
        # the valid exchanges in order, their gains side by side (gd, -inf once invalid),
        # and the highest gain of each block of BLOCK of them (bmax)
        nact = 0
        for e in range(ne):
            if valid[e]:
                act[nact] = e
                gd[nact] = tf[e, _PRIO]
                ti[e, _SLOT] = nact
                nact += 1
        _block_maxima(gd, bmax, nact)
        dead = 0
        while True:
            if dead > 16 and 2 * dead > nact:
                # drop the invalid exchanges, keeping the order
                wpos = 0
                for ii in range(nact):
                    if gd[ii] != NEG_INF:
                        e = act[ii]
                        act[wpos] = e
                        gd[wpos] = gd[ii]
                        ti[e, _SLOT] = wpos
                        wpos += 1
                nact = wpos
                dead = 0
                _block_maxima(gd, bmax, nact)
            # The highest gain; gains within tie_tol are equal, the earlier in the public
            # implementation's list winning. When no other gain is within 3 tie_tol of the
            # highest, the scan below would pick the highest: take it from the block
            # maxima. Otherwise scan: the first valid exchange, then the highest after it.
            nblk = (nact + BLOCK - 1) // BLOCK
            top = NEG_INF
            for b in range(nblk):
                if bmax[b] > top:
                    top = bmax[b]
            if top == NEG_INF:
                break
            thr = top - 3.0 * tie_tol
            near = 0
            bb = -1
            for b in range(nblk):
                if bmax[b] < thr:
                    continue
                for ii in range(b * BLOCK, min(nact, b * BLOCK + BLOCK)):
                    if gd[ii] >= thr:
                        near += 1
                        bb = ii
                if near > 1:
                    break
            bg = gd[bb]
            ntie = 1
            if near > 1:
                bb = 0
                while gd[bb] == NEG_INF:
                    bb += 1
                bg = gd[bb]
                for ii in range(bb + 1, nact):
                    g = gd[ii]
                    if g > bg + tie_tol:
                        bb = ii
                        bg = g
                        ntie = 1
                    elif g >= bg - tie_tol:
                        ntie += 1
                        if tie == TIE_FIRST and _earlier(
                            act[ii], act[bb], head, hist_s, hist_g, hist_p, tie_tol
                        ):
                            bb = ii
                            bg = g
            best = act[bb]
            if tie == TIE_RANDOM and ntie > 1:
                ntie = 0
                for ii in range(nact):
                    if abs(gd[ii] - bg) <= tie_tol:
                        ntie += 1
                pick = int(_uniform(seed, rnd, nreal, 0, 2) * ntie)
                cnt = 0
                for ii in range(nact):
                    if abs(gd[ii] - bg) <= tie_tol:
                        if cnt == pick:
                            best = act[ii]
                            break
                        cnt += 1
            _set_gain(ti[best, _SLOT], NEG_INF, gd, bmax, nact)
            dead += 1
            r = best
            valid[r] = False
            ra = ti[r, _CA]
            rb = ti[r, _CA + 1]
            rq = ti[r, _CS]
            rp = ti[r, _CS + 1]
            y0 = cur[ra, rq] + tf[r, _LAST]
            y1 = cur[rb, rp] + tf[r, _LAST + 1]
            if rec:
                if nrec >= rec_i.shape[0]:
                    return made, -1
                rec_i[nrec, 0] = rnd
                rec_i[nrec, 1] = ra
                rec_i[nrec, 2] = rb
                rec_i[nrec, 3] = rq
                rec_i[nrec, 4] = rp
                rec_i[nrec, 5] = 0
                rec_f[nrec, 0] = y0
                rec_f[nrec, 1] = y1
                rec_f[nrec, 2] = tr[r, _GN]
                rec_f[nrec, 3] = tr[r, _GN + 1]
                rec_f[nrec, 4] = tr[r, _NB0]
                rec_f[nrec, 5] = tr[r, _NB1]
                rec_f[nrec, 6] = tr[r, _NB0 + 1]
                rec_f[nrec, 7] = tr[r, _NB1 + 1]
                nrec += 1
            nreal += 1
            cur[ra, rq] = y0
            cur[rb, rp] = y1
            moved[ra, rq] = True
            moved[rb, rp] = True
            # The demand side: each actor of R demanded an issue the other moved on. Record
            # the move for every candidate in which that actor demands that issue (the
            # updates of AbstractExchange.recalculate, kept once per actor and issue).
            for rh in (1, 0):
                da = ti[r, _CA + rh]
                kd = ti[r, _CS + 1 - rh]
                ua = ti[r, _CA + 1 - rh]
                yo = y0 if rh == 1 else y1
                old = ux[da, kd, ua]
                if np.isnan(old):
                    new = yo
                    un[da, kd] += 1
                    old = xst[ua, kd]
                elif upd_rule == UPD_LATEST:
                    new = yo
                elif xst[ua, kd] <= old:
                    new = min(old, yo)
                else:
                    new = max(old, yo)
                ux[da, kd, ua] = new
                ud[da, kd] += w[ua, kd] * (new - old)
            # recalculate the exchanges this one affects (AbstractExchange.recalculate)
            lists[0] = ra * kk + rq
            lists[1] = rb * kk + rp
            # (each list drops its invalid entries as it is scanned, keeping its order)
            lists[2] = ra * kk + rp
            lists[3] = rb * kk + rq
            for li in range(4):
                key = lists[li]
                its = sup_it if li < 2 else dem_it
                lo_i = sup_cnt[key] if li < 2 else dem_cnt[key]
                hi_i = sup_end[key] if li < 2 else dem_end[key]
                wp = lo_i
                for it in range(lo_i, hi_i):
                    e = its[it]
                    if not valid[e]:
                        continue
                    its[wp] = e
                    wp += 1
                    if ti[e, _STAMP] == nreal:
                        continue
                    ti[e, _STAMP] = nreal
                    # a side that supplies what a side of R supplied starts from R's
                    # position: it keeps its list of moves (the realised move is pushed
                    # and popped); the other side loses its last move. When only the
                    # demand side matches, both lose their last move, and only the
                    # outcomes' cut-back can differ from e's last computation.
                    m0 = (ti[e, _CA] == ra and ti[e, _CS] == rq) or (
                        ti[e, _CA] == rb and ti[e, _CS] == rp
                    )
                    m1 = (ti[e, _CA + 1] == ra and ti[e, _CS + 1] == rq) or (
                        ti[e, _CA + 1] == rb and ti[e, _CS + 1] == rp
                    )
                    if m0 or m1:
                        if not m0:
                            ti[e, _HL] = 0
                        if not m1:
                            ti[e, _HL + 1] = 0
                        ok = _calculate(
                            e, ti, tf, tr, rec, cur, xst, w, s, tot, den, ux, ud, un,
                            cap_outcome, sum_cap,
                        )  # fmt: skip
                    else:
                        ok = _recalculate_demand(
                            e, ti, tf, tr, rec, cur, xst, w, s, tot, den, ux, ud, un,
                            cap_outcome, sum_cap,
                        )  # fmt: skip
                    slot = ti[e, _SLOT]
                    if not ok:
                        valid[e] = False
                        _set_gain(slot, NEG_INF, gd, bmax, nact)
                        dead += 1
                        wp -= 1
                        continue
                    _set_gain(slot, tf[e, _PRIO], gd, bmax, nact)
                    if tf[e, _PRIO] != hist_g[head[e]] and nh < hist_cap:
                        # (beyond the capacity, later gain changes are not recorded:
                        # only the order of exactly equal gains could be affected)
                        hist_s[nh] = nreal
                        hist_g[nh] = tf[e, _PRIO]
                        hist_p[nh] = head[e]
                        head[e] = nh
                        nh += 1
                if li < 2:
                    sup_end[key] = wp
                else:
                    dem_end[key] = wp
        # 5. voting positions, the outcome, and next round's start positions
        for k in range(kk):
            fc_prev[k] = fc_out[rnd, k]
        _outcome(w, den, cur, fc_out[rnd + 1])
        change = 0.0
        for a in range(n):
            for k in range(kk):
                old = xst[a, k]
                if moved[a, k]:
                    v = cur[a, k]
                    if start_rule == START_BLEND:
                        sw = (1.0 - s[a, k]) * salience_weight
                        new = sw * v + fixed_weight * v + (1.0 - sw - fixed_weight) * old
                    elif start_rule == START_VOTING:
                        new = v
                    else:
                        new = xst[a, k]
                    xst[a, k] = new
                if present[a, k]:
                    pos_out[rnd + 1, a, k] = cur[a, k]
                    start_out[rnd + 1, a, k] = xst[a, k]
                    change = max(change, abs(xst[a, k] - old))
                else:
                    pos_out[rnd + 1, a, k] = np.nan
                    start_out[rnd + 1, a, k] = np.nan
        made = rnd + 1
        if stop == STOP_FORECAST:
            dmax = 0.0
            for k in range(kk):
                if not np.isnan(fc_out[rnd + 1, k]):
                    dmax = max(dmax, abs(fc_out[rnd + 1, k] - fc_prev[k]))
            if dmax <= tol:
                break
        elif stop == STOP_POSITIONS:
            if change <= tol:
                break
    # carry the final state forward
    for rr in range(made + 1, rounds + 1):
        for a in range(n):
            for k in range(kk):
                pos_out[rr, a, k] = pos_out[made, a, k]
                start_out[rr, a, k] = start_out[made, a, k]
        for k in range(kk):
            fc_out[rr, k] = fc_out[made, k]
    return made, nrec


@njit(**_JIT)
def exchange_batch(
    c,
    s,
    x,
    present,
    rounds,
    codes,
    p_rand,
    salience_weight,
    fixed_weight,
    tie_tol,
    tol,
    seeds,
    pos_out,
    start_out,
    fc_out,
    done,
    rec_run,
    rec_i,
    rec_f,
    record,
    status,
):
    """Run every run of the batch; inputs (runs, actors, issues) on the 0-100 scale.

    ``codes``: rate, start rule, tie-break, stopping rule, cap on the outcome (0/1), cap on
    the sum of moves (0/1), update rule. Realised exchanges are appended to ``rec_*``.
    On return ``status[0]`` is the number of records written and ``status[1]`` the number
    of runs completed: fewer than all when a run's exchanges did not fit in the buffers
    (the caller grows them and calls again from that run).
    """
    runs, n, kk = x.shape
    max_c = (kk * (kk - 1)) // 2 * ((n * n) // 4)
    max_c = max(max_c, 1)
    tab_i = np.zeros((max_c, N_I), dtype=np.int32)
    tab_f = np.zeros((max_c, N_F))
    tab_r = np.zeros((max_c if record else 0, N_R))
    valid = np.zeros(max_c, dtype=np.bool_)
    head = np.empty(max_c, dtype=np.int64)
    act = np.empty(max_c, dtype=np.int64)
    gd = np.empty(max_c)
    bmax = np.empty(max_c // BLOCK + 2)
    hist_cap = 16 * max_c + 4096
    hist_s = np.empty(hist_cap, dtype=np.int64)
    hist_g = np.empty(hist_cap)
    hist_p = np.empty(hist_cap, dtype=np.int64)
    ux = np.empty((n, kk, n))
    scr_nk_f = np.empty((4, n, kk))
    scr_nk_b = np.zeros((3, n, kk), dtype=np.bool_)
    scr_nk_i = np.zeros((1, n, kk), dtype=np.int64)
    scr_k = np.empty((4, kk))
    scr_idx = np.empty((7, max(n * kk + 1, 4)), dtype=np.int64)
    sup_it = np.empty(2 * max_c, dtype=np.int64)
    dem_it = np.empty(2 * max_c, dtype=np.int64)
    cap = rounds * max_c if record else 0
    ri = np.empty((cap, N_REC_I), dtype=np.int64)
    rf = np.empty((cap, N_REC_F))
    nout = 0
    for run in range(runs):
        made, nrec = _run_one(
            c[run], s[run], x[run], present[run], rounds, codes[0], p_rand, codes[1],
            salience_weight, fixed_weight, codes[2], tie_tol, codes[3], tol,
            codes[4] != 0, codes[5] != 0, codes[6], seeds[run], pos_out[run],
            start_out[run], fc_out[run], ri, rf, tab_i, tab_f, tab_r, valid, head, act,
            gd, bmax, hist_s, hist_g, hist_p, ux, scr_nk_f, scr_nk_b, scr_nk_i, scr_k,
            scr_idx, sup_it, dem_it,
        )  # fmt: skip
        if record:
            if nout + nrec > rec_i.shape[0]:
                status[0] = nout
                status[1] = run
                return
            for t in range(nrec):
                rec_run[nout + t] = run
                for f in range(N_REC_I):
                    rec_i[nout + t, f] = ri[t, f]
                for f in range(N_REC_F):
                    rec_f[nout + t, f] = rf[t, f]
            nout += nrec
        done[run] = made
    status[0] = nout
    status[1] = runs
