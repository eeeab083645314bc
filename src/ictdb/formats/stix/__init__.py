"""STIX 2.1 bundles: export records for MISP/OpenCTI-style tools, and import such bundles back.

See docs/formats.md, section "STIX 2.1", for the mapping.
"""

from ictdb.formats.stix.exporter import export_stix
from ictdb.formats.stix.importer import import_stix

__all__ = ["export_stix", "import_stix"]
