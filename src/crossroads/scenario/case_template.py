"""The commented scenario ``crossroads new`` writes: a small, complete, valid case to edit.

The template is package data (``crossroads/data/templates/new-case.yaml``); its id and title
are filled in from the name given.

>>> from crossroads.scenario.case_template import new_case_text
>>> [ln.split("#")[0].strip() for ln in new_case_text("my-case").splitlines()
...  if ln.startswith("id:")]
['id: my-case']
"""

from __future__ import annotations

import re
from importlib import resources

from crossroads.errors import CrossroadsError

__all__ = ["ID_PATTERN", "TEMPLATE", "check_id", "new_case_text"]

#: The pattern every id in a scenario matches (as :mod:`crossroads.scenario.schema`'s ``Id``).
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

#: The template's file inside the package.
TEMPLATE = "data/templates/new-case.yaml"

_ID_MARK = "__ID__"
_TITLE_MARK = "__TITLE__"


def check_id(name: str) -> str:
    """``name`` if it is a valid scenario id; otherwise a :class:`CrossroadsError` saying why."""
    if not 1 <= len(name) <= 80 or not ID_PATTERN.match(name):
        shown = name if len(name) <= 60 else name[:57] + "..."
        raise CrossroadsError(
            f"'{shown}' is not a valid scenario id: use 1-80 letters, digits and - _ ., "
            "starting with a letter or digit (e.g. armenia-2013)"
        )
    return name


def new_case_text(name: str, title: str | None = None) -> str:
    """The commented template with ``name`` as the scenario's id.

    Parameters
    ----------
    name : str
        The scenario's id (checked by :func:`check_id`).
    title : str, optional
        Its title; default ``"NAME: a new case"``.
    """
    check_id(name)
    title = title if title is not None else f"{name}: a new case"
    if "\n" in title or len(title) > 200:
        raise CrossroadsError("the title must be one line of at most 200 characters")
    text = (resources.files("crossroads") / TEMPLATE).read_text(encoding="utf-8")
    # the title is quoted for YAML (a colon or '#' in it must not change the document)
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text.replace(_ID_MARK, name).replace(_TITLE_MARK, quoted)
