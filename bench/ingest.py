# SPDX-License-Identifier: EUPL-1.2
"""Benchmark of the hub's acceptance path: signals per second through verify, validate, scrub check and store.

Builds a fresh data folder with four registered agencies (real Ed25519 keys), pre-signs batches of 500 realistic
signals (varied, already anonymised Dutch texts of 50–400 characters with placeholders, times, dates and amounts,
about 1 % of them still holding a phone number, e-mail, IBAN, BSN, postcode or plate so the guard refuses them), and
measures, in one run:

* in-process: :meth:`hub.ingest.Ingest.accept` on a fresh SQLite store (goal ≥ 40,000 signals/s);
* HTTP: a real ``hartslag hub serve`` (uvicorn) subprocess on a free loopback port, with several concurrent
  clients (one agency each) posting pre-signed batches (goal ≥ 20,000 signals/s);
* the cost of each step per 500-signal batch, measured separately with the hub's own components: signature + hash,
  payload decode and JSON parse, batch schema, signal schema (the hub's fast path against jsonschema-rs on the files
  as written, pydantic and the reference python-jsonschema validator), guard scan (with its pre-filter and with
  every detector on every text), dedupe query and the SQLite insert.

The machine is shared and noisy, so besides wall-clock signals per second the script reports signals per CPU-second
(of the benchmark process in-process, of the server process over HTTP) and the steps in CPU milliseconds; the ratios
(in-process against the sum of the steps, reference validator against the fast path) say more than the absolute
figures. Runs in well under two minutes; writes nothing but its report.

    .venv/bin/python bench/ingest.py            # markdown table
    .venv/bin/python bench/ingest.py --json     # machine-readable
    .venv/bin/python bench/ingest.py --profile  # also the top of a cProfile of the in-process run (stderr)
    .venv/bin/python bench/ingest.py --server-gc  # in-process with the garbage collector set as the server sets it
    .venv/bin/python bench/ingest.py --runs 7   # the paths seven times: median and range (the steps once)
"""

from __future__ import annotations

import argparse
import binascii
import cProfile
import hashlib
import json
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import connectors.envelope as envelope
import hub.ingest as hub_ingest
from connectors.envelope import BatchSigner, SignedBatch
from connectors.keys import load_signing_key
from hub.ingest import Ingest
from hub.records import StoredBatch, StoredSignal
from hub.registry import Registry
from hub.storage import Storage, open_storage
from tests.factories import make_agency, make_keypair, make_signal

sys.path.append(str(Path(__file__).resolve().parent))
from machine_info import machine_info

__all__ = ["generate_signals", "main", "realistic_text", "summarise"]

BATCH = 500
HUB_ID = "bench-hub"
AGENCIES = ("GM0363", "GM0599", "GM0518", "GM0344")
GOAL_IN_PROCESS = 40_000
GOAL_HTTP = 20_000
_B64_FROM_URL = bytes.maketrans(b"-_", b"+/")


