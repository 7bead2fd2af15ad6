# SPDX-License-Identifier: EUPL-1.2
"""The mapping file: how one agency export becomes standard signals.

A mapping is a TOML file, read with :mod:`tomllib` into the pydantic models below; unknown keys are refused, so a
typo never passes silently. Every key is described, with examples, in ``docs/connector-mapping.md``::

    format = "csv"                        # csv | jsonl | signalen | open311 | kto (else --format or the extension)
    date_format = "%d-%m-%Y %H:%M"        # strptime pattern of observed_at; left out: ISO 8601

    [source]                              # constants: organisation, organisation_kind, system, channel, kind,
    organisation = "GM0344"               # language, timezone, municipality, category_scheme, id_scope
    organisation_kind = "municipality"

    [columns]                             # the export's column (CSV) or key / dotted path (JSONL) per field
    id = "Meldingnummer"
    text = "Omschrijving"
    observed_at = "Datum melding"
    category = "Categorie"

    [categories."Afval - Container vol"]  # one of the export's own category codes: code?, label?, themes, kind?
    themes = ["afval"]

    [channels]                            # the export's channel values -> standard channel codes ([kinds] alike)
    Telefoon = "phone"

Codes (organisations, channels, kinds, languages, themes, ...) are checked against the standard's code lists when
the file loads; a wrong one is a :class:`MappingError` that names the key, never a data value.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from governance.errors import HartslagError, InvalidInputError

__all__ = [
    "FORMATS",
    "CategoryRule",
    "Columns",
    "CsvOptions",
    "Mapping",
    "MappingError",
    "SentimentRule",
    "SourceConstants",
    "known_codes",
    "load_mapping",
    "parse_mapping",
]

FORMATS = ("csv", "jsonl", "signalen", "open311", "kto")

# The standard's code list files behind each kind of code (an organisation is a municipality or a national agency).
_CODELISTS = {
    "channel": ("channels",),
    "kind": ("signal-kinds",),
    "organisation_kind": ("organisation-kinds",),
    "language": ("languages",),
    "theme": ("themes",),
    "municipality": ("municipalities",),
    "organisation": ("municipalities", "national-agencies"),
    "national_agency": ("national-agencies",),
}
_SCHEME = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*$")
_ORGANISATION = re.compile(r"^(GM\d{4}|NIS\d{5}|[A-Z][A-Z0-9]*(-[A-Z0-9]+)*)$")
_MUNICIPALITY = re.compile(r"^(GM\d{4}|NIS\d{5})$")


class MappingError(InvalidInputError):
    """A mapping file that cannot be read or does not describe a usable mapping."""

    code = "mapping-invalid"


@cache
def known_codes(name: str) -> frozenset[str] | None:
    """The codes of the standard's code list(s) behind ``name`` (``channel``, ``kind``, ``theme``, ...).

    None when the code list is not installed: the value is then checked only when the signal is validated.
    """
    from governance.standard import codelist_codes

    codes: set[str] = set()
    try:
        for codelist in _CODELISTS.get(name, (name,)):
            codes.update(codelist_codes(codelist))
    except HartslagError:
        return None
    return frozenset(codes)


def _check_codes(values: Iterable[str], codelist: str, where: str) -> None:
    codes = known_codes(codelist)
    if codes is None:
        return
    wrong = sorted({v for v in values if v not in codes})
    if wrong:
        raise ValueError(f"{where}: not a {codelist} code of the standard: {', '.join(wrong)}")


def _kind_of(organisation: str) -> str | None:
    """The organisation kind the standard requires for an organisation code (None: any kind fits)."""
    if organisation.startswith("GM"):
        return "municipality"
    if organisation.startswith("NIS"):
        return "flemish_local_government"
    agencies = known_codes("national_agency")
    return "national_agency" if agencies and organisation in agencies else None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConstants(_Strict):
    """``[source]``: what is the same for every signal of the export."""

    organisation: str = Field(min_length=2, max_length=40)
    organisation_kind: str
    system: str | None = Field(default=None, max_length=100)
    channel: str | None = None
    kind: str | None = None
    language: str = "nl"
    timezone: str = "Europe/Amsterdam"
    municipality: str | None = None
    category_scheme: str | None = Field(default=None, min_length=1, max_length=100)
    id_scope: str | None = Field(default=None, max_length=100)

    @field_validator("organisation")
    @classmethod
    def _organisation(cls, value: str) -> str:
        if not _ORGANISATION.match(value):
            raise ValueError("must be an organisation code such as GM0363, NIS44021 or UWV")
        return value

    @field_validator("municipality")
    @classmethod
    def _municipality(cls, value: str | None) -> str | None:
        if value is not None and not _MUNICIPALITY.match(value):
            raise ValueError("must be a municipality code such as GM0363 or NIS44021")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known IANA time zone (e.g. Europe/Amsterdam, Europe/Brussels)") from exc
        return value

    @field_validator("category_scheme")
    @classmethod
    def _scheme(cls, value: str | None) -> str | None:
        if value is not None and not _SCHEME.match(value):
            raise ValueError("must be a lower-case name such as 'signalen' or 'uwv-kcc-contactredenen'")
        return value

    @model_validator(mode="after")
    def _codes(self) -> SourceConstants:
        _check_codes([self.organisation], "organisation", "organisation")
        _check_codes([self.municipality] if self.municipality else [], "municipality", "municipality")
        _check_codes([self.organisation_kind], "organisation_kind", "organisation_kind")
        expected = _kind_of(self.organisation)
        if expected and self.organisation_kind != expected:
            raise ValueError(f"organisation_kind must be '{expected}' for organisation {self.organisation}")
        _check_codes([self.language], "language", "language")
        _check_codes([self.channel] if self.channel else [], "channel", "channel")
        _check_codes([self.kind] if self.kind else [], "kind", "kind")
        return self

    @property
    def scope(self) -> str:
        """The id scope: record ids are unique within one system of one organisation."""
        return self.id_scope if self.id_scope is not None else (self.system or "")

    def zone(self) -> ZoneInfo:
        """The time zone for naive date-times in the export."""
        return ZoneInfo(self.timezone)


class CsvOptions(_Strict):
    """``[csv]``: how to read a CSV export (csv and kto formats)."""

    delimiter: str | None = Field(default=None, min_length=1, max_length=1)  # None: sniffed from the header
    quotechar: str = Field(default='"', min_length=1, max_length=1)
    encoding: str = "utf-8-sig"

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError as exc:
            raise ValueError("is not a known text encoding (e.g. utf-8-sig, cp1252, utf-16)") from exc
        return value


class Columns(_Strict):
    """``[columns]``: which column (CSV) or key / dotted path (JSONL) holds each field of a record."""

    id: str | None = None
    text: str | list[str] | None = None
    answers: list[str] | None = Field(default=None, min_length=1)  # kto: free-text answer columns
    observed_at: str | None = None
    category: str | None = None
    category_label: str | None = None
    channel: str | None = None
    kind: str | None = None
    language: str | None = None
    postcode: str | None = None
    municipality: str | None = None
    neighbourhood: str | None = None
    score: str | None = None
    sentiment: str | None = None

    def text_columns(self) -> list[str]:
        """The text column(s) as a list."""
        if self.text is None:
            return []
        return [self.text] if isinstance(self.text, str) else list(self.text)


class CategoryRule(_Strict):
    """``[categories."<local code>"]``: what one of the export's own categories means in the standard."""

    code: str | None = Field(default=None, min_length=1, max_length=100)
    label: str | None = Field(default=None, min_length=1, max_length=200)
    themes: Annotated[list[str], Field(max_length=5)] = []
    kind: str | None = None
    # The rules a category is about, as "scheme:id" (e.g. "bwb:BWBR0001941"): every signal of it cites them, so the
    # hub can tie a policy's effect to the signals that concern it.
    policy_refs: Annotated[list[str], Field(max_length=10)] = []

    @model_validator(mode="after")
    def _codes(self) -> CategoryRule:
        if len(set(self.themes)) != len(self.themes):
            raise ValueError("themes: a theme is listed twice")
        _check_codes(self.themes, "theme", "themes")
        _check_codes([self.kind] if self.kind else [], "kind", "kind")
        if len(set(self.policy_refs)) != len(self.policy_refs):
            raise ValueError("policy_refs: a reference is listed twice")
        for ref in self.policy_refs:
            scheme, _, ident = ref.partition(":")
            if not ident or len(ident) > 300:
                raise ValueError(f"policy_refs: {ref!r} is not SCHEME:ID (e.g. bwb:BWBR0001941)")
            _check_codes([scheme], "policy-ref-schemes", "policy_refs")
        return self

    def policy_ref_objects(self) -> list[dict[str, str]]:
        """The references as the standard writes them: ``{"scheme", "id"}`` objects."""
        return [dict(zip(("scheme", "id"), ref.split(":", 1), strict=True)) for ref in self.policy_refs]


