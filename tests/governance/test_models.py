# SPDX-License-Identifier: EUPL-1.2
"""The pydantic binding: it accepts exactly what the JSON Schema accepts, and behaves as a Python API should."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from governance.errors import SchemaError
from governance.models import (
    SCHEMA_VERSION,
    Batch,
    Signal,
    batch_to_json,
    parse_batch,
    parse_signal,
    signal_to_json,
)
from governance.standard import codelist_codes, load_schema, validate
from tests.factories import make_agency, make_batch, make_signal, make_signals


def _accepted(model: type[BaseModel], document: Any) -> bool:
    try:
        model.model_validate(document)
    except ValidationError:
        return False
    return True


def _agree(document: dict[str, Any], model: type[BaseModel] = Signal) -> bool:
    """Whether the schema and the model give the same verdict; returns that verdict."""
    by_schema = validate(document, "batch" if model is Batch else "signal") == []
    assert _accepted(model, document) == by_schema, [str(i) for i in validate(document)]
    return by_schema


# --- the basics ----------------------------------------------------------------------------------------------


def test_factory_signal_parses_and_dumps_back_to_a_valid_document() -> None:
    raw = make_signal()
    signal = parse_signal(raw)
    dumped = signal_to_json(signal)
    assert validate(dumped) == []
    assert parse_signal(dumped) == signal
    assert dumped["id"] == raw["id"] and dumped["text"] == raw["text"]
    assert "sentiment" not in dumped  # optional fields that were left out stay out (no nulls)


def test_model_version_is_the_schema_version() -> None:
    assert load_schema("signal", SCHEMA_VERSION)["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert load_schema("batch", SCHEMA_VERSION)["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_models_are_frozen() -> None:
    signal = parse_signal(make_signal())
    with pytest.raises(ValidationError):
        signal.text = "iets anders"
    with pytest.raises(ValidationError):
        signal.source.channel = "phone"


def test_factory_signals_have_unique_ids() -> None:
    assert len({s["id"] for s in make_signals(50)} | {make_signal()["id"], make_signal()["id"]}) == 52


# --- date-times ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-03-14T21:47:00+01:00", True),
        ("2026-03-14T20:47:00Z", True),
        ("2026-03-14T20:47:00.123456789Z", True),
        ("2026-03-14T21:47:00", False),  # no offset
        ("2026-03-14 21:47:00+01:00", False),  # space instead of T
        ("2026-03-14", False),
        ("2026-02-30T10:00:00Z", False),
        ("2026-03-14T20:47:00Z\n", False),
        (1773521220, False),  # epoch seconds are a batch thing, not a signal date
    ],
)
def test_date_times_need_the_rfc3339_form_with_offset(value: object, ok: bool) -> None:
    assert _agree(make_signal(observed_at=value)) is ok


def test_python_datetimes_must_be_aware() -> None:
    base = make_signal()
    aware = datetime(2026, 3, 14, 21, 47, tzinfo=timezone(timedelta(hours=1)))
    signal = Signal.model_validate({**base, "observed_at": aware})
    assert signal_to_json(signal)["observed_at"] == "2026-03-14T21:47:00+01:00"
    with pytest.raises(ValidationError):
        Signal.model_validate({**base, "observed_at": datetime(2026, 3, 14, 21, 47)})
    assert parse_signal({**base, "published_at": datetime(2026, 3, 14, tzinfo=UTC)}).published_at.utcoffset() == (
        timedelta(0)
    )


# --- codes and cross-field rules -----------------------------------------------------------------------------

CODE_FIELDS = [
    ("signal-kinds", ("kind",)),
    ("channels", ("source", "channel")),
    ("languages", ("language",)),
    ("sentiments", ("sentiment",)),
    ("municipalities", ("location", "municipality")),
    ("themes", ("themes", 0)),
    ("policy-ref-schemes", ("policy_refs", 0, "scheme")),
]


def _put(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(document)
    target: Any = document
    for step, following in itertools.pairwise(path):
        if isinstance(target, dict) and step not in target:
            target[step] = [] if isinstance(following, int) else {}
        target = target[step]
    if isinstance(target, list) and path[-1] == len(target):
        target.append(value)
    else:
        target[path[-1]] = value
    return document


def _with_policy_ref(scheme: str) -> dict[str, Any]:
    example = codelist_codes("policy-ref-schemes")[scheme]["x-example"]
    return make_signal(policy_refs=[{"scheme": scheme, "id": example}])


@pytest.mark.parametrize(("name", "path"), CODE_FIELDS, ids=[n for n, _ in CODE_FIELDS])
def test_every_code_is_accepted_and_an_unknown_one_refused(name: str, path: tuple[Any, ...]) -> None:
    for code in codelist_codes(name):
        base = _with_policy_ref(code) if name == "policy-ref-schemes" else make_signal(themes=["afval"])
        assert _agree(_put(base, path, code)), code
    refused = _put(make_signal(policy_refs=[{"scheme": "bwb", "id": "BWBR0001941"}]), path, "onbekende-code")
    assert not _agree(refused)
    with pytest.raises(SchemaError, match=f"code list '{name}'"):
        parse_signal(refused)


ORGANISATIONS = ["GM0363", "GM1992", "NIS44021", "NIS71022", "UWV", "BD-TOESLAGEN", "NATIONALE-OMBUDSMAN"]


@pytest.mark.parametrize("organisation", ORGANISATIONS)
def test_exactly_one_organisation_kind_fits_each_organisation(organisation: str) -> None:
    fitting = [
        kind
        for kind in codelist_codes("organisation-kinds")
        if _agree(make_signal(agency=make_agency(organisation, kind)))
    ]
    assert fitting == [make_agency(organisation).kind]


def test_unknown_organisation_is_refused_whatever_its_kind() -> None:
    for kind in codelist_codes("organisation-kinds"):
        assert not _agree(make_signal(agency=make_agency("GM9999", kind)))
        assert not _agree(make_signal(agency=make_agency("BELASTINGDIENST", kind)))


@pytest.mark.parametrize(
    ("scheme", "good", "bad"),
    [
        ("bwb", "BWBR0001941", "Opiumwet"),
        ("cvdr", "CVDR654321_3", "APV Rotterdam"),
        ("eli", "http://data.europa.eu/eli/reg/2016/679/oj", "eli/reg/2016/679"),
        ("ecli", "ECLI:NL:CRVB:2026:412", "CRVB 2026/412"),
        ("hartslag-policy", "aanpak-lachgas-2026", "Aanpak Lachgas"),
    ],
)
def test_policy_ref_id_must_fit_its_scheme(scheme: str, good: str, bad: str) -> None:
    assert _agree(make_signal(policy_refs=[{"scheme": scheme, "id": good, "label": "Regeling"}]))
    assert not _agree(make_signal(policy_refs=[{"scheme": scheme, "id": bad}]))


def test_themes_are_unique_and_at_most_five() -> None:
    assert _agree(make_signal(themes=["afval", "groen", "water", "wonen", "energie"]))
    assert not _agree(make_signal(themes=["afval", "groen", "water", "wonen", "energie", "zorg"]))
    assert not _agree(make_signal(themes=["afval", "afval"]))
    assert not _agree(make_signal(themes=[]))


@pytest.mark.parametrize(
    "field", ["sentiment", "category", "themes", "location", "policy_refs", "extensions", "source.system"]
)
def test_optional_fields_are_left_out_not_null(field: str) -> None:
    document = make_signal()
    if field == "source.system":
        document["source"]["system"] = None
    else:
        document[field] = None
    assert not _agree(document)


def test_location_is_coarse_and_not_empty() -> None:
    assert _agree(make_signal(location={"postcode_area": "3072"}))
    assert _agree(make_signal(location={"neighbourhood": "BU05990110", "municipality": "GM0599"}))
    for location in ({}, {"postcode_area": "3072 AB"}, {"postcode_area": "0999"}, {"neighbourhood": "BU0599011"}):
        assert not _agree(make_signal(location=location))


def test_extensions_need_a_reverse_domain_namespace_and_object_values() -> None:
    assert _agree(make_signal(extensions={"nl.uwv": {"product": "WW"}, "be.gent.wijk-2": {}}))
    refused: list[dict[str, Any]] = [{"uwv": {}}, {"NL.UWV": {}}, {"nl.uwv": "WW"}, {"nl.uwv": ["WW"]}]
    for extensions in refused:
        assert not _agree(make_signal(extensions=extensions))


# --- error messages ------------------------------------------------------------------------------------------


def test_errors_never_repeat_the_signal_text() -> None:
    secret = "Mijn naam is Jan Jansen, BSN 123456782. " * 120  # too long: > 4000 characters
    with pytest.raises(SchemaError) as caught:
        parse_signal(make_signal(text=secret))
    assert "Jansen" not in str(caught.value) and "/text" in str(caught.value)
    assert caught.value.code == "schema-invalid"
    with pytest.raises(ValidationError) as raw:
        Signal.model_validate(make_signal(text=secret, kind="Jan Jansen"))
    assert "Jansen" not in str(raw.value)


# --- the batch -----------------------------------------------------------------------------------------------


def test_factory_batch_is_valid_in_schema_and_model() -> None:
    batch = make_batch(make_signals(3, agency=make_agency("UWV")))
    assert batch["iss"] == "UWV" and batch["exp"] - batch["iat"] == 600
    assert _agree(batch, Batch)
    parsed = parse_batch(batch)
    assert batch_to_json(parsed) == batch
    assert all(parse_signal(entry).id == entry["id"] for entry in parsed.signals)


def test_batch_checks_only_the_head_of_each_signal() -> None:
    heads = [{"id": s["id"], "schema_version": "1.0.0"} for s in make_signals(2)]
    assert _agree(make_batch(heads, iss="GM0363"), Batch)
    assert _agree(make_batch([{**heads[0], "schema_version": "1.7.0", "whatever": 1}], iss="GM0363"), Batch)
    broken: list[Any] = [
        {"id": heads[0]["id"]},
        {"schema_version": "1.0.0"},
        {**heads[0], "id": "x"},
        {**heads[0], "schema_version": "1.0"},
        {**heads[0], "id": 7},
        "not an object",
    ]
    for entry in broken:
        assert not _agree(make_batch([entry], iss="GM0363"), Batch)


def test_batch_size_is_one_to_a_thousand() -> None:
    heads = [{"id": s["id"], "schema_version": "1.0.0"} for s in make_signals(1001, seed=3)]
    assert _agree(make_batch(heads[:1000], iss="GM0363"), Batch)
    assert not _agree(make_batch(heads, iss="GM0363"), Batch)
    assert not _agree(make_batch([], iss="GM0363"), Batch)


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("iat", 1773738000, True),
        ("iat", 1773738000.0, True),  # JSON Schema counts 2.0 as an integer
        ("iat", 1773738000.5, False),
        ("iat", True, False),
        ("iat", -1, False),
        ("iat", "1773738000", False),
        ("iss", "NIS44021", True),
        ("iss", "uwv", False),
        ("aud", "hub.hartslag.nl", True),
        ("aud", "Hartslag Hub", False),
        ("jti", "not-a-uuid", False),
        ("schema_version", "1.1.0", False),
    ],
)
def test_batch_claims(field: str, value: object, ok: bool) -> None:
    assert _agree({**make_batch(make_signals(1)), field: value}, Batch) is ok


# --- property: the schema and the models agree on arbitrary damage ---------------------------------------------

_ALL_CODES = sorted(
    {
        code
        for name in (
            "signal-kinds",
            "channels",
            "organisation-kinds",
            "languages",
            "sentiments",
            "themes",
            "national-agencies",
            "policy-ref-schemes",
        )
        for code in codelist_codes(name)
    }
    | {"GM0363", "GM0599", "NIS44021"}
)
_TRICKY = [
    "",
    " ",
    "\n",
    "1.0.0",
    "1.0.0\n",
    "2026-03-01T10:00:00Z",
    "2026-03-01T10:00:00",
    "1012",
    "1012\n",
    "0999",
    "BU05990110",
    "nl.uwv",
    "NAAM",
    "BWBR0001941",
    "0b7e2a4c-5d1f-4c8e-9a3b-6f2d1e0c9b84",
    "x" * 4001,
]
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(_ALL_CODES),
    st.sampled_from(_TRICKY),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.sampled_from(["NAAM", "nl.uwv", "x", "id"]), inner, max_size=3)
    ),
    max_leaves=8,
)
_SIGNAL_PATHS = [
    ("id",),
    ("schema_version",),
    ("source",),
    ("source", "organisation"),
    ("source", "organisation_kind"),
    ("source", "channel"),
    ("source", "system"),
    ("kind",),
    ("observed_at",),
    ("published_at",),
    ("text",),
    ("language",),
    ("sentiment",),
    ("category",),
    ("category", "scheme"),
    ("category", "code"),
    ("themes",),
    ("themes", 0),
    ("location",),
    ("location", "municipality"),
    ("location", "postcode_area"),
    ("location", "neighbourhood"),
    ("policy_refs",),
    ("policy_refs", 0, "id"),
    ("policy_refs", 0, "scheme"),
    ("extensions",),
    ("extensions", "nl.uwv"),
    ("privacy",),
    ("privacy", "version"),
    ("privacy", "placeholders"),
    ("privacy", "placeholders", "NAAM"),
    ("unknown",),
]
_BATCH_PATHS = [
    ("schema_version",),
    ("iss",),
    ("aud",),
    ("iat",),
    ("exp",),
    ("jti",),
    ("signals",),
    ("signals", 0),
    ("signals", 0, "id"),
    ("signals", 0, "schema_version"),
    ("unknown",),
]
_DELETE = object()


def _damage(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(document)
    target: Any = document
    for step in path[:-1]:
        if isinstance(target, dict):
            target = target.setdefault(step, {})
        elif isinstance(target, list) and isinstance(step, int) and step < len(target):
            target = target[step]
        else:
            return document
    if not isinstance(target, dict | list):
        return document
    last = path[-1]
    if value is _DELETE:
        if isinstance(target, dict):
            target.pop(last, None)
        elif isinstance(last, int) and last < len(target):
            del target[last]
    elif isinstance(target, dict) and not isinstance(last, int):
        target[last] = value
    elif isinstance(target, list) and isinstance(last, int):
        target[min(last, len(target)) :] = [value]
    return document


_MAXIMAL = make_signal(
    sentiment="negative",
    category={"scheme": "signalen", "code": "afval/grofvuil", "label": "Grofvuil"},
    location={"municipality": "GM0363", "postcode_area": "1055", "neighbourhood": "BU03630705"},
    policy_refs=[{"scheme": "bwb", "id": "BWBR0001941", "label": "Opiumwet"}],
    extensions={"nl.uwv": {"product": "WW"}},
    privacy={"anonymiser": "hartslag-anonymiser", "version": "1.0.0", "placeholders": {"NAAM": 1}},
)


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    damage=st.lists(
        st.tuples(st.sampled_from(_SIGNAL_PATHS), st.one_of(_JSON, st.just(_DELETE))), min_size=1, max_size=3
    )
)
def test_schema_and_models_agree_on_damaged_signals(damage: list[tuple[tuple[Any, ...], Any]]) -> None:
    document = _MAXIMAL
    for path, value in damage:
        document = _damage(document, path, value)
    _agree(document)


@settings(max_examples=200, deadline=None, database=None)
@given(
    damage=st.lists(
        st.tuples(st.sampled_from(_BATCH_PATHS), st.one_of(_JSON, st.just(_DELETE))), min_size=1, max_size=3
    )
)
def test_schema_and_models_agree_on_damaged_batches(damage: list[tuple[tuple[Any, ...], Any]]) -> None:
    document = make_batch(
        [{"id": "0b7e2a4c-5d1f-4c8e-9a3b-6f2d1e0c9b84", "schema_version": "1.0.0"}], iss="UWV", iat=1773738000
    )
    for path, value in damage:
        document = _damage(document, path, value)
    _agree(json.loads(json.dumps(document)), Batch)
