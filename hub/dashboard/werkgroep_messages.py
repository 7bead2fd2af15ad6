# SPDX-License-Identifier: EUPL-1.2
"""The werkgroep pages' messages in Dutch: what was done, and why the registry refused something, by error code.

A refused form comes back to its page with only the error code in the address (``?fout=vote-signature``), never text
someone typed or pasted; the page looks the code up here. An unknown code gets a general message, not the code's
text, so an address cannot make the page say anything.
"""

from __future__ import annotations

__all__ = ["DONE", "PROBLEMS", "problem_text"]

#: What was done, by the ``gedaan`` query parameter of the redirect.
DONE = {
    "voorgesteld": "Het voorstel is vastgelegd met zijn verenigbaarheidsrapport; de werkgroep kan stemmen.",
    "concept": "Het voorstel is als concept vastgelegd. Dien het in om de werkgroep te laten stemmen.",
    "indienen": "Het voorstel is ingediend; de werkgroep kan stemmen.",
    "terugtrekken": "Het voorstel is teruggetrokken.",
    "stemmen": "De stem is geverifieerd en geteld.",
    "publiceren": "De versie is gepubliceerd; de hub accepteert haar vanaf nu.",
    "uitfaseren": "De versie is uitgefaseerd; de uitfaseringsdatum is vastgelegd.",
    "intrekken": "De versie is ingetrokken; de hub weigert haar vanaf nu.",
}

#: Why the registry (or the page) refused, by error code.
PROBLEMS = {
    # status changes
    "status-transition-refused": "Deze stap is vanuit de huidige status niet toegestaan.",
    "compat-changed-since-approval": "Deze versie is goedgekeurd als verenigbare wijziging, maar is dat niet meer "
    "omdat intussen een andere versie is gepubliceerd. Stel haar opnieuw voor.",
    "sunset-in-past": "De uitfaseringsdatum ligt in het verleden. Kies vandaag of later.",
    "last-published-version": "Dit is de laatste gepubliceerde versie. Publiceer eerst een opvolger.",
    "sunset-not-reached": "De uitfaseringsdatum is nog niet bereikt. Eerder intrekken kan alleen met "
    "'vervroegd intrekken' en een reden.",
    "reason-required": "Geef een reden op.",
    "invalid-date": "Vul een geldige datum in (jjjj-mm-dd).",
    "version-frozen": "Alleen een concept of voorstel kan nog veranderen.",
    # votes
    "voting-closed": "Over deze versie wordt niet (meer) gestemd: alleen een voorgestelde versie neemt stemmen aan.",
    "member-not-found": "De verklaring noemt geen lid van de werkgroep. Controleer de naam bij --member.",
    "vote-wrong-key": "De verklaring is ondertekend met een andere sleutel dan die van het lid.",
    "vote-signature": "De handtekening van de verklaring klopt niet. Plak de verklaring volledig en ongewijzigd.",
    "vote-mismatch": "De verklaring gaat over een andere versie of een ander lid. Onderteken opnieuw met de "
    "opdracht op deze pagina.",
    "vote-stale-schema": "De verklaring gaat over een eerdere tekst van deze versie. Lees het schema opnieuw en "
    "onderteken opnieuw.",
    "vote-expired": "De verklaring is te oud (of gedateerd in de toekomst). Onderteken opnieuw.",
    "vote-malformed": "Dit is geen leesbare ondertekende verklaring (compacte JWS). Plak de uitvoer van "
    "'hartslag governance sign'.",
    "vote-refused": "Dit is geen stem over een schemaversie.",
    "already-voted": "Dit lid heeft al over deze tekst van de versie gestemd.",
    # proposals
    "schema-too-large": "Het schemabestand is te groot.",
    "schema-not-json": "Het bestand is geen leesbare JSON (UTF-8).",
    "not-a-schema": "Het bestand is geen geldig JSON Schema.",
    "unresolvable-ref": "Het schema verwijst ($ref) naar iets dat niet te vinden is.",
    "schema-version-mismatch": "Het schema noemt een ander versienummer (schema_version of x-version) dan het "
    "voorgestelde.",
    "version-exists": "Dit versienummer bestaat al (ook een teruggetrokken voorstel houdt zijn nummer). Kies een "
    "nieuw nummer.",
    "registry-duplicate": "Dit bestaat al in het register.",
    "version-not-newer": "Het versienummer moet hoger zijn dan elke gepubliceerde versie.",
    "major-version-required": "De wijziging is onverenigbaar met een gepubliceerde versie: verhoog het eerste "
    "cijfer van het versienummer (major).",
    "rationale-required": "Geef een toelichting: waarom is deze wijziging nodig?",
    "subject-invalid": "Kies een onderwerp: signal, batch of codelist/<naam>.",
    "version-invalid": "Een versienummer heeft de vorm 1.2.3.",
    # a new major's migration
    "migration-required": "Een nieuwe major van het signaal of de batch heeft een migratie nodig: voeg het "
    "migratiebestand toe (zie docs/standard/versioning.md).",
    "migration-unexpected": "Alleen een nieuwe major van het signaal of de batch heeft een migratie; laat het "
    "migratiebestand weg.",
    "migration-malformed": "Het migratiebestand volgt het migratieformaat niet.",
    "migration-mismatch": "De migratie leidt van of naar een andere major dan dit voorstel.",
    "migration-invalid": "De migratie zet een voorbeeld van de standaard niet om in een geldig document van de "
    "nieuwe versie.",
    "migration-down-required": "De migratie moet ook de weg terug beschrijven ('down').",
    "migration-untested": "Er is geen voorbeeld om de migratie op te controleren.",
    "migration-pointer": "De migratie gebruikt een ongeldige JSON Pointer.",
    "migration-conflict": "Twee stappen van de migratie botsen.",
}

_GENERAL = "De wijziging is niet doorgevoerd."


def problem_text(code: str) -> str:
    """The Dutch message for ``code`` (a general one for a code not listed)."""
    return PROBLEMS.get(code, _GENERAL)
