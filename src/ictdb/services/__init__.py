"""Use cases: what an actor can do on the node. Interfaces call these; these call storage."""
