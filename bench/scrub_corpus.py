# SPDX-License-Identifier: EUPL-1.2
"""A synthetic, seeded corpus of Dutch signal texts with planted personal data and planted keep-words.

Each text records what was planted: ``planted`` holds ``(placeholder type, value)`` pairs that the anonymiser must
remove, ``keep`` holds ``(category, value)`` pairs that it must leave alone (topic words, places, organisations,
event dates, amounts, law references, times, quantities, decoy numbers). Values are written exactly as they
appear in the text (lower case in "sloppy" texts).

The generator has its own name pools, written independently of ``connectors/data`` and including names that the
anonymiser's lexicons do not know, so the benchmark measures generalisation and not a lookup of its own lists.
The same holds for the everyday words it plants after introductions ("Ik ben doodmoe ...") to check that they stay.
About one text in seven is Flemish: Flemish names, rijksregisternummers, Belgian phone numbers, Flemish places and
organisations, enterprise numbers as decoys. Checksums (11-proef, mod-97) are computed here, again independently of
the code under test.

    python bench/scrub_corpus.py --n 600 --seed 7 > corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

__all__ = ["CorpusText", "bsn_ok", "generate", "kbo_ok", "make_iban", "rrn_ok"]

DEFAULT_SEED = 20251126


@dataclass
class CorpusText:
    """One generated text and what was planted in it."""

    text: str
    channel: str
    sloppy: bool
    planted: list[tuple[str, str]] = field(default_factory=list)
    keep: list[tuple[str, str]] = field(default_factory=list)


# --- checksums (own implementation, not the code under test) -------------------------------------------------
def bsn_ok(digits: str) -> bool:
    """11-proef on a 9-digit string."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(digits[i]) * (9 - i) for i in range(8)) - int(digits[8])
    return total % 11 == 0 and digits != "000000000"


