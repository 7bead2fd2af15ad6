# SPDX-License-Identifier: EUPL-1.2
"""The standard's custodian: the schema files and their Python binding, the registry, compatibility and audit.

This is the lowest Python layer: it imports no other Hartslag package (only the language-neutral ``schema/`` data).
"""

__all__: list[str] = []
