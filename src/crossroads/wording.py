"""English for counts and names in messages, tables and titles (no dependencies).

>>> count(1, "agreement"), count(3, "country"), count(0, "round")
('1 agreement', '3 countries', '0 rounds')
>>> possessive("Russia"), possessive("United States")
("Russia's", "United States'")
"""

from __future__ import annotations

__all__ = ["count", "plural", "possessive"]


def plural(word: str, n: int, many: str | None = None) -> str:
    """``word`` for ``n`` of it: singular for exactly one, else its plural.

    The plural is ``many`` when given, else English's regular forms: ``-y`` after a
    consonant to ``-ies`` (country, countries), ``-s``/``-x``/``-ch``/``-sh`` plus
    ``-es`` (process, processes), else ``-s``.

    >>> plural("issue", 1), plural("issue", 2), plural("policy", 2), plural("key", 2)
    ('issue', 'issues', 'policies', 'keys')
    >>> plural("analysis", 2, "analyses")
    'analyses'
    """
    if n == 1:
        return word
    if many is not None:
        return many
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def count(n: int, word: str, many: str | None = None) -> str:
    """``"1 source"``, ``"2 sources"``: ``n`` and :func:`plural` of ``word``."""
    return f"{n:,} {plural(word, n, many)}"


def possessive(name: str) -> str:
    """``name``'s, with a bare apostrophe after a final s (``United States'``).

    >>> possessive("China"), possessive("the Netherlands"), possessive("")
    ("China's", "the Netherlands'", '')
    """
    if not name:
        return name
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"
