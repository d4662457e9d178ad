"""The file formats ``evaluate`` and ``fit`` read besides scenarios (light: the command line
lists them in its help)."""

__all__ = ["FORMATS"]

#: Values of ``format=`` / ``--format``.
FORMATS = ("deu3",)
