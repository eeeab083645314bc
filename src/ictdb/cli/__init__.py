"""The ``ictdb`` command: the node operator's tool, thin over the services."""
