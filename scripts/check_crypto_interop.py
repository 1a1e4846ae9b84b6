#!/usr/bin/env python3
"""Check keys and signatures made by tuf-core with securesystemslib/cryptography.

Usage: check_crypto_interop.py MANIFEST.json

The manifest (written by crates/tuf-core/tests/crypto_python.rs) holds a
message, a passphrase and, per key: the public key dict as we publish it, the
keyid we computed, our signature over the message, and the private key as
plain and passphrase-encrypted PKCS#8 PEM. For every key this checks that
python

- computes the same keyid,
- verifies our signature (and rejects it once tampered),
- loads both PEMs (and refuses the encrypted one with a wrong passphrase),
- describes the loaded private key exactly as our public key dict (same PEM
  text), and accepts the pair in CryptoSigner.

Prints one line per failure and exits 1 if there was any. Reads only the
manifest; safe to run any number of times.
"""

from __future__ import annotations

import hashlib
import json
import sys

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, Signature, SSlibKey


def check(case: dict, message: bytes, passphrase: bytes) -> list[str]:
    errors = []
    public = case["public"]
    keyid = case["keyid"]

    python_keyid = hashlib.sha256(encode_canonical(public).encode()).hexdigest()
    if python_keyid != keyid:
        errors.append(f"keyid: python computes {python_keyid}, we wrote {keyid}")

    key = SSlibKey.from_dict(keyid, json.loads(json.dumps(public)))
    sig = case["signature"]
    try:
        key.verify_signature(Signature(keyid, sig), message)
    except UnverifiedSignatureError as e:
        errors.append(f"our signature does not verify: {e!r}")
    tampered = bytearray(bytes.fromhex(sig))
    tampered[len(tampered) // 2] ^= 0x01
    try:
        key.verify_signature(Signature(keyid, tampered.hex()), message)
        errors.append("a tampered signature verified: the check itself is broken")
    except UnverifiedSignatureError:
        pass

    for form, pem, password in [
        ("plain", case["private_pem"], None),
        ("encrypted", case["private_pem_encrypted"], passphrase),
    ]:
        try:
            private = load_pem_private_key(pem.encode(), password)
        except Exception as e:  # noqa: BLE001 - report whatever cryptography raises
            errors.append(f"{form} PEM does not load: {e!r}")
            continue
        described = SSlibKey.from_crypto(private.public_key(), keyid, key.scheme).to_dict()
        if key.keytype == "ecdsa-sha2-nistp256":
            described["keytype"] = key.keytype
        if described != public:
            errors.append(f"{form} PEM: python describes it as {described}, we as {public}")
        try:
            CryptoSigner(private, key)
        except Exception as e:  # noqa: BLE001
            errors.append(f"{form} PEM: CryptoSigner refuses the pair: {e!r}")

    try:
        load_pem_private_key(case["private_pem_encrypted"].encode(), passphrase + b"x")
        errors.append("encrypted PEM loads with a wrong passphrase")
    except ValueError:
        pass
    return errors


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        manifest = json.load(f)
    message = bytes.fromhex(manifest["message_hex"])
    passphrase = bytes.fromhex(manifest["passphrase_hex"])
    failures = 0
    for case in manifest["keys"]:
        for error in check(case, message, passphrase):
            failures += 1
            print(f"{case['name']}: {error}")
    print(f"checked {len(manifest['keys'])} keys, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
