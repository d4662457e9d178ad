"""The exchange kernel as it was before the speed work (commit a715954), kept only so that
``benchmarks/exchange_speed.py`` can time it against the current kernel in the same
process (and check that both give the same numbers). Not used by crossroads.

Compiled (numba) kernel of the exchange model; see :mod:`crossroads.models.exchange`.

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
("demands") the first, p; side 1 is actor ``J``, who supplies p and demands q. Per side
``h``: ``ca[e, h]`` the actor, ``cs[e, h]`` the issue supplied, ``xs[e, h]`` the actor's
current position on it, ``tg[e, h]`` the other actor's (fixed) position on it, ``y[e, h]``
the voting position the exchange would move the actor to.
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
def _adj_nbs(e, h, pos, cs, ca, upd, nupd, dsum, xst, w, tot, den):
    """Outcome of the issue side ``h`` of exchange ``e`` supplies, with the exchange's
    record of moves realised earlier this round (``upd``) and the side's actor at ``pos``
    (``calculations.adjusted_nbs``)."""
    k = cs[e, h]
    if den[k] == 0.0:
        return 0.0
    a = ca[e, h]
    num = tot[k] + w[a, k] * (pos - xst[a, k])
    if nupd[e, h] > 0:
        num += dsum[e, h]
        u = upd[e, h, a]
        if not np.isnan(u):
            num -= w[a, k] * (u - xst[a, k])
    return num / den[k]


@njit(inline="always", **_JIT_LEAF)
def _pos_with_updates(e, h, cs, ca, upd, nupd, dsum, xst, w, tot, xsup):
    """Sum of weight x position on side h's supply issue with the updates applied last
    (``calculations.adjusted_nbs_by_position``: the actor's own update, if any, wins over
    its current position)."""
    k = cs[e, h]
    a = ca[e, h]
    num = tot[k] + w[a, k] * (xsup - xst[a, k])
    if nupd[e, h] > 0:
        num += dsum[e, h]
        u = upd[e, h, a]
        if not np.isnan(u):
            # the actor's own update replaces its current position
            num += w[a, k] * (xst[a, k] - xsup)
    return num


@njit(inline="always", **_JIT_LEAF)
def _push(e, h, v, last, has_last, psum, pmin, pmax):
    if has_last[e, h]:
        lv = last[e, h]
        psum[e, h] += lv
        pmin[e, h] = min(pmin[e, h], lv)
        pmax[e, h] = max(pmax[e, h], lv)
    last[e, h] = v
    has_last[e, h] = True


@njit(inline="always", **_JIT_LEAF)
def _move_valid(e, h, move, xs, last, has_last, psum, pmin, pmax, sum_cap):
    """``AbstractExchangeActor.is_move_valid`` over the side's list of moves (whose last
    entry is ``move``)."""
    am = abs(move)
    if am > 100.0 + EPS or am <= MOVE_MIN:
        return False
    p = xs[e, h] + move
    if p < -EPS or p > 100.0 + EPS:
        return False
    tot = psum[e, h] + (last[e, h] if has_last[e, h] else 0.0)
    if sum_cap and tot > 100.0 + EPS:
        return False
    mn = pmin[e, h]
    mx = pmax[e, h]
    if has_last[e, h]:
        mn = min(mn, last[e, h])
        mx = max(mx, last[e, h])
    return (mn < 0.0 and mx < 0.0) or (mn > 0.0 and mx > 0.0)


@njit(inline="always", **_JIT_LEAF)
def _calculate(
    e,
    ca,
    cs,
    xs,
    tg,
    y,
    rho,
    gn,
    prio,
    valid,
    nb0,
    nb1,
    last,
    has_last,
    psum,
    pmin,
    pmax,
    upd,
    nupd,
    dsum,
    xst,
    w,
    sal,
    tot,
    den,
    cap_outcome,
    sum_cap,
):
    """(Re)compute exchange e: the moves, the gains and whether it can be made.

    Stokman & Van Oosten (1994): I supplies q and demands p, J the reverse. The outcome
    shift on issue k when actor a moves by d is ``d w_ak / W_k`` (w = power x salience,
    W_k its sum). An exchange trades a shift ``dp`` on p (J's concession) for ``dq`` on
    q (I's), with ``dq = rho dp``; under Equal Gain
    ``rho = (s_Jp + s_Ip) / (s_Jq + s_Iq)``, which makes the gains
    ``G_I = dp s_Ip - dq s_Iq`` and ``G_J = dq s_Jq - dp s_Jp`` equal. The larger exchange
    is tried first: J moves all the way to I's position on p; when I's move would then
    exceed the distance to J's position on q, I moves all the way instead and J's move
    follows from the ratio (``EqualGainExchange.calculate``).
    """
    ia = ca[e, 0]
    ja = ca[e, 1]
    q = cs[e, 0]
    p = cs[e, 1]
    wi = w[ia, q]
    wj = w[ja, p]
    r = rho[e]
    dj = abs(tg[e, 1] - xs[e, 1])
    di = abs(tg[e, 0] - xs[e, 0])
    dp = dj * wj / den[p]
    dq = r * dp
    mi = dq * den[q] / wi
    mj = dj
    if abs(mi) > di:
        dq = di * wi / den[q]
        dp = dq / r
        mi = di
        mj = dp * den[p] / wj
    if xs[e, 0] > tg[e, 0]:
        mi = -mi
    if xs[e, 1] > tg[e, 1]:
        mj = -mj
    _push(e, 0, mi, last, has_last, psum, pmin, pmax)
    _push(e, 1, mj, last, has_last, psum, pmin, pmax)
    y[e, 0] = xs[e, 0] + mi
    y[e, 1] = xs[e, 1] + mj
    gi = dp * sal[ia, p] - dq * sal[ia, q]
    gj = dq * sal[ja, q] - dp * sal[ja, p]
    gn[e, 0] = gi
    gn[e, 1] = gj
    prio[e] = min(abs(gi), abs(gj))
    ok = _move_valid(e, 0, mi, xs, last, has_last, psum, pmin, pmax, sum_cap) and _move_valid(
        e, 1, mj, xs, last, has_last, psum, pmin, pmax, sum_cap
    )
    if prio[e] < GAIN_MIN or gi < -GAIN_MIN or gj < -GAIN_MIN:
        ok = False
    if not ok:
        valid[e] = False
        return
    for h in range(2):
        o = 1 - h
        nb0[e, h] = _adj_nbs(e, h, xs[e, h], cs, ca, upd, nupd, dsum, xst, w, tot, den)
        nb1[e, h] = _adj_nbs(e, h, y[e, h], cs, ca, upd, nupd, dsum, xst, w, tot, den)
        if not cap_outcome:
            continue
        t = tg[e, h]
        d0 = t - nb0[e, h]
        d1 = t - nb1[e, h]
        if abs(d0) <= EPS:
            d0 = 0.0
        if abs(d1) <= EPS:
            d1 = 0.0
        if (d0 >= 0.0 and d1 >= 0.0) or (d0 <= 0.0 and d1 <= 0.0):
            continue
        # The outcome on this side's supply issue would pass the other actor's position:
        # move only as far as puts the outcome there (AbstractExchangeActor.check_nbs).
        a = ca[e, h]
        b = ca[e, o]
        k = cs[e, h]
        m = cs[e, o]
        num = _pos_with_updates(e, h, cs, ca, upd, nupd, dsum, xst, w, tot, xs[e, h])
        delta = abs((t * den[k] - num) / w[a, k])
        dk = delta * w[a, k] / den[k]
        # the other side's shift from the exchange ratio (rho = dq / dp)
        dm = dk * r if h == 1 else dk / r
        mo = abs(dm * den[m] / w[b, m])
        ma = delta
        if xs[e, o] > tg[e, o]:
            mo = -mo
        if xs[e, h] > tg[e, h]:
            ma = -ma
        last[e, o] = mo
        last[e, h] = ma
        y[e, o] = xs[e, o] + mo
        y[e, h] = xs[e, h] + ma
        # gains: the side that moved less now gains dm on its demand issue
        ga = dm * sal[a, m] - dk * sal[a, k]
        gb = dk * sal[b, k] - dm * sal[b, m]
        gn[e, h] = ga
        gn[e, o] = gb
        prio[e] = min(abs(ga), abs(gb))
        nb1[e, h] = _adj_nbs(e, h, y[e, h], cs, ca, upd, nupd, dsum, xst, w, tot, den)
    ok = _move_valid(e, 0, last[e, 0], xs, last, has_last, psum, pmin, pmax, sum_cap)
    ok = ok and _move_valid(e, 1, last[e, 1], xs, last, has_last, psum, pmin, pmax, sum_cap)
    valid[e] = ok


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
    scratch_i,
    scratch_f,
    scr_b1,
    scr_f1,
    scr_i1,
    hist_s,
    hist_g,
    hist_p,
    upd,
    nupd,
    dsum,
    scr_nk_f,
    scr_nk_b,
    scr_k,
    scr_idx,
    sup_it,
    dem_it,
):
    """One run; returns (rounds made, number of realised exchanges recorded)."""
    n, kk = x0.shape
    ca = scratch_i[0]
    cs = scratch_i[1]
    cd = scratch_i[2]
    has_last = scr_b1[0]
    valid = scr_b1[1, :, 0]
    xs = scratch_f[0]
    tg = scratch_f[1]
    y = scratch_f[2]
    gn = scratch_f[3]
    nb0 = scratch_f[4]
    nb1 = scratch_f[5]
    last = scratch_f[6]
    psum = scratch_f[7]
    pmin = scratch_f[8]
    pmax = scratch_f[9]
    rho = scr_f1[0]
    prio = scr_f1[1]
    stamp = scr_i1[0]
    head = scr_i1[1]
    act = scr_i1[2]
    hist_cap = hist_s.shape[0]

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
    lasty = scr_nk_f[2]
    voting = scr_nk_f[3]
    grp = scr_idx[0, :n]
    sup_cnt = scr_idx[1]
    dem_cnt = scr_idx[2]
    fill = scr_idx[3]
    lists = scr_idx[4, :4]
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
                            ca[e, 0] = ia
                            ca[e, 1] = ja
                            cs[e, 0] = q
                            cs[e, 1] = p
                            cd[e, 0] = p
                            cd[e, 1] = q
                            xs[e, 0] = xst[ia, q]
                            xs[e, 1] = xst[ja, p]
                            tg[e, 0] = xst[ja, q]
                            tg[e, 1] = xst[ia, p]
                            has_last[e, 0] = False
                            has_last[e, 1] = False
                            for h in range(2):
                                psum[e, h] = 0.0
                                pmin[e, h] = np.inf
                                pmax[e, h] = -np.inf
                                nupd[e, h] = 0
                                dsum[e, h] = 0.0
                                for b2 in range(n):
                                    upd[e, h, b2] = np.nan
                            stamp[e] = -1
                            eg = (s[ja, p] + s[ia, p]) / (s[ja, q] + s[ia, q])
                            if rate == RATE_EQUAL_GAIN:
                                rho[e] = eg
                            else:
                                lo = s[ja, p] / s[ja, q]
                                hi = s[ia, p] / s[ia, q]
                                u = _uniform(seed, rnd, pair, a * n + b, 0)
                                if rate == RATE_RANDOM:
                                    rho[e] = lo + u * (hi - lo)
                                else:
                                    v = _uniform(seed, rnd, pair, a * n + b, 1)
                                    if v < 0.5:
                                        rho[e] = eg + p_rand * u * (hi - eg)
                                    else:
                                        rho[e] = eg - p_rand * u * (eg - lo)
                            valid[e] = True
                            _calculate(
                                e, ca, cs, xs, tg, y, rho, gn, prio, valid, nb0, nb1, last,
                                has_last, psum, pmin, pmax, upd, nupd, dsum, xst, w, s, tot, den,
                                cap_outcome, sum_cap,
                            )  # fmt: skip
                pair += 1
        # 3. index the candidates by (actor, issue supplied) and (actor, issue demanded)
        for i in range(n * kk + 1):
            sup_cnt[i] = 0
            dem_cnt[i] = 0
        for e in range(ne):
            for h in range(2):
                sup_cnt[ca[e, h] * kk + cs[e, h] + 1] += 1
                dem_cnt[ca[e, h] * kk + cd[e, h] + 1] += 1
        for i in range(n * kk):
            sup_cnt[i + 1] += sup_cnt[i]
            dem_cnt[i + 1] += dem_cnt[i]
        for i in range(n * kk + 1):
            fill[i] = sup_cnt[i]
        for e in range(ne):
            for h in range(2):
                key = ca[e, h] * kk + cs[e, h]
                sup_it[fill[key]] = e
                fill[key] += 1
        for i in range(n * kk + 1):
            fill[i] = dem_cnt[i]
        for e in range(ne):
            for h in range(2):
                key = ca[e, h] * kk + cd[e, h]
                dem_it[fill[key]] = e
                fill[key] += 1
        for a in range(n):
            for k in range(kk):
                moved[a, k] = False
        # 4. realise exchanges, highest gain first. The public implementation stable-sorts
        # its list of exchanges by gain before every choice (EqualGainModel.highest_gain),
        # so equal gains keep their earlier order: the earlier is the one whose gain was
        # higher at the latest choice where the two differed, else the one made first.
        # Each exchange's gain history (hist_*) answers that without keeping the list.
        nh = 0
        for e in range(ne):
            hist_s[nh] = 0
            hist_g[nh] = prio[e]
            hist_p[nh] = -1
            head[e] = nh
            nh += 1
        nreal = 0
        nact = 0
        for e in range(ne):
            if valid[e]:
                act[nact] = e
                nact += 1
        while True:
            best = -1
            bg = 0.0
            ntie = 0
            wpos = 0  # compact the list of valid exchanges as it is scanned (in order)
            for ii in range(nact):
                e = act[ii]
                if not valid[e]:
                    continue
                act[wpos] = e
                wpos += 1
                g = prio[e]
                if best < 0 or g > bg + tie_tol:
                    best = e
                    bg = g
                    ntie = 1
                elif g >= bg - tie_tol:
                    ntie += 1
                    if tie == TIE_FIRST and _earlier(
                        e, best, head, hist_s, hist_g, hist_p, tie_tol
                    ):
                        best = e
                        bg = g
            nact = wpos
            if best < 0:
                break
            if tie == TIE_RANDOM and ntie > 1:
                ntie = 0
                for ii in range(nact):
                    if abs(prio[act[ii]] - bg) <= tie_tol:
                        ntie += 1
                pick = int(_uniform(seed, rnd, nreal, 0, 2) * ntie)
                cnt = 0
                for ii in range(nact):
                    e = act[ii]
                    if abs(prio[e] - bg) <= tie_tol:
                        if cnt == pick:
                            best = e
                            break
                        cnt += 1
            r = best
            valid[r] = False
            if rec_i.shape[0] > 0:
                if nrec >= rec_i.shape[0]:
                    return made, -1
                rec_i[nrec, 0] = rnd
                rec_i[nrec, 1] = ca[r, 0]
                rec_i[nrec, 2] = ca[r, 1]
                rec_i[nrec, 3] = cs[r, 0]
                rec_i[nrec, 4] = cs[r, 1]
                rec_i[nrec, 5] = 0
                rec_f[nrec, 0] = y[r, 0]
                rec_f[nrec, 1] = y[r, 1]
                rec_f[nrec, 2] = gn[r, 0]
                rec_f[nrec, 3] = gn[r, 1]
                rec_f[nrec, 4] = nb0[r, 0]
                rec_f[nrec, 5] = nb1[r, 0]
                rec_f[nrec, 6] = nb0[r, 1]
                rec_f[nrec, 7] = nb1[r, 1]
                nrec += 1
            nreal += 1
            for h in range(2):
                lasty[ca[r, h], cs[r, h]] = y[r, h]
                moved[ca[r, h], cs[r, h]] = True
            # recalculate the exchanges this one affects (AbstractExchange.recalculate)
            lists[0] = ca[r, 0] * kk + cs[r, 0]
            lists[1] = ca[r, 1] * kk + cs[r, 1]
            for li in range(4):
                if li < 2:
                    lo_i = sup_cnt[lists[li]]
                    hi_i = sup_cnt[lists[li] + 1]
                else:
                    key = ca[r, li - 2] * kk + cd[r, li - 2]
                    lo_i = dem_cnt[key]
                    hi_i = dem_cnt[key + 1]
                for it in range(lo_i, hi_i):
                    e = sup_it[it] if li < 2 else dem_it[it]
                    if not valid[e] or stamp[e] == nreal:
                        continue
                    stamp[e] = nreal
                    re = False
                    for h in range(2):
                        for rh in range(2):
                            if ca[e, h] == ca[r, rh] and cs[e, h] == cs[r, rh]:
                                xs[e, h] = y[r, rh]
                                re = True
                                break
                    if re:
                        # the matched side keeps its list of moves (the realised move is
                        # pushed and popped); the other loses its last move
                        for h in range(2):
                            matched = False
                            for rh in range(2):
                                if ca[e, h] == ca[r, rh] and cs[e, h] == cs[r, rh]:
                                    matched = True
                            if not matched:
                                has_last[e, h] = False
                    # demand side: R's actor rh demands issue kd as one of e's actors does;
                    # the other actor of R moved on kd: record it
                    for rh in (1, 0):
                        ro = 1 - rh
                        hit = False
                        for h in range(2):
                            if ca[e, h] == ca[r, rh] and cd[e, h] == cd[r, rh]:
                                hit = True
                        if not hit:
                            continue
                        kd = cd[r, rh]
                        slot = 0 if cs[e, 0] == kd else 1
                        ua = ca[r, ro]
                        old = upd[e, slot, ua]
                        if np.isnan(old):
                            new = y[r, ro]
                            nupd[e, slot] += 1
                            old = xst[ua, kd]
                        elif upd_rule == UPD_LATEST:
                            new = y[r, ro]
                        elif xst[ua, kd] <= old:
                            new = min(old, y[r, ro])
                        else:
                            new = max(old, y[r, ro])
                        upd[e, slot, ua] = new
                        dsum[e, slot] += w[ua, kd] * (new - old)
                        if not re:
                            has_last[e, 0] = False
                            has_last[e, 1] = False
                            re = True
                    if re:
                        _calculate(
                            e, ca, cs, xs, tg, y, rho, gn, prio, valid, nb0, nb1, last,
                            has_last, psum, pmin, pmax, upd, nupd, dsum, xst, w, s, tot, den,
                            cap_outcome, sum_cap,
                        )  # fmt: skip
                        if valid[e] and prio[e] != hist_g[head[e]] and nh < hist_cap:
                            # (beyond the capacity, later gain changes are not recorded:
                            # only the order of exactly equal gains could be affected)
                            hist_s[nh] = nreal
                            hist_g[nh] = prio[e]
                            hist_p[nh] = head[e]
                            head[e] = nh
                            nh += 1
        # 5. voting positions, the outcome, and next round's start positions
        for a in range(n):
            for k in range(kk):
                voting[a, k] = lasty[a, k] if moved[a, k] else xst[a, k]
        for k in range(kk):
            fc_prev[k] = fc_out[rnd, k]
        _outcome(w, den, voting, fc_out[rnd + 1])
        change = 0.0
        for a in range(n):
            for k in range(kk):
                old = xst[a, k]
                if moved[a, k]:
                    v = voting[a, k]
                    if start_rule == START_BLEND:
                        sw = (1.0 - s[a, k]) * salience_weight
                        new = sw * v + fixed_weight * v + (1.0 - sw - fixed_weight) * old
                    elif start_rule == START_VOTING:
                        new = v
                    else:
                        new = xst[a, k]
                    xst[a, k] = new
                if present[a, k]:
                    pos_out[rnd + 1, a, k] = voting[a, k]
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
    scratch_i = np.empty((3, max_c, 2), dtype=np.int64)
    scratch_f = np.empty((10, max_c, 2))
    scr_b1 = np.zeros((2, max_c, 2), dtype=np.bool_)
    scr_f1 = np.empty((2, max_c))
    scr_i1 = np.empty((3, max_c), dtype=np.int64)
    hist_cap = 16 * max_c + 4096
    hist_s = np.empty(hist_cap, dtype=np.int64)
    hist_g = np.empty(hist_cap)
    hist_p = np.empty(hist_cap, dtype=np.int64)
    upd = np.empty((max_c, 2, n))
    nupd = np.zeros((max_c, 2), dtype=np.int64)
    dsum = np.zeros((max_c, 2))
    scr_nk_f = np.empty((4, n, kk))
    scr_nk_b = np.zeros((3, n, kk), dtype=np.bool_)
    scr_k = np.empty((4, kk))
    scr_idx = np.empty((5, max(n * kk + 1, 4)), dtype=np.int64)
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
            start_out[run], fc_out[run], ri, rf, scratch_i, scratch_f, scr_b1, scr_f1, scr_i1,
            hist_s, hist_g, hist_p, upd, nupd, dsum, scr_nk_f, scr_nk_b, scr_k, scr_idx, sup_it,
            dem_it,
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
