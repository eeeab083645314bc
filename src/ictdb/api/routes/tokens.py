"""API tokens: issue (the secret is shown once) and revoke."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response, status

from ictdb.api.deps import ActorDep, NodeDep
from ictdb.api.schemas import ERRORS, TokenIn, TokenOut
from ictdb.services import auth

router = APIRouter(tags=["tokens"], responses=ERRORS)


@router.post("/tokens", response_model=TokenOut, status_code=status.HTTP_201_CREATED)
def create_token(node: NodeDep, actor: ActorDep, payload: TokenIn) -> TokenOut:
    """Issue a bearer token for the caller (or, for an agency administrator, one of its users).

    The secret is in this answer only; send it as ``Authorization: Bearer <secret>``.
    """
    issued = auth.issue_token(
        node, actor, username=payload.username, label=payload.label, ttl=timedelta(days=payload.ttl_days)
    )
    return TokenOut(
        id=issued.id, secret=issued.secret, username=issued.username, label=issued.label, expires_at=issued.expires_at
    )


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(node: NodeDep, actor: ActorDep, token_id: str) -> Response:
    """Revoke one of the caller's tokens; it stops working at once."""
    auth.revoke_token(node, actor, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
