# SPDX-License-Identifier: EUPL-1.2
"""Optional parts of Hartslag (extras) and the friendly message when one is missing."""

from __future__ import annotations

import importlib.util

from governance.errors import MissingExtraError

__all__ = ["require_extra"]


def require_extra(extra: str, *modules: str) -> None:
    """Raise :class:`MissingExtraError` ("install hartslag[extra]") unless every module can be imported."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise MissingExtraError(extra, module)
