#!/usr/bin/env python3
"""Generate crates/tuf-core/tests/vectors/crypto.json with securesystemslib.

Run with the project's Python environment:

    "$(scripts/pyenv.sh)" scripts/gen_crypto_vectors.py

Every key is described exactly as securesystemslib's CryptoSigner describes it,
its keyid is the sha256 of securesystemslib's canonical JSON of the key dict,
and every signature is made by python (CryptoSigner, or cryptography directly
for the signatures CryptoSigner cannot make: maximum PSS salt as go-tuf signs,
salt length 0, a 1024-bit key). The output is random (fresh keys) but its
structure is stable; re-run it only when adding cases.

One vector needs the `openssl` command line tool: an encrypted PKCS#8 key
whose PBES2 key derivation is scrypt, which cryptography cannot write.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import cryptography
import securesystemslib
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, Signature, SSlibKey

OUT = Path(__file__).resolve().parent.parent / "crates/tuf-core/tests/vectors/crypto.json"

# Shaped like what TUF signs: canonical JSON of `signed`, with non-ASCII text.
MESSAGE = '{"_type":"root","note":"héllo \\"tuf\\"","version":1}'.encode()
PASSPHRASE = "correct horse battery staple ✓".encode()


def keyid(key_dict: dict) -> str:
    """TUF keyid: sha256 of the canonical JSON of the whole key dict."""
    return hashlib.sha256(encode_canonical(key_dict).encode()).hexdigest()


def pem(private_key, fmt=ser.PrivateFormat.PKCS8, password: bytes | None = None) -> str:
    enc = ser.BestAvailableEncryption(password) if password else ser.NoEncryption()
    return private_key.private_bytes(ser.Encoding.PEM, fmt, enc).decode()


def tamper(sig: bytes) -> bytes:
    """Flip one bit in the middle, keeping the length (and DER framing) intact."""
    mid = len(sig) // 2
    return sig[:mid] + bytes([sig[mid] ^ 0x01]) + sig[mid + 1 :]


def signer_case(name: str, signer: CryptoSigner, traditional: bool = False) -> dict:
    private = signer._private_key  # noqa: SLF001 - the PEM forms need the key object
    key_dict = signer.public_key.to_dict()
    sig = signer.sign(MESSAGE).signature
    case = {
        "name": name,
        "public": key_dict,
        "keyid": keyid(key_dict),
        "python_default_keyid": signer.public_key.keyid,
        "private_pem": signer.private_bytes.decode(),
        "private_pem_encrypted": pem(private, password=PASSPHRASE),
        "signature": sig,
        "tampered_signature": tamper(bytes.fromhex(sig)).hex(),
    }
    if traditional:
        # SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"
        case["private_pem_traditional"] = pem(private, ser.PrivateFormat.TraditionalOpenSSL)
    return case


def rsa_case(name: str, scheme: str, size: int) -> dict:
    return signer_case(name, CryptoSigner.generate_rsa(scheme=scheme, size=size), traditional=True)


def legacy_ecdsa_case() -> dict:
    """keytype "ecdsa-sha2-nistp256" (named after the scheme), as in sigstore's early roots."""
    private = ec.generate_private_key(ec.SECP256R1())
    modern = SSlibKey.from_crypto(private.public_key())
    legacy_dict = {**modern.to_dict(), "keytype": "ecdsa-sha2-nistp256"}
    legacy = SSlibKey.from_dict(keyid(legacy_dict), dict(legacy_dict))
    case = signer_case("ecdsa-legacy-keytype", CryptoSigner(private, legacy))
    # The same key under the modern keytype: a second keyid, the same key material.
    case["same_key_modern"] = {"public": modern.to_dict(), "keyid": keyid(modern.to_dict())}
    return case


