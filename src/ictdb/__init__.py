"""ictdb: an international counter-terrorism database shared by member agencies."""

__version__ = "0.1.0"
