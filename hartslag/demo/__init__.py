# SPDX-License-Identifier: EUPL-1.2
"""Realistic synthetic signals for the demo and the matching scenario tests.

:func:`~hartslag.demo.scenario.generate` builds a year of signals from fourteen Dutch and Flemish organisations,
with weekday, holiday and summer rhythms, many phrasings per situation, spelling slips, channel wrappers, a few
texts with personal data on purpose, and planted patterns (a national surge after a policy change, a mailing that
reaches several organisations, a local festival, seasonal topics) whose signal ids are known.
:func:`~hartslag.demo.exports.write_exports` writes it out as each organisation's own export with the connector
mapping that reads it. Deterministic for a seed; only the standard library and the base install.
"""

from hartslag.demo.exports import write_exports
from hartslag.demo.model import DemoPolicy, Organisation, Planted, Scenario
from hartslag.demo.scenario import generate

__all__ = ["DemoPolicy", "Organisation", "Planted", "Scenario", "generate", "write_exports"]
