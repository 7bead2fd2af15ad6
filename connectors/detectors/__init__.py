# SPDX-License-Identifier: EUPL-1.2
"""Detectors of personal data in Dutch free text, one module per family.

``identifiers`` (BSN, rijksregisternummer, IBAN), ``contact`` (phone, e-mail, URL, handle), ``address``
(street + number, postcode), ``vehicle`` (licence plates), ``dates`` (birth dates), ``references`` (customer and
case numbers), ``names`` (with ``name_words`` for tokens and word lists, ``name_triggers`` for the words that
announce a name, ``name_context`` for what may follow them, ``name_shapes`` for the endings of everyday words
and ``name_parse`` for parsing one name).
``lexicon`` loads the word lists of ``connectors/data``. Each detector follows
:class:`~connectors.detectors.base.Detector`; ``connectors.anonymiser`` combines them.
"""

from connectors.detectors.address import AddressDetector, PostcodeDetector
from connectors.detectors.base import Detector, Span
from connectors.detectors.contact import EmailDetector, HandleDetector, PhoneDetector, UrlDetector
from connectors.detectors.dates import BirthDateDetector
from connectors.detectors.identifiers import BsnDetector, IbanDetector, RrnDetector
from connectors.detectors.names import NameDetector
from connectors.detectors.references import ReferenceDetector
from connectors.detectors.vehicle import LicencePlateDetector

__all__ = [
    "AddressDetector",
    "BirthDateDetector",
    "BsnDetector",
    "Detector",
    "EmailDetector",
    "HandleDetector",
    "IbanDetector",
    "LicencePlateDetector",
    "NameDetector",
    "PhoneDetector",
    "PostcodeDetector",
    "ReferenceDetector",
    "RrnDetector",
    "Span",
    "UrlDetector",
]