# --- realistic, already anonymised Dutch texts -------------------------------------------------------------------
_OPENERS = (
    "Melder geeft aan dat", "Bewoner meldt dat", "Via het formulier: ", "Beller vertelt dat", "Klant laat weten dat",
    "Ondernemer meldt dat", "Sinds {dag} is het zo dat", "Al {aantal} weken", "Opnieuw een melding:", "",
    "[NAAM] belde namens de VvE:", "Mevrouw [NAAM] geeft aan dat", "Meneer [NAAM] vraagt of",
)  # fmt: skip
_BODIES = (
    "er grofvuil naast de ondergrondse container ligt bij {plek}",
    "de lantaarnpaal op {straat} al sinds {datum} kapot is, het is 's avonds erg donker",
    "er elke nacht rond {tijd} harde muziek uit de woning op [ADRES] komt",
    "de bus van lijn {lijn} structureel {aantal} minuten te laat is bij halte {plek}",
    "er lachgascilinders in de berm liggen langs de fietsroute naar school",
    "de stoep op {straat} is opgebroken en niet is hersteld, lastig met een rollator of kinderwagen",
    "hij nog geen reactie heeft gehad op zijn aanvraag van {datum} (zaaknummer [REFERENTIE])",
    "de naheffing van {bedrag} volgens haar onterecht is, ze heeft om {tijd} betaald via de app",
    "het wachten aan de telefoon meer dan {aantal} minuten duurde en de verbinding toen verbrak",
    "de afvalcontainer op {plek} al {aantal} dagen vol zit en er ratten rondlopen",
    "er op de {weg} bij afrit {lijn} regelmatig te hard wordt gereden, ook 's nachts",
    "de eigen bijdrage voor {jaar} ruim {bedrag} hoger uitvalt dan vorig jaar",
    "zij de brief over de voorlopige aanslag {jaar} niet begrijpt en wil weten wat ze moet doen",
    "er bij {plek} al weken een fietswrak staat dat de doorgang blokkeert",
    "de bomen aan {straat} overhangen en de takken tegen de ramen van nummer [ADRES] slaan",
    "het speeltoestel in het park bij {plek} kapot is, er steekt een spijker uit",
    "hij op {datum} om {tijd} is gebeld door iemand die zich voordeed als medewerker, nummer [TELEFOON]",
    "de WW-uitkering van {maand} pas op de {dagnr}e is overgemaakt in plaats van op de {dagnr2}e",
    "de studiefinanciering is stopgezet terwijl zij nog {aantal} studiepunten moet halen",
    "er sinds de werkzaamheden op {weg} veel sluipverkeer door de wijk gaat, ongeveer {aantal} auto's per uur",
    "de parkeervergunning voor {jaar} nog niet binnen is terwijl hij op {datum} heeft betaald",
    "de betalingsregeling van {bedrag} per maand te hoog is voor haar situatie (klantnummer [KLANTNUMMER])",
    "er veel jongeren hangen bij {plek} en dat er tot {tijd} overlast is met scooters",
    "het loket op {dag} gesloten was terwijl op de website stond dat het tot {tijd} open zou zijn",
)  # fmt: skip
_CLOSERS = (
    "Graag snel actie.", "Wil graag teruggebeld worden.", "Dit is al de {aantal}e keer dat het gemeld wordt.",
    "Compliment voor de snelle reactie vorige keer.", "Graag een reactie per brief.", "Geen foto bijgevoegd.",
    "Foto bijgevoegd via de app.", "Verzoek om terugkoppeling.", "Melder is erg ontevreden.", "",
    "Verwijst naar artikel {lijn} van de Algemene wet bestuursrecht.", "Bedankt voor de moeite!",
)  # fmt: skip
_PLACES = (
    "het station", "het winkelcentrum", "de basisschool", "het Vondelpark", "de Markthal", "de sporthal",
    "het plein bij de kerk", "de bibliotheek", "de ingang van het ziekenhuis", "de Albert Heijn",
)  # fmt: skip
_SLOTS: dict[str, Callable[[random.Random], str]] = {
    "dag": lambda r: r.choice(("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")),
    "aantal": lambda r: str(r.randint(2, 60)),
    "plek": lambda r: r.choice(_PLACES),
    "straat": lambda r: r.choice(("de Coolsingel", "de Kerkstraat", "de Dorpsweg", "het Marktplein", "de Parklaan")),
    "datum": lambda r: f"{r.randint(1, 28)} {r.choice(('januari', 'februari', 'maart', 'april', 'mei', 'juni'))}",
    "tijd": lambda r: f"{r.randint(0, 23):02d}.{r.choice(('00', '15', '30', '45'))} uur",
    "lijn": lambda r: str(r.randint(1, 99)),
    "bedrag": lambda r: f"€ {r.randint(10, 900)},{r.randint(0, 99):02d}",
    "weg": lambda r: r.choice(("A12", "A13", "A20", "N201", "de ring", "de provinciale weg")),
    "jaar": lambda r: str(r.randint(2023, 2026)),
    "maand": lambda r: r.choice(("januari", "februari", "maart", "april")),
    "dagnr": lambda r: str(r.randint(20, 28)),
    "dagnr2": lambda r: str(r.randint(1, 19)),
}
# What a connector occasionally misses: the guard must find each of these (about 1 % of the texts carry one).
_LEAKS = (
    "Bel me terug op 06-12345678.", "Mail naar j.de.vries@example.nl graag.", "Mijn rekening is NL91ABNA0417164300.",
    "BSN 111222333 staat op de brief.", "Postadres 3011 AB 12 klopt niet meer.", "De auto met kenteken 12-ABC-3.",
)  # fmt: skip


def _fill(template: str, rng: random.Random) -> str:
    out = template
    for slot, make in _SLOTS.items():
        while "{" + slot + "}" in out:
            out = out.replace("{" + slot + "}", make(rng), 1)
    return out


