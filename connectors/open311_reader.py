# SPDX-License-Identifier: EUPL-1.2
"""The ``open311`` reader: service requests in Open311 GeoReport v2 JSON (``GET /requests.json``).

Accepted shapes: the bare list GeoReport returns, ``{"service_requests": [...]}`` or ``{"requests": [...]}``.

======================== ==========================================================================
GeoReport field          becomes
======================== ==========================================================================
``service_request_id``   the source record id behind the stable signal id (a request that only has a
                         ``token`` is not yet accepted by the agency's system: reported and skipped)
``description``          ``text`` (scrubbed)
``requested_datetime``   ``observed_at``
``service_code``/``name`` category code and label (``[categories]`` keys are service codes)
``zipcode``              the 4-digit postcode area (else one found in ``address``)
``address``, ``lat``,    never copied (``address_id``, ``media_url``, ``status_notes`` neither)
``long``
======================== ==========================================================================

GeoReport has no channel or kind: they come from ``[source]`` (``kind`` defaults to report).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from connectors.json_export import json_items
from connectors.json_export import scalar as _str
from connectors.mapping import Mapping
from connectors.readers import ReadIssue
from connectors.records import ReaderDefaults, SourceRecord

__all__ = ["Open311Reader"]


class Open311Reader:
    """Reads Open311 GeoReport v2 service requests; see the module docstring for how each field is used."""

    name = "open311"
    defaults = ReaderDefaults(kind="report", category_scheme="open311")

    def records(self, path: Path, mapping: Mapping) -> Iterator[SourceRecord | ReadIssue]:
        """Each service request as a source record (or an issue for an element that is not an object)."""
        mapping.reject_columns(self.name)
        for item in json_items(path, [(), ("service_requests",), ("requests",)], single="service_request_id"):
            if isinstance(item, ReadIssue):
                yield item
                continue
            line, data = item
            if not isinstance(data, dict):
                yield ReadIssue(path.name, line, "not a JSON object")
                continue
            if not _str(data.get("service_request_id")) and _str(data.get("token")):
                yield ReadIssue(path.name, line, "request has only a token, no service_request_id yet")
                continue
            yield SourceRecord(
                file=path.name,
                line=line,
                source_id=_str(data.get("service_request_id")) or "",
                text=_str(data.get("description")) or "",
                observed_at=_str(data.get("requested_datetime")),
                category=_str(data.get("service_code")),
                category_label=_str(data.get("service_name")),
                postcode=_str(data.get("zipcode")) or _str(data.get("address")),
            )
