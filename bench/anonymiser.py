# SPDX-License-Identifier: EUPL-1.2
"""Benchmark of the connector's anonymiser on the synthetic corpus of ``bench/scrub_corpus.py``.

Reports, per placeholder type, the share of planted values that survive (leak; goal ≤ 1 %), per keep category
the share of keep-words kept (goal ≥ 98 %), and texts per second on one core (goal ≥ 2,000 short texts/s), with
the machine and date. Writes nothing but its report to standard output.

    .venv/bin/python bench/anonymiser.py            # table
    .venv/bin/python bench/anonymiser.py --json     # machine-readable
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # find the sibling modules also when imported by the tests
    sys.path.insert(0, _HERE)

from machine_info import machine_info  # noqa: E402
from scrub_corpus import DEFAULT_SEED, CorpusText, generate  # noqa: E402

__all__ = ["evaluate", "leaked", "main", "measure_speed"]

_COMPACT = re.compile(r"[\s.\-/()]")
_DIGITY = {"BSN", "IBAN", "TELEFOON", "KENTEKEN", "POSTCODE", "KLANTNUMMER", "REFERENTIE", "GEBOORTEDATUM"}
_PARTICLES = {"van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "el", "ben", "ait", "la", "le", "du"}


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text.lower())


def leaked(kind: str, value: str, source: str, output: str, all_names: list[str]) -> bool:
    """Whether a planted ``value`` of type ``kind`` survives in ``output`` (``source`` is the text before).

    Verbatim survival always counts. Numbers also count when their characters survive with other separators.
    A name leaks when any of its words (three letters or more, particles aside) is in the output more often than
    in the source with every planted name cut out (so "bij de bakker" does not count against "Bakker").
    """
    if kind == "NAAM":
        if re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", output, re.I):
            return True
    elif value.lower() in output.lower():
        return True
    if kind in _DIGITY:
        compact = _COMPACT.sub("", value).lower()
        return len(compact) >= 6 and compact in _COMPACT.sub("", output).lower()
    if kind == "ADRES":
        street = value.rsplit(" ", 1)[0]
        return bool(re.search(re.escape(street) + r"\s*\d", output, re.I))
    if kind == "NAAM":
        baseline = source
        for name in sorted(all_names, key=len, reverse=True):
            baseline = baseline.replace(name, " ")
        out_words, base_words = Counter(_words(output)), Counter(_words(baseline))
        return any(out_words[w] > base_words[w] for w in _words(value) if len(w) >= 3 and w not in _PARTICLES)
    return False


def evaluate(corpus: list[CorpusText], scrub: Any) -> dict[str, Any]:
    """Leak per placeholder type and keep per category over ``corpus`` with ``scrub(text) -> ScrubResult``."""
    planted: Counter[str] = Counter()
    leaks: Counter[str] = Counter()
    keep_total: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    by_case: dict[str, list[int]] = {"tidy": [0, 0], "sloppy": [0, 0]}  # [planted, leaked]
    for item in corpus:
        out = scrub(item.text).text
        names = [v for k, v in item.planted if k == "NAAM"]
        for kind, value in item.planted:
            planted[kind] += 1
            case = by_case["sloppy" if item.sloppy else "tidy"]
            case[0] += 1
            if leaked(kind, value, item.text, out, names):
                leaks[kind] += 1
                case[1] += 1
                examples.setdefault(kind, []).append(value)
        for category, value in item.keep:
            keep_total[category] += 1
            if value in out:
                kept[category] += 1
            else:
                examples.setdefault("lost:" + category, []).append(value)
    leak = {k: {"planted": planted[k], "leaked": leaks[k], "leak_pct": round(100 * leaks[k] / planted[k], 2)}
            for k in sorted(planted)}  # fmt: skip
    keep = {k: {"total": keep_total[k], "kept": kept[k], "keep_pct": round(100 * kept[k] / keep_total[k], 2)}
            for k in sorted(keep_total)}  # fmt: skip
    total_planted, total_leaked = sum(planted.values()), sum(leaks.values())
    total_keep, total_kept = sum(keep_total.values()), sum(kept.values())
    return {
        "leak": leak,
        "keep": keep,
        "leak_pct_overall": round(100 * total_leaked / total_planted, 2) if total_planted else 0.0,
        "keep_pct_overall": round(100 * total_kept / total_keep, 2) if total_keep else 100.0,
        "leak_pct_by_case": {k: round(100 * v[1] / v[0], 2) if v[0] else 0.0 for k, v in by_case.items()},
        "examples": {k: v[:5] for k, v in examples.items()},
    }


def measure_speed(texts: list[str], scrub: Any, min_seconds: float = 3.0) -> dict[str, float]:
    """Texts per second in this one process (one core), repeating the corpus for at least ``min_seconds``.

    ``texts_per_cpu_s`` divides by the CPU time of this process, which is what one core delivers even on a busy
    shared machine; ``texts_per_s`` divides by wall-clock time.
    """
    for t in texts[:50]:
        scrub(t)  # warm-up: lexicon load and caches
    done, chars = 0, 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while True:
        for t in texts:
            scrub(t)
        done += len(texts)
        chars += sum(len(t) for t in texts)
        wall = time.perf_counter() - wall0
        if wall >= min_seconds:
            break
    cpu = time.process_time() - cpu0
    return {
        "texts_per_s": round(done / wall),
        "texts_per_cpu_s": round(done / cpu),
        "chars_per_cpu_s": round(chars / cpu),
        "mean_text_chars": round(chars / done),
        "texts": done,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description="Benchmark the Hartslag anonymiser on a synthetic corpus.")
    parser.add_argument("--n", type=int, default=800, help="corpus size (default 800)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum time for the speed run")
    parser.add_argument("--json", action="store_true", help="machine output on stdout")
    parser.add_argument("--examples", action="store_true", help="show up to five leaked/lost values per type")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    from connectors.anonymiser import ANONYMISER_NAME, ANONYMISER_VERSION, Anonymiser

    anonymiser = Anonymiser()
    anonymiser.scrub("Mevrouw Jansen")  # loads the lexicons
    startup = time.perf_counter() - t0
    corpus = generate(args.n, args.seed)
    report: dict[str, Any] = {
        "anonymiser": f"{ANONYMISER_NAME} {ANONYMISER_VERSION}",
        "corpus": {"n": len(corpus), "seed": args.seed, "sloppy": sum(c.sloppy for c in corpus)},
        "startup_s": round(startup, 3),
        **evaluate(corpus, anonymiser.scrub),
        "speed": measure_speed([c.text for c in corpus], anonymiser.scrub, args.seconds),
        "machine": machine_info(),
    }
    if not args.examples:
        report.pop("examples")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    m = report["machine"]
    print(f"{report['anonymiser']}  corpus n={len(corpus)} seed={args.seed}  {m['date']}  "
          f"{m['cpu']} (nproc {m['nproc']}), Python {m['python']}")  # fmt: skip
    print(f"\n{'type':<16}{'planted':>8}{'leaked':>8}{'leak %':>8}")
    for kind, row in report["leak"].items():
        print(f"{kind:<16}{row['planted']:>8}{row['leaked']:>8}{row['leak_pct']:>8.2f}")
    print(f"{'overall':<16}{'':>16}{report['leak_pct_overall']:>8.2f}")
    cases = report["leak_pct_by_case"]
    print(f"(tidy texts {cases['tidy']:.2f} %, sloppy lower-case texts {cases['sloppy']:.2f} %)")
    print(f"\n{'keep category':<16}{'total':>8}{'kept':>8}{'keep %':>8}")
    for cat, row in report["keep"].items():
        print(f"{cat:<16}{row['total']:>8}{row['kept']:>8}{row['keep_pct']:>8.2f}")
    print(f"{'overall':<16}{'':>16}{report['keep_pct_overall']:>8.2f}")
    s = report["speed"]
    print(f"\nspeed, one core: {s['texts_per_cpu_s']} texts per CPU second ({s['texts_per_s']} per wall-clock second; "
          f"{s['chars_per_cpu_s']} chars/CPU s, mean {s['mean_text_chars']} chars/text); "
          f"start-up with lexicons {report['startup_s']} s")  # fmt: skip
    for kind, values in report.get("examples", {}).items():
        print(f"  {kind}: {values}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
