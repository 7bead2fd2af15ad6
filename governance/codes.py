# SPDX-License-Identifier: EUPL-1.2
"""String types whose values must be codes of the standard's code lists, for the pydantic binding.

The codes live only in the code list files under ``schema/codelists``. This module reads each list once, at import,
through :func:`governance.standard.codelist_codes`, and turns it into an ``Annotated`` string type; no code is
repeated in Python, so refreshing a code list file is all it takes to change what the models accept.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from governance.standard import codelist_codes

__all__ = [
    "ChannelCode",
    "LanguageCode",
    "MunicipalityCode",
    "NationalAgencyCode",
    "OrganisationCode",
    "OrganisationKindCode",
    "PolicyRefSchemeCode",
    "SentimentCode",
    "SignalKindCode",
    "ThemeCode",
    "code_validator",
    "codes_of",
]


def codes_of(*names: str) -> frozenset[str]:
    """Every code of the named code lists together."""
    return frozenset(code for name in names for code in codelist_codes(name))


def code_validator(*names: str, label: str | None = None) -> AfterValidator:
    """A pydantic validator that accepts only codes of the named code lists.

    ``label`` names the list in the error message when several lists are joined (the signal schema calls the
    union of municipalities and national agencies ``organisations``). The message never repeats the value.
    """
    allowed = codes_of(*names)
    shown = label or names[0]

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"is not a code of the code list '{shown}'")
        return value

    check.__name__ = f"in_codelist_{shown.replace('-', '_')}"
    return AfterValidator(check)


# JSON strings only: the schema's "type": "string" accepts no bytes, numbers or enum members.
_STRICT = StringConstraints(strict=True)

SignalKindCode = Annotated[str, _STRICT, code_validator("signal-kinds")]
ChannelCode = Annotated[str, _STRICT, code_validator("channels")]
OrganisationKindCode = Annotated[str, _STRICT, code_validator("organisation-kinds")]
SentimentCode = Annotated[str, _STRICT, code_validator("sentiments")]
LanguageCode = Annotated[str, _STRICT, code_validator("languages")]
ThemeCode = Annotated[str, _STRICT, code_validator("themes")]
MunicipalityCode = Annotated[str, _STRICT, code_validator("municipalities")]
NationalAgencyCode = Annotated[str, _STRICT, code_validator("national-agencies")]
OrganisationCode = Annotated[
    str, _STRICT, code_validator("municipalities", "national-agencies", label="organisations")
]
PolicyRefSchemeCode = Annotated[str, _STRICT, code_validator("policy-ref-schemes")]
