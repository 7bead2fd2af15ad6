# SPDX-License-Identifier: EUPL-1.2
"""Personal data planted on purpose in a few texts: names, BSNs, IBANs, phone numbers, e-mail and postcodes.

Every value is fictitious but well-formed the way real ones are: BSNs pass the 11-proof, IBANs the mod-97 check
(Belgian ones also their national check), phone numbers have real Dutch and Belgian shapes. Each value planted
in a text is returned to the caller, who lists it in ``Scenario.personal_values``: the anonymiser test checks that
none of them survives scrubbing.
"""

from __future__ import annotations

import random
import string
import unicodedata

__all__ = [
    "FIRST_NAMES",
    "SURNAMES",
    "bsn",
    "email",
    "iban",
    "is_valid_bsn",
    "is_valid_iban",
    "person",
    "phone",
    "postcode",
]

FIRST_NAMES = {
    "NL": (
        "Jan", "Pieter", "Sanne", "Lotte", "Daan", "Emma", "Fleur", "Thomas", "Sophie", "Ruben", "Anouk", "Henk",
        "Ria", "Kees", "Marieke", "Bram", "Ingrid", "Gerrit", "Nina", "Joost", "Mohamed", "Fatima", "Youssef",
        "Nadia", "Khadija", "Soufiane", "Mehmet", "Ayşe", "Emre", "Zeynep", "Sharon", "Rinaldo", "Priya",
        "Agnieszka", "Piotr", "Linh", "Wilma", "Tineke", "Rob", "Esther", "Dewi", "Ilse", "Mustafa", "Hatice",
    ),
    "BE": ("Wout", "Lien", "Jens", "Ine", "Stijn", "Sofie", "Dirk", "Els", "Karel", "Hilde", "Bram", "Amina", "Jana"),
}  # fmt: skip
SURNAMES = {
    "NL": (
        "de Vries", "van den Berg", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos",
        "Vos", "Peters", "Hendriks", "van Dijk", "Dekker", "Brouwer", "de Graaf", "Koster", "Willems", "el Amrani",
        "Haddou", "Boukhari", "Yılmaz", "Kaya", "Öztürk", "Aydın", "Doğan", "Çelik", "Ramdin", "Sardjoe",
        "Pinas", "Kowalski", "Nowak", "Nguyen", "Tahiri", "van der Linden", "Postma", "Dijkstra", "Hoekstra",
        "van Leeuwen", "Kok", "Verhoeven", "Wijnands", "Ouali", "Boer",
    ),
    "BE": (
        "Peeters", "Janssens", "Maes", "Claes", "Wouters", "De Smet", "Vermeulen", "Van Damme", "De Clercq",
        "Goossens", "Mertens", "Willems", "Dubois", "El Idrissi", "Van de Velde",
    ),
}  # fmt: skip
_DOMAINS = {
    "NL": ("gmail.com", "hotmail.com", "outlook.com", "live.nl", "ziggo.nl", "kpnmail.nl", "planet.nl", "icloud.com"),
    "BE": ("telenet.be", "skynet.be", "gmail.com", "hotmail.com", "proximus.be"),
}
_BANKS = ("ABNA", "INGB", "RABO", "SNSB", "ASNB", "TRIO", "KNAB", "BUNQ", "RBRB")
_AREA_CODES = ("020", "010", "030", "050", "040", "013", "074", "036", "070", "024", "026", "038", "043", "058")


def is_valid_bsn(number: str) -> bool:
    """The 11-proof: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 9:
        return False
    return sum(d * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True)) % 11 == 0


def bsn(rng: random.Random) -> str:
    """A BSN (nine digits that pass the 11-proof), sometimes written with dots."""
    while True:
        head = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(7)]
        check = sum(d * w for d, w in zip(head, (9, 8, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        if check < 10:
            number = "".join(map(str, head)) + str(check)
            return f"{number[:4]}.{number[4:6]}.{number[6:]}" if rng.random() < 0.15 else number


def _checked(country: str, bban: str) -> str:
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def is_valid_iban(value: str) -> bool:
    """The mod-97 check of an IBAN (spaces allowed)."""
    compact = value.replace(" ", "").upper()
    rearranged = compact[4:] + compact[:4]
    return len(compact) >= 15 and int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def iban(rng: random.Random, country: str = "NL") -> str:
    """A valid Dutch or Belgian IBAN, compact or in groups of four."""
    if country == "BE":
        head = f"{rng.randrange(10**9, 10**10):010d}"
        national = int(head) % 97 or 97
        compact = _checked("BE", f"{head}{national:02d}")
    else:
        compact = _checked("NL", rng.choice(_BANKS) + f"{rng.randrange(10**8, 10**10):010d}")
    if rng.random() < 0.45:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def phone(rng: random.Random, country: str = "NL") -> str:
    """A telephone number written the way people write them (mobile more often than landline)."""
    if country == "BE":
        mobile = f"4{rng.choice('6789')}{rng.randrange(10)}"
        d = [f"{rng.randrange(100):02d}" for _ in range(3)]
        return rng.choice(
            (
                f"0{mobile} {d[0]} {d[1]} {d[2]}",
                f"0{mobile}/{d[0]}.{d[1]}.{d[2]}",
                f"+32 {mobile} {d[0]} {d[1]} {d[2]}",
                f"09 {rng.randrange(200, 999)} {d[0]} {d[1]}",
            )
        )
    if rng.random() < 0.75:
        rest = f"{rng.randrange(1, 7)}{rng.randrange(10**6, 10**7):07d}"
        return rng.choice(
            (
                f"06-{rest}",
                f"06{rest}",
                f"06 {rest}",
                f"06 {rest[:4]} {rest[4:]}",
                f"+31 6 {rest}",
                f"+316{rest}",
                f"06-{rest[:2]} {rest[2:4]} {rest[4:6]} {rest[6:]}",
            )
        )
    area = rng.choice(_AREA_CODES)
    rest = f"{rng.randrange(2, 10)}{rng.randrange(10**6):06d}"  # three-digit area code, seven-digit subscriber
    return rng.choice((f"{area}-{rest}", f"{area} {rest}", f"{area} {rest[:3]} {rest[3:]}"))


def person(rng: random.Random, country: str = "NL") -> tuple[str, str, str]:
    """A (first name, surname, full name) triple."""
    first, surname = rng.choice(FIRST_NAMES[country]), rng.choice(SURNAMES[country])
    return first, surname, f"{first} {surname}"


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i"))
    return "".join(c for c in decomposed if c in string.ascii_letters)


def email(rng: random.Random, first: str, surname: str, country: str = "NL") -> str:
    """An e-mail address made from a name."""
    f, s = _plain(first).lower(), _plain(surname).lower()
    local = rng.choice((f"{f}.{s}", f"{f[0]}.{s}", f"{f}{s}{rng.randrange(10, 99)}", f"{f}_{s}", f"{s}.{f}"))
    return f"{local}@{rng.choice(_DOMAINS[country])}"


def postcode(rng: random.Random, areas: tuple[tuple[int, int], ...]) -> str:
    """A Dutch postcode in one of ``areas`` followed by a house number ("3511 AB 12", "3511AB 7a")."""
    low, high = rng.choice(areas) if areas else (1011, 9999)
    letters = "".join(rng.choice("ABCEGHJKLMNPRTVWXZ") for _ in range(2))
    number = f"{rng.randrange(1, 240)}{rng.choice(('', '', '', 'a', 'b'))}"
    area = rng.randrange(low, high + 1)
    return f"{area} {letters} {number}" if rng.random() < 0.6 else f"{area}{letters} {number}"
