"""Cooperation between agencies: watches and alerts, hit notices, requests for information, delivery.

``events`` is the hook the rest of the services call inside their transactions; the other modules are the
use cases behind the CLI, the API and the pages. Every alert is written in the transaction of the event
that causes it, and only to an agency that may see what it names.
"""
