"""The domain model: record types, the handling envelope and their vocabularies (pure; no I/O)."""
