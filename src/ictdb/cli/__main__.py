"""``python -m ictdb.cli``."""

from ictdb.cli.main import app

app()
