# SPDX-License-Identifier: EUPL-1.2
"""Who may do what: the three user roles and the person (or script) behind a request.

- ``analist``: reads patterns and privacy-safe aggregates, and acts on patterns (status, notes, actions).
- ``beheerder``: agencies and keys, webhooks, retention, user accounts.
- ``werkgroep``: governs the schema (proposals, reviews, publication).

Agencies' connectors are not users: they authenticate with their own signing keys (:mod:`hub.agency_auth`) and get
no read access to other agencies' data. The hub's admin token (``HARTSLAG_ADMIN_TOKEN``) acts as ``beheerder``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from governance.errors import InvalidInputError

__all__ = ["Principal", "Role", "UnknownRoleError", "parse_roles"]


class Role(StrEnum):
    """A user role; the values are the Dutch names used in tokens, the CLI and the dashboard."""

    ANALIST = "analist"
    BEHEERDER = "beheerder"
    WERKGROEP = "werkgroep"


class UnknownRoleError(InvalidInputError):
    """A role name that is not one of :class:`Role`."""

    code = "unknown-role"


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """The roles named (``"analist"``, ...); an unknown name is refused, naming the known ones."""
    roles = set()
    for name in names:
        try:
            roles.add(Role(name))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise UnknownRoleError(f"unknown role {name!r}; the roles are {known}") from None
    return frozenset(roles)


@dataclass(frozen=True)
class Principal:
    """Who is asking: a name, the roles granted, the organisation they work for (if known) and how they proved it
    (``token``: a hub-issued bearer token; ``oidc``: an OpenID Connect issuer's token; ``session``: the dashboard's
    cookie; ``admin-token``: the hub's admin token)."""

    name: str
    roles: frozenset[Role]
    via: str
    organisation: str | None = None

    def has(self, role: Role) -> bool:
        """True when this principal holds ``role``."""
        return role in self.roles
