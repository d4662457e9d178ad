"""Reader for the DEU III table: EU legislative decisions as a many-issue scenario.

*Decision-making in the European Union III* (Arregui & Perarnaud 2021,
doi:10.34810/data53) records, for each controversial issue of a legislative
proposal, the position (0-100) and salience (0-100) of the Commission (``com``),
the European Parliament (``ep``) and each member state, the reference point
``rp`` and the decision outcome ``out``. The tab-separated file read here has one
row per issue (``isnr``) with the proposal (``prnr``), the procedure (``proc``:
COD co-decision, CNS consultation), the Council's voting rule (``counvte``: QMV
or Unan) and the dates of the proposal (``intro``) and of the final act
(``finact``). A row without ``prnr`` and ``isnr`` holding numbers is the GDP row
that the repository which prepared the file added (USD trillion; it gives ``com``
and ``ep`` the value of the largest member).

Each issue becomes one issue of a single scenario; an actor with a blank position
has no stake in it. Capability is a modelling choice (:data:`CAPABILITY_SCHEMES`):

``council`` (default)
    The member state's Council voting weight under the rules in force on the
    proposal's date (:data:`REGIMES`): the pre-Nice weights of Art. 205(2) TEC
    (EU-15, total 87) until 30 April 2004; the transitional weights of the 2003
    Act of Accession (EU-25, total 124) from 1 May to 31 October 2004; the Nice
    weights from 1 November 2004 (EU-25 321, EU-27 345 from 2007, EU-28 352 from
    July 2013); from 1 November 2014 the Lisbon double majority, for which a
    state's capability is its share of the EU population (per cent, the 2016
    figures of Council Decision 2015/2393). A state that joined between the
    proposal and the decision and holds a position gets the weight its accession
    gave it under the same system (capability 0 when that system has none:
    ``no-weight-at-proposal`` below); a state that joined after the decision gets 0
    (``not-a-member``, under every scheme). Under unanimity the weights are kept
    (``unanimity='weights'``) or every state gets the mean weight of the states
    present (``unanimity='equal'``: each holds a veto). The Commission gets
    ``com`` times, and the Parliament ``ep_cod`` (co-decision) or ``ep_cns``
    (consultation) times, the largest member state's capability on that issue.
    Defaults 1, 1 and 0: the Parliament is a co-legislator under co-decision
    (Art. 251 TEC, Art. 294 TFEU) and only consulted under consultation, and with
    every member state present the Council holds 76-92% of the total, in line
    with the finding that variants giving the Commission and the Parliament less
    power than the Council forecast better (Thomson & Hosli 2006; Thomson 2011,
    ch. 8). The multipliers are our choice, not a published specification.
``equal``
    Every actor with a position has capability 1 (0 for a state not yet a member).
``gdp``
    The GDP row (the ``com`` and ``ep`` values as the file gives them).

Why ``council`` is the default: it is the institutional measure of bargaining
weight the DEU literature builds its capability-weighted models on (Thomson,
Stokman, Achen & König 2006, *The European Union Decides*; Thomson 2011,
*Resolving Controversy in the European Union*), it is defined by the treaties
for every issue, and it is known before the decision. ``equal`` reproduces the
file's documented benchmark (salience-weighted mean, MAE 21.4 over 180 issues);
``gdp`` rests on a row the DEU authors did not collect.

Salience 0-100 becomes 0-1.

Reading real files: quirks
--------------------------
The public DEU III files carry habits of the people and tools that wrote them. The
reader reads each by the rule below, records it as a
:class:`~crossroads.scenario.peers.quirks.Quirk` of the kind named (the table's
``quirks``; the command line prints their summary), and refuses only what it
cannot read at all.

``date-swapped``
    Dates come as ``DD-MM-YY``, ``DD-MM-YYYY`` or ``YYYY-MM-DD`` (``/`` and ``.``
    also separate). ``YYYY-MM-DD`` is, in DEU III, usually a ``DD-MM-YY`` date a
    spreadsheet read as ``YY-MM-DD``: ``2014-07-04`` is 14 July 2004 (day and year
    swapped), ``1930-05-01`` is 30 May 2001. Such a cell has two readings, the
    swapped one and the ISO one. A proposal date (``intro``) takes the reading that
    falls in the proposal's year (the two digits after the letter of ``prnr``),
    else the one in the next year (``intro-next-year``), the swapped reading first
    when both do. A final-act date (``finact``) takes the swapped reading when it is
    a valid date not before the proposal and not after today, else the ISO reading
    under the same test; when a reading falls within the period the Council rules
    cover (:data:`REGIMES`, to 31 January 2020), readings after it are not
    considered. Every swapped reading taken is a ``date-swapped`` quirk; ``999``,
    ``.`` or a blank means no final act.
``date-ambiguous``
    Both readings of a ``YYYY-MM-DD`` cell pass the test; the rule above chose one,
    the quirk names the other.
``intro-next-year``
    A proposal is numbered by the year of its Commission document and can reach the
    Council early in the next year (a ``d95...`` proposal introduced in February
    1996): a proposal date in the year after the number's is read as written. A date
    in any other year is refused.
``vote-form``, ``proc-form``
    ``QMV(10)`` and other ``QMV(n)``/``Unan(n)`` (a count in brackets), any case
    (``qmv``, ``UNAN``) and ``Unanimity`` are read as ``QMV`` or ``Unan``; ``cod`` and
    ``cns`` as ``COD`` and ``CNS``. Other rules and procedures are refused.
``isnr-prefix``, ``isnr-form``
    An issue id (``isnr``) is the proposal number, ``i`` and the issue's number. When
    its prefix differs from the row's ``prnr`` (a typo in the source), or it is not of
    that form at all, the id is kept as written, the issue belongs to the proposal in
    ``prnr`` (cross-validation folds and the title use it), and the quirk names both.
``not-a-member``
    A member state that holds a position on an issue but joined the EU after the
    decision (the final act, or the proposal when there is none; accession dates in
    :data:`ACCESSION`) had no vote in the Council then. Its stake is kept (position
    and salience, for the record) with capability 0 under every scheme.
``no-weight-at-proposal``
    A state that joined between the proposal and the decision and for which the
    weighting system of the proposal's date has no weight (Bulgaria on a pre-Nice
    proposal) gets capability 0 under ``council`` with ``weights_at='proposal'``; with
    ``weights_at='decision'`` it gets its weight then.
``salience-blank``
    A position with a blank salience (17 cells in ``deu3-dev.tsv``) is read as
    salience 0 and the stake's ``note`` says so.
``decimal-comma``
    ``0,5`` in a number cell is read as 0.5 (:func:`~crossroads.scenario.peers.table.number`).

Refused, with the file, the line and the column: a row with fewer cells than the
header (a truncated row; the message names the first missing column), a row with
more non-empty cells than the header, a cell that is no number or date in any
reading, a proposal date in neither its number's year nor the next, a final act
before the proposal in every reading, duplicate issue ids, and the other checks of
:func:`read_deu3_table`.

References
----------
Arregui, J. & Perarnaud, C. (2021). *The Decision-making in the European Union
(DEU III) dataset*. CORA/Repositori de Dades de Recerca, doi:10.34810/data53.
Thomson, R. & Hosli, M. (2006). Who has power in the EU? *JCMS* 44(2), 391-417.
Thomson, R. (2011). *Resolving Controversy in the European Union*. Cambridge UP.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from crossroads.errors import ScenarioError
from crossroads.scenario.peers.quirks import QuirkReport
from crossroads.scenario.peers.table import number, read_rows
from crossroads.scenario.schema import Scenario
from crossroads.scenario.yaml_loader import read_text, validate_data

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ACCESSION",
    "ACTORS",
    "CAPABILITY_SCHEMES",
    "Deu3Table",
    "REGIMES",
    "Regime",
    "SOURCES",
    "capabilities",
    "looks_like_deu3",
    "proposal_of",
    "read_deu3",
    "read_deu3_table",
    "read_deu3_with_quirks",
    "regime_at",
    "to_scenario",
]

CapabilityScheme = Literal["council", "equal", "gdp"]
#: Capability schemes :func:`read_deu3` offers.
CAPABILITY_SCHEMES: tuple[str, ...] = ("council", "equal", "gdp")

#: DEU actor code -> (display name, ISO 3166 alpha-3 or None for an institution).
ACTORS: dict[str, tuple[str, str | None]] = {
    "com": ("European Commission", None),
    "ep": ("European Parliament", None),
    "at": ("Austria", "AUT"),
    "be": ("Belgium", "BEL"),
    "bu": ("Bulgaria", "BGR"),
    "cr": ("Croatia", "HRV"),
    "cy": ("Cyprus", "CYP"),
    "cz": ("Czech Republic", "CZE"),
    "dk": ("Denmark", "DNK"),
    "ee": ("Estonia", "EST"),
    "fi": ("Finland", "FIN"),
    "fr": ("France", "FRA"),
    "de": ("Germany", "DEU"),
    "el": ("Greece", "GRC"),
    "hu": ("Hungary", "HUN"),
    "ie": ("Ireland", "IRL"),
    "it": ("Italy", "ITA"),
    "lv": ("Latvia", "LVA"),
    "lt": ("Lithuania", "LTU"),
    "lu": ("Luxembourg", "LUX"),
    "mt": ("Malta", "MLT"),
    "nl": ("Netherlands", "NLD"),
    "pl": ("Poland", "POL"),
    "pt": ("Portugal", "PRT"),
    "ro": ("Romania", "ROU"),
    "si": ("Slovenia", "SVN"),
    "sk": ("Slovakia", "SVK"),
    "es": ("Spain", "ESP"),
    "se": ("Sweden", "SWE"),
    "uk": ("United Kingdom", "GBR"),
}
_INSTITUTIONS = ("com", "ep")

#: Date each member state joined the European Communities / EU (treaties of accession).
ACCESSION: dict[str, dt.date] = {
    **dict.fromkeys(("be", "de", "fr", "it", "lu", "nl"), dt.date(1958, 1, 1)),
    **dict.fromkeys(("dk", "ie", "uk"), dt.date(1973, 1, 1)),
    "el": dt.date(1981, 1, 1),
    **dict.fromkeys(("es", "pt"), dt.date(1986, 1, 1)),
    **dict.fromkeys(("at", "fi", "se"), dt.date(1995, 1, 1)),
    **dict.fromkeys(("cy", "cz", "ee", "hu", "lv", "lt", "mt", "pl", "si", "sk"),
                    dt.date(2004, 5, 1)),
    **dict.fromkeys(("bu", "ro"), dt.date(2007, 1, 1)),
    "cr": dt.date(2013, 7, 1),
}  # fmt: skip

# --- Council voting rules ----------------------------------------------------------------

_EU15 = ("at", "be", "dk", "fi", "fr", "de", "el", "ie", "it", "lu", "nl", "pt", "es", "se", "uk")
_EU25 = _EU15 + ("cy", "cz", "ee", "hu", "lv", "lt", "mt", "pl", "si", "sk")
_EU27 = _EU25 + ("bu", "ro")
_EU28 = _EU27 + ("cr",)

# Art. 205(2) TEC (1995-2004) and, for the ten 2004 members, the 2003 Act of Accession,
# Art. 26 (1 May - 31 October 2004). Totals 87 (EU-15) and 124 (EU-25).
_PRE_NICE = {
    "de": 10, "fr": 10, "it": 10, "uk": 10, "es": 8, "be": 5, "el": 5, "nl": 5, "pt": 5,
    "at": 4, "se": 4, "dk": 3, "fi": 3, "ie": 3, "lu": 2,
    "pl": 8, "cz": 5, "hu": 5, "ee": 3, "lv": 3, "lt": 3, "si": 3, "sk": 3, "cy": 2, "mt": 2,
}  # fmt: skip
# Protocol on the enlargement of the EU (Treaty of Nice), Art. 3, from 1 November 2004;
# Bulgaria and Romania from 1 January 2007; Croatia from 1 July 2013 (2012 Act of
# Accession, Art. 20, replacing Art. 3(3) of Protocol No 36). Totals 321 / 345 / 352.
_NICE = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "ro": 14, "nl": 13,
    "be": 12, "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "se": 10, "bu": 10,
    "dk": 7, "ie": 7, "lt": 7, "sk": 7, "fi": 7, "cr": 7,
    "cy": 4, "ee": 4, "lv": 4, "lu": 4, "si": 4, "mt": 3,
}  # fmt: skip
# Lisbon double majority (Art. 16(4) TEU, Art. 238(3) TFEU) from 1 November 2014: each
# state's share (%) of the EU population for 2016, Council Decision (EU, Euratom)
# 2015/2393 amending Annex III of the Council's Rules of Procedure (total 508,940,955).
_POPULATION_2016 = {
    "de": 15.93, "fr": 13.04, "uk": 12.73, "it": 12.07, "es": 9.12, "pl": 7.47, "ro": 3.90,
    "nl": 3.37, "be": 2.21, "el": 2.13, "cz": 2.05, "pt": 2.04, "hu": 1.94, "se": 1.92,
    "at": 1.69, "bu": 1.42, "dk": 1.11, "fi": 1.08, "sk": 1.06, "ie": 0.91, "cr": 0.83,
    "lt": 0.57, "si": 0.41, "lv": 0.39, "ee": 0.26, "cy": 0.17, "lu": 0.11, "mt": 0.08,
}  # fmt: skip


@dataclass(frozen=True)
class Regime:
    """The Council's weighting rule over a period.

    Attributes
    ----------
    id : str
        Short name, e.g. ``nice-27``.
    start, end : datetime.date
        First and last day the rule applied (inclusive).
    members : tuple of str
        DEU codes of the member states in that period.
    weights : dict
        Weight of every state the weighting system covers, including states that
        joined later under the same system (their accession weight).
    rule : str
        What the weights are (votes or population share).
    source : str
        Id of the entry in :data:`SOURCES`.
    """

    id: str
    start: dt.date
    end: dt.date
    members: tuple[str, ...]
    weights: dict[str, float]
    rule: str
    source: str


#: The Council's weighting rules, in time order (first day 1 January 1995).
REGIMES: tuple[Regime, ...] = (
    Regime("pre-nice-15", dt.date(1995, 1, 1), dt.date(2004, 4, 30), _EU15, _PRE_NICE,
           "weighted votes, total 87, QMV 62", "tec-205"),
    Regime("pre-nice-25", dt.date(2004, 5, 1), dt.date(2004, 10, 31), _EU25, _PRE_NICE,
           "weighted votes, total 124, QMV 88", "accession-2003"),
    Regime("nice-25", dt.date(2004, 11, 1), dt.date(2006, 12, 31), _EU25, _NICE,
           "weighted votes, total 321, QMV 232", "nice-protocol"),
    Regime("nice-27", dt.date(2007, 1, 1), dt.date(2013, 6, 30), _EU27, _NICE,
           "weighted votes, total 345, QMV 255", "nice-protocol"),
    Regime("nice-28", dt.date(2013, 7, 1), dt.date(2014, 10, 31), _EU28, _NICE,
           "weighted votes, total 352, QMV 260", "accession-2012"),
    Regime("lisbon-28", dt.date(2014, 11, 1), dt.date(2020, 1, 31), _EU28, _POPULATION_2016,
           "double majority: 55% of states and 65% of population; capability = population "
           "share (%)", "lisbon"),
)  # fmt: skip

#: Sources the scenarios read from a DEU III file cite.
SOURCES: list[dict[str, Any]] = [
    {"id": "deu3", "title": "Decision-making in the European Union III (DEU III) dataset",
     "author": "Arregui, J. and Perarnaud, C.", "year": 2021,
     "url": "https://doi.org/10.34810/data53",
     "note": "positions, saliences, reference points and outcomes per controversial issue"},
    {"id": "tec-205", "title": "Treaty establishing the European Community (Amsterdam "
     "consolidation), Art. 205(2) (ex 148(2)): weighting of votes in the Council",
     "note": "EU-15 weights 1995-2004: DE FR IT UK 10, ES 8, BE EL NL PT 5, AT SE 4, "
     "DK FI IE 3, LU 2; total 87, qualified majority 62"},
    {"id": "accession-2003", "title": "Act of Accession 2003 (OJ L 236, 23.9.2003), Art. 26: "
     "weighting of votes from 1 May to 31 October 2004",
     "note": "adds PL 8, CZ HU 5, EE LV LT SI SK 3, CY MT 2; total 124, qualified majority 88"},
    {"id": "nice-protocol", "title": "Treaty of Nice, Protocol on the enlargement of the "
     "European Union, Art. 3 (weighting of votes from 1 November 2004), with the 2005 Act "
     "of Accession of Bulgaria and Romania",
     "note": "DE FR IT UK 29, ES PL 27, RO 14, NL 13, BE CZ EL HU PT 12, AT SE BG 10, "
     "DK IE LT SK FI 7, CY EE LV LU SI 4, MT 3; totals 321 (EU-25), 345 (EU-27); "
     "tabulated by CVCE, 'Evolution of qualified majority voting in the Council'"},
    {"id": "accession-2012", "title": "Act of Accession of Croatia (OJ L 112, 24.4.2012), "
     "Art. 20, replacing Art. 3(3) of Protocol No 36 on transitional provisions",
     "note": "HR 7; total 352, qualified majority 260, until 31 October 2014"},
    {"id": "lisbon", "title": "Treaty on European Union Art. 16(4) and TFEU Art. 238(2)-(3) "
     "(double majority from 1 November 2014; Protocol No 36, Art. 3(2), until 31 March "
     "2017); population figures for 2016: Council Decision (EU, Euratom) 2015/2393 "
     "(OJ L 332, 18.12.2015), Annex III of the Council's Rules of Procedure",
     "note": "population shares (%) of 2016 used for every proposal from November 2014; "
     "reported by Agence Europe, Europe Daily Bulletin 11449, 9 December 2015"},
    {"id": "thomson-2011", "title": "Resolving Controversy in the European Union: "
     "Legislative Decision-Making before and after Enlargement",
     "author": "Thomson, R.", "publisher": "Cambridge University Press", "year": 2011,
     "note": "ch. 8: the Commission and the Parliament have considerably less power than "
     "the Council (capability weighting of the compromise model)"},
    {"id": "thomson-hosli-2006", "title": "Who has power in the EU? The Commission, Council "
     "and Parliament in legislative decision-making", "author": "Thomson, R. and Hosli, M.",
     "publisher": "Journal of Common Market Studies 44(2), 391-417", "year": 2006,
     "note": "the Council-centric variant of the bargaining model forecasts better"},
]  # fmt: skip

_META_REQUIRED = ("prnr", "isnr", "proc", "counvte", "intro", "rp", "out")
_META_OPTIONAL = ("prnrnmc", "isnrnmc", "prname", "type", "council", "proccde", "issues", "finact")
_PROCEDURES = ("COD", "CNS")
_VOTING = ("QMV", "Unan")


def regime_at(day: dt.date) -> Regime:
    """The Council weighting rule in force on ``day``.

    Raises
    ------
    ValueError
        When ``day`` falls outside 1995-01-01 .. 2020-01-31 (no rule tabulated).
    """
    for r in REGIMES:
        if r.start <= day <= r.end:
            return r
    raise ValueError(
        f"no Council weights tabulated for {day.isoformat()} (covered: "
        f"{REGIMES[0].start.isoformat()} to {REGIMES[-1].end.isoformat()})"
    )


def looks_like_deu3(text: str) -> bool:
    """True when the first line is a DEU III header (``prnr``, ``isnr``, ``pcom``, ``out``)."""
    first = text.splitlines()[0] if text.splitlines() else ""
    cols = {c.strip().lower() for c in first.split("\t")}
    return {"prnr", "isnr", "out"} <= cols and any(
        c.startswith("p") and c[1:] in ACTORS for c in cols
    )


def proposal_of(issue_id: str) -> str:
    """The proposal (``prnr``) of a DEU III issue id (``isnr`` = prnr + 'i' + number)."""
    m = re.fullmatch(r"(.+)i\d+", issue_id)
    return m.group(1) if m else issue_id


@dataclass(frozen=True)
class Deu3Table:
    """A DEU III file as arrays, before capabilities are chosen.

    Attributes
    ----------
    label : str
        The file as the user named it.
    actors : list of str
        DEU codes of the actor columns, in file order.
    meta : DataFrame
        One row per issue (index ``issue`` = ``isnr``): ``proposal`` (``prnr``),
        ``number`` (the issue's number in its id), ``name``, ``type``,
        ``council``, ``proc``, ``vote``, ``intro``, ``finact`` (dates or None),
        ``regime`` (id of the Council rule on the proposal's date), ``regime_decision``
        (on the final act's date, else the proposal's), ``rp``, ``out`` (NaN when blank),
        ``line`` (1-based line in the file).
    position : ndarray of shape (issues, actors)
        0-100; NaN where the actor has no position.
    salience : ndarray of shape (issues, actors)
        0-1; 0 where the actor has no position or the cell is blank.
    salience_blank : ndarray of bool, shape (issues, actors)
        True where a position has a blank salience.
    gdp : ndarray of shape (actors,) or None
        The GDP row, when the file has one.
    gdp_line : int or None
    nonmember : ndarray of bool, shape (issues, actors), optional
        True where a state with a position was not an EU member on the decision date
        (capability 0 under every scheme; quirk ``not-a-member``).
    quirks : QuirkReport
        What the reader met and read by a documented rule (module docstring).
    """

    label: str
    actors: list[str]
    meta: pd.DataFrame
    position: np.ndarray
    salience: np.ndarray
    salience_blank: np.ndarray
    gdp: np.ndarray | None
    gdp_line: int | None
    nonmember: np.ndarray | None = None
    quirks: QuirkReport = field(default_factory=QuirkReport)

    @property
    def issues(self) -> list[str]:
        """Issue ids (``isnr``) in file order."""
        return list(self.meta.index)

    @property
    def mask(self) -> np.ndarray:
        """True where the actor has a position, shape (issues, actors)."""
        return ~np.isnan(self.position)


# --- dates -------------------------------------------------------------------------------


def _century(yy: int) -> int:
    return 1900 + yy if yy >= 50 else 2000 + yy


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _date_readings(text: str) -> tuple[dt.date | None, dt.date | None] | None:
    """(plain, swapped) readings of a date cell; None when the text is no date at all.

    ``DD-MM-YY`` and ``DD-MM-YYYY`` have one reading (plain). ``YYYY-MM-DD`` has the ISO
    reading (plain) and the reading of a ``DD-MM-YY`` date taken for ``YY-MM-DD``
    (swapped): day = YYYY mod 100, year = the two digits of DD.
    """
    m = re.fullmatch(r"(\d{1,2})[-./](\d{1,2})[-./](\d{2}|\d{4})", text)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
        year = _century(int(y)) if len(y) == 2 else int(y)
        return _safe_date(year, mo, d), None
    m = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})", text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return _safe_date(y, mo, d), _safe_date(_century(d), mo, y % 100)
    return None


def _proposal_year(prnr: str) -> int | None:
    m = re.fullmatch(r"[A-Za-z](\d{2})\d+", prnr)
    return _century(int(m.group(1))) if m else None


_DATE_FORMS = "DD-MM-YY, DD-MM-YYYY or YYYY-MM-DD"


def _pick(
    cell: str,
    candidates: list[tuple[dt.date, bool]],
    column: str,
    label: str,
    line: int,
    quirks: QuirkReport,
) -> dt.date:
    """The first candidate (date, swapped?); quirks for a swapped or an ambiguous reading."""
    day, swapped = candidates[0]
    if swapped:
        quirks.add(
            "date-swapped", label, line, column,
            f"{cell!r} read as {day.isoformat()} (a DD-MM-YY date taken for YY-MM-DD)",
        )  # fmt: skip
    others = [d for d, _ in candidates[1:] if d != day]
    if others:
        quirks.add(
            "date-ambiguous", label, line, column,
            f"{cell!r} read as {day.isoformat()} ({'swapped' if swapped else 'ISO'}); "
            f"{others[0].isoformat()} would also fit",
        )  # fmt: skip
    return day


def _intro_date(cell: str, prnr: str, label: str, line: int, quirks: QuirkReport) -> dt.date:
    readings = _date_readings(cell)
    if readings is None or readings == (None, None):
        raise ScenarioError(
            f"must be a date ({_DATE_FORMS}), got {cell!r}", file=label, line=line, field="intro"
        )
    plain, swapped = readings
    valid = [(d, sw) for d, sw in ((swapped, True), (plain, False)) if d is not None]
    year = _proposal_year(prnr)
    if year is None:
        return _pick(cell, valid, "intro", label, line, quirks)
    same = [c for c in valid if c[0].year == year]
    following = [c for c in valid if c[0].year == year + 1]
    if same:
        return _pick(cell, same + following, "intro", label, line, quirks)
    if following:
        day = _pick(cell, following, "intro", label, line, quirks)
        quirks.add(
            "intro-next-year", label, line, "intro",
            f"proposal '{prnr}' introduced on {day.isoformat()}, in the year after its "
            "number's; read as written",
        )  # fmt: skip
        return day
    shown = " or ".join(d.isoformat() for d, _ in valid)
    raise ScenarioError(
        f"date {cell!r} (read as {shown}) falls neither in {year}, the year of proposal "
        f"'{prnr}', nor in {year + 1}",
        file=label,
        line=line,
        field="intro",
    )


def _final_date(
    cell: str, intro: dt.date, label: str, line: int, quirks: QuirkReport
) -> dt.date | None:
    if cell in ("", "999", "."):
        return None
    readings = _date_readings(cell)
    if readings is None or readings == (None, None):
        raise ScenarioError(
            f"must be a date ({_DATE_FORMS}) or 999 for none, got {cell!r}",
            file=label,
            line=line,
            field="finact",
        )
    plain, swapped = readings
    today = dt.date.today()
    fits = [
        (d, sw)
        for d, sw in ((swapped, True), (plain, False))
        if d is not None and intro <= d <= today
    ]
    if not fits:
        shown = " or ".join(d.isoformat() for d in (swapped, plain) if d is not None)
        raise ScenarioError(
            f"final act {cell!r} (read as {shown}) is dated before the proposal "
            f"({intro.isoformat()}) or after today",
            file=label,
            line=line,
            field="finact",
        )
    covered = [c for c in fits if c[0] <= REGIMES[-1].end]
    return _pick(cell, covered or fits, "finact", label, line, quirks)


# --- reading -----------------------------------------------------------------------------


def _header(header: list[str], label: str, line: int) -> tuple[dict[str, int], list[str]]:
    lower = [h.strip().lower() for h in header]
    cols: dict[str, int] = {}
    for i, name in enumerate(lower):
        if name in cols:
            raise ScenarioError(
                f"column '{name}' appears twice", file=label, line=line, field=header[i]
            )
        cols[name] = i
    for name in _META_REQUIRED:
        if name not in cols:
            raise ScenarioError(
                f"no '{name}' column; a DEU III file needs {', '.join(_META_REQUIRED)} and "
                "p<actor>/s<actor> columns",
                file=label,
                line=line,
                field=name,
            )
    actors: list[str] = []
    for i, name in enumerate(lower):
        if name in _META_REQUIRED or name in _META_OPTIONAL:
            continue
        kind, code = name[:1], name[1:]
        if kind not in ("p", "s") or code not in ACTORS:
            raise ScenarioError(
                f"unknown column '{header[i]}'; actor columns are p<code> and s<code> with "
                f"code one of {', '.join(ACTORS)}",
                file=label,
                line=line,
                field=header[i],
            )
        if kind == "p":
            if "s" + code not in cols:
                raise ScenarioError(
                    f"position column '{header[i]}' has no salience column 's{code}'",
                    file=label,
                    line=line,
                    field=header[i],
                )
            actors.append(code)
        elif "p" + code not in cols:
            raise ScenarioError(
                f"salience column '{header[i]}' has no position column 'p{code}'",
                file=label,
                line=line,
                field=header[i],
            )
    if not actors:
        raise ScenarioError(
            "no actor columns (p<code>/s<code>)", file=label, line=line, field="pcom"
        )
    return cols, actors


def _cell(cells: list[str], cols: dict[str, int], name: str) -> str:
    i = cols.get(name)
    return cells[i] if i is not None and i < len(cells) else ""


def _scaled(cell: str, label: str, line: int, field: str, what: str, quirks: QuirkReport) -> float:
    value = number(cell, label, line, field, quirks)
    if not 0 <= value <= 100:
        raise ScenarioError(
            f"{what} must lie in 0-100, got {value:g}", file=label, line=line, field=field
        )
    return value


_VOTE_FORM = re.compile(r"(?i)\s*(qmv|unan|unanimity)\s*(\(\s*\d+\s*\))?\s*")


def _vote(cell: str, label: str, line: int, quirks: QuirkReport) -> str:
    m = _VOTE_FORM.fullmatch(cell)
    if m is None:
        raise ScenarioError(
            f"Council voting rule must be one of {', '.join(_VOTING)} (or QMV(n), Unan(n)), "
            f"got {cell!r}",
            file=label,
            line=line,
            field="counvte",
        )
    vote = "QMV" if m.group(1).lower() == "qmv" else "Unan"
    if cell != vote:
        quirks.add("vote-form", label, line, "counvte", f"{cell!r} read as {vote}")
    return vote


def _procedure(cell: str, label: str, line: int, quirks: QuirkReport) -> str:
    proc = cell.strip().upper()
    if proc not in _PROCEDURES:
        raise ScenarioError(
            f"procedure must be one of {', '.join(_PROCEDURES)}, got {cell!r}",
            file=label,
            line=line,
            field="proc",
        )
    if cell != proc:
        quirks.add("proc-form", label, line, "proc", f"{cell!r} read as {proc}")
    return proc


def _issue_number(prnr: str, isnr: str, label: str, line: int, quirks: QuirkReport) -> str:
    """The issue's number within its proposal, from ``isnr`` (quirks for a typo)."""
    m = re.fullmatch(r"(.+)i(\d+)", isnr)
    if m and m.group(1) == prnr:
        return m.group(2)
    if m:
        quirks.add(
            "isnr-prefix", label, line, "isnr",
            f"issue id {isnr!r} does not start with its proposal number {prnr!r}; id kept, "
            f"issue read as issue {m.group(2)} of proposal {prnr!r}",
        )  # fmt: skip
        return m.group(2)
    quirks.add(
        "isnr-form", label, line, "isnr",
        f"issue id {isnr!r} is not the proposal number {prnr!r}, 'i' and a number; id kept, "
        f"issue read as part of proposal {prnr!r}",
    )  # fmt: skip
    return isnr


def _row_width(cells: list[str], header: list[str], label: str, line: int) -> list[str]:
    width = len(header)
    while len(cells) > width and cells[-1] == "":
        cells = cells[:-1]
    if len(cells) > width:
        raise ScenarioError(
            f"row has {len(cells)} cells; the header has {width}", file=label, line=line
        )
    if len(cells) < width:
        raise ScenarioError(
            f"row has {len(cells)} cells; the header has {width}: a truncated row, missing "
            f"'{header[len(cells)]}' and every column after it (a row keeps a tab for each "
            "blank cell)",
            file=label,
            line=line,
            field=header[len(cells)],
        )
    return cells


def _members(day: dt.date) -> set[str]:
    return {a for a, joined in ACCESSION.items() if joined <= day}


def read_deu3_table(path: str | Path, label: str | None = None) -> Deu3Table:
    """Read a DEU III TSV file into a :class:`Deu3Table`.

    Cells read by a documented rule (module docstring, "Reading real files") are
    recorded in the table's ``quirks``.

    Parameters
    ----------
    path : str or Path
    label : str, optional
        The file's name in messages (default: ``path``).

    Raises
    ------
    ScenarioError
        naming the file, the line and the column of the first problem.
    """
    path = Path(path)
    label = label or str(path)
    text = read_text(path, label)
    rows = read_rows(text, label, delimiter="\t", keep_trailing=True)
    quirks = QuirkReport()
    header_line, header = rows[0]
    while header and header[-1] == "":
        header = header[:-1]
    cols, actors = _header(header, label, header_line)
    meta: list[dict[str, Any]] = []
    pos_rows: list[list[float]] = []
    sal_rows: list[list[float]] = []
    blank_rows: list[list[bool]] = []
    out_rows: list[list[bool]] = []
    gdp: np.ndarray | None = None
    gdp_line: int | None = None
    seen: dict[str, int] = {}
    for line, cells in rows[1:]:
        cells = _row_width(cells, header, label, line)
        prnr, isnr = _cell(cells, cols, "prnr"), _cell(cells, cols, "isnr")
        if not prnr and not isnr:
            if gdp is not None:
                raise ScenarioError(
                    f"a second row without prnr and isnr (the GDP row is line {gdp_line}); "
                    "every issue row needs both",
                    file=label,
                    line=line,
                    field="isnr",
                )
            values = []
            for a in actors:
                cell = _cell(cells, cols, "p" + a)
                if cell == "":
                    values.append(np.nan)
                    continue
                v = number(cell, label, line, header[cols["p" + a]], quirks)
                if v < 0:
                    raise ScenarioError(
                        f"GDP must be >= 0, got {v:g}",
                        file=label,
                        line=line,
                        field=header[cols["p" + a]],
                    )
                values.append(v)
            gdp, gdp_line = np.array(values, dtype=float), line
            continue
        for name, value in (("prnr", prnr), ("isnr", isnr)):
            if not value:
                raise ScenarioError(
                    f"{name} is empty (issue rows need prnr and isnr)",
                    file=label,
                    line=line,
                    field=name,
                )
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", isnr):
            raise ScenarioError(
                f"issue number {isnr!r} may hold only letters, digits, '.', '_' and '-'",
                file=label,
                line=line,
                field="isnr",
            )
        if isnr in seen:
            raise ScenarioError(
                f"issue '{isnr}' appears twice (first on line {seen[isnr]})",
                file=label,
                line=line,
                field="isnr",
            )
        seen[isnr] = line
        k = _issue_number(prnr, isnr, label, line, quirks)
        proc = _procedure(_cell(cells, cols, "proc"), label, line, quirks)
        vote = _vote(_cell(cells, cols, "counvte"), label, line, quirks)
        intro = _intro_date(_cell(cells, cols, "intro"), prnr, label, line, quirks)
        finact = _final_date(_cell(cells, cols, "finact"), intro, label, line, quirks)
        try:
            regime = regime_at(intro)
        except ValueError as e:
            raise ScenarioError(str(e), file=label, line=line, field="intro") from None
        decided = finact or intro
        try:
            regime_decision: str | None = regime_at(decided).id
        except ValueError:
            regime_decision = None  # a final act after the tabulated rules
        members = _members(decided)
        rp_cell, out_cell = _cell(cells, cols, "rp"), _cell(cells, cols, "out")
        rp = _scaled(rp_cell, label, line, "rp", "reference point", quirks) if rp_cell else np.nan
        out = _scaled(out_cell, label, line, "out", "outcome", quirks) if out_cell else np.nan
        pos, sal, blank, outside = [], [], [], []
        for a in actors:
            pcell, scell = _cell(cells, cols, "p" + a), _cell(cells, cols, "s" + a)
            pfield, sfield = header[cols["p" + a]], header[cols["s" + a]]
            s = _scaled(scell, label, line, sfield, "salience", quirks) if scell else np.nan
            if pcell == "":
                if scell and s != 0:
                    raise ScenarioError(
                        f"salience {s:g} given without a position; an actor without a "
                        f"position must have a blank or 0 salience",
                        file=label,
                        line=line,
                        field=sfield,
                    )
                pos.append(np.nan)
                sal.append(0.0)
                blank.append(False)
                outside.append(False)
                continue
            pos.append(_scaled(pcell, label, line, pfield, "position", quirks))
            sal.append(0.0 if np.isnan(s) else s / 100.0)
            blank.append(bool(np.isnan(s)))
            if np.isnan(s):
                quirks.add(
                    "salience-blank", label, line, sfield,
                    f"'{a}' has a position but a blank salience; read as salience 0",
                )  # fmt: skip
            not_member = a not in _INSTITUTIONS and a not in members
            outside.append(not_member)
            if not_member:
                quirks.add(
                    "not-a-member", label, line, pfield,
                    f"'{a}' has a position but joined the EU on {ACCESSION[a].isoformat()}, "
                    f"after the decision ({decided.isoformat()}); stake kept with capability 0",
                )  # fmt: skip
            elif a not in _INSTITUTIONS and a not in regime.weights:
                quirks.add(
                    "no-weight-at-proposal", label, line, pfield,
                    f"'{a}' joined the EU on {ACCESSION[a].isoformat()}, after the proposal, "
                    f"and {regime.id} gives it no weight; capability 0 under 'council' with "
                    "weights_at='proposal'",
                )  # fmt: skip
        if all(np.isnan(pos)):
            raise ScenarioError(
                "no actor has a position on this issue", file=label, line=line, field=isnr
            )
        meta.append(
            {
                "issue": isnr,
                "proposal": prnr,
                "number": k,
                "name": _cell(cells, cols, "prname"),
                "type": _cell(cells, cols, "type"),
                "council": _cell(cells, cols, "council"),
                "proc": proc,
                "vote": vote,
                "intro": intro,
                "finact": finact,
                "regime": regime.id,
                "regime_decision": regime_decision,
                "rp": rp,
                "out": out,
                "line": line,
            }
        )
        pos_rows.append(pos)
        sal_rows.append(sal)
        blank_rows.append(blank)
        out_rows.append(outside)
    if not meta:
        raise ScenarioError("no issue rows after the header", file=label, line=header_line)
    import pandas as pd  # only for a DEU III file, not for every scenario load

    df = pd.DataFrame(meta).set_index("issue")
    return Deu3Table(
        label=label,
        actors=actors,
        meta=df,
        position=np.array(pos_rows, dtype=float),
        salience=np.array(sal_rows, dtype=float),
        salience_blank=np.array(blank_rows, dtype=bool),
        gdp=gdp,
        gdp_line=gdp_line,
        nonmember=np.array(out_rows, dtype=bool),
        quirks=quirks,
    )


# --- capabilities ------------------------------------------------------------------------

_REGIME_BY_ID = {r.id: r for r in REGIMES}


def capabilities(
    table: Deu3Table,
    scheme: str = "council",
    *,
    unanimity: str = "weights",
    com: float = 1.0,
    ep_cod: float = 1.0,
    ep_cns: float = 0.0,
    weights_at: str = "proposal",
) -> np.ndarray:
    """Capability of every actor on every issue under one scheme.

    Parameters
    ----------
    table : Deu3Table
    scheme : {'council', 'equal', 'gdp'}
        See the module docstring.
    unanimity : {'weights', 'equal'}
        ``council`` only: under a unanimity vote keep the treaty weights, or give every
        member state present the mean weight of the states present.
    com, ep_cod, ep_cns : float, >= 0
        ``council`` only: the Commission's capability, and the Parliament's under
        co-decision and under consultation, as multiples of the largest member state's
        capability on the issue.
    weights_at : {'proposal', 'decision'}
        ``council`` only: the rule in force on the proposal's date (default) or on the
        final act's date (the proposal's date when there is no final act).

    Returns
    -------
    ndarray of shape (issues, actors)
        NaN where the actor has no position; 0 for a state that was not an EU member on
        the decision date (quirk ``not-a-member``) under every scheme.

    Raises
    ------
    ScenarioError
        For an unknown scheme or option, or ``gdp`` on a file without a GDP row.
    """
    mask = table.mask
    label = table.label
    outside = _outside(table)
    if scheme == "equal":
        out = np.ones(mask.shape)
    elif scheme == "gdp":
        if table.gdp is None:
            raise ScenarioError(
                "capability 'gdp' needs the GDP row (a row without prnr and isnr); this file "
                "has none",
                file=label,
            )
        out = np.broadcast_to(table.gdp, mask.shape).copy()
        bad = mask & ~outside & np.isnan(out)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise ScenarioError(
                f"actor '{table.actors[j]}' has a position on issue '{table.issues[i]}' but no "
                "value in the GDP row",
                file=label,
                line=table.gdp_line,
                field="p" + table.actors[j],
            )
    elif scheme == "council":
        out = _council(
            table, unanimity=unanimity, com=com, ep_cod=ep_cod, ep_cns=ep_cns, weights_at=weights_at
        )
    else:
        raise ScenarioError(
            f"unknown capability scheme '{scheme}'; schemes: {', '.join(CAPABILITY_SCHEMES)}",
            file=label,
        )
    return np.where(mask, np.where(outside, 0.0, out), np.nan)


def _outside(table: Deu3Table) -> np.ndarray:
    if table.nonmember is None:
        return np.zeros(table.position.shape, dtype=bool)
    return table.nonmember


def _council(
    table: Deu3Table, *, unanimity: str, com: float, ep_cod: float, ep_cns: float, weights_at: str
) -> np.ndarray:
    label = table.label
    if unanimity not in ("weights", "equal"):
        raise ScenarioError(
            f"unanimity must be 'weights' or 'equal', got {unanimity!r}", file=label
        )
    if weights_at not in ("proposal", "decision"):
        raise ScenarioError(
            f"weights_at must be 'proposal' or 'decision', got {weights_at!r}", file=label
        )
    for name, v in (("com", com), ("ep_cod", ep_cod), ("ep_cns", ep_cns)):
        if not np.isfinite(v) or v < 0:
            raise ScenarioError(f"{name} must be a finite number >= 0, got {v!r}", file=label)
    meta = table.meta
    regimes = meta["regime" if weights_at == "proposal" else "regime_decision"].to_numpy()
    if weights_at == "decision" and any(r is None for r in regimes):
        i = next(i for i, r in enumerate(regimes) if r is None)
        raise ScenarioError(
            f"no Council weights tabulated for the final act of {table.issues[i]} "
            f"({meta['finact'].iloc[i].isoformat()}; covered: {REGIMES[0].start.isoformat()} "
            f"to {REGIMES[-1].end.isoformat()}); use weights_at='proposal'",
            file=label,
            line=int(meta["line"].iloc[i]),
            field="finact",
        )
    states = np.array([a not in _INSTITUTIONS for a in table.actors])
    out = np.zeros(table.position.shape)
    mask = table.mask & ~_outside(table)
    for rid in dict.fromkeys(regimes):
        rows = np.flatnonzero(regimes == rid)
        reg = _REGIME_BY_ID[rid]
        w = np.array(
            [reg.weights.get(a, np.nan) if a not in _INSTITUTIONS else 0.0 for a in table.actors]
        )
        missing = mask[rows] & np.isnan(w)[None, :]
        if weights_at == "proposal":
            # joined after the proposal, no weight in that system: capability 0, reported
            # by the reader as 'no-weight-at-proposal'
            missing[:] = False
        if missing.any():
            i, j = np.argwhere(missing)[0]
            raise ScenarioError(
                f"actor '{table.actors[j]}' has a position but no Council weight under "
                f"{reg.id} ({reg.start.isoformat()} to {reg.end.isoformat()})",
                file=label,
                line=int(meta["line"].iloc[rows[i]]),
                field="p" + table.actors[j],
            )
        out[rows] = np.nan_to_num(w)[None, :]
    present = mask & states[None, :]
    w_states = np.where(present, out, 0.0)
    if unanimity == "equal":
        unan = meta["vote"].to_numpy() == "Unan"
        n = np.maximum(present.sum(axis=1), 1)
        mean_w = w_states.sum(axis=1) / n
        w_states = np.where(unan[:, None] & present, mean_w[:, None], w_states)
        out = np.where(states[None, :], w_states, out)
    largest = w_states.max(axis=1) if states.any() else np.ones(len(meta))
    cod = meta["proc"].to_numpy() == "COD"
    for j, a in enumerate(table.actors):
        if a == "com":
            out[:, j] = com * largest
        elif a == "ep":
            out[:, j] = np.where(cod, ep_cod, ep_cns) * largest
    return out


# --- scenario ----------------------------------------------------------------------------


def _stem_id(path: Path) -> str:
    base = re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-").lower() or "deu3"
    return base if base[0].isalnum() else "deu3-" + base


def to_scenario(table: Deu3Table, capability: str = "council", **options: Any) -> Scenario:
    """A scenario with one issue per row of ``table``; capability per :func:`capabilities`."""
    cap = capabilities(table, capability, **options)
    path = Path(table.label)
    present = table.mask.any(axis=0)
    actors = [
        {
            "id": a,
            "name": ACTORS[a][0],
            "kind": "organisation" if a in _INSTITUTIONS else "state",
            **({"iso3": ACTORS[a][1]} if ACTORS[a][1] else {}),
            "source": "deu3",
        }
        for j, a in enumerate(table.actors)
        if present[j]
    ]
    issues = []
    for i, (isnr, row) in enumerate(table.meta.iterrows()):
        k = row["number"]
        reg = _REGIME_BY_ID[row["regime"]]
        stakes = []
        for j, a in enumerate(table.actors):
            if not table.mask[i, j]:
                continue
            stake = {
                "actor": a,
                "capability": float(cap[i, j]),
                "position": float(table.position[i, j]),
                "salience": float(table.salience[i, j]),
                "source": "deu3",
                "where": f"line {row['line']}",
            }
            notes = []
            if table.salience_blank[i, j]:
                notes.append("salience blank in the file; read as 0")
            if table.nonmember is not None and table.nonmember[i, j]:
                notes.append(
                    f"not an EU member on the decision date (joined {ACCESSION[a].isoformat()}); "
                    "capability 0"
                )
            if notes:
                stake["note"] = "; ".join(notes)
            stakes.append(stake)
        issue: dict[str, Any] = {
            "id": isnr,
            "title": f"{row['name'] or row['proposal']} ({row['proposal']}), issue {k}",
            "question": f"Outcome of issue {k} of proposal {row['proposal']}"
            + (f" ({row['name']}; {row['type']}, {row['council']} Council)" if row["name"] else ""),
            "decided_by": f"{row['proc']}, Council {row['vote']}",
            "stakes": stakes,
            "source": "deu3",
            "where": f"line {row['line']}",
            "note": f"proposal {row['intro'].isoformat()}; capability '{capability}'"
            + (f", Council rule {reg.id}" if capability == "council" else ""),
        }
        if not np.isnan(row["rp"]):
            issue["status_quo"] = float(row["rp"])
        if not np.isnan(row["out"]):
            observed: dict[str, Any] = {
                "value": float(row["out"]),
                "source": "deu3",
                "where": f"line {row['line']}",
            }
            if row["finact"] is not None:
                observed["date"] = row["finact"].isoformat()
            issue["observed"] = observed
        issues.append(issue)
    data = {
        "crossroads": 1,
        "id": _stem_id(path),
        "title": f"DEU III decisions in {path.name}",
        "description": (
            "Controversial issues of EU legislative proposals (DEU III), one issue per row; "
            f"capability scheme '{capability}'."
        ),
        "sources": SOURCES,
        "actors": actors,
        "issues": issues,
    }
    return validate_data(data, table.label)


def read_deu3_with_quirks(
    path: str | Path,
    label: str | None = None,
    capability: str = "council",
    **options: Any,
) -> tuple[Scenario, QuirkReport]:
    """:func:`read_deu3` and the quirks met (module docstring, "Reading real files")."""
    table = read_deu3_table(path, label)
    return to_scenario(table, capability, **options), table.quirks


def read_deu3(
    path: str | Path,
    label: str | None = None,
    capability: str = "council",
    *,
    quirks: QuirkReport | None = None,
    **options: Any,
) -> Scenario:
    """Read a DEU III TSV file as a scenario.

    Parameters
    ----------
    path : str or Path
    label : str, optional
        The file's name in messages.
    capability : {'council', 'equal', 'gdp'}
        The capability scheme (module docstring); ``council`` by default.
    quirks : QuirkReport, optional
        Receives the quirks met (module docstring); :func:`read_deu3_with_quirks` returns
        them instead.
    **options
        ``unanimity``, ``com``, ``ep_cod``, ``ep_cns``, ``weights_at`` of :func:`capabilities`.

    Returns
    -------
    Scenario
        One issue per row (id ``isnr``), ``status_quo`` from ``rp``, ``observed`` from
        ``out``.

    Raises
    ------
    ScenarioError
        naming the file, the line and the column of the first problem.

    Examples
    --------
    >>> from crossroads.scenario.peers.deu3 import read_deu3
    >>> sc = read_deu3("../shared/data/deu/deu3-dev.tsv", capability="equal")  # doctest: +SKIP
    >>> len(sc.issues)  # doctest: +SKIP
    188
    """
    sc, met = read_deu3_with_quirks(path, label, capability, **options)
    if quirks is not None:
        quirks.extend(met)
    return sc
