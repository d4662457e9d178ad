"""Compiled inner loops of the Spatial Model of Politics (see :mod:`crossroads.models.smp`).

Everything here works on one run at a time on the 0-1 scale, with loops that
follow KTAB's own order of summation (so results agree with KTAB's to rounding);
:func:`run_one` runs one scenario (it releases the GIL, so threads can run a batch). Options are
passed as small integer codes; :mod:`crossroads.models.smp` maps the documented
names onto them.

References
----------
KAPSARC Toolkit for Behavioral Analysis (KTAB), MIT licence, repository
lsyaseen/KTAB: ``KTAB/kmodel/libsrc/kmodel.cpp`` (votes, coalitions, victory
probabilities, the PCE variants, third-party votes), ``examples/smp/libsrc/smp.cpp``
(utilities, risk attitudes, bargain interpolation, stopping rule) and
``examples/smp/libsrc/smpbcn.cpp`` (challenges and bargain resolution).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# --- option codes (same order as KTAB's enums) ------------------------------------
VR_BINARY, VR_PROPBIN, VR_PROP, VR_PROPCBC, VR_CUBIC, VR_ASYMPROSP = 0, 1, 2, 3, 4, 5
VP_LINEAR, VP_SQUARE, VP_QUARTIC, VP_OCTIC, VP_BINARY = 0, 1, 2, 3, 4
PCE_CONDITIONAL, PCE_MARKOV_INCENTIVE, PCE_MARKOV_UNIFORM = 0, 1, 2
STM_DETERMINISTIC, STM_STOCHASTIC = 0, 1
RR_MIN, RR_MID, RR_MAX = 0, 1, 2
RA_NONE, RA_ONE_THIRD, RA_HALF, RA_TWO_THIRDS, RA_FULL = 0, 1, 2, 3, 4
TPC_NO, TPC_SEMI, TPC_FULL = 0, 1, 2
IVB_S1P1, IVB_S2P2, IVB_S2PMAX = 0, 1, 2
BM_INIT_ONLY, BM_INIT_RCVR, BM_PW_COMPROMISE = 0, 1, 2

#: Index of each option in the ``opts`` vector passed to :func:`run_one`.
OPT_VR, OPT_VPM, OPT_PCEM, OPT_STM, OPT_RR, OPT_RA, OPT_TPC, OPT_IVB, OPT_BM = range(9)

#: Error codes returned per run.
ERR_NONE, ERR_MARKOV = 0, 1

_MIN_COALITION = 1e-8  # Model::coalitions
_MIN_CHALLENGE = 1e-10  # SMPState::probEduChlg
_MIN_SIG_EDU = 1e-5  # SMPState::bestChallenge
_MARKOV_TOL = 1e-8
_MARKOV_UNIFORM_TOL = 1e-6
_MARKOV_MAX_ITER = 1000


@njit(cache=True, error_model="numpy")
def vote(rule: int, w: float, ua: float, ub: float) -> float:
    """Influence ``w`` exerts for option a over b given utilities (KTAB ``Model::vote``)."""
    du = ua - ub
    if rule == VR_PROP:
        return w * du
    rbin = du / 1e-8
    if rbin > 1.0:
        rbin = 1.0
    if rbin < -1.0:
        rbin = -1.0
    if rule == VR_BINARY:
        return w * rbin
    if rule == VR_PROPBIN:
        return w * ((1.0 - 0.2) * du + 0.2 * rbin)
    if rule == VR_PROPCBC:
        return w * ((1.0 - 0.5) * du + 0.5 * (du * du * du))
    if rule == VR_CUBIC:
        return w * (du * du * du)
    # asymmetric 'prospect' rule: gains count two thirds of losses
    if du < 0.0:
        return w * du
    if du > 0.0:
        return (2.0 * w * du) / 3.0
    return 0.0


@njit(cache=True, error_model="numpy")
def victory_pair(vpm: int, s1: float, s2: float) -> tuple[float, float]:
    """Probabilities that coalitions of strength s1, s2 win (KTAB ``Model::vProb``)."""
    if vpm == VP_LINEAR:
        x1, x2 = s1, s2
    elif vpm == VP_SQUARE:
        x1, x2 = s1 * s1, s2 * s2
    elif vpm == VP_QUARTIC:
        x1, x2 = (s1 * s1) * (s1 * s1), (s2 * s2) * (s2 * s2)
    elif vpm == VP_OCTIC:
        q1 = (s1 * s1) * (s1 * s1)
        q2 = (s2 * s2) * (s2 * s2)
        x1, x2 = q1 * q1, q2 * q2
    else:  # binary: a 10% advantage wins for sure, linear in between
        thresh = 1.10
        if s1 >= thresh * s2:
            x1, x2 = 1.0, 1e-6
        elif s2 >= thresh * s1:
            x1, x2 = 1e-6, 1.0
        else:
            r12 = s1 / (s1 + s2)
            p12 = (r12 * (thresh + 1.0) - 1.0) / (thresh - 1.0)
            x1, x2 = p12, 1.0 - p12
    return x1 / (x1 + x2), x2 / (x1 + x2)


@njit(cache=True, error_model="numpy")
def coalitions(rule: int, w: np.ndarray, u: np.ndarray, n_opt: int, out: np.ndarray) -> None:
    """``out[i, j]``: strength of the coalition preferring option i to j (``Model::coalitions``).

    ``w`` (actors,) voting weights, ``u`` (actors, >= n_opt) utilities.
    """
    n_act = w.shape[0]
    ut = np.empty((n_opt, n_act))  # option-major copy: the voter loop reads memory in order
    for k in range(n_act):
        for i in range(n_opt):
            ut[i, k] = u[k, i]
    for i in range(n_opt):
        ui = ut[i]
        for j in range(i):
            uj = ut[j]
            cij = _MIN_COALITION
            cji = _MIN_COALITION
            # adding max(v, 0) and max(-v, 0) is adding v to one side, exactly, without
            # the unpredictable branches of "if v > 0"
            if rule == VR_PROP:
                for k in range(n_act):
                    v = w[k] * (ui[k] - uj[k])
                    cij = cij + max(v, 0.0)
                    cji = cji + max(-v, 0.0)
            else:
                for k in range(n_act):
                    v = vote(rule, w[k], ui[k], uj[k])
                    cij = cij + max(v, 0.0)
                    cji = cji + max(-v, 0.0)
            out[i, j] = cij
            out[j, i] = cji
        out[i, i] = _MIN_COALITION


@njit(cache=True, error_model="numpy")
def pce(vpm: int, pcem: int, cltn: np.ndarray, n: int, pv: np.ndarray, p: np.ndarray) -> int:
    """Probabilistic Condorcet election over ``n`` options (``Model::probCE2``).

    Fills ``pv[i, j]`` (probability option i beats j) and ``p[i]`` (probability
    option i is the outcome); returns an error code (a Markov chain that did not
    settle in 1000 iterations).
    """
    for i in range(n):
        for j in range(i):
            a, b = victory_pair(vpm, cltn[i, j], cltn[j, i])
            pv[i, j] = a
            pv[j, i] = b
        pv[i, i] = 0.5
    if pcem == PCE_CONDITIONAL:
        # probability that i beats every alternative, conditional on one option doing so
        tot = 0.0
        for i in range(n):
            pi = 1.0
            for j in range(n):
                pi = pi * pv[i, j]
            p[i] = pi
        for i in range(n):
            tot = tot + p[i]
        for i in range(n):
            p[i] = p[i] / tot
        return ERR_NONE
    q = np.empty(n)
    for i in range(n):
        p[i] = 1.0 / n
    if pcem == PCE_MARKOV_UNIFORM:
        change = 1.0
        it = 0
        while _MARKOV_UNIFORM_TOL < change:
            change = 0.0
            for i in range(n):
                acc = 0.0
                for j in range(n):
                    acc = acc + pv[i, j] * (p[i] + p[j])
                q[i] = acc / n
                c = abs(q[i] - p[i])
                change = c if c > change else change
            for i in range(n):
                p[i] = (p[i] + q[i]) / 2.0
            it += 1
            if it >= _MARKOV_MAX_ITER:
                return ERR_MARKOV
        return ERR_NONE
    # Markov chain with challenges in proportion to incentives ("Markov Voting with
    # Incentives in KTAB"): incentive(i, j) = strength(i over j) * P[i beats j]
    inc = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            inc[i, j] = cltn[i, j] * pv[i, j]
            if i == j:
                inc[i, j] = inc[i, j] + 1e-10
    chlg = np.empty((n, n))
    for j in range(n):
        col = 0.0
        for k in range(n):
            col = col + inc[k, j]
        for i in range(n):
            chlg[i, j] = inc[i, j] / col
    ct = np.empty((n, n))
    change = 1.0
    it = 0
    while _MARKOV_TOL < change:
        for i in range(n):
            for j in range(n):
                ct[i, j] = p[i] * chlg[j, i]
        change = 0.0
        for i in range(n):
            qi = 0.0
            for j in range(n):
                qi = qi + pv[i, j] * (ct[i, j] + ct[j, i])
            q[i] = qi
            c = abs(q[i] - p[i])
            change = c if c > change else change
        for i in range(n):
            p[i] = (p[i] + q[i]) / 2.0
        it += 1
        if it >= _MARKOV_MAX_ITER:
            return ERR_MARKOV
    return ERR_NONE


@njit(cache=True, error_model="numpy")
def _zero(n: int) -> int:
    """0, typed as a run-time int64 (a literal 0 makes numba specialise callees on it)."""
    return n - n


@njit(cache=True, error_model="numpy")
def bs_util(sd: float, r: float) -> float:
    """Utility of a normalised distance ``sd`` for risk attitude ``r`` (``SMPModel::bsUtil``)."""
    if sd <= 1.0:
        return (1.0 - sd) * (1.0 + sd * r)
    return (1.0 - sd) * (1.0 + r)


@njit(cache=True, error_model="numpy")
def bv_diff(a: np.ndarray, b: np.ndarray, s: np.ndarray) -> float:
    """Salience-weighted distance between points a and b (``SMPModel::bvDiff``)."""
    ds_sqr = 0.0
    ss_sqr = 0.0
    for k in range(a.shape[0]):
        ds = (a[k] - b[k]) * s[k]
        ds_sqr = ds_sqr + ds * ds
        ss_sqr = ss_sqr + s[k] * s[k]
    return math.sqrt(ds_sqr / ss_sqr)


@njit(cache=True, error_model="numpy")
def est_risk(ra: int, rh: float, ri: float) -> float:
    """h's estimate of i's risk attitude (``Model::estNRA``)."""
    if ra == RA_FULL:
        return ri
    if ra == RA_TWO_THIRDS:
        return (rh + (2.0 * ri)) / 3.0
    if ra == RA_HALF:
        return (rh + ri) / 2
    if ra == RA_ONE_THIRD:
        return ((2.0 * rh) + ri) / 3.0
    return rh


@njit(cache=True, error_model="numpy")
def _risk_attitudes(opts, c, d, n, work_u, cltn, pv, p, big_r) -> int:
    """Risk attitudes from the risk-neutral PCE over all positions (``setAllAUtil``)."""
    for i in range(n):
        for j in range(n):
            work_u[i, j] = bs_util(d[i, j], 0.0)
    coalitions(opts[OPT_VR], c, work_u, n, cltn)
    err = pce(opts[OPT_VPM], opts[OPT_PCEM], cltn, n, pv, p)
    p_min = 1.0
    p_max = 0.0
    for i in range(n):
        p_min = p[i] if p[i] < p_min else p_min
        p_max = p[i] if p[i] > p_max else p_max
    rr = opts[OPT_RR]
    for i in range(n):
        if not p_max - p_min > 1e-12:
            big_r[i] = 0.0  # every position equally likely: KTAB would divide by zero
        elif rr == RR_MIN:
            big_r[i] = (p[i] - p_min) / (p_max - p_min)
        elif rr == RR_MID:
            big_r[i] = (3 * p[i] - (p_max + 2 * p_min)) / (2 * (p_max - p_min))
        else:
            big_r[i] = (2 * p[i] - (p_max + p_min)) / (p_max - p_min)
    return err


@njit(cache=True, error_model="numpy")
def _perspective(ra, h, i, big_r, d, r_h, u_ni, u_nn) -> None:
    """h's estimates of every actor n's risk attitude ``r_h[n]``, of n's utility for i's
    position ``u_ni[n]`` and for its own ``u_nn[n]`` (``aUtil[h]`` entries)."""
    for m in range(big_r.shape[0]):
        r_h[m] = est_risk(ra, big_r[h], big_r[m])
        u_ni[m] = bs_util(d[m, i], r_h[m])
        u_nn[m] = bs_util(d[m, m], r_h[m])


@njit(cache=True, error_model="numpy")
def _challenge(vr, tpc, i, j, w, stot, d, r_h, u_ni, u_nn) -> tuple[float, float]:
    """h's estimate of P[i beats j] and P[j beats i], third parties included
    (``SMPState::probEduChlg``, ``Actor::vProbLittle``, ``Actor::thirdPartyVoteSU``).

    ``w[n]`` is capability x total salience; ``r_h``, ``u_ni``, ``u_nn`` come from
    :func:`_perspective` for this h and i.
    """
    uij = bs_util(d[i, j], r_h[i])
    contrib_i = vote(vr, w[i], u_nn[i], uij)
    contrib_j = vote(vr, w[j], u_ni[j], u_nn[j])
    chij = _MIN_CHALLENGE
    chji = _MIN_CHALLENGE
    if contrib_i > 0.0:
        chij = chij + contrib_i
    if contrib_i < 0.0:
        chji = chji - contrib_i
    if contrib_j > 0.0:
        chij = chij + contrib_j
    if contrib_j < 0.0:
        chji = chji - contrib_j
    c_i = chij
    c_j = chji
    for m in range(w.shape[0]):
        if m == i or m == j:
            continue
        wn = w[m]
        uni = u_ni[m]
        unn = u_nn[m]
        unj = bs_util(d[m, j], r_h[m])
        # the third party's view of the little contest (i:j) it may join
        v0 = vote(vr, wn, uni, unj)
        cni = c_i + v0 if v0 > 0.0 else c_i
        cnj = c_j - v0 if v0 < 0.0 else c_j
        pin = cni / (cni + cnj)
        pjn = 1.0 - pin
        # sums of three position-utilities for each outcome of (ik:j) and (i:jk)
        if tpc == TPC_SEMI:
            u_ik_def_j = uni + uni + unn
            u_j_def_ik = unj + unj + unj
            u_i_def_jk = uni + uni + uni
            u_jk_def_i = unj + unj + unn
        elif tpc == TPC_FULL:
            u_ik_def_j = uni + uni + uni
            u_j_def_ik = unj + unj + unj
            u_i_def_jk = uni + uni + uni
            u_jk_def_i = unj + unj + unj
        else:
            u_ik_def_j = uni + uni + unn
            u_j_def_ik = unj + unj + unn
            u_i_def_jk = uni + uni + unn
            u_jk_def_i = unj + unj + unn
        u_ik_j = (pin * u_ik_def_j) + (pjn * u_j_def_ik)
        u_i_jk = (pin * u_i_def_jk) + (pjn * u_jk_def_i)
        vk = vote(vr, wn, u_ik_j, u_i_jk)
        chij = chij + max(vk, 0.0)
        chji = chji + max(-vk, 0.0)
    return chij / (chij + chji), chji / (chij + chji)


@njit(cache=True, error_model="numpy")
def _interpolate(ivb, xi, si, xj, sj, prb_i, prb_j, out_i, out_j) -> None:
    """Positions i and j agree on, dimension by dimension (``SMPActor::interpolateBrgn``)."""
    min_w = 1e-6
    for k in range(xi.shape[0]):
        tik, sik, tjk, sjk = xi[k], si[k], xj[k], sj[k]
        if ivb == IVB_S2PMAX:
            di = (prb_j - prb_i) if prb_j > prb_i else 0.0
            dj = (prb_i - prb_j) if prb_i > prb_j else 0.0
            sik2 = sik * sik
            sjk2 = sjk * sjk
            dik = (di * sjk2) / ((di * sjk2) + min_w + ((1 - di) * sik2))
            djk = (dj * sik2) / ((dj * sik2) + min_w + ((1 - dj) * sjk2))
            out_i[k] = tik + dik * (tjk - tik)
            out_j[k] = tjk + djk * (tik - tjk)
            continue
        if ivb == IVB_S1P1:
            wik = sik * prb_i
            wjk = sjk * prb_j
        else:
            wik = (sik * sik) * (prb_i * prb_i)
            wjk = (sjk * sjk) * (prb_j * prb_j)
        # KTAB rounds to 4 decimals (on 0-1) "to avoid spurious precision"
        bi = ((wik + min_w) * tik + wjk * tjk) / (wik + min_w + wjk)
        bj = (wik * tik + (min_w + wjk) * tjk) / (wik + min_w + wjk)
        out_i[k] = math.floor(0.5 + bi * 10000.0) / 10000.0
        out_j[k] = math.floor(0.5 + bj * 10000.0) / 10000.0


@njit(cache=True, error_model="numpy")
def _state_prob(opts, x, c, d, big_r, pos_tol, work_u, cltn, pv, p, win):
    """PCE over the distinct positions from each actor's own view (``SMPState::pDist(-1)``).

    Fills ``win[i]`` (probability of actor i's position) and ``p[:count]`` (of each
    distinct position); returns (first holder of each distinct position, count, error).
    """
    n, dims = x.shape
    ra = opts[OPT_RA]
    uniq = np.empty(n, dtype=np.int64)
    nu = _zero(n)  # not a literal 0: numba would compile the callees for it
    for i in range(n):
        found = False
        for q in range(nu):
            dist = 0.0
            for k in range(dims):
                dd = x[i, k] - x[uniq[q], k]
                dist += dd * dd
            if math.sqrt(dist) < pos_tol:
                found = True
                break
        if not found:
            uniq[nu] = i
            nu += 1
    for i in range(n):
        ri = est_risk(ra, big_r[i], big_r[i])
        for q in range(nu):
            work_u[i, q] = bs_util(d[i, uniq[q]], ri)
    coalitions(opts[OPT_VR], c, work_u, nu, cltn)
    err = pce(opts[OPT_VPM], opts[OPT_PCEM], cltn, nu, pv, p)
    for i in range(n):
        # State::posProb keeps the last distinct position equivalent to i's
        last = 0
        for q in range(nu):
            dist = 0.0
            for k in range(dims):
                dd = x[i, k] - x[uniq[q], k]
                dist += dd * dd
            if math.sqrt(dist) < pos_tol:
                last = q
        win[i] = p[last]
    return uniq, nu, err


@njit(cache=True, error_model="numpy")
def _bargains(opts, x, s, c, stot, d, big_r, b_init, b_rcvr, b_pi, b_pr) -> None:
    """Each actor's most advantageous challenge and the bargain it proposes
    (``SMPState::doBCN(i)``, ``bestChallenge``); slot ``i * per`` holds i's bargain.

    i's expected gain from challenging j is ``(1 - U_ij)(1 - 2 s_j P[j beats i])``
    (KTAB's ``euChlg - euSQ`` with k = i, since U_ii = 1), never more than
    ``1 - U_ij``: targets are tried in decreasing order of that bound and the
    search stops once the bound falls below the best gain found. The target
    chosen is KTAB's: the largest gain above 1e-5, the lowest index among equals.
    """
    n, dims = x.shape
    vr = opts[OPT_VR]
    tpc = opts[OPT_TPC]
    ra = opts[OPT_RA]
    bm = opts[OPT_BM]
    ivb = opts[OPT_IVB]
    per = 2 if bm == BM_INIT_RCVR else 1
    w = np.empty(n)
    for m in range(n):
        w[m] = stot[m] * c[m]
    r_h = np.empty(n)
    u_ni = np.empty(n)
    u_nn = np.empty(n)
    bound = np.empty(n)
    bji_i = np.empty(dims)
    bji_j = np.empty(dims)
    for i in range(n):
        _perspective(ra, i, i, big_r, d, r_h, u_ni, u_nn)
        uki = u_nn[i]
        for j in range(n):
            bound[j] = -2.0 if j == i else 1.0 - bs_util(d[i, j], r_h[i])
        best_j = _zero(n) - 1
        best_p = 0.0
        best_eu = -1.0
        for _ in range(n - 1):
            j = 0  # the untried target with the largest bound
            for m in range(1, n):
                if bound[m] > bound[j]:
                    j = m
            # 1e-9 covers the rounding of the exact expression below
            if bound[j] + 1e-9 < best_eu or bound[j] + 1e-9 < _MIN_SIG_EDU:
                break
            bound[j] = -2.0
            phij, phji = _challenge(vr, tpc, i, j, w, stot, d, r_h, u_ni, u_nn)
            ukj = bs_util(d[i, j], r_h[i])
            eu_sq = uki + ukj
            uhkij = uki + uki
            uhkji = ukj + ukj
            sj = stot[j]
            eu_chlg = (1 - sj) * uhkij + sj * (phij * uhkij + phji * uhkji)
            edu = eu_chlg - eu_sq
            if _MIN_SIG_EDU < edu and (best_eu < edu or (best_eu == edu and j < best_j)):
                best_j = j
                best_p = phij
                best_eu = edu
        if best_j < 0 or not 0 < best_eu:
            continue
        j = best_j
        slot = i * per
        b_init[slot] = i
        b_rcvr[slot] = j
        _interpolate(ivb, x[i], s[i], x[j], s[j], best_p, 1 - best_p, b_pi[slot], b_pr[slot])
        if bm == BM_INIT_ONLY:
            continue
        # the target's own estimate of P[i beats j]
        _perspective(ra, j, i, big_r, d, r_h, u_ni, u_nn)
        pjij, _ = _challenge(vr, tpc, i, j, w, stot, d, r_h, u_ni, u_nn)
        _interpolate(ivb, x[i], s[i], x[j], s[j], pjij, 1 - pjij, bji_i, bji_j)
        if bm == BM_INIT_RCVR:
            b_init[slot + 1] = i
            b_rcvr[slot + 1] = j
            for k in range(dims):
                b_pi[slot + 1, k] = bji_i[k]
                b_pr[slot + 1, k] = bji_j[k]
        else:
            # KTAB weights i's view by c_i * sum(s_i) and j's view by c_i * sum(s_j)
            # (it takes the capability of brgnJIJ's initiator, i.e. of i, for both)
            wi = c[i] * stot[i]
            wj = c[i] * stot[j]
            for k in range(dims):
                b_pi[slot, k] = (wi * b_pi[slot, k] + wj * bji_i[k]) / (wi + wj)
                b_pr[slot, k] = (wi * b_pr[slot, k] + wj * bji_j[k]) / (wi + wj)


@njit(cache=True, error_model="numpy")
def _bargain_utils(opts, x, s, d, big_r, b_init, b_rcvr, b_pi, b_pr, row, ub) -> None:
    """Mean utility to each actor of the state after each bargain (``brgnUtil``):
    ``row[a]`` sums a's utility of every current position, ``ub[a, b]`` is the mean
    after bargain b replaces its two parties' positions."""
    n = x.shape[0]
    ra = opts[OPT_RA]
    for a in range(n):
        ra_a = est_risk(ra, big_r[a], big_r[a])
        acc = 0.0
        for m in range(n):
            acc = acc + bs_util(d[a, m], ra_a)
        row[a] = acc
        for b in range(b_init.shape[0]):
            if b_init[b] < 0:
                continue
            u_i = bs_util(bv_diff(x[a], b_pi[b], s[a]), big_r[a])
            u_j = bs_util(bv_diff(x[a], b_pr[b], s[a]), big_r[a])
            rest = row[a] - bs_util(d[a, b_init[b]], ra_a) - bs_util(d[a, b_rcvr[b]], ra_a)
            ub[a, b] = (u_i + u_j + rest) / n


@njit(cache=True, error_model="numpy")
def _resolve(opts, x, c, b_init, b_rcvr, b_pi, b_pr, row, ub, draws, x_new) -> int:
    """Each actor's bargains (and the status quo) compete in a PCE; the most likely
    one is adopted (``SMPState::updateBestBrgnPositions``). Returns an error code."""
    n, dims = x.shape
    nb = b_init.shape[0]
    opt = np.empty(nb + 1, dtype=np.int64)
    err = ERR_NONE
    for k in range(n):
        n_opt = _zero(n) + 1
        opt[0] = -1  # status quo
        for b in range(nb):
            if b_init[b] >= 0 and (b_init[b] == k or b_rcvr[b] == k):
                opt[n_opt] = b
                n_opt += 1
        for dd in range(dims):
            x_new[k, dd] = x[k, dd]
        if n_opt == 1:
            continue
        u = np.empty((n, n_opt))
        for a in range(n):
            u[a, 0] = row[a] / n
            for q in range(1, n_opt):
                u[a, q] = ub[a, opt[q]]
        cltn = np.empty((n_opt, n_opt))
        pv = np.empty((n_opt, n_opt))
        p = np.empty(n_opt)
        coalitions(opts[OPT_VR], c, u, n_opt, cltn)
        if pce(opts[OPT_VPM], opts[OPT_PCEM], cltn, n_opt, pv, p) != ERR_NONE:
            err = ERR_MARKOV
        pick = 0
        if opts[OPT_STM] == STM_DETERMINISTIC:
            best = -1.0
            for q in range(n_opt):
                if best < abs(p[q]):
                    best = abs(p[q])
                    pick = q
        else:  # PRNG::probSel with a pre-drawn uniform
            acc = 0.0
            pick = n_opt - 1
            for q in range(n_opt):
                acc = acc + p[q]
                if draws[k] <= acc:
                    pick = q
                    break
        b = opt[pick]
        if b < 0:
            continue
        if b_init[b] == k:
            for dd in range(dims):
                x_new[k, dd] = b_pi[b, dd]
        else:
            for dd in range(dims):
                x_new[k, dd] = b_pr[b, dd]
    return err


@njit(cache=True, error_model="numpy")
def _distances(x, s, d) -> None:
    n = x.shape[0]
    for i in range(n):
        for j in range(n):
            d[i, j] = bv_diff(x[i], x[j], s[i])


@njit(cache=True, error_model="numpy")
def _state_dist(a, b) -> float:
    tot = 0.0
    for i in range(a.shape[0]):
        acc = 0.0
        for k in range(a.shape[1]):
            dd = a[i, k] - b[i, k]
            acc += dd * dd
        tot = tot + math.sqrt(acc)
    return tot


@njit(cache=True, error_model="numpy", nogil=True)
def run_one(
    opts, x0, s, c, tol, min_sig, min_rounds, max_rounds, pos_tol, draws, traj, win, fcast
) -> tuple[int, int]:
    """Run one scenario to its stopping rule; returns (rounds, error code).

    ``traj`` (max_rounds + 1, actors, dims), ``win`` (max_rounds + 1, actors) and
    ``fcast`` (max_rounds + 1, dims) are filled up to the last state and carry it
    forward after.
    """
    n, dims = x0.shape
    stot = np.empty(n)
    for i in range(n):
        acc = 0.0
        for k in range(dims):
            acc = acc + s[i, k]
        stot[i] = acc
    d = np.empty((n, n))
    big_r = np.empty(n)
    work_u = np.empty((n, n))
    cltn = np.empty((n, n))
    pv = np.empty((n, n))
    p = np.empty(n)
    per = 2 if opts[OPT_BM] == BM_INIT_RCVR else 1
    b_init = np.empty(n * per, dtype=np.int64)
    b_rcvr = np.empty(n * per, dtype=np.int64)
    b_pi = np.zeros((n * per, dims))
    b_pr = np.zeros((n * per, dims))
    row = np.empty(n)
    ub = np.zeros((n, n * per))
    traj[0] = x0
    err = ERR_NONE
    t = 0
    d01 = 0.0
    while True:
        x = traj[t]
        _distances(x, s, d)
        e1 = _risk_attitudes(opts, c, d, n, work_u, cltn, pv, p, big_r)
        uniq, nu, e2 = _state_prob(opts, x, c, d, big_r, pos_tol, work_u, cltn, pv, p, win[t])
        if e1 != ERR_NONE or e2 != ERR_NONE:
            err = ERR_MARKOV
        for k in range(dims):
            acc = 0.0
            for q in range(nu):
                acc += p[q] * x[uniq[q], k]
            fcast[t, k] = acc
        if err != ERR_NONE:
            break
        if t >= 1:
            # smpStopFn: stop when the last step is small next to the first one
            if t == 1:
                d01 = _state_dist(traj[0], traj[1]) + min_sig
            ratio = _state_dist(traj[t], traj[t - 1]) / d01
            if max_rounds <= t or (min_rounds <= t and ratio < tol):
                break
        if t >= max_rounds:
            break
        # one round: challenges and bargains, then each actor's bargains resolved
        b_init[:] = -1
        b_rcvr[:] = -1
        _bargains(opts, x, s, c, stot, d, big_r, b_init, b_rcvr, b_pi, b_pr)
        _bargain_utils(opts, x, s, d, big_r, b_init, b_rcvr, b_pi, b_pr, row, ub)
        if _resolve(opts, x, c, b_init, b_rcvr, b_pi, b_pr, row, ub, draws[t], traj[t + 1]):
            err = ERR_MARKOV
        t += 1
    for q in range(t + 1, traj.shape[0]):
        traj[q] = traj[t]
        win[q] = win[t]
        fcast[q] = fcast[t]
    return t, err