def pss_salt_cases() -> list[dict]:
    """RSA-PSS signatures with salt lengths other than the digest length."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = SSlibKey.from_crypto(private.public_key())

    def sign(salt_length) -> str:
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_length)
        sig = private.sign(MESSAGE, pss, hashes.SHA256())
        key.verify_signature(Signature(key.keyid, sig.hex()), MESSAGE)  # python accepts it
        return sig.hex()

    return [
        {
            "name": "rsa-pss-max-salt",
            "why": "go-tuf signs with PSSSaltLengthAuto, i.e. the maximum salt; we accept it",
            "public": key.to_dict(),
            "signature": sign(padding.PSS.MAX_LENGTH),
            "valid": True,
        },
        {
            "name": "rsa-pss-zero-salt",
            "why": "securesystemslib (PSS.AUTO) accepts any salt; we try digest and max only",
            "public": key.to_dict(),
            "signature": sign(0),
            "valid": False,
        },
    ]


def weak_rsa_case() -> dict:
    """A 1024-bit RSA key: below the spec's 2048-bit minimum, so unusable."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    key = SSlibKey.from_crypto(private.public_key())
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    return {
        "name": "rsa-1024",
        "public": key.to_dict(),
        "private_pem": pem(private),
        "signature": private.sign(MESSAGE, pss, hashes.SHA256()).hex(),
    }


def unsupported_cases() -> list[dict]:
    """Keys securesystemslib may know but we do not implement: unsupported, never usable."""
    rsa_key = SSlibKey.from_crypto(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    )
    ed = CryptoSigner.generate_ed25519().public_key
    return [
        {**rsa_key.to_dict(), "scheme": "rsassa-pss-sha224"},
        {**rsa_key.to_dict(), "scheme": "rsassa-pss-sha1"},
        {**ed.to_dict(), "scheme": "ed25519ph"},
        {**ed.to_dict(), "keytype": "ed448"},
        {**rsa_key.to_dict(), "keytype": "RSA"},
    ]


def malformed_cases() -> list[dict]:
    """Supported keytype/scheme pairs whose public value is not a usable key.

    `error` names the KeyError variant we expect.
    """
    p384 = SSlibKey.from_crypto(ec.generate_private_key(ec.SECP384R1()).public_key())
    p256 = SSlibKey.from_crypto(ec.generate_private_key(ec.SECP256R1()).public_key())
    rsa_key = SSlibKey.from_crypto(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    )
    ed = CryptoSigner.generate_ed25519().public_key.to_dict()
    hexkey = ed["keyval"]["public"]
    p256_pem = p256.keyval["public"]
    truncated_der = ser.load_pem_public_key(p256_pem.encode()).public_bytes(
        ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo
    )[:-1]
    truncated_pem = (
        "-----BEGIN PUBLIC KEY-----\n"
        + "\n".join(textwrap.wrap(base64.b64encode(truncated_der).decode(), 64))
        + "\n-----END PUBLIC KEY-----\n"
    )

    def case(why: str, error: str, base: dict, **changes) -> dict:
        return {"why": why, "error": error, "public": {**base, **changes}}

    return [
        case("P-384 key under the P-256 scheme", "WrongKeyType", p384.to_dict(),
             scheme="ecdsa-sha2-nistp256"),
        case("P-256 key under the P-384 scheme", "WrongKeyType", p256.to_dict(),
             scheme="ecdsa-sha2-nistp384"),
        case("RSA key under an ecdsa keytype", "WrongKeyType", rsa_key.to_dict(),
             keytype="ecdsa", scheme="ecdsa-sha2-nistp256"),
        case("ECDSA key under the rsa keytype", "WrongKeyType", p256.to_dict(),
             keytype="rsa", scheme="rsassa-pss-sha256"),
        case("ed25519 hex one character short", "Malformed", ed,
             keyval={"public": hexkey[:-1]}),
        case("ed25519 hex not hex", "Malformed", ed, keyval={"public": "zz" + hexkey[2:]}),
        case("ed25519 key given as PEM", "Malformed", ed, keyval={"public": p256_pem}),
        case("PEM with the wrong label", "PemLabel", p256.to_dict(),
             keyval={"public": p256_pem.replace("PUBLIC KEY", "CERTIFICATE")}),
        case("PEM base64 cut short", "Malformed", p256.to_dict(),
             keyval={"public": p256_pem[:60] + "\n-----END PUBLIC KEY-----\n"}),
        case("SubjectPublicKeyInfo DER missing its last byte", "Malformed", p256.to_dict(),
             keyval={"public": truncated_pem}),
        case("empty public value", "Malformed", p256.to_dict(), keyval={"public": ""}),
    ]


