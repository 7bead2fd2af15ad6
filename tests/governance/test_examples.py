# SPDX-License-Identifier: EUPL-1.2
"""The standard's own files: every example through the JSON Schema validator AND the pydantic models.

Valid examples must pass both, invalid ones must fail both, and fail only for the rule the invalid README names.
Every closed object of the schema must refuse an unknown field in the models too, and the code lists must be
well-formed (unique codes, Dutch labels, municipalities in an existing province).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from governance.models import Batch, Signal, signal_to_json
from governance.standard import (
    BASE_URI,
    codelist,
    codelist_codes,
    list_schemas,
    load_schema,
    schema_root,
    subject_of,
    validate,
)

EXAMPLES = schema_root() / "examples" / "1.0.0"
VALID = sorted((EXAMPLES / "valid").glob("*.json"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.json"))
CODELISTS = [info.name for info in list_schemas() if info.kind == "codelist"]


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _readme_rules() -> dict[str, tuple[str, str]]:
    """file stem -> (rule, pointer) from the table in the invalid examples' README."""
    rows = re.findall(
        r"^\| `([^`]+)\.json` \| (.+?) \| `([^`]+)` \|$", (EXAMPLES / "invalid" / "README.md").read_text(), re.M
    )
    return {stem: (rule, pointer) for stem, rule, pointer in rows}


RULES = _readme_rules()


def _model_for(document: Any) -> type[BaseModel]:
    return Batch if subject_of(document) == "batch" else Signal


# --- the examples ---------------------------------------------------------------------------------------------


def test_there_are_enough_examples_of_each_kind() -> None:
    valid = [_load(p) for p in VALID]
    batches = [d for d in valid if subject_of(d) == "batch"]
    assert len(valid) - len(batches) >= 18
    assert len(batches) >= 2
    assert all(2 <= len(b["signals"]) <= 3 for b in batches)
    assert len(INVALID) >= 18


def test_invalid_readme_lists_exactly_the_invalid_files() -> None:
    assert set(RULES) == {p.stem for p in INVALID}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_passes_schema_and_models(path: Path) -> None:
    document = _load(path)
    assert validate(document) == []
    _model_for(document).model_validate(document)
    if subject_of(document) == "batch":
        for signal in document["signals"]:
            assert validate(signal) == []
            Signal.model_validate(signal)
            assert signal["source"]["organisation"] == document["iss"]
    else:
        # The examples are written in the models' canonical form: parsing and dumping gives them back unchanged.
        assert signal_to_json(Signal.model_validate(document)) == document


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_fails_schema_and_models_for_its_rule_only(path: Path) -> None:
    document = _load(path)
    _rule, pointer = RULES[path.stem]
    issues = validate(document)
    assert issues, "the validator accepted an invalid example"
    assert {issue.pointer or "/" for issue in issues} == {pointer}, [str(i) for i in issues]
    with pytest.raises(ValidationError):
        _model_for(document).model_validate(document)
    if subject_of(document) == "batch":
        for index, signal in enumerate(document["signals"]):
            if not pointer.startswith(f"/signals/{index}"):
                assert validate(signal) == []
                Signal.model_validate(signal)


# --- closed objects: an unknown field is refused by the schema and by the models ----------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    if not ref.startswith("#/"):
        return node
    target: Any = schema
    for part in ref[2:].split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _closed_places(schema: dict[str, Any], node: dict[str, Any], path: tuple[Any, ...] = ()) -> Iterator[tuple]:
    """Every instance path where the schema has an object with additionalProperties false (arrays: item 0)."""
    node = _resolve(schema, node)
    if node.get("additionalProperties") is False:
        yield path
    for name, sub in node.get("properties", {}).items():
        yield from _closed_places(schema, sub, (*path, name))
    if isinstance(node.get("items"), dict):
        yield from _closed_places(schema, node["items"], (*path, 0))


SIGNAL_SCHEMA = load_schema("signal", "1.0.0")
BATCH_SCHEMA = load_schema("batch", "1.0.0")
CLOSED = [("signal", p) for p in _closed_places(SIGNAL_SCHEMA, SIGNAL_SCHEMA)] + [
    ("batch", p) for p in _closed_places(BATCH_SCHEMA, BATCH_SCHEMA)
]


