"""The package version, in a module of its own so that low modules (the run store) can read it
without importing the top-level package."""

__all__ = ["__version__"]

__version__ = "0.1.0"
