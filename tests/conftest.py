# SPDX-License-Identifier: EUPL-1.2
"""Fixtures shared across the test tree."""

pytest_plugins = ["tests.hub.world"]