def raw_ecdsa_signature_case(p256_case: dict) -> dict:
    """An ECDSA signature as fixed r||s instead of DER: TUF requires DER, so invalid."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(bytes.fromhex(p256_case["signature"]))
    return {
        "name": "ecdsa-p256-raw-r-s",
        "public": p256_case["public"],
        "signature": (r.to_bytes(32, "big") + s.to_bytes(32, "big")).hex(),
        "valid": False,
        "why": "signature in fixed r||s form, not DER",
    }


def scrypt_case(ed_case: dict) -> dict:
    """The ed25519 key as encrypted PKCS#8 with scrypt (openssl CLI)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        sys.exit("openssl is required for the scrypt vector")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "key.pem")
        src.write_text(ed_case["private_pem"])
        pass_file = Path(tmp, "pass")
        pass_file.write_bytes(PASSPHRASE)
        out = subprocess.run(
            [openssl, "pkcs8", "-topk8", "-scrypt", "-scrypt_N", "1024", "-in", str(src),
             "-passout", f"file:{pass_file}"],
            check=True, capture_output=True, text=True,
        ).stdout
    # Prove python reads it before recording it.
    ser.load_pem_private_key(out.encode(), PASSPHRASE)
    return {"name": "ed25519-scrypt", "public": ed_case["public"], "private_pem_encrypted": out}


def main() -> None:
    keys = [
        signer_case("ed25519", CryptoSigner.generate_ed25519()),
        signer_case("ecdsa-p256", CryptoSigner.generate_ecdsa(), traditional=True),
        signer_case(
            "ecdsa-p384",
            CryptoSigner.generate_ecdsa(scheme="ecdsa-sha2-nistp384"),
            traditional=True,
        ),
        legacy_ecdsa_case(),
        rsa_case("rsa-pss-sha256-3072", "rsassa-pss-sha256", 3072),
        rsa_case("rsa-pss-sha384-2048", "rsassa-pss-sha384", 2048),
        rsa_case("rsa-pss-sha512-4096", "rsassa-pss-sha512", 4096),
        rsa_case("rsa-pkcs1v15-sha256-2048", "rsa-pkcs1v15-sha256", 2048),
        rsa_case("rsa-pkcs1v15-sha384-3072", "rsa-pkcs1v15-sha384", 3072),
        rsa_case("rsa-pkcs1v15-sha512-2048", "rsa-pkcs1v15-sha512", 2048),
    ]
    by_name = {k["name"]: k for k in keys}

    # A key with an unknown field: a different keyid, the same key.
    ed = by_name["ed25519"]
    extra = {**ed["public"], "x-custom": {"note": "unknown fields take part in the keyid"}}
    ed["same_key_unrecognized_field"] = {"public": extra, "keyid": keyid(extra)}

    # A legacy (OpenSSL "Proc-Type: 4,ENCRYPTED") PEM: not PKCS#8, we do not read it.
    p256_private = ser.load_pem_private_key(by_name["ecdsa-p256"]["private_pem"].encode(), None)
    legacy_encrypted = pem(p256_private, ser.PrivateFormat.TraditionalOpenSSL, PASSPHRASE)

    doc = {
        "comment": "Generated by scripts/gen_crypto_vectors.py; do not edit by hand.",
        "securesystemslib": securesystemslib.__version__,
        "cryptography": cryptography.__version__,
        "message_hex": MESSAGE.hex(),
        "passphrase_hex": PASSPHRASE.hex(),
        "keys": keys,
        "signatures": pss_salt_cases() + [raw_ecdsa_signature_case(by_name["ecdsa-p256"])],
        "weak_rsa": weak_rsa_case(),
        "unsupported": unsupported_cases(),
        "malformed": malformed_cases(),
        "encrypted_pem_scrypt": scrypt_case(ed),
        "encrypted_pem_legacy_openssl": legacy_encrypted,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
