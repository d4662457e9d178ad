"""Relations and dependence: the web of memberships, agreements and flows, and trade dependence."""

from crossroads.network.graph import (
    Relations,
    build_graph,
    by_leader,
    held,
    joint_matrix,
    joint_memberships,
    memberships_in,
    overlaps,
    relations,
    timeline,
)
from crossroads.network.trade_dependence import Dependence, bilateral, dependence, totals

__all__ = [
    "Dependence",
    "Relations",
    "bilateral",
    "dependence",
    "totals",
    "build_graph",
    "by_leader",
    "held",
    "joint_matrix",
    "joint_memberships",
    "memberships_in",
    "overlaps",
    "relations",
    "timeline",
]
