# SPDX-License-Identifier: EUPL-1.2
"""The words that announce a name, and where the name may start after them.

Each trigger has a *mode* that tells the name detector how lenient it may be with the first word that follows:

``title``       "mevrouw", "dhr.", "de heer", "dr.", "fam." — any capitalised word, a known name in lower case
``role``        "mijn buurman", "dochter", "zoon" — a capitalised word (even an everyday one) or a known name
``role_colon``  "Klant:", "Melder:" — as ``role``, but a capital may just start the next sentence
``role_verb``   "volgens", "bellen naar" — as ``role_colon``; in text without capitals also two unknown words
``role_have``   "ik heb" — as ``role_verb``, but a particle alone is no evidence ("ik heb hoofdpijn van ...")
``strong``      "namens", "t.a.v.", "gesproken met", "het gaat om" — also unknown lower-case words
``naming``      "mijn naam is", "ik heet", "Naam:" — as ``strong``, and any word that is no everyday word
``weak``        "ik ben" — any word that is no everyday word ("ik ben nurhan", not "ik ben boos")
``here``        "hier is" — as ``weak``, but a lower-case word must end the clause ("hier is nurhan van ...")
``greet``       "Beste", "Hoi", "Geachte" at the start of a line
``close``       "Met vriendelijke groet,", "mvg", "Groeten," — a signature line

Triggers are matched on tokens (so case-insensitively); a trailing ``:`` or ``.`` in a spec must follow the last
word, and ``*`` stands for any one word ("Naam klant:").
"""

from __future__ import annotations

import re

from connectors.detectors.name_words import Tok

__all__ = ["GAP_AFTER_TRIGGER", "TRIGGERS", "TRIGGER_SPECS", "TRIGGER_WORDS", "match_trigger"]

TRIGGER_SPECS: dict[str, str] = {
    "title": "mevrouw|mevr|mw|meneer|mnr|mijnheer|dhr|de heer|heer|hr .|dr|drs|ir|ing .|prof|mr|mrs|ms|miss|fam|"
    "familie|juffrouw|mejuffrouw|mej .|juf|meester|zuster|broeder|dominee|ds .|pastoor|imam|wethouder|burgemeester|"
    "dokter|sir|madame|monsieur|herr|frau|pani|bayan",
    "role": "klant|cliënt|client|melder|bewoner|bewoonster|buurman|buurvrouw|aanvrager|aanvraagster|bezwaarmaker|"
    "collega|medewerker|medewerkster|behandelaar|consulent|casemanager|contactpersoon|zoon|dochter|man|vrouw|"
    "moeder|vader|opa|oma|broer|zus|oom|tante|neef|nicht|echtgenoot|echtgenote|partner|vriend|vriendin|huisbaas|"
    "verhuurder|huurder|wijkagent|agent|leerling|student|patiënt|patient|schoonmoeder|schoonvader|kleinzoon|"
    "kleindochter|stiefvader|stiefmoeder|mantelzorger|overbuurman|overbuurvrouw|bovenbuurman|bovenbuurvrouw|"
    "onderbuurman|onderbuurvrouw|ex|baas|leidinggevende|begeleider|coach|hulpverlener|advocaat|notaris|huisarts|"
    "kind|zoontje|dochtertje|baby|en haar man|en zijn vrouw",
    "role_verb": "volgens|bellen naar|terugbellen naar|mailen naar|doorverbonden met|overleg met|afspraak met|"
    "samen met|belde terug naar|belt terug naar|bel terug naar|terugbelde naar|bel naar|belde naar",
    "role_have": "ik heb|heb ik",
    "role_colon": "klant :|melder :|aanvrager :|cliënt :|client :|bewoner :",
    "strong": "heet|genaamd|contactpersoon :|van :|aan :|cc :|afzender :|ondertekend|ondertekend door|spreekt met|"
    "spreek met|sprak met|sprak ik|gesproken met|gebeld door|contact met|namens|t a v|tav|ter attentie van|i o v|"
    "in opdracht van|this is|contact :|het gaat om|t n v|tnv|ten name van|op naam van|welke door",
    "naming": "mijn naam is|naam is|ik heet|naam :|naam * :|my name is|ik noem mij|ik noem me",
    "weak": "ik ben",
    "here": "hier is|hier spreekt",
    "greet": "beste|geachte|hoi|hallo|hey|hee|hi|dag|lieve|goedemorgen|goedemiddag|goedenavond|dear|hello",
    "close": "met vriendelijke groet|met vriendelijke groeten|vriendelijke groet|vriendelijke groeten|"
    "met hartelijke groet|hartelijke groet|hartelijke groeten|groet|groeten|groetjes|mvg|m v g|gr .|hoogachtend|"
    "regards|cheers|liefs|met dank|alvast bedankt|bedankt|dank je wel|dank u wel",
}

