"""Shared reference data: country codes, the EU's membership, and scenario actors' codes.

Datasets name countries by Correlates of War (COW) code (COW trade, COW IGO,
ATOP, peacesciencer), by ISO3 (Freedom House, V-Dem, World Bank) or by name. A
scenario's actors carry ``cow`` and ``iso3`` where the author gave them.
:data:`COUNTRIES` is the documented table joining the two code systems (and
common names), so a file keyed by one system maps to an actor that carries only
the other, or only its name. :data:`EU_MEMBERS` gives the European Union's
membership by year, for the EU as the aggregate of its member states.
:func:`actor_codes` maps one scenario's actors to both code systems.

This is a low core module: it imports only :mod:`crossroads.errors` and the
scenario schema, so the importers (:mod:`crossroads.importers`) and the
dependence analytics (:mod:`crossroads.network`) both read it without importing
each other.

The table covers the states the Kazakhstan case touches (Central Asia, the
former Soviet Union, the EU, the great powers and neighbours); extend it for
another case. A code missing here maps only through an actor that carries it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crossroads.errors import CrossroadsError, ScenarioError
from crossroads.scenario.schema import Scenario

__all__ = [
    "COUNTRIES",
    "EU27_2007",
    "EU_COMPOSITIONS",
    "EU_MEMBERS",
    "ActorCodes",
    "Country",
    "actor_codes",
    "country_by_abb",
    "country_by_cow",
    "country_by_iso3",
    "country_by_name",
    "eu_members",
    "name_key",
]


@dataclass(frozen=True)
class Country:
    """One row of the code table."""

    cow: int
    abb: str  # COW state abbreviation
    iso3: str
    name: str
    aliases: tuple[str, ...] = ()


#: COW code, COW abbreviation, ISO3, name (and aliases). COW codes from the COW
#: State System Membership list v2016 (Germany: 255 from 1990; 260 was the FRG).
COUNTRIES: tuple[Country, ...] = (
    Country(2, "USA", "USA", "United States", ("United States of America", "US", "America")),
    Country(20, "CAN", "CAN", "Canada"),
    Country(200, "UKG", "GBR", "United Kingdom", ("UK", "Britain", "Great Britain")),
    Country(205, "IRE", "IRL", "Ireland"),
    Country(210, "NTH", "NLD", "Netherlands"),
    Country(211, "BEL", "BEL", "Belgium"),
    Country(212, "LUX", "LUX", "Luxembourg"),
    Country(220, "FRN", "FRA", "France"),
    Country(225, "SWZ", "CHE", "Switzerland"),
    Country(230, "SPN", "ESP", "Spain"),
    Country(235, "POR", "PRT", "Portugal"),
    Country(255, "GMY", "DEU", "Germany"),
    Country(260, "GFR", "DEU", "German Federal Republic", ("West Germany",)),
    Country(290, "POL", "POL", "Poland"),
    Country(305, "AUS", "AUT", "Austria"),
    Country(310, "HUN", "HUN", "Hungary"),
    Country(316, "CZR", "CZE", "Czech Republic", ("Czechia",)),
    Country(317, "SLO", "SVK", "Slovakia"),
    Country(325, "ITA", "ITA", "Italy"),
    Country(338, "MLT", "MLT", "Malta"),
    Country(344, "CRO", "HRV", "Croatia"),
    Country(349, "SLV", "SVN", "Slovenia"),
    Country(350, "GRC", "GRC", "Greece"),
    Country(352, "CYP", "CYP", "Cyprus"),
    Country(355, "BUL", "BGR", "Bulgaria"),
    Country(359, "MLD", "MDA", "Moldova"),
    Country(360, "ROM", "ROU", "Romania"),
    Country(365, "RUS", "RUS", "Russia", ("Russian Federation",)),
    Country(366, "EST", "EST", "Estonia"),
    Country(367, "LAT", "LVA", "Latvia"),
    Country(368, "LIT", "LTU", "Lithuania"),
    Country(369, "UKR", "UKR", "Ukraine"),
    Country(370, "BLR", "BLR", "Belarus"),
    Country(371, "ARM", "ARM", "Armenia"),
    Country(372, "GRG", "GEO", "Georgia"),
    Country(373, "AZE", "AZE", "Azerbaijan"),
    Country(375, "FIN", "FIN", "Finland"),
    Country(380, "SWD", "SWE", "Sweden"),
    Country(385, "NOR", "NOR", "Norway"),
    Country(390, "DEN", "DNK", "Denmark"),
    Country(630, "IRN", "IRN", "Iran"),
    Country(640, "TUR", "TUR", "Turkey", ("Türkiye", "Turkiye")),
    Country(700, "AFG", "AFG", "Afghanistan"),
    Country(701, "TKM", "TKM", "Turkmenistan"),
    Country(702, "TAJ", "TJK", "Tajikistan"),
    Country(703, "KYR", "KGZ", "Kyrgyzstan", ("Kyrgyz Republic",)),
    Country(704, "UZB", "UZB", "Uzbekistan"),
    Country(705, "KZK", "KAZ", "Kazakhstan", ("KAZ",)),
    Country(710, "CHN", "CHN", "China", ("People's Republic of China", "PRC")),
    Country(712, "MON", "MNG", "Mongolia"),
    Country(732, "ROK", "KOR", "South Korea", ("Republic of Korea", "Korea")),
    Country(740, "JPN", "JPN", "Japan"),
    Country(750, "IND", "IND", "India"),
    Country(770, "PAK", "PAK", "Pakistan"),
)

#: EU member states by COW code: (first year, last year or None). A state counts
#: in the EU aggregate for year Y when it was a member at the end of Y (so the
#: 2004 entrants count from 2004, Croatia (July 2013) from 2013, the United
#: Kingdom (left 31 January 2020) up to 2019). The European Communities before
#: 1993 are counted as the EU.
EU_MEMBERS: dict[int, tuple[int, int | None]] = {
    211: (1958, None), 210: (1958, None), 212: (1958, None), 220: (1958, None),
    255: (1958, None), 325: (1958, None),
    200: (1973, 2019), 205: (1973, None), 390: (1973, None),
    350: (1981, None),
    230: (1986, None), 235: (1986, None),
    305: (1995, None), 375: (1995, None), 380: (1995, None),
    352: (2004, None), 316: (2004, None), 366: (2004, None), 310: (2004, None),
    367: (2004, None), 368: (2004, None), 338: (2004, None), 290: (2004, None),
    317: (2004, None), 349: (2004, None),
    355: (2007, None), 360: (2007, None),
    344: (2013, None),
}  # fmt: skip

#: The fixed 27-member composition of 2007-2013 (with the UK, without Croatia), as
#: used by the prepared COW partner summary file ("eu27").
EU27_2007: frozenset[int] = frozenset(
    c for c, (first, last) in EU_MEMBERS.items() if first <= 2007 and (last is None or last >= 2007)
)

#: How the EU aggregate is formed: its members at the end of each year, or the
#: fixed membership of 2007 (:data:`EU27_2007`).
EU_COMPOSITIONS = ("per-year", "eu27-2007")


def eu_members(year: int, composition: str = "per-year") -> frozenset[int]:
    """COW codes of the EU's members in ``year``.

    Parameters
    ----------
    year : int
    composition : {'per-year', 'eu27-2007'}
        ``per-year``: members at the end of ``year``; ``eu27-2007``: the fixed
        27 members of 2007 whatever the year.

    Raises
    ------
    CrossroadsError
        for another ``composition``.
    """
    if composition == "eu27-2007":
        return EU27_2007
    if composition != "per-year":
        raise CrossroadsError(
            f"EU composition must be one of {', '.join(EU_COMPOSITIONS)}, got {composition!r}"
        )
    return frozenset(
        c
        for c, (first, last) in EU_MEMBERS.items()
        if first <= year and (last is None or year <= last)
    )


_BY_COW = {c.cow: c for c in COUNTRIES}
_BY_ISO3: dict[str, Country] = {}
for _c in COUNTRIES:
    _BY_ISO3.setdefault(_c.iso3, _c)  # DEU -> 255 (united Germany), not the FRG
_BY_ABB = {c.abb: c for c in COUNTRIES}


def name_key(text: str) -> str:
    """``text`` lower-cased without spaces or punctuation, to match names and ids.

    >>> name_key("Kyrgyz Republic"), name_key("kyrgyz-republic")
    ('kyrgyzrepublic', 'kyrgyzrepublic')
    """
    return re.sub(r"[^a-z0-9]+", "", text.lower())


_BY_NAME: dict[str, Country] = {}
for _c in COUNTRIES:
    for _n in (_c.name, *_c.aliases):
        _BY_NAME.setdefault(name_key(_n), _c)


def country_by_cow(code: int) -> Country | None:
    """The table row with COW code ``code``."""
    return _BY_COW.get(code)


def country_by_iso3(code: str) -> Country | None:
    """The table row with ISO3 ``code``."""
    return _BY_ISO3.get(code.upper())


def country_by_abb(abb: str) -> Country | None:
    """The table row with COW abbreviation ``abb`` (KAZ is accepted for Kazakhstan)."""
    return _BY_ABB.get(abb.upper()) or _BY_ISO3.get(abb.upper())


def country_by_name(name: str) -> Country | None:
    """The table row whose name or alias is ``name`` (case and punctuation ignored)."""
    return _BY_NAME.get(name_key(name))


_EU_NAMES = {"eu", "europeanunion", "eu27", "eu28"}


@dataclass
class ActorCodes:
    """How one scenario's actors map to country codes.

    Attributes
    ----------
    cow : dict
        COW code -> actor id.
    iso3 : dict
        ISO3 -> actor id.
    how : dict
        actor id -> how it was matched (``cow``, ``iso3``, ``name``), for reports.
    eu : str or None
        The actor that stands for the European Union (aggregate of its members).
    scenario : str
        The scenario's id, for messages.
    """

    cow: dict[int, str] = field(default_factory=dict)
    iso3: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    eu: str | None = None
    scenario: str = ""

    def actor_for_cow(self, code: int) -> str | None:
        """The actor with COW code ``code`` (None when no actor has it)."""
        return self.cow.get(code)

    def actor_for_iso3(self, code: str) -> str | None:
        """The actor with ISO3 ``code`` (None when no actor has it)."""
        return self.iso3.get(code.upper())

    def require(
        self,
        *,
        cow: int | None = None,
        iso3: str | None = None,
        what: str,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> str:
        """The actor for a code that must map, else a :class:`ScenarioError` on how to fix it."""
        actor = None
        if cow is not None:
            actor = self.actor_for_cow(cow)
        if actor is None and iso3 is not None:
            actor = self.actor_for_iso3(iso3)
        if actor is not None:
            return actor
        row = country_by_cow(cow) if cow is not None else None
        row = row or (country_by_iso3(iso3) if iso3 else None)
        label = " / ".join(
            x
            for x in (f"COW {cow}" if cow is not None else None, f"ISO3 {iso3}" if iso3 else None)
            if x
        )
        named = f" ({row.name})" if row else ""
        hint = []
        if cow is not None:
            hint.append(f"cow: {cow}")
        if iso3 or row:
            hint.append(f"iso3: {iso3 or row.iso3}")
        raise ScenarioError(
            f"{what} {label}{named} maps to no actor of scenario '{self.scenario}'; "
            f"add the actor or give an existing one {' or '.join(hint)}",
            file=file,
            line=line,
            field=column,
        )


def actor_codes(scenario: Scenario) -> ActorCodes:
    """Map the scenario's state actors to COW codes and ISO3 codes.

    An actor's own ``cow`` and ``iso3`` come first; the other code is completed
    from :data:`COUNTRIES`. A state actor with neither is matched by its name or
    id against the table. The actor for the EU is the bloc whose id or name is
    ``eu`` / "European Union".

    Raises
    ------
    ScenarioError
        when two actors claim the same code.
    """
    out = ActorCodes(scenario=scenario.id)
    for a in scenario.actors:
        if a.kind == "bloc" and (name_key(a.id) in _EU_NAMES or name_key(a.name) in _EU_NAMES):
            if out.eu is None:
                out.eu = a.id
            continue
        if a.kind != "state" and a.cow is None and a.iso3 is None:
            continue
        cow, iso3, how = a.cow, a.iso3, None
        if cow is not None or iso3 is not None:
            how = "cow" if cow is not None else "iso3"
            row = country_by_cow(cow) if cow is not None else country_by_iso3(iso3 or "")
            if row is not None:
                cow = cow if cow is not None else row.cow
                iso3 = iso3 or row.iso3
        else:
            row = country_by_name(a.name) or country_by_name(a.id)
            if row is None:
                continue
            cow, iso3, how = row.cow, row.iso3, "name"
        for table, code in ((out.cow, cow), (out.iso3, iso3)):
            if code is None:
                continue
            if code in table and table[code] != a.id:
                raise ScenarioError(
                    f"actors '{table[code]}' and '{a.id}' both have code {code}; "
                    "a country code may belong to one actor only",
                    file=scenario.id,
                )
            table[code] = a.id
        out.how[a.id] = how or "name"
    return out
