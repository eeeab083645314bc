"""Rules of access, pure: who may see a record, what a restricted hit reveals, which role may act."""
