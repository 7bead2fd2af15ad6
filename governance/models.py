# SPDX-License-Identifier: EUPL-1.2
"""Pydantic v2 binding of the Hartslag signal and batch, version 1.0.0.

The JSON Schema files stay the source of truth. Bounds and patterns are read from ``schema/signal/1.0.0.json`` and
``schema/batch/1.0.0.json`` at import, codes from the code lists (see :mod:`governance.codes`), and the two
cross-field rules (which ``organisation_kind`` fits an organisation code, which id form fits a policy reference
scheme) from the schema's ``if``/``then`` blocks. So the models accept exactly the documents the schema accepts;
``tests/governance/test_examples.py`` holds them to that on every example of the standard.

The models are frozen (no attribute can be reassigned) and closed (unknown fields are refused) wherever the schema
is closed. Optional fields are left out, never ``null``, as in the schema. Errors never show the offending value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from governance.codes import (
    BOUND_VERSION,
    ChannelCode,
    DateTime,
    LanguageCode,
    MunicipalityCode,
    OrganisationCode,
    OrganisationKindCode,
    PolicyRefSchemeCode,
    SemVer,
    SentimentCode,
    SignalKindCode,
    ThemeCode,
    Uuid,
    codes_of,
    conforms,
    field_rule,
    json_integer,
    matches,
    string_constraints,
)
from governance.errors import SchemaError

__all__ = [
    "SCHEMA_VERSION",
    "Batch",
    "Category",
    "Location",
    "PolicyRef",
    "Privacy",
    "Signal",
    "Source",
    "batch_to_json",
    "parse_batch",
    "parse_signal",
    "signal_to_json",
]

SCHEMA_VERSION = BOUND_VERSION
_SIGNAL = f"https://standaard.hartslag.nl/schema/signal/{SCHEMA_VERSION}.json"
_BATCH = f"https://standaard.hartslag.nl/schema/batch/{SCHEMA_VERSION}.json"
_rule = field_rule


def _unique(items: list[str]) -> list[str]:
    if len(set(items)) != len(items):
        raise ValueError("has duplicate items")
    return items


_THEMES = _rule(_SIGNAL, "themes")
_POLICY_REFS = _rule(_SIGNAL, "policy_refs")
_PLACEHOLDERS = _rule(_SIGNAL, "privacy", "placeholders")

Themes = Annotated[
    list[ThemeCode],
    Field(min_length=_THEMES["minItems"], max_length=_THEMES["maxItems"]),
    AfterValidator(_unique),
]
Namespace = Annotated[
    str, StringConstraints(strict=True, pattern=_rule(_SIGNAL, "extensions")["propertyNames"]["pattern"])
]
PlaceholderType = Annotated[str, StringConstraints(strict=True, pattern=_PLACEHOLDERS["propertyNames"]["pattern"])]
PlaceholderCount = Annotated[
    int, BeforeValidator(json_integer), Field(ge=_PLACEHOLDERS["additionalProperties"]["minimum"])
]


class _Closed(BaseModel):
    """Base of every model: frozen, closed, ``null`` refused, input values kept out of error messages."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, hide_input_in_errors=True, regex_engine="python-re", validate_default=False
    )

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        # The schema types every optional field without null: an absent field is left out, not sent as null.
        if isinstance(data, dict):
            nulls = sorted(str(key) for key, value in data.items() if value is None)
            if nulls:
                raise ValueError("null is not allowed (leave the field out): " + ", ".join(nulls))
        return data


# --- the signal ----------------------------------------------------------------------------------------------


def _organisation_kind_rules() -> list[tuple[Callable[[str], bool], str]]:
    """(applies to this organisation code?, required kind) pairs from the source's if/then blocks."""
    rules: list[tuple[Callable[[str], bool], str]] = []
    for block in _rule(_SIGNAL, "source")["allOf"]:
        condition = block["if"]["properties"]["organisation"]
        kind = block["then"]["properties"]["organisation_kind"]["const"]
        if "pattern" in condition:
            rules.append((matches(condition["pattern"]), kind))
        else:
            listed = codes_of(condition["$ref"].rsplit("/", 1)[-1].removesuffix(".json"))
            rules.append((listed.__contains__, kind))
    return rules


_KIND_RULES = _organisation_kind_rules()
_ID_FORMS = {
    block["if"]["properties"]["scheme"]["const"]: matches(block["then"]["properties"]["id"]["pattern"])
    for block in _rule(_SIGNAL, "policy_refs", "[]")["allOf"]
}


class Source(_Closed):
    """Who published the signal (bron) and through which channel (kanaal) it came in."""

    organisation: OrganisationCode
    organisation_kind: OrganisationKindCode
    channel: ChannelCode
    system: Annotated[str, string_constraints(_rule(_SIGNAL, "source", "system"))] | None = None

    @model_validator(mode="after")
    def _kind_fits_organisation(self) -> Self:
        for applies, kind in _KIND_RULES:
            if applies(self.organisation) and self.organisation_kind != kind:
                raise ValueError(f"organisation_kind must be '{kind}' for this organisation code")
        return self


class Category(_Closed):
    """The source's own classification of the signal (eigen categorie)."""

    scheme: Annotated[str, string_constraints(_rule(_SIGNAL, "category", "scheme"))]
    code: Annotated[str, string_constraints(_rule(_SIGNAL, "category", "code"))]
    label: Annotated[str, string_constraints(_rule(_SIGNAL, "category", "label"))] | None = None


