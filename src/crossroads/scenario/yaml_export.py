"""A scenario, from any source (a built-in, a YAML file, a peer format), as YAML text.

The text loads back equal to the scenario (:func:`scenario_yaml` is checked against
:func:`crossroads.scenario.loading.load` in the tests): fields left at their defaults and
empty ones are left out, everything else is written in the schema's field order.

>>> from crossroads.scenario import load
>>> from crossroads.scenario.yaml_export import scenario_yaml
>>> scenario_yaml(load("kazakhstan-2010")).splitlines()[2]
'crossroads: 1'
"""

from __future__ import annotations

from typing import Any

import yaml

from crossroads.scenario.schema import Scenario
from crossroads.version import __version__

__all__ = ["scenario_dict", "scenario_yaml"]


def scenario_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain Python data, as the YAML file gives it (``from``/``to`` of flows)."""
    return scenario.model_dump(
        mode="python", by_alias=True, exclude_none=True, exclude_defaults=True
    )


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, no aliases (each fact stands where it is
    read)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # multi-line texts as literal blocks; the rest as PyYAML chooses
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def scenario_yaml(scenario: Scenario, origin: str | None = None) -> str:
    """The scenario as one YAML document that ``crossroads validate`` accepts.

    Parameters
    ----------
    scenario : Scenario
    origin : str, optional
        Where the scenario was read from, named in the header comment.
    """
    data = scenario_dict(scenario)
    body = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
        default_flow_style=False,
    )  # fmt: skip
    head = f"# scenario '{scenario.id}'"
    if origin:
        head += f" exported from {origin}"
    head += f" by crossroads {__version__} (crossroads export)\n"
    return head + "# check it with: crossroads validate FILE\n" + body
