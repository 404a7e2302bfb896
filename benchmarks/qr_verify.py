"""QR verifications per second: `qr.services.qr_verify` (recognise the text, look the key id up in the
keystore, check the ES256 signature and the expiry) against the baseline of raw `cryptography` ECDSA
verification of the same signatures over the same bytes, prepared beforehand (DER signatures, encoded
messages, the public key in hand).

`run()` needs Django configured (settings and a key directory) but no database. Alone:
`.venv/bin/python benchmarks/qr_verify.py` uses a temporary key directory.
"""

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable


def _codes(count: int, seed: int) -> list[str]:
    from pccovid.core import clock, keys
    from pccovid.qr import formats, selectors

    rng = random.Random(seed)
    key = keys.signing_key(selectors.KEY_PURPOSE)
    expires = clock.now() + dt.timedelta(days=30)
    texts = []
    for number in range(count):
        fields = formats.PersonalFields(
            document_number=f"079{rng.randrange(10**9):09d}",
            full_name=rng.choice(["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Chi", "Phạm Thị Dung"]),
            birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30_000)),
            qid=f"BENCH{number:07d}",
            sex=rng.choice("12"),
            phone=f"+849{rng.randrange(10**8):08d}",
        )
        texts.append(
            formats.personal_sign(formats.personal_unsigned_text(fields), key=key, expires_at=expires)
        )
    return texts


def _raw_inputs(texts: list[str]) -> list[tuple[bytes, bytes]]:
    """(signed bytes, DER signature) of each code, as a verifier that already split the text would hold."""
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from pccovid.core.keys import b64url_decode

    inputs = []
    for text in texts:
        message, _, signature = text.rpartition(".")
        raw = b64url_decode(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        inputs.append((message.encode(), der))
    return inputs


def _rate(work: Callable[[], None], count: int, repeat: int) -> float:
    work()  # warm the key caches
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return count / statistics.median(samples)


def run(*, codes: int = 500, repeat: int = 7, seed: int = 1405) -> list[str]:
    """Markdown lines: a table header and one row (verifications per second, pccovid and baseline)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from pccovid.core import keys
    from pccovid.qr import selectors, services

    texts = _codes(codes, seed)
    inputs = _raw_inputs(texts)
    public_key = keys.signing_key(selectors.KEY_PURPOSE).private_key.public_key()
    algorithm = ec.ECDSA(hashes.SHA256())

    def ours() -> None:
        for text in texts:
            if services.qr_verify(text=text).signature != "valid":
                raise AssertionError(f"not valid: {text}")

    def baseline() -> None:
        for message, der in inputs:
            public_key.verify(der, message, algorithm)

    ours_rate, baseline_rate = _rate(ours, codes, repeat), _rate(baseline, codes, repeat)
    return [
        "| operation | pccovid | baseline | pccovid / baseline | baseline is |",
        "|---|---|---|---|---|",
        f"| verify a signed personal QR code (`qr_verify`) | {ours_rate:,.0f}/s | {baseline_rate:,.0f}/s "
        f"| {ours_rate / baseline_rate:.2f}x | raw `cryptography` ECDSA verify, same signatures |",
    ]


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    os.environ["PCCOVID_KEY_DIR"] = tempfile.mkdtemp(prefix="pccovid-bench-keys-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccovid.settings")
    import django

    django.setup()
    print("\n".join(run()))
