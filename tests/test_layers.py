"""The report and the dashboard are leaves: the core never imports them (DESIGN.md)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

CODE = """
import sys
import crossroads
sc = crossroads.load("kazakhstan-2010")
f = crossroads.forecast(sc, "eu-offer", model="mean")
html = f._repr_html_()
e = crossroads.ensemble(sc, "eu-offer", "mean", runs=2048)
html += e._repr_html_()
assert "<svg" in html
leaked = sorted(m for m in sys.modules
                if m.startswith(("crossroads.report", "crossroads.web", "crossroads.cli")))
print(",".join(leaked))
"""


def test_core_and_notebook_display_import_no_presentation_layer():
    r = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""