def test_the_closed_places_are_the_agreed_ones() -> None:
    signal_places = {"/".join(map(str, p)) for s, p in CLOSED if s == "signal"}
    assert signal_places == {"", "source", "category", "location", "policy_refs/0", "privacy"}
    assert [p for s, p in CLOSED if s == "batch"] == [()]


@pytest.mark.parametrize(
    ("subject", "path"), CLOSED, ids=lambda v: "/".join(map(str, v)) if isinstance(v, tuple) else v
)
def test_unknown_field_is_refused_by_schema_and_models(subject: str, path: tuple[Any, ...]) -> None:
    base = _load(EXAMPLES / "valid" / ("maximaal.json" if subject == "signal" else "batch-uwv.json"))
    document = copy.deepcopy(base)
    target = document
    for step in path:
        target = target[step]
    target["x_unknown_field"] = "[NAAM]"
    pointer = "".join(f"/{step}" for step in path) or "/"
    issues = validate(document)
    assert [(i.pointer or "/", "unexpected field 'x_unknown_field'" in i.message) for i in issues] == [(pointer, True)]
    with pytest.raises(ValidationError) as caught:
        _model_for(document).model_validate(document)
    assert [e["loc"] for e in caught.value.errors()] == [(*path, "x_unknown_field")]


# --- the code lists ------------------------------------------------------------------------------------------

_SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
_ENGLISH = re.compile(r"\b(the|and|for|with|from|other|report|question|complaint|municipality)\b", re.I)


@pytest.mark.parametrize("name", CODELISTS)
def test_codelist_is_well_formed(name: str) -> None:
    doc = codelist(name)
    assert doc["x-codelist"] == name
    assert doc["$id"] == f"{BASE_URI}codelists/{name}.json"
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert _SEMVER.match(doc["x-version"])
    assert doc["x-source"].strip() and doc["title"].strip() and doc["type"] == "string"
    entries = doc["oneOf"]
    codes = [entry["const"] for entry in entries]
    assert len(codes) == len(set(codes)), "duplicate codes"
    assert all(isinstance(code, str) and code == code.strip() and code for code in codes)
    for entry in entries:
        assert set(entry) <= {"const", "title", "description"} | {k for k in entry if k.startswith("x-")}
        assert isinstance(entry["title"], str) and entry["title"] == entry["title"].strip() and entry["title"]
        assert not _ENGLISH.search(entry["title"]), f"label of '{entry['const']}' looks English"


def test_codelist_labels_are_dutch_for_the_agreed_codes() -> None:
    titles = {code: entry["title"] for code, entry in codelist_codes("signal-kinds").items()}
    assert titles["report"] == "Melding" and titles["complaint"] == "Klacht" and titles["question"] == "Vraag"
    assert titles["objection"] == "Bezwaar" and titles["survey_answer"] == "KTO-antwoord"
    assert codelist_codes("organisation-kinds")["municipality"]["title"] == "Gemeente"
    assert codelist_codes("channels")["counter"]["title"] == "Balie"


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        (
            "signal-kinds",
            {
                "report",
                "complaint",
                "question",
                "objection",
                "compliment",
                "suggestion",
                "survey_answer",
                "professional_signal",
            },
        ),
        (
            "channels",
            {
                "phone",
                "web_form",
                "email",
                "counter",
                "app",
                "social_media",
                "letter",
                "customer_survey",
                "professional_observation",
                "chat",
            },
        ),
        (
            "organisation-kinds",
            {"municipality", "national_agency", "flemish_local_government", "province", "water_board", "other"},
        ),
        ("sentiments", {"negative", "neutral", "positive"}),
        ("languages", {"nl", "nl-BE", "en", "fr", "de", "tr", "ar", "pl", "und"}),
        ("policy-ref-schemes", {"bwb", "cvdr", "eli", "ecli", "hartslag-policy"}),
    ],
)
def test_fixed_codelists_hold_the_agreed_codes(name: str, codes: set[str]) -> None:
    assert set(codelist_codes(name)) == codes


