# SPDX-License-Identifier: EUPL-1.2
"""Benchmark of the connector's signing and delivery: sign, verify and push throughput on one machine.

* sign: batches of 500 standard signals signed as compact JWS (EdDSA and ES256), the way the outbox does it (from
  the stored JSON texts), in batches/s and signals/s;
* verify: :func:`connectors.envelope.verify_batch` on the same batches (what the hub does first), with and without
  the batch-schema check;
* push: the outbox + delivery loop + HTTP transport to the real test receiver on loopback (which verifies every
  batch and deduplicates; per-signal schema validation off, so that the connector side is what is measured).

Reading and scrubbing exports is not included (see the anonymiser benchmark). Writes nothing but its report.

    .venv/bin/python bench/connector.py            # markdown table
    .venv/bin/python bench/connector.py --json     # machine-readable
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connectors.delivery import deliver
from connectors.envelope import BatchSigner, verify_batch
from connectors.http_transport import HttpTransport
from connectors.keys import KeyRing, load_jwks, load_signing_key
from connectors.outbox import Outbox
from tests.factories import make_keypair, make_signals
from tests.receivers import HttpReceiver, ReceiverCore

sys.path.append(str(Path(__file__).resolve().parent))
from machine_info import machine_info

__all__ = ["main"]

BATCH = 500


def _rate(run: Callable[[], object], *, minimum: float = 2.0) -> float:
    """Calls per second of ``run``, repeated for at least ``minimum`` seconds after one warm-up call."""
    run()
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < minimum:
        run()
        count += 1
    return count / elapsed


def _compiled_batch_validator() -> Callable[[dict[str, Any]], list[object]] | None:
    """The batch schema compiled with jsonschema-rs (the hub extra), when it is installed."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    from governance.standard import list_schemas, load_schema

    documents = [load_schema(info.name, info.version) for info in list_schemas()]
    registry = jsonschema_rs.Registry([(doc["$id"], doc) for doc in documents if "$id" in doc])
    validator = jsonschema_rs.validator_for(load_schema("batch", "1.0.0"), registry=registry, validate_formats=True)
    return lambda doc: list(validator.iter_errors(doc))


def bench_sign_verify(folder: Path) -> list[dict[str, Any]]:
    """Sign and verify rates for each algorithm."""
    signals = make_signals(BATCH, seed=11)
    bodies = [json.dumps(s, ensure_ascii=False, separators=(",", ":")) for s in signals]
    rows = []
    compiled = _compiled_batch_validator()
    for code, alg in (("GM0363", "EdDSA"), ("UWV", "ES256")):
        pair = make_keypair(folder, code, alg=alg)
        ring = KeyRing()
        ring.add_jwks(code, load_jwks(pair.jwks))
        signer = BatchSigner(load_signing_key(pair.private_pem), issuer=code, audience="hartslag-hub")
        token = signer.sign_serialized(bodies).token
        sign = _rate(partial(signer.sign_serialized, bodies))
        sign_dicts = _rate(partial(signer.sign, signals))
        verify = _rate(partial(verify_batch, token, ring, audience="hartslag-hub"))
        verify_fast = _rate(partial(verify_batch, token, ring, audience="hartslag-hub", check_schema=False))
        verify_compiled = (
            _rate(partial(verify_batch, token, ring, audience="hartslag-hub", batch_validator=compiled))
            if compiled
            else None
        )
        rows.append(
            {
                "alg": alg,
                "token_bytes": len(token),
                "sign_batches_per_s": sign,
                "sign_from_dicts_batches_per_s": sign_dicts,
                "verify_batches_per_s": verify,
                "verify_no_schema_batches_per_s": verify_fast,
                "verify_jsonschema_rs_batches_per_s": verify_compiled,
            }
        )
    return rows


def bench_push(folder: Path, total: int = 20_000) -> dict[str, Any]:
    """Enqueue ``total`` signals and deliver them in batches of 500 to the loopback HTTP receiver."""
    pair = make_keypair(folder / "push", "GM0363")
    ring = KeyRing()
    ring.add_jwks("GM0363", load_jwks(pair.jwks))
    receiver = HttpReceiver(ReceiverCore(keys=ring, validate_signals=False))
    signer = BatchSigner(load_signing_key(pair.private_pem), issuer="GM0363", audience="hartslag-hub")
    signals = make_signals(total, seed=12)
    transport = HttpTransport(receiver.url)
    try:
        with Outbox(folder / "state", signer=signer, batch_size=BATCH) as outbox:
            started = time.perf_counter()
            outbox.enqueue(signals)
            enqueued = time.perf_counter()
            report = deliver(outbox, transport, agency="GM0363")
            done = time.perf_counter()
    finally:
        transport.close()
        receiver.stop()
    assert report.delivered_signals == total and len(receiver.core.signals) == total
    return {
        "signals": total,
        "enqueue_signals_per_s": total / (enqueued - started),
        "deliver_signals_per_s": total / (done - enqueued),
        "end_to_end_signals_per_s": total / (done - started),
        "batches_per_s": report.delivered_batches / (done - enqueued),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--signals", type=int, default=20_000, help="signals to push (default 20000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result: dict[str, Any] = {
            "machine": machine_info(),
            "sign_verify": bench_sign_verify(Path(tmp)),
            "push": bench_push(Path(tmp), args.signals),
        }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    m = result["machine"]
    print(f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}, {m['system']}.\n")
    print(
        f"| batch of {BATCH} signals | token | sign | sign (signals/s) | verify (batch schema: jsonschema)"
        " | verify (batch schema: jsonschema-rs) | verify (no batch schema) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in result["sign_verify"]:
        compiled = row["verify_jsonschema_rs_batches_per_s"]
        print(
            f"| {row['alg']} | {row['token_bytes'] / 1024:.0f} KiB | {row['sign_batches_per_s']:,.0f} batches/s"
            f" | {row['sign_batches_per_s'] * BATCH:,.0f} | {row['verify_batches_per_s']:,.0f} batches/s"
            f" | {f'{compiled:,.0f} batches/s' if compiled else 'not installed'}"
            f" | {row['verify_no_schema_batches_per_s']:,.0f} batches/s |"
        )
    p = result["push"]
    print(
        f"\nPush of {p['signals']:,} signals (batches of {BATCH}) to the HTTP receiver on loopback:"
        f" enqueue {p['enqueue_signals_per_s']:,.0f} signals/s, deliver {p['deliver_signals_per_s']:,.0f} signals/s"
        f" ({p['batches_per_s']:,.1f} batches/s), end to end {p['end_to_end_signals_per_s']:,.0f} signals/s."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
