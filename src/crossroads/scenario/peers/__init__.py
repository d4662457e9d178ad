"""Readers that turn peers' file formats into scenarios."""

from crossroads.scenario.peers.eum_csv import looks_like_eum, read_eum_table

__all__ = ["looks_like_eum", "read_eum_table"]
