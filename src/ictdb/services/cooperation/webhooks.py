"""Agencies' webhooks: where their alerts are pushed, how each push is signed, and which targets are refused.

A payload is JSON, signed with HMAC-SHA256 over ``"<timestamp>.<body>"`` with the webhook's secret (shown
once, when the webhook is created) and sent with ``X-Ictdb-Timestamp`` and ``X-Ictdb-Signature:
sha256=<hex>``; ``Idempotency-Key`` stays the same on every retry of one alert to one webhook, so a
receiver drops repeats. Targets on private, loopback, link-local or otherwise reserved addresses are refused
unless the node's administrator allows them (a node inside a closed network); the check runs when a webhook
is added and again before every push, since a name may resolve elsewhere later.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
import threading
import time
from urllib.parse import urlsplit

from ictdb.model.actors import Actor
from ictdb.model.cooperation import Webhook
from ictdb.model.errors import NotFound, ValidationError
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.services.audit import log
from ictdb.services.cooperation.alerts import new_id, repo
from ictdb.services.node import Node

__all__ = [
    "TargetChecks",
    "add_webhook",
    "check_target",
    "list_webhooks",
    "private_targets_allowed",
    "remove_webhook",
    "set_private_targets",
    "sign",
    "verify",
]

ALLOW_PRIVATE = "webhooks.allow_private"
SIGNATURE_HEADER = "X-Ictdb-Signature"
TIMESTAMP_HEADER = "X-Ictdb-Timestamp"
KEY_HEADER = "Idempotency-Key"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver runs on each push (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def _forbidden_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def check_target(url: str, *, allow_private: bool) -> None:
    """Raise ValidationError unless ``url`` is an http(s) URL whose host resolves only to allowed addresses."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("a webhook is an http:// or https:// URL with a host", "url")
    if parts.username or parts.password:
        raise ValidationError("put no credentials in a webhook URL; the payload is signed", "url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError):
        raise ValidationError(f"cannot resolve {parts.hostname}", "url") from None
    if allow_private:
        return
    for info in infos:
        address = str(info[4][0])
        if _forbidden_address(address):
            raise ValidationError(
                f"{parts.hostname} resolves to {address}, a private, loopback or link-local address; "
                "this node does not allow such webhook targets",
                "url",
            )


class TargetChecks:
    """``check_target`` remembered per URL for ``ttl`` seconds, for the delivery worker.

    A burst of alerts to one webhook then costs one name lookup, not one per push; the short lifetime keeps
    the point of checking before pushes (a name that moves to a private address is refused within ``ttl``).
    A refusal is remembered too, so a bad target does not cost a lookup per retry either.
    """

    def __init__(self, allow_private: bool, ttl: float = 30.0) -> None:
        self.allow_private = allow_private
        self.ttl = ttl
        self._seen: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def check(self, url: str) -> None:
        now = time.monotonic()
        with self._lock:
            cached = self._seen.get(url)
        if cached is None or now - cached[0] > self.ttl:
            try:
                check_target(url, allow_private=self.allow_private)
                cached = (now, None)
            except ValidationError as exc:
                cached = (now, exc.message)
            with self._lock:
                self._seen[url] = cached
        if cached[1] is not None:
            raise ValidationError(cached[1], "url")


def private_targets_allowed(node: Node) -> bool:
    with node.store.transaction() as tx:
        return repo(tx).setting(ALLOW_PRIVATE) == "true"


def set_private_targets(node: Node, actor: Actor, allowed: bool) -> None:
    """Let webhooks point into private networks (a node on a closed network), or forbid it again."""
    require(actor, Role.NODE_ADMIN, "changing the webhook policy")
    with node.store.transaction() as tx:
        repo(tx).set_setting(ALLOW_PRIVATE, "true" if allowed else "false")
        log(tx, node, actor, "webhook.policy", detail={"allow_private": allowed})


def add_webhook(node: Node, actor: Actor, url: str) -> tuple[Webhook, str]:
    """Register a webhook for the actor's agency; returns it and its signing secret, shown this once."""
    require(actor, Role.ADMIN, "adding a webhook")
    url = url.strip()
    if len(url) > 2000:
        raise ValidationError("at most 2000 characters", "url")
    check_target(url, allow_private=private_targets_allowed(node))
    secret = secrets.token_urlsafe(32)
    hook_id = new_id("whk")
    with node.store.transaction() as tx:
        coop = repo(tx)
        coop.add_webhook(hook_id, actor.agency, url, secret, actor.username, node.now())
        log(tx, node, actor, "webhook.add", query=url, detail={"webhook": hook_id})
        hook = next(h for h in coop.webhooks(actor.agency) if h.id == hook_id)
    return hook, secret


def list_webhooks(node: Node, actor: Actor) -> list[Webhook]:
    """The agency's webhooks, each with how many pushes were delivered, are pending and were given up."""
    require(actor, Role.ADMIN, "listing webhooks")
    with node.store.transaction() as tx:
        return repo(tx).webhooks(actor.agency)


def remove_webhook(node: Node, actor: Actor, hook_id: str) -> None:
    """Stop a webhook; its pending pushes are withdrawn."""
    require(actor, Role.ADMIN, "removing a webhook")
    with node.store.transaction() as tx:
        if not repo(tx).deactivate_webhook(actor.agency, hook_id):
            raise NotFound(f"no active webhook {hook_id}")
        log(tx, node, actor, "webhook.remove", detail={"webhook": hook_id})
