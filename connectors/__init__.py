# SPDX-License-Identifier: EUPL-1.2
"""The agency side: read an agency's exports, scrub personal data, sign batches and deliver them without loss.

Installs and runs without the ML stack or FastAPI. Imports only ``governance`` among Hartslag's packages.
"""

__all__: list[str] = []
