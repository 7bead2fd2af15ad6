# SPDX-License-Identifier: EUPL-1.2
"""The hub: FastAPI service, storage, ingest and dashboard. The only package that imports FastAPI; nothing imports it
except the command-line composition root."""

__all__: list[str] = []