def realistic_text(rng: random.Random, *, leak: bool = False) -> str:
    """An anonymised Dutch signal text of 50–400 characters; with ``leak`` it still holds one piece of personal data."""
    target = rng.randint(50, 400)
    parts: list[str] = []
    length = 0
    while length < target:
        opener = _fill(rng.choice(_OPENERS), rng)
        body = _fill(rng.choice(_BODIES), rng)
        sentence = (opener + " " + body).strip() + "."
        sentence = sentence[0].upper() + sentence[1:]
        closer = _fill(rng.choice(_CLOSERS), rng)
        piece = sentence + (" " + closer if closer and rng.random() < 0.5 else "")
        if length and length + len(piece) + 1 > 400:
            break
        parts.append(piece)
        length += len(piece) + 1
    if leak:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(_LEAKS))
    text = " ".join(parts)
    return text if len(text) <= 4000 else text[:4000]


def generate_signals(n: int, agency: str, rng: random.Random, *, leak_share: float = 0.01) -> list[dict[str, Any]]:
    """``n`` varied signals of ``agency`` (fresh ids); about ``leak_share`` of them still hold personal data."""
    who = make_agency(agency)
    themes = ("afval", "openbare-ruimte", "verkeer", "overlast", "groen", "parkeren", "geluid", "openbaar-vervoer")
    signals = []
    for _ in range(n):
        text = realistic_text(rng, leak=rng.random() < leak_share)
        counts = {p: text.count(f"[{p}]") for p in ("NAAM", "ADRES", "TELEFOON", "REFERENTIE", "KLANTNUMMER")}
        placeholders = {k: v for k, v in counts.items() if v}
        overrides: dict[str, Any] = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "text": text,
            "themes": rng.sample(themes, rng.randint(1, 3)),
            "privacy": {
                "anonymiser": "hartslag-scrub",
                "version": "1.0.0",
                **({"placeholders": placeholders} if placeholders else {}),
            },
        }
        if rng.random() < 0.7:
            overrides["sentiment"] = rng.choice(("negative", "neutral", "positive"))
        if rng.random() < 0.6:
            overrides["location"] = {"municipality": agency, "postcode_area": str(rng.randint(1000, 9999))}
        if rng.random() < 0.5:
            overrides["category"] = {"scheme": "signalen", "code": "afval/grofvuil", "label": "Grofvuil"}
        if rng.random() < 0.1:
            overrides["policy_refs"] = [{"scheme": "bwb", "id": "BWBR0005537", "label": "Awb"}]
        signal = make_signal(rng=rng, agency=who, **overrides)
        signal["source"]["system"] = "Signalen"
        signals.append(signal)
    return signals


# --- set-up ------------------------------------------------------------------------------------------------------
@dataclass
class Hub:
    """A data folder with the agencies registered, and its open storage."""

    data: Path
    storage: Storage


def build_hub(folder: Path, jwks: dict[str, dict[str, Any]]) -> Hub:
    """A fresh data folder under ``folder`` with every agency of ``AGENCIES`` registered with its key."""
    storage = open_storage(folder)
    registry = Registry(storage)
    for code in AGENCIES:
        registry.add_agency(code, code, make_agency(code).kind, jwks[code], "bench")
    return Hub(folder, storage)


def make_signers(keys: Path) -> tuple[dict[str, BatchSigner], dict[str, dict[str, Any]]]:
    """A real Ed25519 key pair per agency: its signer and its public JWK set."""
    signers, jwks = {}, {}
    for code in AGENCIES:
        pair = make_keypair(keys, code)
        jwks[code] = json.loads(pair.jwks.read_text())
        signers[code] = BatchSigner(load_signing_key(pair.private_pem), issuer=code, audience=HUB_ID, lifetime=900)
    return signers, jwks


def presign(signers: dict[str, BatchSigner], batches: int, rng: random.Random, agencies: Sequence[str]) -> list[Any]:
    """``batches`` signed batches of ``BATCH`` fresh signals, round-robin over ``agencies``: (agency, batch, None).

    The signal documents are not kept: tens of thousands of dicts held by the benchmark itself would make every
    full garbage collection in the measured loop slower than it is in a hub.
    """
    out = []
    for i in range(batches):
        code = agencies[i % len(agencies)]
        out.append((code, signers[code].sign(generate_signals(BATCH, code, rng)), None))
    return out


