"""FollowTheMoney entity JSON lines: the format of OpenSanctions, yente and nomenklatura.

See docs/formats.md, section "FollowTheMoney", for the mapping.
"""

from ictdb.formats.ftm.exporter import export_ftm
from ictdb.formats.ftm.importer import import_ftm

__all__ = ["export_ftm", "import_ftm"]
