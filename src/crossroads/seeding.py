"""One seed normaliser, and the named random streams every draw of crossroads comes from.

Every random number crossroads draws comes from a :class:`numpy.random.Generator` made
here, from a seed the user can set and the run store records:

* :func:`as_generator` turns ``None | int | SeedSequence | Generator`` into a Generator
  (as SALib's ``handle_seed`` does); ``None`` means fresh entropy from the operating system.
* Ensembles group runs in fixed blocks of :data:`BLOCK` runs. Block ``b`` draws its
  uncertain inputs from :func:`block_seed` ``(seed, b)`` and hands a stochastic model the
  generator :func:`model_rng` ``(seed, b)``, a child stream of the same block. The numbers
  of a run therefore depend only on the seed and the run's index, never on the chunk size,
  the executor or the other runs in a batch.

Examples
--------
>>> import numpy as np
>>> from crossroads.seeding import as_generator
>>> as_generator(7).random() == np.random.default_rng(7).random()
True
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Union

from crossroads.errors import CrossroadsError

if TYPE_CHECKING:  # numpy is imported when a generator is made, not by importing this module
    import numpy as np

__all__ = ["BLOCK", "MAX_SEED", "Seed", "as_generator", "block_seed", "check_seed", "model_rng"]

#: Runs per block: the unit of random streams in ensembles.
BLOCK = 1024

#: Largest seed accepted (seeds are stored in SQLite's signed 64-bit integers).
MAX_SEED = 2**63 - 1

#: What :func:`as_generator` accepts.
Seed = Union[int, "np.random.SeedSequence", "np.random.Generator", None]  # noqa: UP007


def check_seed(seed: object) -> int:
    """``seed`` as an int in 0 .. 2**63-1, or a :class:`CrossroadsError` saying what is allowed."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise CrossroadsError(f"seed must be a whole number 0 .. 2**63-1, got {seed!r}")
    if not 0 <= int(seed) <= MAX_SEED:
        raise CrossroadsError(f"seed must be a whole number 0 .. 2**63-1, got {int(seed)}")
    return int(seed)


def as_generator(seed: Seed) -> np.random.Generator:
    """A generator from ``seed``: None (fresh entropy), an int, a SeedSequence or a Generator.

    A Generator is returned as it is (draws advance it); an int must lie in 0 .. 2**63-1.

    Raises
    ------
    CrossroadsError
        For anything else, naming what was given.
    """
    import numpy as np

    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise CrossroadsError(
            "a seed is None, a whole number 0 .. 2**63-1, a numpy SeedSequence or a numpy "
            f"Generator; got {type(seed).__name__} {seed!r}"
        )
    return np.random.default_rng(check_seed(seed))


def block_seed(seed: int, block: int) -> np.random.SeedSequence:
    """The seed sequence of block ``block``'s inputs.

    Equal to ``SeedSequence(seed).spawn(block + 1)[block]``.
    """
    import numpy as np

    return np.random.SeedSequence(seed, spawn_key=(block,))


def model_rng(seed: int, block: int) -> np.random.Generator:
    """The generator a stochastic model draws from for the runs of block ``block``.

    The first child of :func:`block_seed` ``(seed, block)``: independent of the block's
    input draws. Every variant of a what-if comparison gets a fresh generator from the
    same stream (common random numbers).
    """
    import numpy as np

    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, 0)))