def rrn_ok(digits: str) -> bool:
    """Mod-97 check of an 11-digit Belgian national register number, for births before or from 2000."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    check = int(digits[9:])
    return check in (97 - int(digits[:9]) % 97, 97 - int("2" + digits[:9]) % 97)


def kbo_ok(digits: str) -> bool:
    """Mod-97 check of a 10-digit Belgian enterprise number (ondernemingsnummer): 97 - first eight mod 97."""
    return len(digits) == 10 and digits.isdigit() and int(digits[8:]) == 97 - int(digits[:8]) % 97


def make_iban(country: str, bban: str) -> str:
    """A valid IBAN (compact) for ``country`` and ``bban``: computes the two check digits."""
    numeric = "".join(str(int(c, 36)) for c in (bban + country + "00"))
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


# --- name pools (independent of the anonymiser's lexicons; some deliberately unknown to it) -------------------
GIVEN = {
    "dutch": "Jan Pieter Sanne Lotte Daan Emma Bram Femke Kees Anouk Joris Ineke Wouter Marieke Thijs Annelies Gerrit "
    "Jorinde Tijs Mirre Fokje Wendelien Lieuwe Hidde Sietske Jelmer Froukje Willemijn Jasper Riekje Bauke",
    "turkish": "Mehmet Ayşe Zeynep Emre Fatma Hakan Elif Murat Büşra Yusuf Tuğba Seyit Gülizar Oğuzhan Nurhan",
    "moroccan": "Mohammed Fatima Youssef Khadija Soufiane Naima Hicham Samira Ayoub Nouhaila Abdelhadi Ouassima "
    "Ilham Mounir Bilal",
    "surinamese": "Radjesh Sunita Errol Shanti Marlon Reshma Delano Priyanka Roshni Gurdew Rinaldo Sharmila",
    "polish": "Piotr Agnieszka Krzysztof Katarzyna Tomasz Magdalena Łukasz Aleksy Wiesław Bożena",
    "chinese": "Wei Mei Xiaoming Jing Hao Li Na Yanling Zhiwei Qiuyue",
    "english": "James Emily Oliver Charlotte William Sophie Harry Chloe Jack Ruby Dorcas Nathaniel",
    "other": "Abdi Semhar Yonas Kwaku Chiamaka Arash Shirin Oleksandr Iryna Thieu Minh Gurpreet Dragan Anamaria",
}
SURNAME = {
    "dutch": "de Vries|Jansen|van den Berg|Bakker|Visser|de Jong|van Dijk|Smit|Mulder|de Boer|van der Meer|"
    "Kwakkelstein|"
    "Oudejans|Timmerije|Brasem|Vlietstra|ter Horst|van 't Hof|Hoekstra|Dijkstra|van Leeuwen|Verhoeven|de Graaf|"
    "Scholten-de Wit|van der Helst|Groeneveld|Hofstra|Knol",
    "turkish": "Yılmaz|Kaya|Demir|Şahin|Çelik|Öztürk|Aydın|Oztoprak|Karagöz|Yazgan|Doğru|Bektaş",
    "moroccan": "El Amrani|Bouzid|Ait Taleb|El Idrissi|Benali|Haddaoui|Azarkan|Ouchan|El Khattabi|Boukhari|Zarouali|"
    "Ben Haddou|Akalay",
    "surinamese": "Ramcharan|Soekhlal|Pinas|Doelwijt|Ramjiawan|Kalloe|Wongsodikromo|Sewnarain|Kromosoeto|Jagroep",
    "polish": "Nowak|Kowalski|Wiśniewska|Wójcik|Lewandowski|Zielińska|Brzęczyszczykiewicz|Pawlak|Grabowska",
    "chinese": "Zhang|Wang|Chen|Liu|Huang|Lin|Zhou|Tsang|Cheung",
    "english": "Smith|Taylor|Brown|Wilson|Evans|O'Brien|McAllister|Whitfield",
    "other": "Tesfay|Okafor|Hosseini|Kovalenko|Nguyen|Okoro|Gebremariam|Petrović|Singh|Popescu|Adeyemi",
}
# Flemish names, written for the corpus like the pools above (some known to the lexicons, some not).
_GIVEN_FLEMISH = (
    "Jens Lieselot Wout Febe Jelle Seppe Ilse Griet Koen Tine Sofie Lander Lore Kobe Wannes Ine Jolien "
    "Mathias Nele Pieterjan Evelien Warre Hanne Brecht Fien Ruben Yentl Jitse"
)
_SURNAME_FLEMISH = (
    "Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Claes|Goossens|Wouters|De Smet|Vermeulen|"
    "Van den Broeck|De Clercq|Dubois|Lambrechts|Verstraete|Van Damme|De Backer|Verbeke|Desmet|"
    "Van Acker|Coppens|Vandenbussche|Hermans|Vanhoutte|Deprez|Van Steenkiste|D'Hondt"
)
GIVEN_FLEMISH = _GIVEN_FLEMISH.split()
SURNAME_FLEMISH = _SURNAME_FLEMISH.split("|")
TITLES = ["mevrouw", "meneer", "dhr.", "mw.", "de heer", "mevr.", "dr.", "ir.", "mr.", "familie"]

# --- keep pools -----------------------------------------------------------------------------------------------
TOPICS = [
    "afval",
    "container",
    "uitkering",
    "toeslag",
    "huurtoeslag",
    "parkeervergunning",
    "lantaarnpaal",
    "stoep",
    "overlast",
    "geluidsoverlast",
    "wachttijd",
    "bezwaar",
    "aanslag",
    "studiefinanciering",
    "kinderopvangtoeslag",
    "rolstoel",
    "schimmel",
    "lekkage",
    "grofvuil",
    "zwerfvuil",
    "boete",
    "paspoort",
    "rijbewijs",
    "bijstand",
    "riool",
    "speeltuin",
    "fietspad",
    "hondenpoep",
    "vuilniszakken",
    "verlichting",
    "loket",
    "formulier",
    "zorgtoeslag",
    "jeugdzorg",
    "huishoudelijke-hulp",
    "scootmobiel",
]
PLACES = [
    "Rotterdam",
    "Amsterdam",
    "Den Haag",
    "Utrecht",
    "Eindhoven",
    "Groningen",
    "Tilburg",
    "Almere",
    "Breda",
    "Nijmegen",
    "Zwolle",
    "Leiden",
    "Maastricht",
    "Delft",
    "Gouda",
    "Schiedam",
    "Zoetermeer",
    "Enschede",
    "Arnhem",
    "Haarlem",
    "Antwerpen",
    "Gent",
    "Apeldoorn",
    "Den Bosch",
    "Lelystad",
]
STREET_PLACES = ["op de Coolsingel", "op de Dam", "in de Kalverstraat", "op het Malieveld", "op de Lijnbaan",
                 "bij het Binnenhof", "op de Grote Markt", "in de Meent"]  # fmt: skip
ROADS = ["de A12", "de A2", "de N201", "de A10", "de A13", "de N57"]
ORGS = [
    "UWV",
    "DUO",
    "SVB",
    "CAK",
    "CJIB",
    "de Belastingdienst",
    "Albert Heijn",
    "Jumbo",
    "Lidl",
    "Kruidvat",
    "HEMA",
    "PostNL",
    "NS",
    "RET",
    "GVB",
    "Eneco",
    "Vattenfall",
    "Ziggo",
    "KPN",
    "Rabobank",
    "ING",
    "ABN AMRO",
    "Zilveren Kruis",
    "Menzis",
    "GGD",
    "Veilig Thuis",
    "Woonstad",
    "Ymere",
    "de Politie",
]
# Places and organisations that are NOT on the anonymiser's allow-list: they measure how it treats proper nouns
# it has never seen.
UNLISTED = [
    "Hendrik-Ido-Ambacht",
    "Nieuw-Vennep",
    "Ouddorp",
    "Sliedrecht",
    "Alblasserdam",
    "Krommenie",
    "Wormerveer",
    "Buurtteam Noord",
    "Sociaal Wijkteam",
    "Kinderboerderij De Vlinder",
    "Bibliotheek Oost",
    "Sporthal De Boog",
    "Wijkcentrum De Kubus",
    "Primera",
    "Intratuin",
    "Wibra",
    "Zeeman",
    "Kwantum",
    "Gall & Gall",
    "Dierenambulance",
]
FLEMISH_PLACES = ["Gent", "Antwerpen", "Brugge", "Leuven", "Mechelen", "Aalst", "Kortrijk", "Hasselt", "Oostende",
                  "Sint-Niklaas", "Genk", "Roeselare"]  # fmt: skip
FLEMISH_ORGS = ["OCMW", "VDAB", "het OCMW", "de VDAB", "het CAW"]
FLEMISH_UNLISTED = ["Fluvius", "Proximus", "Telenet", "Ivago", "Digipolis", "De Lijn", "Kind en Gezin", "Lokeren",
                    "Dendermonde", "het Sint-Pietersplein"]  # fmt: skip
# Everyday words after an introduction that must stay ("Ik ben doodmoe en ..."), written for the corpus alone.
INTRO_STATES = ["boos", "doodmoe", "ten einde raad", "al drie weken ziek", "net verhuisd", "slechtziend",
                "eigenaar van het pand", "bang", "het zat", "al jaren klant", "ontroerd", "uitgeblust", "hoogzwanger",
                "nog steeds niet geholpen", "gepensioneerd", "zzp'er", "huurder", "mantelzorger voor mijn vader",
                "woonachtig in deze wijk", "ernstig ziek", "niet tevreden", "er klaar mee", "Marokkaans", "Vlaming",
                "alleenstaand", "rolstoelgebruiker", "bezorgd", "teleurgesteld", "in de war", "tachtig jaar",
                "zelfstandig ondernemer", "onlangs gescheiden", "werkloos", "nieuw in de buurt", "sinds maart weduwe",
                "buschauffeur", "overvallen", "afgekeurd", "beroofd", "twee keer gevallen"]  # fmt: skip
HERE_THINGS = ["de foto van de", "het formulier over de", "mijn klacht over de", "een overzicht van de",
               "nog steeds de"]  # fmt: skip
SHOPS = ["bij de bakker", "bij de slager", "bij de huisarts", "bij de apotheek", "bij de kapper"]
MONTH_ABBREVIATIONS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
LAWS = ["artikel 4:17 Awb", "art. 7:10 Awb", "artikel 8 Participatiewet", "artikel 2.1 Wmo 2015",
        "artikel 6:2 Awb", "artikel 18 Jeugdwet"]  # fmt: skip
STREETS = [
    "Kerkstraat",
    "Dorpsstraat",
    "Hoofdstraat",
    "Molenweg",
    "Van der Helststraat",
    "Laan van Meerdervoort",
    "Burgemeester de Vlugtlaan",
    "Prins Hendrikkade",
    "Willem de Zwijgerlaan",
    "Schoolstraat",
    "Stationsweg",
    "Julianalaan",
    "Oranjestraat",
    "Nieuwe Binnenweg",
    "Oudegracht",
    "Zuidsingel",
    "Eerste Oosterparkstraat",
    "Pieter Calandlaan",
    "Lindelaan",
    "Esdoornlaan",
    "Kastanjehof",
    "Rozenpad",
    "Sportlaan",
    "Havenkade",
    "Veldweg",
    "Tulpstraat",
    "Churchilllaan",
    "Marnixstraat",
    "Beukendreef",
]
ADDITIONS = ["", "", "", "a", "A", "b", "-II", "-1", " bis", " hs", "-hs", "-3", "/2", " 3 hoog", "-zw"]
MAIL_DOMAINS = [
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "ziggo.nl",
    "kpnmail.nl",
    "live.nl",
    "yahoo.com",
    "xs4all.nl",
    "icloud.com",
]
PLATE_CONSONANTS = "BDFGHJKLNPRSTVXZ"
SIDE_CODES = ["LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D", "D-LLL-DD",
              "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D"]  # fmt: skip


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def pick(self, seq: Sequence[str]) -> str:
        return self.r.choice(seq)

    def digits(self, n: int) -> str:
        return "".join(str(self.r.randrange(10)) for _ in range(n))

    # personal values -----------------------------------------------------------------------------------------
    def name(self, style: str = "full") -> str:
        origin = self.pick(list(GIVEN))
        given = self.pick(GIVEN[origin].split())
        sur = self.pick(SURNAME[origin if self.r.random() < 0.85 else self.pick(list(SURNAME))].split("|"))
        if origin == "chinese" and self.r.random() < 0.4:
            return f"{sur} {given}"  # family name first
        if style == "initials" or (style == "full" and self.r.random() < 0.15):
            n = self.r.choice([1, 1, 2, 3])
            initials = "".join(f"{self.pick('ABCDEFGHJKLMNPRSTW')}." for _ in range(n))
            return f"{initials} {sur}"
        if style == "surname":
            return sur[0].upper() + sur[1:]
        if style == "given":
            return given
        return f"{given} {sur}"

    def bsn(self) -> str:
        while True:
            d = self.digits(9)
            if self.r.random() < 0.1:
                d = "0" + d[1:]
            if bsn_ok(d):
                break
        fmt = self.r.random()
        if fmt < 0.5:
            return d
        if fmt < 0.75:
            return f"{d[:4]}.{d[4:6]}.{d[6:]}"
        return f"{d[:3]} {d[3:6]} {d[6:]}"

    def bsn_decoy(self) -> str:
        while True:
            d = str(self.r.randrange(100_000_000, 999_999_999))
            if not bsn_ok(d):
                return d

    def iban(self) -> str:
        kind = self.r.random()
        if kind < 0.7:
            bank = self.pick(["ABNA", "INGB", "RABO", "SNSB", "ASNB", "TRIO", "KNAB", "BUNQ", "RBRB"])
            iban = make_iban("NL", bank + self.digits(10))
        elif kind < 0.85:
            iban = make_iban("BE", self.digits(12))
        elif kind < 0.95:
            iban = make_iban("DE", self.digits(18))
        else:
            iban = make_iban("PL", self.digits(24))
        if self.r.random() < 0.5:
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban

    def phone(self) -> str:
        kind = self.r.randrange(20)
        mob = self.digits(8)
        if kind >= 16:
            return self.belgian_phone()
        if kind == 0:
            return f"06-{mob}"
        if kind == 1:
            return f"06 {mob[:4]} {mob[4:]}"
        if kind == 2:
            return f"06{mob}"
        if kind == 3:
            return f"06 {mob[:2]} {mob[2:4]} {mob[4:6]} {mob[6:]}"
        if kind == 4:
            return f"+31 6 {mob}"
        if kind == 5:
            return f"+31(0)6 {mob}"
        if kind == 6:
            return f"+31 (0)6-{mob}"
        if kind == 7:
            return f"0031 6 {mob}"
        if kind == 8:
            return f"+316{mob}"
        area = self.pick(["010", "020", "030", "040", "050", "070", "071", "073", "076", "078"])
        rest = self.digits(7)
        if kind == 9:
            return f"{area}-{rest}"
        if kind == 10:
            return f"({area}) {rest[:3]} {rest[3:5]} {rest[5:]}"
        if kind == 11:
            return f"{area} - {rest[:3]} {rest[3:]}"
        if kind == 12:
            four = self.pick(["0341", "0180", "0299", "0492", "0511"])
            six = self.digits(6)
            return f"{four}-{six}" if self.r.random() < 0.5 else f"({four}) {six[:2]} {six[2:4]} {six[4:]}"
        if kind == 13:
            return f"+32 4{self.digits(2)} {self.digits(2)} {self.digits(2)} {self.digits(2)}"
        if kind == 14:
            return f"+49 30 {self.digits(8)}"
        return f"{area} {rest[:3]} {rest[3:]}"

    def belgian_phone(self) -> str:
        """A Belgian number: mobile (04xx), single-digit zone (02/03/04/09) or two-digit zone (051, 011 ...)."""
        m = f"4{self.pick('7896')}{self.digits(1)}"
        m6 = self.digits(6)
        zone = self.pick(["2", "3", "9"])
        z7 = self.digits(7)
        z2 = self.pick(["51", "11", "13", "50", "56", "89"])
        z6 = self.digits(6)
        return self.pick([
            f"0{m} {m6[:2]} {m6[2:4]} {m6[4:]}", f"0{m}/{m6[:2]}.{m6[2:4]}.{m6[4:]}", f"0{m} {m6[:3]} {m6[3:]}",
            f"0{m}{m6}", f"+32 {m} {m6[:2]} {m6[2:4]} {m6[4:]}", f"0032 {m} {m6[:2]} {m6[2:4]} {m6[4:]}",
            f"+32 (0){m} {m6}", f"0{zone} {z7[:3]} {z7[3:5]} {z7[5:]}", f"0{zone}/{z7[:3]}.{z7[3:5]}.{z7[5:]}",
            f"0{zone}-{z7[:3]} {z7[3:5]} {z7[5:]}", f"+32 {zone} {z7[:3]} {z7[3:5]} {z7[5:]}", f"0{zone} {z7}",
            f"0{z2} {z6[:2]} {z6[2:4]} {z6[4:]}", f"0{z2}/{z6}",
        ])  # fmt: skip

    def rrn(self) -> str:
        """A valid rijksregisternummer (births 1935-2009), in one of the notations people use."""
        y, m, d = self.r.randrange(1935, 2010), self.r.randrange(1, 13), self.r.randrange(1, 29)
        nine = f"{y % 100:02d}{m:02d}{d:02d}{self.r.randrange(1, 998):03d}"
        check = 97 - int(("2" if y >= 2000 else "") + nine) % 97
        v = f"{nine}{check:02d}"
        assert rrn_ok(v)
        return self.pick([f"{v[:2]}.{v[2:4]}.{v[4:6]}-{v[6:9]}.{v[9:]}", f"{v[:6]} {v[6:9]} {v[9:]}", v,
                          f"{v[:6]}-{v[6:9]}-{v[9:]}"])  # fmt: skip

    def rrn_decoy(self) -> str:
        """Eleven digits that fail the rijksregisternummer check (an order or file number)."""
        while True:
            d = str(self.r.randrange(10_000_000_000, 99_999_999_999))
            if not rrn_ok(d):
                return d

    def kbo(self) -> str:
        """A valid Belgian enterprise number, written as on invoices: 0xxx.xxx.xxx."""
        eight = f"0{self.r.randrange(2_000_000, 9_999_999):07d}"
        v = f"{eight}{97 - int(eight) % 97:02d}"
        return f"{v[:4]}.{v[4:7]}.{v[7:]}"

    def flemish_name(self, style: str = "full") -> str:
        given = self.pick(GIVEN_FLEMISH)
        sur = self.pick(SURNAME_FLEMISH)
        if style == "given":
            return given
        if style == "initials":
            return f"{self.pick('ABDEFGHJKLMNPRSTVW')}. {sur}"
        return f"{given} {sur}"

    def email(self, name: str | None = None) -> str:
        base = (name or self.name()).lower().replace("'", "").replace(".", "")
        parts = [p for p in base.split() if p]
        user = self.pick(
            [".".join(parts), parts[0] + parts[-1], parts[0][0] + "." + parts[-1], parts[0] + "_" + self.digits(2)]
        )
        user = user.encode("ascii", "ignore").decode() or "info"
        return f"{user}@{self.pick(MAIL_DOMAINS)}"

    def url(self) -> str:
        slug = self.name("full").lower().replace(" ", ".").replace("'", "")
        slug = slug.encode("ascii", "ignore").decode()
        return self.pick([
            f"facebook.com/{slug}", f"https://www.facebook.com/profile.php?id=1000{self.digits(9)}",
            f"www.linkedin.com/in/{slug.replace('.', '-')}-{self.digits(4)}", f"instagram.com/{slug.replace('.', '_')}",
            f"https://mijn.gemeente.nl/zaak?id={self.digits(6)}", f"https://www.tiktok.com/@{slug}",
            f"x.com/{slug.replace('.', '')}", f"https://wa.me/316{self.digits(8)}",
        ])  # fmt: skip

    def handle(self) -> str:
        given = self.pick(self.pick(list(GIVEN.values())).split()).lower()
        given = given.encode("ascii", "ignore").decode() or "anon"
        return "@" + self.pick(
            [given + self.digits(2), given + "_" + self.pick(["b", "nl", "xx", "rdam"]), given + ".official"]
        )

    def address(self) -> str:
        return f"{self.pick(STREETS)} {self.r.randrange(1, 250)}{self.pick(ADDITIONS)}"

    def postcode(self) -> str:
        letters = "".join(self.pick("ABCDEFGHJKLMNPRTVWXZ") for _ in range(2))
        return f"{self.r.randrange(1000, 9999)}{self.pick([' ', ' ', ''])}{letters}"

    def plate(self) -> str:
        code = self.pick(SIDE_CODES)
        plate = "".join(
            self.pick(PLATE_CONSONANTS) if c == "L" else str(self.r.randrange(10)) if c == "D" else c for c in code
        )
        if self.r.random() < 0.15 and not code.startswith("DD-DD"):
            plate = plate.replace("-", "")
        return plate

    def birth(self) -> str:
        y, m, d = self.r.randrange(1935, 2008), self.r.randrange(1, 13), self.r.randrange(1, 29)
        month, abbreviation = MONTHS[m - 1], MONTH_ABBREVIATIONS[m - 1]
        return self.pick(
            [
                f"{d:02d}-{m:02d}-{y}",
                f"{d}-{m}-{y}",
                f"{d:02d}/{m:02d}/{y}",
                f"{y}-{m:02d}-{d:02d}",
                f"{d} {month} {y}",
                f"{d} {abbreviation} {y}",
                f"{d:02d}.{m:02d}.{y}",
            ]
        )

    def event_date(self) -> str:
        m = self.pick(MONTHS)
        d = self.r.randrange(1, 29)
        numeric = f"op {d}-{self.r.randrange(1, 13)}-2025"
        return self.pick(
            [
                f"sinds {d} {m}",
                f"op {d} {m}",
                f"vanaf {d} {m}",
                f"per 1 {m}",
                f"op {d} {m} 2024",
                "sinds 1 januari",
                "op 3 maart",
                f"tot {d} {m} 2025",
                numeric,
            ]
        )

    def amount(self) -> str:
        euros = self.r.randrange(5, 5000)
        cents = f"€ {euros:,}".replace(",", ".") + f",{self.r.randrange(100):02d}"
        return self.pick([cents, f"€{euros}", f"{euros} euro", "€ 1.250,00", f"EUR {euros},-"])

    def klant(self) -> tuple[str, str]:
        kw = self.pick(["klantnummer", "klantnr.", "relatienummer", "debiteurnummer", "contractnummer", "polisnummer"])
        val = self.pick(
            [self.digits(7), self.digits(8), f"{self.pick(['KL', 'R', 'C'])}-{self.digits(6)}", self.digits(10)]
        )
        return kw, val

    def referentie(self) -> tuple[str, str]:
        kw = self.pick(["dossiernummer", "zaaknummer", "ons kenmerk", "uw kenmerk", "kenmerk", "referentie",
                        "meldingsnummer", "factuurnummer", "betalingskenmerk"])  # fmt: skip
        val = self.pick([self.digits(6), f"Z-2024-{self.digits(5)}", f"2024/{self.digits(7)}", f"UIT-{self.digits(5)}",
                         self.digits(16), f"M{self.digits(8)}"])  # fmt: skip
        return kw, val


class _Builder:
    """Collects planted and keep values while a text is assembled."""

    def __init__(self, g: _Gen) -> None:
        self.g = g
        self.planted: list[tuple[str, str]] = []
        self.keep: list[tuple[str, str]] = []

    def p(self, kind: str, value: str) -> str:
        self.planted.append((kind, value))
        return value

    def k(self, category: str, value: str) -> str:
        self.keep.append((category, value))
        return value

    # shorthands ----------------------------------------------------------------------------------------------
    def name(self, style: str = "full") -> str:
        return self.p("NAAM", self.g.name(style))

    def titled(self) -> str:
        title = self.g.pick(TITLES)
        style = self.g.pick(["surname", "surname", "full", "initials"])
        name = self.name(style)
        return f"{title} {name}"

    def topic(self) -> str:
        return self.k("topic", self.g.pick(TOPICS))

    def place(self) -> str:
        return self.k("place", self.g.pick(PLACES))

    def street_place(self) -> str:
        value = self.g.pick(STREET_PLACES)
        self.k("place", value.split(" ", 2)[-1])
        return value

    def org(self) -> str:
        return self.k("organisation", self.g.pick(ORGS))

    def event(self) -> str:
        return self.k("event_date", self.g.event_date())

    def amount(self) -> str:
        return self.k("amount", self.g.amount())

    def law(self) -> str:
        return self.k("law_reference", self.g.pick(LAWS))

    def time(self) -> str:
        return self.k("time", self.g.pick(["om 10.30 uur", "om 14:15", "rond 9 uur", "om half acht", "om 16.45 uur"]))

    def qty(self) -> str:
        return self.k("quantity", self.g.pick(["3 keer", "2 weken", "20 minuten", "45 minuten", "3 maanden",
                                                 "twee weken", "10 dagen"]))  # fmt: skip

    def road(self) -> str:
        return self.k("place", self.g.pick(ROADS))


def _personal(b: _Builder) -> str:
    g = b.g
    n = g.r.randrange(31)
    if n == 26:
        return f"Hier is {b.name('given')} van {b.org()}, ik bel over de {b.topic()}."
    if n == 27:
        return g.pick(["Goedemiddag, u spreekt met {}.", "Je spreekt met {}, ik heb een vraag.",
                       "mijn naam is {} en ik woon hier al jaren."]).format(b.name())  # fmt: skip
    if n == 28:
        return f"Ik ben {b.name('given')} van {b.org()} en ik bel namens een klant."
    if n == 29:
        return f"Ik ben {b.name()}, {b.p('TELEFOON', g.phone())}, en ik woon in {b.place()}."
    if n == 30:
        return f"Alvast bedankt, {b.name()}."
    if n == 0:
        return f"Mijn naam is {b.name()} en ik woon in {b.place()}."
    if n == 1:
        return f"{b.titled()} belde over de {b.topic()}."
    if n == 2:
        return f"Ik heb gesproken met {b.name()} van {b.org()}."
    if n == 3:
        return f"{b.name()} heeft {b.event()} geen {b.topic()} meer ontvangen."
    if n == 4:
        plate = b.p("KENTEKEN", g.plate())
        return f"Mijn buurman {b.name('given')} parkeert zijn auto met kenteken {plate} steeds {b.street_place()}."
    if n == 5:
        return g.pick(
            [
                "Mijn BSN is {}.",
                "bsn: {}",
                "Burgerservicenummer {} (van mijn vader).",
                "BSN {} klopt niet in jullie systeem.",
            ]
        ).format(b.p("BSN", g.bsn()))
    if n == 6:
        return f"Graag terugstorten op {b.p('IBAN', g.iban())} t.n.v. {b.name()}."
    if n == 7:
        name = g.name()
        return f"U kunt mij bereiken op {b.p('TELEFOON', g.phone())} of via {b.p('E-MAIL', g.email(name))}."
    if n == 8:
        return f"Ik woon aan de {b.p('ADRES', g.address())}, {b.p('POSTCODE', g.postcode())} {b.place()}."
    if n == 9:
        return f"Adres: {b.p('ADRES', g.address())} te {b.place()}."
    if n == 10:
        return f"Postcode en huisnummer: {b.p('POSTCODE', g.postcode() + ' ' + str(g.r.randrange(1, 300)))}."
    if n == 11:
        return _birth_sentence(b)
    if n == 12:
        kw, val = g.klant()
        b.p("KLANTNUMMER", val)
        return g.pick([f"Mijn {kw} is {val}.", f"{kw.capitalize()}: {val}"])
    if n == 13:
        kw, val = g.referentie()
        b.p("REFERENTIE", val)
        return g.pick([f"Het gaat om {kw} {val}.", f"{kw.capitalize()}: {val}"])
    if n == 14:
        return f"Zie mijn profiel {b.p('URL', g.url())} voor de foto's van de {b.topic()}."
    if n == 15:
        return f"Stuur mij een bericht via {b.p('HANDLE', g.handle())} over de {b.topic()}."
    if n == 16:
        return f"Ik ben {b.name('given')} en ik heb een vraag over mijn {b.topic()}."
    if n == 17:
        return f"Namens mijn moeder, {b.titled()}, dien ik {b.k('topic', 'bezwaar')} in tegen de {b.topic()}."
    if n == 18:
        return f"De auto {b.p('KENTEKEN', g.plate())} staat al {b.qty()} {b.street_place()}."
    if n == 19:
        return f"{b.name()} ({b.p('GEBOORTEDATUM', g.birth())}) woont sinds kort in {b.place()}."
    if n == 20:
        return f"Het gaat om {b.name('initials')}, {b.p('ADRES', g.address())}."
    if n == 21:
        return f"Contact: {b.name()}, tel. {b.p('TELEFOON', g.phone())}, e-mail {b.p('E-MAIL', g.email())}"
    if n == 22:
        return f"Graag terugbellen naar {b.name()} op {b.p('TELEFOON', g.phone())}."
    if n == 23:
        return f"Mijn dochter {b.name()} kreeg {b.event()} een brief van {b.org()}."
    if n == 24:
        return f"Ik heb {b.name()} {b.time()} gesproken over de {b.topic()}."
    return f"Volgens {b.name()} klopt mijn IBAN {b.p('IBAN', g.iban())} niet."


def _flemish(b: _Builder) -> str:
    """A Flemish sentence with personal data: names, rijksregisternummer, Belgian phone numbers."""
    g = b.g
    rrn = g.rrn()
    name = g.flemish_name(g.pick(["full", "full", "given", "initials"]))
    full = g.flemish_name()
    n = g.r.randrange(9)
    if n == 0:
        return f"Mijn rijksregisternummer is {b.p('RRN', rrn)} en ik woon in {b.k('place', g.pick(FLEMISH_PLACES))}."
    if n == 1:
        place = b.k("place", g.pick(FLEMISH_PLACES))
        return f"Ik ben {b.p('NAAM', name)} uit {place}, mijn rijksregisternummer: {b.p('RRN', rrn)}."
    if n == 2:
        return f"Rijksregisternr. {b.p('RRN', rrn)} ({b.p('NAAM', full)}), gsm {b.p('TELEFOON', g.belgian_phone())}."
    if n == 3:
        return f"U kunt me bellen op {b.p('TELEFOON', g.belgian_phone())}, ik ben {b.p('NAAM', name)}."
    if n == 4:
        org = b.k("organisation", g.pick(FLEMISH_ORGS))
        return f"Ik heb {b.p('RRN', rrn)} doorgegeven aan {org} maar niemand belde terug naar {b.p('NAAM', name)}."
    if n == 5:
        return f"Mijn zoon {b.p('NAAM', name)} ({b.p('RRN', rrn)}) kreeg geen antwoord over zijn {b.topic()}."
    if n == 6:
        kbo = b.k("decoy_number", g.kbo())
        return f"Het ondernemingsnummer van de aannemer is {kbo}, zijn gsm {b.p('TELEFOON', g.belgian_phone())}."
    if n == 7:
        unlisted = b.k("unlisted", g.pick(FLEMISH_UNLISTED))
        place = b.k("place", g.pick(FLEMISH_PLACES))
        return f"Bij {unlisted} in {place} kreeg ik geen hulp, pakket {b.k('decoy_number', g.rrn_decoy())} ligt er nog."
    return f"Hier is {b.p('NAAM', g.flemish_name('given'))} van {b.k('organisation', g.pick(FLEMISH_ORGS))}."


def _birth_sentence(b: _Builder) -> str:
    g = b.g
    bd = g.birth()
    form = g.r.randrange(4)
    if form == 0:
        return f"Geboren op {b.p('GEBOORTEDATUM', bd)}."
    if form == 1:
        return f"Ik ben geb. {b.p('GEBOORTEDATUM', bd)} en heb recht op {b.topic()}."
    if form == 2:
        return f"Mijn zoon (geboortedatum {b.p('GEBOORTEDATUM', bd)}) heeft geen {b.topic()}."
    return f"{b.name()} is geboren op {b.p('GEBOORTEDATUM', bd)} in {b.place()}."


def _keep(b: _Builder) -> str:
    g = b.g
    n = g.r.randrange(18)
    if n == 15:
        state = g.pick(INTRO_STATES)
        return f"{b.k('everyday', 'Ik ben ' + state)} want de {b.topic()} is al {b.qty()} kapot."
    if n == 16:
        return f"{b.k('everyday', 'Hier is ' + g.pick(HERE_THINGS))} {b.topic()}."
    if n == 17:
        return f"{b.k('everyday', 'ik ben ' + g.pick(INTRO_STATES))}, {b.k('everyday', 'mijn buurman ook')}."
    if n == 13:
        return f"Ik was {b.time()} bij {b.k('unlisted', g.pick(UNLISTED))} en daar was niemand."
    if n == 14:
        return f"Het {b.topic()} in {b.k('unlisted', g.pick(UNLISTED))} is al {b.qty()} een probleem."
    if n == 0:
        event = g.event_date().capitalize()
        return f"{b.k('event_date', event)} is de {b.topic()} niet meer opgehaald {b.street_place()}."
    if n == 1:
        return f"Volgens {b.law()} had ik binnen {b.qty()} een besluit moeten krijgen."
    if n == 2:
        shop = g.pick(SHOPS)
        b.k("organisation", shop)
        return f"Ik heb {b.amount()} betaald {shop} maar {b.org()} reageert niet."
    if n == 3:
        return f"Er ligt veel {b.topic()} langs {b.road()} bij {b.place()}."
    if n == 4:
        return f"Ik stond {b.time()} al {b.qty()} in de wachtrij bij {b.org()}."
    if n == 5:
        return f"Ik heb {b.event()} gebeld met {b.org()} over mijn {b.topic()}."
    if n == 6:
        return f"Artikelnummer {b.k('decoy_number', g.bsn_decoy())} is nooit geleverd."
    if n == 7:
        return f"Het KvK-nummer van de aannemer is {b.k('decoy_number', g.digits(8))}."
    if n == 8:
        return f"Ik belde {b.org()} via {b.k('decoy_number', g.pick(['0800-', '0900-']) + g.digits(4))}."
    if n == 9:
        site = g.pick(["www.rotterdam.nl/afval", "https://www.uwv.nl/particulieren", "www.belastingdienst.nl",
                       "www.duo.nl/studiefinanciering", "mijnoverheid.nl", "www.amsterdam.nl/parkeren"])  # fmt: skip
        return f"Op {b.k('url', site)} staat niets over de {b.topic()}."
    if n == 10:
        return f"{b.org()} heeft {b.amount()} teruggevorderd {b.event()}, volgens {b.law()}."
    if n == 11:
        return f"Bij {b.org()} in {b.place()} was het {b.time()} erg druk."
    return f"De {b.topic()} in {b.place()} is al {b.qty()} kapot."


def _wrap(b: _Builder, body: str) -> tuple[str, str]:
    g = b.g
    channel = g.pick(["phone", "email", "web_form", "customer_survey", "chat", "social_media", "letter", "counter"])
    if channel == "phone":
        form = g.r.randrange(3)
        if form == 0:
            return channel, f"Klant belt ivm {b.topic()}. {body} Terugbelverzoek."
        return channel, f"Tel. notitie: {body} Doorgezet naar backoffice." if form == 1 else f"KCC: klant belt. {body}"
    if channel == "email":
        form = g.r.randrange(5)
        greeting = (
            ["Beste,", "Geachte heer/mevrouw,", "Hallo,"][form]
            if form < 3
            else (f"Beste {b.name('given')}," if form == 3 else f"Geachte {b.titled()},")
        )
        closing = g.pick(["Met vriendelijke groet,", "Groeten,", "Mvg", "Vriendelijke groeten,", "Hartelijke groet,"])
        return channel, f"{greeting}\n\n{body}\n\n{closing}\n{b.name()}"
    if channel == "web_form":
        return channel, g.pick([f"Omschrijving melding: {body}", body])
    if channel == "customer_survey":
        return channel, f"KTO-vraag: Waarom geeft u dit cijfer? Antwoord: {body}"
    if channel == "chat":
        return channel, f"Klant: {body}"
    if channel == "social_media":
        return channel, f"{b.k('organisation', '@gemeenterotterdam')} {body}"
    if channel == "letter":
        kw, val = g.referentie()
        return (
            channel,
            f"Betreft: {b.topic()}\n{kw.capitalize()}: {b.p('REFERENTIE', val)}\n\n{body}\n\nHoogachtend,\n{b.name()}",
        )
    return channel, f"Balie: {b.titled()} kwam langs. {body}"


def generate(n: int = 600, seed: int = DEFAULT_SEED, sloppy_share: float = 0.2) -> list[CorpusText]:
    """``n`` texts, the same for the same ``seed``."""
    rng = random.Random(seed)
    out: list[CorpusText] = []
    for _ in range(n):
        b = _Builder(_Gen(rng))
        flemish = rng.random() < 0.15
        personal = [_flemish(b) if flemish and rng.random() < 0.7 else _personal(b) for _ in range(rng.randrange(1, 4))]
        sentences = personal + [_keep(b) for _ in range(rng.randrange(1, 3))]
        rng.shuffle(sentences)
        channel, text = _wrap(b, " ".join(sentences))
        sloppy = rng.random() < sloppy_share
        planted, keep = b.planted, b.keep
        if sloppy:
            text = text.lower()
            planted = [(k, v.lower()) for k, v in planted]
            keep = [(k, v.lower()) for k, v in keep]
        out.append(CorpusText(text, channel, sloppy, planted, keep))
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the corpus as JSON lines to standard output."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    for item in generate(args.n, args.seed):
        sys.stdout.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