# --- measurements ------------------------------------------------------------------------------------------------
def bench_in_process(ingest: Ingest, batches: list[Any], profile: bool) -> dict[str, Any]:
    """Signals per second through :meth:`Ingest.accept` (after one warm-up batch)."""
    _, warm, _ = batches[0]
    ingest.accept(warm.token)
    profiler = cProfile.Profile() if profile else None
    accepted = rejected = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for _, signed, _ in batches[1:]:
        receipt = ingest.accept(signed.token).receipt
        accepted += receipt.accepted
        rejected += len(receipt.rejected)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    total = sum(b.count for _, b, _ in batches[1:])
    return {
        "batches": len(batches) - 1,
        "signals": total,
        "accepted": accepted,
        "rejected": rejected,
        "seconds": elapsed,
        "signals_per_s": total / elapsed,
        "ms_per_batch": elapsed / (len(batches) - 1) * 1000,
        "cpu_seconds": cpu,
        "signals_per_cpu_s": total / cpu,
        "cpu_ms_per_batch": cpu / (len(batches) - 1) * 1000,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_http(hub: Hub, batches: list[Any], clients: int) -> dict[str, Any]:
    """A ``hartslag hub serve`` subprocess; ``clients`` threads (one agency each) post the batches concurrently."""
    import httpx

    port = _free_port()
    env = {
        **os.environ,
        "HARTSLAG_RATE_PER_SECOND": "100000",
        "HARTSLAG_RATE_BURST": "100000",
        "HARTSLAG_LOG_JSON": "true",
    }
    hartslag = Path(sys.executable).with_name("hartslag")
    command = [str(hartslag), "hub", "serve", "--data", str(hub.data), "--port", str(port), "--hub-id", HUB_ID]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the hub did not start")
            time.sleep(0.1)
        headers = {"Content-Type": "application/jose"}
        _, warm, _ = batches[0]  # warm-up: compiles the validator, loads the guard
        httpx.post(f"{base}/v1/batches", content=warm.token, headers=headers, timeout=60).raise_for_status()
        work = batches[1:]
        per_client: list[list[SignedBatch]] = [[] for _ in range(clients)]
        for code, signed, _ in work:
            per_client[AGENCIES.index(code) % clients].append(signed)
        results: list[tuple[int, int]] = []
        errors: list[str] = []
        lock = threading.Lock()
        gate = threading.Barrier(clients + 1)

        def client(mine: list[SignedBatch]) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
                gate.wait()
                for signed in mine:
                    response = http.post("/v1/batches", content=signed.token)
                    with lock:
                        if response.status_code == 202:
                            body = response.json()
                            results.append((body["accepted"], len(body["rejected"])))
                        else:
                            errors.append(f"{response.status_code} {response.text[:200]}")

        threads = [threading.Thread(target=client, args=(mine,)) for mine in per_client]
        for thread in threads:
            thread.start()
        gate.wait()
        started, server_cpu = time.perf_counter(), _cpu_seconds(server.pid)
        for thread in threads:
            thread.join()
        elapsed, server_cpu = time.perf_counter() - started, _cpu_seconds(server.pid) - server_cpu
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    if errors:
        raise RuntimeError(f"{len(errors)} batches failed over HTTP, first: {errors[0]}")
    total = sum(b.count for _, b, _ in work)
    return {
        "clients": clients,
        "batches": len(work),
        "signals": total,
        "accepted": sum(a for a, _ in results),
        "rejected": sum(r for _, r in results),
        "seconds": elapsed,
        "signals_per_s": total / elapsed,
        "ms_per_batch": elapsed / len(work) * 1000,
        "server_cpu_seconds": server_cpu,
        "signals_per_server_cpu_s": total / server_cpu if server_cpu else None,
        "token_bytes": statistics.mean(len(b.token) for _, b, _ in work),
    }


def _median_ms(run: Callable[[int], object], repeats: int) -> float:
    """Median CPU milliseconds of ``run(i)`` over ``repeats`` calls (after one warm-up call).

    CPU time of this thread, not wall time: on a shared machine other processes' load would otherwise be counted.
    """
    run(0)
    times = []
    for i in range(repeats):
        started = time.thread_time()
        run(i)
        times.append((time.thread_time() - started) * 1000)
    return statistics.median(times)


def bench_steps(ingest: Ingest, batches: list[Any], repeats: int) -> dict[str, float]:
    """Milliseconds per 500-signal batch of each step, measured separately with the hub's own components."""
    import orjson
    from jwt.algorithms import OKPAlgorithm

    from connectors.anonymiser import contains_personal_data
    from governance.models import Signal
    from governance.standard import conforms, validator_for

    reference = validator_for("signal", "1.0.0")  # python-jsonschema, pure Python

    storage = ingest.storage
    tokens = [signed.token for _, signed, _ in batches]
    verified = [ingest.verify(token) for token in tokens]
    okp = OKPAlgorithm()
    keys = {v.kid: ingest.key_lookup(v.kid) for v in verified}
    pick = lambda i: i % len(tokens)  # noqa: E731

    def signature_and_hash(i: int) -> None:
        token = tokens[pick(i)]
        head, _, signature = token.rpartition(b".")
        sig = binascii.a2b_base64(signature.translate(_B64_FROM_URL) + b"=" * (-len(signature) % 4))
        key = keys[verified[pick(i)].kid]
        assert key is not None
        assert okp.verify(head, key.public_key, sig)  # type: ignore[arg-type]
        hashlib.sha256(token).hexdigest()

    def payload_binascii(i: int) -> bytes:
        segment = tokens[pick(i)].split(b".")[1]
        return binascii.a2b_base64(segment.translate(_B64_FROM_URL) + b"=" * (-len(segment) % 4), strict_mode=True)

    # The hub's own decoder where it has one (pybase64, strict base64url), else the binascii form it replaced.
    decode = getattr(envelope, "b64url_decode", None)

    def payload(i: int) -> bytes:
        return decode(tokens[pick(i)].split(b".")[1]) if decode is not None else payload_binascii(i)

    payloads = [payload(i) for i in range(len(tokens))]
    signals = [v.signals for v in verified]
    texts = [[s["text"] for s in batch] for batch in signals]
    ids = [[s["id"] for s in batch] for batch in signals]
    reference_n = 50  # the pure-Python validator is slow: time 50 signals and scale to 500

    fresh: list[tuple[StoredBatch, list[StoredSignal]]] = []
    now = datetime.now(UTC)
    for i in range(repeats + 1):
        agency = verified[pick(i)].agency
        jti = str(uuid.uuid4())
        rows = [StoredSignal(str(uuid.uuid4()), agency, jti, now, {**s}) for s in signals[pick(i)]]
        fresh.append((StoredBatch(jti, agency, "0" * 64, now, {"batch_id": jti}, "bench"), rows))
    guard, validator = ingest.guard, ingest.validator
    # The batch form where the guard has it (older hubs scanned one text at a time).
    find_many = getattr(guard, "find_many", None) or (lambda texts: [guard.find(t) for t in texts])
    # The hub's newer forms where it has them (the same bench then also runs against older code).
    problems = getattr(validator, "first_problems", None) or (lambda docs: [validator.first_problem(d) for d in docs])
    parse_payload = getattr(hub_ingest, "parse_payload", None)
    batch_valid = getattr(validator, "batch_valid", None)
    documents = [v.document for v in verified]
    save_new_batch = getattr(storage, "save_new_batch", None)

    steps = {
        "verify: signature + SHA-256": _median_ms(signature_and_hash, repeats),
        "payload: base64url decode (hub)": _median_ms(payload, repeats),
        "payload: base64url decode (binascii, for comparison)": _median_ms(payload_binascii, repeats),
        "payload: JSON parse (json)": _median_ms(lambda i: json.loads(payloads[pick(i)]), repeats),
        "payload: JSON parse (orjson)": _median_ms(lambda i: orjson.loads(payloads[pick(i)]), repeats),
    }
    if parse_payload is not None:
        steps["payload: JSON parse (hub: orjson where it reads as json does)"] = _median_ms(
            lambda i: parse_payload(payloads[pick(i)]), repeats
        )
    if batch_valid is not None:
        steps["batch + every signal's schema in one call (hub, inside Ingest.verify)"] = _median_ms(
            lambda i: batch_valid(documents[pick(i)]), repeats
        )
    steps |= {
        VERIFY: _median_ms(lambda i: ingest.verify(tokens[pick(i)]), repeats),
        "signal schema: hub fast path": _median_ms(lambda i: problems(signals[pick(i)]), repeats),
        "signal schema: jsonschema-rs on the files as written": _median_ms(
            lambda i: [conforms(s, "signal") for s in signals[pick(i)]], repeats
        ),
        "signal schema: pydantic (reference)": _median_ms(
            lambda i: [Signal.model_validate(s) for s in signals[pick(i)]], repeats
        ),
        "signal schema: python-jsonschema (reference)": _median_ms(
            lambda i: [list(reference.iter_errors(s)) for s in signals[pick(i)][:reference_n]], max(2, repeats // 3)
        )
        * (BATCH / reference_n),
        GUARD: _median_ms(lambda i: find_many(texts[pick(i)]), repeats),
        "guard scan: one text at a time (find)": _median_ms(lambda i: [guard.find(t) for t in texts[pick(i)]], repeats),
        "guard scan: every detector on every text (no pre-filter)": _median_ms(
            lambda i: [contains_personal_data(t) for t in texts[pick(i)]], repeats
        ),
        DEDUPE: _median_ms(lambda i: storage.existing_signal_ids(verified[pick(i)].agency, ids[pick(i)]), repeats),
    }
    if save_new_batch is not None:
        fresh_new = [(row, [(s.id, s.document) for s in rows]) for row, rows in fresh]
        steps[INSERT_NEW] = _median_ms(lambda i: save_new_batch(*fresh_new.pop()), repeats)
    else:
        steps[INSERT] = _median_ms(lambda i: storage.save_batch(*fresh.pop()), repeats)
    return steps


# --- report ------------------------------------------------------------------------------------------------------
VERIFY = "Ingest.verify (all of the above + claims, batch schema, agency)"
GUARD = "guard scan (the batch's texts at once where the hub can)"
DEDUPE = "dedupe query (in the path before; now only when a signal was sent before)"
INSERT = "SQLite insert (save_batch)"
INSERT_NEW = "SQLite insert of new signals (save_new_batch)"
# The path's steps: the hub's current path, or the older one (separate signal schema step and dedupe query).
_PATH_STEPS = (VERIFY, GUARD, INSERT_NEW)
_OLD_PATH_STEPS = (VERIFY, "signal schema: hub fast path", GUARD, DEDUPE, INSERT)


def run(args: argparse.Namespace, *, steps_too: bool = True) -> dict[str, Any]:
    """Everything (the steps only with ``steps_too``), in one data folder that is removed afterwards."""
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="hartslag-bench-ingest-") as tmp:
        root = Path(tmp)
        keys = root / "keys"
        keys.mkdir()
        signers, jwks = make_signers(keys)
        local = build_hub(root / "in-process", jwks)
        started = time.perf_counter()
        in_batches = presign(signers, args.batches + 1, rng, AGENCIES)
        http_batches = presign(signers, args.http_batches + 1, rng, AGENCIES) if args.http_batches else []
        setup = time.perf_counter() - started
        ingest = Ingest(local.storage, HUB_ID)
        if args.server_gc:
            from hub.server import tune_gc

            tune_gc()
        in_process = bench_in_process(ingest, in_batches, args.profile)
        steps = bench_steps(ingest, in_batches[1:], args.repeats) if steps_too else {}
        local.storage.close()
        http = None
        if http_batches:
            remote = build_hub(root / "http", jwks)
            remote.storage.close()
            http = bench_http(remote, http_batches, args.clients)
    result = {
        "machine": machine_info(),
        "batch_size": BATCH,
        "setup_seconds": setup,
        "in_process": {**in_process, "goal_signals_per_s": GOAL_IN_PROCESS, "server_gc": args.server_gc},
        "http": None if http is None else {**http, "goal_signals_per_s": GOAL_HTTP},
    }
    if not steps:
        return result
    path = _PATH_STEPS if INSERT_NEW in steps else _OLD_PATH_STEPS
    path_sum = sum(steps[name] for name in path)
    return {
        **result,
        "steps_ms_per_batch": steps,
        "path_steps": list(path),
        "sum_of_path_steps_ms": path_sum,
        "in_process_over_sum_of_steps": in_process["cpu_ms_per_batch"] / path_sum,
        "reference_over_fast_validator": steps["signal schema: python-jsonschema (reference)"]
        / steps["signal schema: hub fast path"],
        "pydantic_over_fast_validator": steps["signal schema: pydantic (reference)"]
        / steps["signal schema: hub fast path"],
    }


_RUN_FIGURES = {
    "in-process, signals/s (wall)": ("in_process", "signals_per_s"),
    "in-process, signals per CPU-second": ("in_process", "signals_per_cpu_s"),
    "in-process, CPU ms per batch": ("in_process", "cpu_ms_per_batch"),
    "HTTP, signals/s (wall)": ("http", "signals_per_s"),
    "HTTP, signals per server CPU-second": ("http", "signals_per_server_cpu_s"),
}


def summarise(runs: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Median, range and every value of each path figure over several runs (the machine is shared and noisy)."""
    summary: dict[str, dict[str, Any]] = {}
    for label, (path, key) in _RUN_FIGURES.items():
        values = [run[path][key] for run in runs if run[path] is not None and run[path][key] is not None]
        if values:
            summary[label] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
            summary[label]["values"] = values
    return summary


def _summary_table(summary: dict[str, dict[str, Any]], runs: int) -> list[str]:
    lines = ["", f"Over {runs} runs (fresh data folder each):", "", "| Figure | Median | Range |", "|---|---:|---:|"]
    for label, figure in summary.items():
        digits = 1 if "ms" in label else 0
        lines.append(
            f"| {label} | {figure['median']:,.{digits}f} | {figure['min']:,.{digits}f}–{figure['max']:,.{digits}f} |"
        )
    return lines


def _table(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['system']}; date {m['date']}",
        "",
        "| Path | Batches × 500 | Signals/s (wall) | ms per batch | Signals per CPU-second | Goal | Met |",
        "|---|---:|---:|---:|---:|---:|:-:|",
    ]
    for name, key in (("in-process `Ingest.accept`", "in_process"), ("HTTP", "http")):
        row = result[key]
        if row is None:
            continue
        label = name if key == "in_process" else f"HTTP, {row['clients']} concurrent clients"
        met = "yes" if row["signals_per_s"] >= row["goal_signals_per_s"] else "no"
        per_cpu = row.get("signals_per_cpu_s") or row.get("signals_per_server_cpu_s")
        lines.append(
            f"| {label} | {row['batches']} | {row['signals_per_s']:,.0f} | {row['ms_per_batch']:.1f}"
            f" | {per_cpu or 0:,.0f} | ≥ {row['goal_signals_per_s']:,} | {met} |"
        )
    if "runs" in result:
        lines += _summary_table(result["runs"], result["run_count"])
    if "steps_ms_per_batch" not in result:
        return "\n".join(lines)
    lines += ["", "| Step (per 500-signal batch) | CPU ms | Path step |", "|---|---:|:-:|"]
    for name, ms in result["steps_ms_per_batch"].items():
        lines.append(f"| {name} | {ms:.2f} | {'✓' if name in result['path_steps'] else ''} |")
    lines += [
        "",
        "Signals per CPU-second: in-process, CPU time of the benchmark process; HTTP, CPU time of the server process.",
        f"Sum of the path's steps (✓): {result['sum_of_path_steps_ms']:.1f} ms; in-process CPU per batch / sum of"
        f" steps: {result['in_process_over_sum_of_steps']:.2f}.",
        f"Reference python-jsonschema / hub fast path: {result['reference_over_fast_validator']:.0f}×; "
        f"pydantic / fast path: {result['pydantic_over_fast_validator']:.1f}×.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a markdown table (or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--batches", type=int, default=40, help="in-process batches of 500 (after one warm-up)")
    parser.add_argument("--http-batches", type=int, default=40, help="HTTP batches of 500 (0: skip HTTP)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (one agency each, at most 4)")
    parser.add_argument("--repeats", type=int, default=9, help="repetitions per step")
    parser.add_argument("--seed", type=int, default=20260317)
    parser.add_argument("--runs", type=int, default=1, help="repeat the path measurements (the steps run once)")
    parser.add_argument("--no-steps", action="store_true", help="measure the paths only")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process run (top 25 on stderr)")
    parser.add_argument(
        "--server-gc", action="store_true", help="in-process with the garbage collector set as `hub serve` sets it"
    )
    args = parser.parse_args(argv)
    args.clients = max(1, min(args.clients, len(AGENCIES)))
    runs = [run(args, steps_too=i == 0 and not args.no_steps) for i in range(max(1, args.runs))]
    result = runs[0]
    if len(runs) > 1:
        result = {**result, "run_count": len(runs), "runs": summarise(runs)}
    print(json.dumps(result, indent=2) if args.json else _table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