def test_themes_are_dutch_slugs_with_a_description() -> None:
    themes = codelist_codes("themes")
    assert 30 <= len(themes) <= 60
    for code, entry in themes.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code)
        assert entry["description"].endswith(".")
    assert {"afval", "openbare-ruimte", "verkeer", "overlast", "toeslagen", "uitkeringen"} <= set(themes)


def test_every_municipality_lies_in_an_existing_province() -> None:
    provinces = codelist_codes("provinces")
    municipalities = codelist_codes("municipalities")
    for code, entry in municipalities.items():
        province = entry["x-province"]
        assert province in provinces, code
        if code.startswith("GM"):
            assert re.fullmatch(r"GM[0-9]{4}", code) and re.fullmatch(r"PV(2[0-9]|3[01])", province)
        else:
            assert re.fullmatch(r"NIS[0-9]{5}", code) and province.startswith("BE-V")
    dutch = [code for code in municipalities if code.startswith("GM")]
    assert len(dutch) == 342  # CBS 'Gemeentelijke indeling op 1 januari 2026'
    names = [municipalities[code]["title"] for code in dutch]
    assert len(names) == len(set(names)), "Dutch municipality names are unique (CBS adds the province when needed)"
    assert {provinces[p]["x-country"] for p in provinces} == {"NL", "BE"}
    assert sum(1 for p in provinces.values() if p["x-country"] == "NL") == 12


def test_the_flemish_centrumsteden_are_listed_with_their_province() -> None:
    expected = {
        "NIS11002": ("Antwerpen", "BE-VAN"),
        "NIS44021": ("Gent", "BE-VOV"),
        "NIS31005": ("Brugge", "BE-VWV"),
        "NIS24062": ("Leuven", "BE-VBR"),
        "NIS12025": ("Mechelen", "BE-VAN"),
        "NIS41002": ("Aalst", "BE-VOV"),
        "NIS34022": ("Kortrijk", "BE-VWV"),
        "NIS71022": ("Hasselt", "BE-VLI"),
        "NIS46021": ("Sint-Niklaas", "BE-VOV"),
        "NIS35013": ("Oostende", "BE-VWV"),
        "NIS71016": ("Genk", "BE-VLI"),
        "NIS36015": ("Roeselare", "BE-VWV"),
        "NIS13040": ("Turnhout", "BE-VAN"),
    }
    municipalities = codelist_codes("municipalities")
    for code, (name, province) in expected.items():
        assert (municipalities[code]["title"], municipalities[code]["x-province"]) == (name, province)
        assert municipalities[code]["x-centrumstad"] is True


def test_organisation_codes_fit_the_batch_issuer_form_and_do_not_overlap() -> None:
    iss = re.compile(BATCH_SCHEMA["properties"]["iss"]["pattern"])
    municipalities, agencies = set(codelist_codes("municipalities")), set(codelist_codes("national-agencies"))
    assert not municipalities & agencies
    assert all(iss.search(code) for code in municipalities | agencies)


def test_policy_ref_id_forms_agree_between_code_list_and_schema() -> None:
    in_schema = {
        block["if"]["properties"]["scheme"]["const"]: block["then"]["properties"]["id"]["pattern"]
        for block in SIGNAL_SCHEMA["properties"]["policy_refs"]["items"]["allOf"]
    }
    schemes = codelist_codes("policy-ref-schemes")
    assert in_schema == {code: entry["x-id-pattern"] for code, entry in schemes.items()}
    for entry in schemes.values():
        assert re.search(entry["x-id-pattern"], entry["x-example"])


def test_every_code_ref_in_the_schemas_names_an_existing_code_list() -> None:
    ids = {load_schema(name)["$id"] for name in CODELISTS}
    text = json.dumps([SIGNAL_SCHEMA, BATCH_SCHEMA])
    refs = set(re.findall(r'"\$ref": "(https://[^"#]+/codelists/[^"#]+)"', text))
    assert refs and refs <= ids