class Location(_Closed):
    """Where the signal is about, coarse on purpose: no address, no coordinates (locatie)."""

    municipality: MunicipalityCode | None = None
    postcode_area: Annotated[str, string_constraints(_rule(_SIGNAL, "location", "postcode_area"))] | None = None
    neighbourhood: Annotated[str, string_constraints(_rule(_SIGNAL, "location", "neighbourhood"))] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("needs at least one of municipality, postcode_area and neighbourhood")
        return self


class PolicyRef(_Closed):
    """A law, local regulation, court ruling or policy the signal is about."""

    scheme: PolicyRefSchemeCode
    id: Annotated[str, string_constraints(_rule(_SIGNAL, "policy_refs", "[]", "id"))]
    label: Annotated[str, string_constraints(_rule(_SIGNAL, "policy_refs", "[]", "label"))] | None = None

    @model_validator(mode="after")
    def _id_fits_scheme(self) -> Self:
        fits = _ID_FORMS.get(self.scheme)
        if fits is not None and not fits(self.id):
            raise ValueError(f"id does not have the form of the scheme '{self.scheme}'")
        return self


class Privacy(_Closed):
    """How the signal was anonymised before it left the organisation (anonimisering)."""

    anonymiser: Annotated[str, string_constraints(_rule(_SIGNAL, "privacy", "anonymiser"))]
    version: SemVer
    placeholders: dict[PlaceholderType, PlaceholderCount] | None = None


class Signal(_Closed):
    """One anonymised signal (signaal), as defined by ``schema/signal/1.0.0.json``."""

    id: Uuid
    schema_version: Literal["1.0.0"]
    source: Source
    kind: SignalKindCode
    observed_at: DateTime
    published_at: DateTime
    text: Annotated[str, string_constraints(_rule(_SIGNAL, "text"))]
    language: LanguageCode
    sentiment: SentimentCode | None = None
    category: Category | None = None
    themes: Themes | None = None
    location: Location | None = None
    policy_refs: (
        Annotated[list[PolicyRef], Field(min_length=_POLICY_REFS["minItems"], max_length=_POLICY_REFS["maxItems"])]
        | None
    ) = None
    extensions: dict[Namespace, dict[str, Any]] | None = None
    privacy: Privacy


# --- the batch -----------------------------------------------------------------------------------------------

_SIGNALS = _rule(_BATCH, "signals")
_HEAD = _rule(_BATCH, "signals", "[]")
_HEAD_FIELDS = {name: _rule(_BATCH, "signals", "[]", name) for name in _HEAD["properties"]}


def _signal_head(entry: dict[str, Any]) -> dict[str, Any]:
    """A batch only checks each signal's id and schema_version; the signal itself is validated on its own."""
    missing = [name for name in _HEAD["required"] if name not in entry]
    if missing:
        raise ValueError("missing required field " + ", ".join(f"'{name}'" for name in missing))
    for name, node in _HEAD_FIELDS.items():
        if name in entry and not conforms(node, entry[name]):
            raise ValueError(f"'{name}' does not have the required form ({node['description']})")
    return entry


EpochSeconds = Annotated[int, BeforeValidator(json_integer), Field(ge=_rule(_BATCH, "iat")["minimum"])]


class Batch(_Closed):
    """A batch (bundel) of signals: the payload of the signed JWS, as defined by ``schema/batch/1.0.0.json``.

    ``signals`` holds the signals as plain dicts: validate each one with :func:`parse_signal`, so that one bad
    signal does not sink the batch.
    """

    schema_version: Literal["1.0.0"]
    iss: Annotated[str, string_constraints(_rule(_BATCH, "iss"))]
    aud: Annotated[str, string_constraints(_rule(_BATCH, "aud"))]
    iat: EpochSeconds
    exp: EpochSeconds
    jti: Annotated[str, string_constraints(_rule(_BATCH, "jti"))]
    signals: Annotated[
        list[Annotated[dict[str, Any], AfterValidator(_signal_head)]],
        Field(min_length=_SIGNALS["minItems"], max_length=_SIGNALS["maxItems"]),
    ]


# --- helpers -------------------------------------------------------------------------------------------------


def _schema_error(error: ValidationError) -> SchemaError:
    """One :class:`SchemaError` naming each failing field by JSON pointer (values are hidden by the models)."""
    parts = []
    for item in error.errors(include_url=False, include_input=False):
        pointer = "".join(f"/{part}" for part in item["loc"]) or "/"
        parts.append(f"{pointer}: {item['msg']}")
    return SchemaError("; ".join(parts))


def parse_signal(obj: Any) -> Signal:
    """Validate a JSON-like signal; raise :class:`~governance.errors.SchemaError` when it breaks the standard."""
    try:
        return Signal.model_validate(obj)
    except ValidationError as error:
        raise _schema_error(error) from None


def parse_batch(obj: Any) -> Batch:
    """Validate a JSON-like batch (not the signals in it); raise :class:`SchemaError` when it breaks the standard."""
    try:
        return Batch.model_validate(obj)
    except ValidationError as error:
        raise _schema_error(error) from None


def signal_to_json(signal: Signal) -> dict[str, Any]:
    """The signal as a JSON-ready dict in the standard's form (absent optional fields left out)."""
    return signal.model_dump(mode="json", by_alias=True, exclude_none=True)


def batch_to_json(batch: Batch) -> dict[str, Any]:
    """The batch as a JSON-ready dict in the standard's form."""
    return batch.model_dump(mode="json", by_alias=True, exclude_none=True)