class SentimentRule(_Strict):
    """``[sentiment]``: how a score column (a KTO mark) or a sentiment column becomes the signal's sentiment."""

    scale_min: float = 1
    scale_max: float = 10
    negative_max: float = 5.5  # score <= negative_max: negative
    positive_min: float = 8  # score >= positive_min: positive; in between: neutral
    values: dict[str, Literal["negative", "neutral", "positive"]] = {}

    @model_validator(mode="after")
    def _order(self) -> SentimentRule:
        if not self.scale_min <= self.negative_max < self.positive_min <= self.scale_max:
            raise ValueError("need scale_min <= negative_max < positive_min <= scale_max")
        return self


class Mapping(_Strict):
    """A whole mapping file."""

    format: Literal["csv", "jsonl", "signalen", "open311", "kto"] | None = None
    date_format: str | None = None
    on_unknown_category: Literal["report", "keep"] = "report"
    source: SourceConstants
    csv: CsvOptions = CsvOptions()
    columns: Columns = Columns()
    categories: dict[str, CategoryRule] = {}
    channels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    sentiment: SentimentRule = SentimentRule()

    @model_validator(mode="after")
    def _codes(self) -> Mapping:
        _check_codes(self.channels.values(), "channel", "[channels]")
        _check_codes(self.kinds.values(), "kind", "[kinds]")
        return self

    def reject_columns(self, fmt: str) -> None:
        """For formats that read their own fields: a ``[columns]`` table would be silently unused, so refuse it."""
        if self.columns.model_dump(exclude_none=True):
            raise MappingError(f"format '{fmt}' reads its fields itself; leave [columns] out of the mapping")

    def require_columns(self, fmt: str, *names: str) -> None:
        """Raise :class:`MappingError` unless ``[columns]`` names each of ``names`` (needed by format ``fmt``)."""
        missing = [n for n in names if not getattr(self.columns, n)]
        if missing:
            raise MappingError(f"format '{fmt}' needs [columns] {', '.join(missing)} in the mapping")


def parse_mapping(document: dict[str, Any], *, origin: str = "mapping") -> Mapping:
    """Build a :class:`Mapping` from already-parsed TOML; errors name the key, never a data value."""
    try:
        return Mapping.model_validate(document)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in error["loc"]) or "(top)"
            problems.append(f"{where}: {error['msg']}")
        raise MappingError(f"{origin}: " + "; ".join(problems)) from None


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping TOML file; :class:`MappingError` (code ``mapping-invalid``) when it is unusable."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise MappingError(f"mapping file {path} does not exist", code="mapping-not-found") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path.name}: not valid TOML ({exc})") from None
    return parse_mapping(document, origin=path.name)