Trigger = tuple[tuple[str, ...], str, str]  # (words, mode, required punctuation)


def _compile() -> dict[str, tuple[Trigger, ...]]:
    """First word -> triggers starting with it, longest first (and those needing punctuation before the rest)."""
    table: dict[str, list[Trigger]] = {}
    for mode, specs in TRIGGER_SPECS.items():
        for spec in specs.split("|"):
            parts = spec.split()
            punct = parts.pop() if parts[-1] in (":", ".") else ""
            table.setdefault(parts[0], []).append((tuple(parts), mode, punct))
    return {k: tuple(sorted(v, key=lambda e: -2 * len(e[0]) - bool(e[2]))) for k, v in table.items()}


TRIGGERS = _compile()
#: Every word that occurs in a trigger (these are never skipped by the tokeniser).
TRIGGER_WORDS = frozenset(w for specs in TRIGGER_SPECS.values() for spec in specs.split("|") for w in spec.split())
#: What may stand between a trigger and the first word of the name.
GAP_AFTER_TRIGGER = {
    "title": re.compile(r"[ \t]{1,3}"),
    "role": re.compile(r"[ \t]{1,2}|[ \t]?,[ \t]?"),
    "role_colon": re.compile(r"[ \t]{1,2}"),
    "role_verb": re.compile(r"[ \t]{1,2}"),
    "role_have": re.compile(r"[ \t]{1,2}"),
    "strong": re.compile(r"[ \t]*[:,]?[ \t]*(?:de\s+heer\s+|mevrouw\s+)?"),
    "naming": re.compile(r"[ \t]*[:,]?[ \t]*(?:de\s+heer\s+|mevrouw\s+)?"),
    "weak": re.compile(r"[ \t]{1,2}"),
    "here": re.compile(r"[ \t]{1,2}"),
    "greet": re.compile(r"[ \t]{1,2}"),
    "close": re.compile(r"[ \t]*[,.!:;-]?[ \t]*(?:\r?\n[ \t]*){0,2}"),
}


def match_trigger(text: str, toks: list[Tok], k: int) -> tuple[str, int] | None:
    """(mode, position after the trigger) for the longest trigger starting at token ``k``, or None."""
    n = len(toks)
    for words, mode, punct in TRIGGERS.get(toks[k].key, ()):
        last = k + len(words) - 1
        if last >= n:
            continue
        ok = True
        for i in range(1, len(words)):
            a, b = toks[k + i - 1], toks[k + i]
            if (words[i] != "*" and b.key != words[i]) or text[a.end : b.start].strip(". ") != "":
                ok = False
                break
        if not ok:
            continue
        pos = toks[last].end
        if mode == "title" and len(toks[k].text) > 1 and toks[k].text.isupper():
            continue  # "6194 MW Zoetermeer", "bij ING.": letters and acronyms, not "mw." or "ing."
        if punct:
            sep = text[pos : pos + 2]
            if not sep.startswith(punct) and sep != " " + punct:
                continue
            pos += sep.index(punct) + 1
        elif mode in ("title", "close", "strong", "naming") and text[pos : pos + 1] == ".":
            pos += 1  # "dhr." / "m.v.g." / "t.a.v."
        if mode == "greet":  # only at the start of a line or sentence
            before = text[: toks[k].start].rstrip(" \t")
            if before and before[-1] not in "\n.!?":
                continue
        return mode, pos
    return None
