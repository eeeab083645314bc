"""Who is calling: API tokens (random, shown once, stored hashed, expiring, revocable), passwords and sessions.

A token's secret is never stored: the node keeps its SHA-256 and looks the hash up. Sessions are signed
values the browser holds in a cookie; the signing key belongs to the running server, not to the node.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ictdb.model.actors import Actor, User
from ictdb.model.errors import NotFound, Unauthenticated, ValidationError
from ictdb.model.vocab import Role
from ictdb.policy.roles import require, require_own_agency
from ictdb.services.audit import log, log_alone
from ictdb.services.node import Node

__all__ = [
    "IssuedToken",
    "Session",
    "authenticate_token",
    "csrf_token",
    "issue_token",
    "login",
    "open_session",
    "revoke_token",
    "session_actor",
]

TOKEN_PREFIX = "ictdb_"  # noqa: S105 - a marker that makes leaked secrets recognisable, not a secret
DEFAULT_TTL = timedelta(days=90)
MAX_TTL = timedelta(days=366)
SESSION_TTL = timedelta(hours=12)
_HASHER = PasswordHasher()


# Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
@cache
def _dummy_hash() -> str:
    # Made on first use, not at import: argon2 takes a fifth of a second, and most commands never log anyone in.
    return _HASHER.hash("not a real password, only for timing")


_WRONG = "wrong username or password"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    id: str
    secret: str
    """Shown to its holder once, here; the node keeps only its hash."""
    username: str
    label: str | None
    expires_at: datetime


def _active_user(node: Node, username: str) -> User | None:
    with node.store.transaction() as tx:
        user = tx.directory.user(username)
    return user if user is not None and user.active else None


def _actor(user: User, origin: str) -> Actor:
    return Actor(username=user.username, agency=user.agency, roles=user.roles, origin=origin)


def issue_token(
    node: Node, actor: Actor, *, username: str | None = None, label: str | None = None, ttl: timedelta = DEFAULT_TTL
) -> IssuedToken:
    """A new token for the actor, or (for an agency administrator) for a user of the actor's agency."""
    if ttl <= timedelta(0) or ttl > MAX_TTL:
        raise ValidationError(f"a token lives between 1 second and {MAX_TTL.days} days", "ttl")
    if label is not None and len(label) > 200:
        raise ValidationError("at most 200 characters", "label")
    holder = username or actor.username
    now = node.now()
    with node.store.transaction() as tx:
        user = tx.directory.user(holder)
        if holder != actor.username:
            require(actor, Role.ADMIN, "issuing a token for another user")
            if user is None or (user.agency != actor.agency and not actor.has(Role.NODE_ADMIN)):
                raise NotFound(f"no user {holder} in {actor.agency}")
            require_own_agency(actor, user.agency, "issuing a token")
        if user is None or not user.active:
            raise NotFound(f"no active user {holder}")
        token_id = f"tok-{secrets.token_hex(8)}"
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = now + ttl
        tx.directory.add_token(token_id, holder, _digest(secret), label, now, expires)
        log(tx, node, actor, "token.issue", detail={"token": token_id, "user": holder, "expires": expires.isoformat()})
    return IssuedToken(token_id, secret, holder, label, expires)


def authenticate_token(node: Node, secret: str, *, origin: str = "api") -> Actor:
    """The actor a bearer secret stands for; unknown, expired, revoked or deactivated all read the same."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise Unauthenticated("invalid or expired token")
    with node.store.transaction() as tx:
        user = tx.directory.token_holder(_digest(secret), node.now())
    if user is None or not user.active:
        raise Unauthenticated("invalid or expired token")
    return _actor(user, origin)


def revoke_token(node: Node, actor: Actor, token_id: str) -> None:
    """Revoke one of the actor's own tokens; any other id answers as missing."""
    with node.store.transaction() as tx:
        if not tx.directory.revoke_token(token_id, actor.username, node.now()):
            raise NotFound(f"no token {token_id}")
        log(tx, node, actor, "token.revoke", detail={"token": token_id})


def login(node: Node, username: str, password: str, *, origin: str = "web") -> Actor:
    """Check a password against its argon2 hash; every failure gives the same answer and is logged."""
    username = username.strip().lower()
    with node.store.transaction() as tx:
        user = tx.directory.user(username) if len(username) <= 64 else None
        stored = tx.directory.password_hash(username) if user is not None else None
    try:
        ok = _HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.active:
        if user is not None:
            log_alone(node, _actor(user, origin), "auth.login", outcome="refused")
        raise Unauthenticated(_WRONG)
    actor = _actor(user, origin)
    log_alone(node, actor, "auth.login")
    return actor


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    nonce: str
    expires: float

    @property
    def csrf(self) -> str:
        return self.nonce


def _sign(key: bytes, payload: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, payload, hashlib.sha256).digest()).decode().rstrip("=")


def open_session(node: Node, actor: Actor, key: bytes, ttl: timedelta = SESSION_TTL) -> tuple[str, Session]:
    """A signed cookie value for a logged-in actor, and the session it stands for."""
    session = Session(actor.username, secrets.token_urlsafe(16), (node.now() + ttl).timestamp())
    payload = orjson.dumps({"u": session.username, "n": session.nonce, "e": session.expires})
    value = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{value}.{_sign(key, payload)}", session


def read_session(node: Node, cookie: str, key: bytes) -> Session:
    """The session of a cookie value; a forged, garbled or expired one raises Unauthenticated."""
    value, _, signature = cookie.partition(".")
    try:
        payload = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise Unauthenticated("no valid session") from None
    if not signature or not hmac.compare_digest(signature, _sign(key, payload)):
        raise Unauthenticated("no valid session")
    data = orjson.loads(payload)
    session = Session(str(data["u"]), str(data["n"]), float(data["e"]))
    if session.expires <= node.now().timestamp():
        raise Unauthenticated("the session has expired; log in again")
    return session


def session_actor(node: Node, cookie: str, key: bytes, *, origin: str = "web") -> tuple[Actor, Session]:
    session = read_session(node, cookie, key)
    user = _active_user(node, session.username)
    if user is None:
        raise Unauthenticated("no valid session")
    return _actor(user, origin), session


def csrf_token(session: Session) -> str:
    """The token a form of this session must send back: bound to the session, unknown to other sites."""
    return session.csrf


def check_csrf(session: Session, sent: str | None) -> None:
    if not sent or not hmac.compare_digest(sent, session.csrf):
        raise Unauthenticated("missing or wrong CSRF token; reload the page")
