"""The one exception tree of ictdb.

    IctdbError
    ├── ValidationError      input that breaks a rule of the model (field named)
    ├── NotFound             no such thing, or one the actor may not see: the two read the same
    ├── Conflict             a stale version, a duplicate that the actor owns
    ├── Forbidden            the actor's role or agency does not allow the action
    ├── ImportFailed         a file that cannot be read; names file, line and field
    ├── IntegrityError       the audit chain or stored data is not what was written
    └── Unauthenticated      no credentials, or wrong, expired or revoked ones

The CLI maps these to exit codes and the API to HTTP statuses, each in one place.
"""

from __future__ import annotations


class IctdbError(Exception):
    """Base of every error ictdb raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(IctdbError):
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class NotFound(IctdbError):
    code = "not_found"


class Conflict(IctdbError):
    code = "conflict"


class Forbidden(IctdbError):
    code = "forbidden"


class ImportFailed(IctdbError):
    code = "import_failed"

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        where = ":".join(str(p) for p in (file, line) if p is not None)
        parts = [p for p in (where, f"field {field}" if field else None, message) if p]
        super().__init__(": ".join(parts))
        self.file = file
        self.line = line
        self.field = field


class IntegrityError(IctdbError):
    code = "integrity"


class Unauthenticated(IctdbError):
    code = "unauthenticated"
