"""Readers that turn peers' file formats into scenarios (one module per format).

``crossroads.load`` sniffs a file and picks the reader
(:func:`crossroads.scenario.loading.peer_readers`); import a reader by its module, e.g.
``from crossroads.scenario.peers.eum_csv import read_eum_table``.
"""
