# SPDX-License-Identifier: EUPL-1.2
"""The hub's HTTP routers: a few lines per route, parse → service → map errors."""

__all__: list[str] = []
