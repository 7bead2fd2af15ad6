# SPDX-License-Identifier: EUPL-1.2
"""Hartslag: the cross-government signal exchange hub and its federated standard.

This package is the composition root: the ``hartslag`` command line that joins each package's sub-app.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hartslag")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
