# SPDX-License-Identifier: EUPL-1.2
"""The ``kto`` reader: customer-survey (klanttevredenheidsonderzoek, KTO) answers in a CSV export.

One row is one respondent. ``[columns].answers`` lists the free-text answer columns ("Toelichting op uw cijfer",
"Wat kunnen we beter doen?"); every non-empty answer becomes its own ``survey_answer`` signal, so an answer about
what went well is never matched as a complaint together with one about what went wrong. The respondent's mark
(``[columns].score``) becomes the sentiment of each of their answers through ``[sentiment]`` (by default on a
1–10 scale: 5.5 or lower negative, 8 or higher positive, neutral in between). The source record id of an answer is
the respondent id and the answer column, so each answer keeps a stable signal id of its own.

Defaults: kind ``survey_answer``, channel ``customer_survey`` (``[source]`` may set others), category scheme ``kto``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from connectors.csv_reader import iter_csv_rows, record_from
from connectors.mapping import Mapping
from connectors.readers import ReadIssue
from connectors.records import ReaderDefaults, SourceRecord

__all__ = ["KtoReader"]


class KtoReader:
    """Reads KTO answers from CSV; see the module docstring."""

    name = "kto"
    defaults = ReaderDefaults(kind="survey_answer", channel="customer_survey", category_scheme="kto")

    def records(self, path: Path, mapping: Mapping) -> Iterator[SourceRecord | ReadIssue]:
        """One source record per non-empty answer; an issue for a respondent who left every answer empty."""
        mapping.require_columns(self.name, "id", "answers", "observed_at")
        answers = mapping.columns.answers or []
        for item in iter_csv_rows(path, mapping):
            if isinstance(item, ReadIssue):
                yield item
                continue
            line, row = item
            base = record_from(path.name, line, row.get, mapping.columns, text="")
            given = [(column, row[column].strip()) for column in answers if row[column].strip()]
            if not given:
                yield ReadIssue(path.name, line, "text is empty in every answer column")
                continue
            respondent = base.source_id.strip()
            for column, text in given:
                source_id = f"{respondent}#{column}" if respondent else ""
                yield replace(base, source_id=source_id, text=text)
