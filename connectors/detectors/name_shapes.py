# SPDX-License-Identifier: EUPL-1.2
"""Word shapes: whether a word that no lexicon knows still looks like an everyday Dutch word rather than a name.

Name detection takes unknown words for names in a name position ("ik ben nurhan", "mijn dochter tuğba doğru").
Dutch derives most of its adjectives, participles, abstract nouns and occupations with a handful of affixes, so
an unknown "geïnformeerd", "slechthorend", "onbetaalbaar" or "rolstoelgebruiker" is recognised by its shape,
while given names of every origin rarely have these shapes. The name detector asks this only about a word in the
place of a given name, and only after the lexicons: "Gerard" or "Bernhard" are known names and not at risk, and
surnames such as "Vermeulen" are not judged by their shape.
"""

from __future__ import annotations

__all__ = ["looks_like_word"]

# Predicative adjectives, abstract nouns and nationalities: "schandalig", "gezondheid", "onbetaalbaar", "hulpeloos",
# "Marokkaans". Left out on purpose: "-ling" (Yanling, Meiling), "-sie" (Elsie), "-ande" (Yolande), plain "-ele"
# (Gabriele, Michele), "-wig"/"-aig" (Ludwig, Craig), "-abel" (Isabel), "-eerd" (Tjeerd; participles in "-eerd"
# start with "ge" anyway), "-ster" (McAllister; "mantelzorgster" is listed).
_WORD_ENDINGS = (
    "heid", "heden", "lijk", "isch", "baar", "loos", "zaam", "ief", "aans", "iaans", "teit", "iteit", "schap",
    "isme", "atie", "ctie", "itie", "utie", "ntie", "gevoelig", "gerechtigd", "gerechtigde", "matig", "waardig",
    "zuchtig", "ziek",
)  # fmt: skip
# Occupations and present participles, which surnames share ("Schoemaker", "Meijering"): "rolstoelgebruiker",
# "slechthorend", "werkzoekende".
_GIVEN_ENDINGS = (
    "gever", "nemer", "houder", "gebruiker", "werker", "maker", "zoeker", "ganger", "hebber", "rijder", "zorger",
    "ende", "ment", "ering",
)  # fmt: skip
_GIVEN_LONG_ENDINGS = ("eur", "ist", "aar", "gster", "rster", "kster", "onster")  # "monteur", "jurist", "kunstenaar",
# "verpleegster", "bewoonster" (not "Fleur", not "McAllister")
_LONG_ENDINGS = ("ig",)  # "schuldig"; not "-ster" ("mantelzorgster" is listed; "McAllister" is a name)
# Attributive forms and verb forms, which never stand right after "ik ben": "ernstige", "kapotte", "belde".
_INFLECTED_ENDINGS = (
    "de", "te", "den", "ten", "ige", "lijke", "ische", "bare", "loze", "zame", "ieve", "aanse", "ale", "ste",
    "eren", "eert", "iele",
)  # fmt: skip
# Participles: an inseparable prefix, or a separable one followed by "ge", and a -d/-t/-en ending ("verhuisd",
# "ontslagen", "aangereden", "ingeschreven").
_INSEPARABLE = ("ge", "be", "ver", "ont", "her")
_SEPARABLE = (
    "aan", "af", "bij", "door", "in", "los", "mee", "na", "om", "onder", "op", "over", "terug", "thuis", "toe", "uit",
    "vast", "voor", "weg", "ziek",
)  # fmt: skip
_SEPARABLE_GE = tuple(p + "ge" for p in _SEPARABLE)


def looks_like_word(key: str, *, inflected: bool = True, surname: bool = False) -> bool:
    """Whether the folded word ``key`` has the shape of an everyday Dutch word (adjective, participle, noun ...).

    ``inflected=False`` leaves out the attributive and verb endings: right after "ik ben" or "mijn naam is" no
    verb in the past tense and no inflected adjective can follow, so "Jorinde" or "Celeste" keep their chance.
    ``surname=True`` asks about the place of a surname: only adjectives and abstract nouns count there, since
    many surnames look like occupations or participles ("Schoemaker", "Vermeulen", "Scholten").
    """
    if "-" in key or "'" in key:
        return False  # "scholten-de", "o'brien": hyphens and apostrophes belong to names here
    n = len(key)
    if n < 4:
        return False
    if key.endswith(_WORD_ENDINGS) or (n > 5 and key.endswith(_LONG_ENDINGS) and not key.endswith(("wig", "aig"))):
        return True
    if surname:
        return False
    if key.endswith(_GIVEN_ENDINGS) or (n > 5 and key.endswith(_GIVEN_LONG_ENDINGS)):
        return True
    if inflected and key.endswith(_INFLECTED_ENDINGS):
        return True
    if key.endswith(("d", "t", "en")) and (
        (n >= 7 and key.startswith(_INSEPARABLE)) or (n >= 8 and key.startswith(_SEPARABLE_GE))
    ):
        return True
    return n > 4 and key.startswith("ge") and key.endswith(("d", "t"))  # "gebeld", "gemaakt"
