# SPDX-License-Identifier: EUPL-1.2
"""The root of Hartslag's error tree.

Every package derives its errors from :class:`HartslagError`. Each error carries a stable ``code`` (kebab-case)
that the hub maps to an HTTP status and a problem type URI (``hub`` only), and the CLI to an exit code.
Messages never contain signal text or other personal data: they name fields, files, lines and codes.
This module is a leaf: it imports no sibling.
"""

from __future__ import annotations

__all__ = [
    "HartslagError",
    "InvalidInputError",
    "MissingExtraError",
    "NotFoundError",
    "RetriableError",
    "SchemaError",
    "UnknownSchemaError",
]


class HartslagError(Exception):
    """Base of every error Hartslag raises on purpose."""

    code = "hartslag-error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The human-readable message (never holds personal data)."""
        return str(self.args[0]) if self.args else self.code


class RetriableError(HartslagError):
    """Marker: the same operation may succeed later (network down, receiver busy). Retry by type."""

    code = "retriable"


class InvalidInputError(HartslagError):
    """Input that will never be accepted as it is: fix it, do not retry."""

    code = "invalid-input"


class NotFoundError(HartslagError):
    """A named thing (schema, agency, pattern, ...) does not exist."""

    code = "not-found"


class SchemaError(InvalidInputError):
    """A document does not conform to the Hartslag standard."""

    code = "schema-invalid"


class UnknownSchemaError(NotFoundError):
    """A schema name or version that the standard does not define."""

    code = "unknown-schema"


class MissingExtraError(HartslagError):
    """An optional part of Hartslag is used without its extra installed."""

    code = "missing-extra"

    def __init__(self, extra: str, module: str) -> None:
        super().__init__(
            f"this needs the '{extra}' extra ({module} is not installed): pip install 'hartslag[{extra}]'"
            f" (from a checkout: pip install '.[{extra}]')"
        )
        self.extra = extra
        self.module = module
