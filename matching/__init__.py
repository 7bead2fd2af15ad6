# SPDX-License-Identifier: EUPL-1.2
"""Embeddings, index, themes, clusters and pattern detectors. Imports only ``governance``."""

__all__: list[str] = []
