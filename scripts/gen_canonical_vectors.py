#!/usr/bin/env python3
"""Generates crates/tuf-core/tests/vectors/canonical.json from the reference
implementations: securesystemslib.formats.encode_canonical (the bytes TUF
signs) and python's json.dumps as python-tuf's JSONSerializer calls it.

Run with the interop venv:
    "$(scripts/pyenv.sh)" scripts/gen_canonical_vectors.py

Each case has:
  name    unique name
  input   the JSON text fed to canonicalize_text / serde_json::from_str
  text    what tuf-core's canonicalize_text must return: {"ok": hex} or
          {"error": "float" | "duplicate" | "invalid" | "too_deep"}, plus
          "key" (the smallest duplicated key) for "duplicate"
  value   null when serde_json cannot hold python's value losslessly (see
          value_skip); otherwise what python produces from json.loads(input):
          canonical: hex of encode_canonical(...).encode() or null if it
          raises (canonical_error: "float"), pretty / compact: hex of json.dumps.
All bytes are hex so that raw control characters survive.

The "text" expectation models tuf-core's stricter parse with python's own
json hooks: invalid JSON, NaN/Infinity, lone surrogates (not encodable as
UTF-8) -> invalid; nesting beyond MAX_DEPTH -> too_deep; otherwise the first
float (parse_float) or duplicate key (object_pairs_hook) in the order python
meets them; otherwise the encode_canonical bytes.
"""

import json
import os
import sys
from datetime import datetime, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.formats import encode_canonical
from securesystemslib.exceptions import FormatError
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

MAX_DEPTH = 500  # tuf_core::canonical::MAX_DEPTH
sys.setrecursionlimit(10_000)  # json and encode_canonical recurse per level
SERDE_MAX_DEPTH = 127  # serde_json's recursion limit (128) minus headroom
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "crates", "tuf-core", "tests", "vectors", "canonical.json")


class Floaty(Exception):
    pass


def depth(v):
    """Number of nested containers (the outermost container is 1)."""
    deepest, stack = 0, [(v, 0)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, (list, dict)):
            deepest = max(deepest, d + 1)
            stack.extend((y, d + 1) for y in (x.values() if isinstance(x, dict) else x))
    return deepest


def walk(v):
    """Every value and key in v, iteratively (documents may be deep)."""
    stack = [v]
    while stack:
        x = stack.pop()
        yield x
        if isinstance(x, list):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())


def text_expectation(text):
    events = []

    def on_float(s):
        events.append({"error": "float"})
        return float(s)

    def on_constant(s):
        raise ValueError("NaN/Infinity is not JSON")

    def on_pairs(pairs):
        keys = [k for k, _ in pairs]
        dups = sorted(k for k in set(keys) if keys.count(k) > 1)
        if dups:
            events.append({"error": "duplicate", "key": dups[0]})
        return dict(pairs)

    try:
        v = json.loads(
            text,
            parse_float=on_float,
            parse_constant=on_constant,
            object_pairs_hook=on_pairs,
        )
    except ValueError:
        return {"error": "invalid"}
    for x in walk(v):
        if isinstance(x, str):
            try:
                x.encode("utf-8")
            except UnicodeEncodeError:
                return {"error": "invalid"}  # lone surrogate
    if depth(v) > MAX_DEPTH:
        return {"error": "too_deep"}
    if events:
        return events[0]
    return {"ok": encode_canonical(v).encode("utf-8").hex()}


def value_expectation(text):
    """python's outputs for json.loads(text), or (None, reason)."""
    negative_zero = []

    def on_int(s):
        negative_zero.append(s == "-0")
        return int(s)

    try:
        v = json.loads(text, parse_int=on_int)
    except ValueError:
        return None, "invalid"
    if any(negative_zero):
        # serde_json parses the integer -0 as the f64 -0.0: to_canonical says Float.
        return None, "negative_zero"
    for x in walk(v):
        if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
            return None, "non_finite"
        if isinstance(x, str):
            try:
                x.encode("utf-8")
            except UnicodeEncodeError:
                return None, "lone_surrogate"
        if isinstance(x, int) and not isinstance(x, bool):
            if not -(2**63) <= x < 2**64:
                # serde_json stores it as an f64: to_canonical says Float.
                return None, "int_beyond_64_bits"
    if depth(v) > SERDE_MAX_DEPTH:
        return None, "deeper_than_serde_json"
    out = {}
    try:
        out["canonical"] = encode_canonical(v).encode("utf-8").hex()
    except FormatError:
        out["canonical"] = None
        out["canonical_error"] = "float"
    out["pretty"] = json.dumps(
        v, indent=1, separators=(",", ": "), sort_keys=True
    ).encode("utf-8").hex()
    out["compact"] = json.dumps(v, separators=(",", ":"), sort_keys=True).encode("utf-8").hex()
    return out, None


CASES = []


def case(name, text):
    assert isinstance(text, str)
    assert name not in {c["name"] for c in CASES}, name
    value, skip = value_expectation(text)
    c = {"name": name, "input": text, "text": text_expectation(text), "value": value}
    if skip:
        c["value_skip"] = skip
    CASES.append(c)


def dumps(v):
    """JSON text for v with python's defaults (ensure_ascii escapes)."""
    return json.dumps(v)


def raw(v):
    """JSON text for v with non-ASCII characters written raw."""
    return json.dumps(v, ensure_ascii=False)


# --- scalars and integers -------------------------------------------------
for t in ["null", "true", "false", "0", "-0", "1", "-1", "42", '""', '"x"', " \t\r\n 7 \n"]:
    case(f"scalar {t.strip()!r}", t)
for name, n in [
    ("2^31", 2**31),
    ("2^53+1", 2**53 + 1),
    ("2^63-1", 2**63 - 1),
    ("2^63", 2**63),
    ("2^64-1", 2**64 - 1),
    ("-2^63", -(2**63)),
    ("2^64", 2**64),
    ("-2^63-1", -(2**63) - 1),
    ("10^30", 10**30),
    ("-10^40", -(10**40)),
    ("10^300", 10**300),
]:
    case(f"int {name}", str(n))
    case(f"int {name} in object", '{"n": %d, "m": [%d]}' % (n, n))
case("int -0 in array", "[-0, 0, -0]")

# --- floats ---------------------------------------------------------------
for t in ["1.0", "-0.0", "0.5", "1e2", "1E2", "1e-2", "1.5e+3", "-1.25E-7", "1e400", "[1, 2.0]",
          '{"a": 1.0}', '{"a": {"b": [0, 1, 2e0]}}', "100000000000000000000000.0"]:
    case(f"float {t}", t)

# --- strings: escapes and control characters ------------------------------
for cp in list(range(0x20)) + [0x7F]:
    case(f"control U+{cp:04X} escaped", '"a\\u%04xb"' % cp)
case("all controls in one string", dumps("".join(map(chr, range(0x20))) + "\x7f"))
case("all controls as keys", dumps({chr(c): c for c in list(range(0x20)) + [0x7F]}))
case("short escapes", r'"\" \\ \/ \b \f \n \r \t"')
case("uppercase hex escapes", r'"\u00E9\u00c9\uABCD\uD83D\uDE00"')
case("escaped quote and backslash", dumps('say "hi" \\ C:\\path\\'))
case("solidus raw and escaped", r'"/a\/b//"')
case("printable ascii", dumps("".join(map(chr, range(0x20, 0x7F)))))

# --- strings: unicode -----------------------------------------------------
unicode_strings = {
    "bmp latin": "café naïve Ω ß",
    "cjk": "中文字符 日本語 한국어",
    "astral emoji": "😀🎉 𝄞 𐍈",
    "combining nfd": "e\u0301 a\u0308 n\u0303",
    "nfc vs nfd": ["\u00e9", "e\u0301"],
    "rtl": "שלום عربي \u202eabc\u202c",
    "zero width and bom": "a\u200bb\u200dc\ufeffd",
    "line separators": "a\u2028b\u2029c\u0085d",
    "bmp extremes": "\u0080\u07ff\u0800\ud7ff\ue000\uffff\ufffd",
    "max code point": "\U0010ffff\U00010000",
}
for name, s in unicode_strings.items():
    case(f"unicode {name} raw", raw(s))
    case(f"unicode {name} escaped", dumps(s))
    case(f"unicode {name} as key", raw({s if isinstance(s, str) else s[0]: 1, "k": s}))

# --- key ordering ---------------------------------------------------------
case("keys reverse order", '{"c": 3, "b": 2, "a": 1}')
case("keys case", '{"b": 1, "B": 2, "a": 3, "A": 4, "_": 5, "0": 6}')
case("keys prefixes", raw({"ab": 1, "a": 2, "": 3, "abc": 4, "a\u0000": 5, "a\u0001": 6, "b": 7}))
case("keys utf16 vs code point", raw({"\U0001F600": 1, "\uFF61": 2, "\uE000": 3, "\U00010000": 4, "\uD7FF": 5}))
case("keys escaped-form vs raw order", raw({"a#b": 1, 'a"b': 2, "a\\b": 3, "a]b": 4, "a!b": 5}))
case("keys latin vs ascii", raw({"z": 1, "é": 2, "e": 3, "\u0080": 4, "\x7f": 5}))
case("keys numeric strings", '{"10": 1, "9": 2, "1": 3, "-1": 4}')
case("keys escaped in input", r'{"\u0062": 1, "\u0061": 2, "\ud83d\ude00": 3, "\uff61": 4}')
case("many keys shuffled", json.dumps({f"k{(i * 7919) % 1000:04d}": i for i in range(1000)}, sort_keys=False))

# --- containers -----------------------------------------------------------
for t in ["{}", "[]", "[[]]", "[{}]", '{"a": {}}', '{"a": []}', '[[], {}, [[]], {"": {}}]',
          '{ }', '[ ]', ' [\n] ']:
    case(f"container {t!r}", t)
case("mixed document", '{"b": [true, false, null, -5, "s"], "a": {"y": {"z": []}, "x": 1}}')
case("whitespace everywhere", ' {\r\n\t"b" :\t[ 1 ,\n2 ] ,"a"\n:\r"v" } \n')
case("array order kept", '[3, 1, 2, {"b": 1, "a": 2}, [9, 8]]')
for n in [20, 100, 127]:
    case(f"nested arrays {n}", "[" * n + "]" * n)
    case(f"nested objects {n}", '{"k":' * n + "1" + "}" * n)
case("nested mixed 100", '{"a":[' * 50 + '"x"' + "]}" * 50)
case("nested arrays 500 (max depth)", "[" * MAX_DEPTH + "]" * MAX_DEPTH)
case("nested arrays 501 (too deep)", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
case("nested objects 501 (too deep)", '{"k":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1))

# --- duplicate keys (python keeps the last; tuf-core rejects) -------------
case("duplicate simple", '{"a": 1, "a": 2}')
case("duplicate non-adjacent", '{"b": 1, "a": 2, "c": 3, "b": 4}')
case("duplicate nested", '{"x": [{"k": 1, "k": 2}]}')
case("duplicate via escape", '{"a": 1, "\\u0061": 2}')
case("duplicate astral via surrogates", '{"\U0001F600": 1, "\\ud83d\\ude00": 2}')
case("duplicate two keys", '{"b": 1, "a": 1, "b": 2, "a": 2}')
case("duplicate then float", '[{"a": 1, "a": 2}, 1.5]')
case("float then duplicate", '[1.5, {"a": 1, "a": 2}]')
case("float inside duplicate object", '{"a": 1.5, "a": 2}')
case("inner duplicate closes before outer float", '{"x": {"a": 1, "a": 2}, "y": 0.5}')

# --- invalid JSON ---------------------------------------------------------
for name, t in [
    ("empty", ""),
    ("whitespace only", "  "),
    ("trailing comma array", "[1,]"),
    ("trailing comma object", '{"a": 1,}'),
    ("trailing garbage", '{"a": 1} x'),
    ("two values", "1 2"),
    ("leading zero", "01"),
    ("negative leading zero", "-01"),
    ("bare minus", "-"),
    ("plus sign", "+1"),
    ("dot without digits", "1."),
    ("leading dot", ".5"),
    ("exponent without digits", "1e"),
    ("unquoted key", "{a: 1}"),
    ("single quotes", "{'a': 1}"),
    ("unterminated string", '"abc'),
    ("unterminated array", "[1, 2"),
    ("bad escape", r'"\x41"'),
    ("short unicode escape", r'"\u12"'),
    ("raw control char", '"a\x01b"'),
    ("raw newline", '"a\nb"'),
    ("raw tab", '"a\tb"'),
    ("lone high surrogate", r'"\ud800"'),
    ("lone low surrogate", r'"\udc00"'),
    ("high surrogate then letter", r'"\ud800\u0041"'),
    ("reversed surrogates", r'"\ude00\ud83d"'),
    ("lone surrogate key", r'{"\ud800": 1}'),
    ("bom", "\ufeff{}"),
    ("NaN", "NaN"),
    ("Infinity", "[Infinity]"),
    ("-Infinity", "-Infinity"),
    ("true misspelled", "tru"),
    ("True capitalised", "True"),
    ("comment", "[1 /* c */]"),
    ("non-ascii digit", "[1\u0663]"),
    ("nbsp whitespace", "\u00a0[]"),
    ("float before syntax error", "[1.5, ]"),
    ("duplicate before syntax error", '[{"a":1,"a":2} x]'),
]:
    case(f"invalid {name}", t)


# --- realistic python-tuf metadata ----------------------------------------
def signer(seed_byte):
    priv = Ed25519PrivateKey.from_private_bytes(bytes([seed_byte]) * 32)
    return CryptoSigner(priv, SSlibKey.from_crypto(priv.public_key()))


def reverse_keys(v):
    if isinstance(v, dict):
        return {k: reverse_keys(v[k]) for k in sorted(v, reverse=True)}
    if isinstance(v, list):
        return [reverse_keys(x) for x in v]
    return v


def metadata_documents():
    expires = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    signers = {r: signer(i + 1) for i, r in enumerate(["root", "targets", "snapshot", "timestamp", "dev"])}
    root = Root(expires=expires, consistent_snapshot=True)
    for role in ["root", "targets", "snapshot", "timestamp"]:
        root.add_key(signers[role].public_key, role)
    root.unrecognized_fields["x-custom"] = {"note": "unknown fields are signed too", "n": [1, 2, 3]}

    targets = Targets(expires=expires, version=7)
    for path, data in [
        ("file.txt", b"hello"),
        ("dir/caf\u00e9.tar.gz", b"\x00\x01"),
        ("\u4e2d\u6587/\U0001F600.bin", b"x" * 100),
        ("with space & symbols !#$.json", b"{}"),
    ]:
        tf = TargetFile.from_data(path, data, ["sha256", "sha512"])
        tf.unrecognized_fields["custom"] = {"path": path, "note": "tab\there \"quoted\"\n"}
        targets.targets[path] = tf
    targets.delegations = Delegations(
        keys={signers["dev"].public_key.keyid: signers["dev"].public_key},
        roles={
            "dev": DelegatedRole("dev", [signers["dev"].public_key.keyid], 1, True, paths=["dev/*", "\u00e9/*"]),
            "\u00fcbung": DelegatedRole("\u00fcbung", [signers["dev"].public_key.keyid], 1, False,
                                        path_hash_prefixes=["ab", "0f"]),
        },
    )
    snapshot = Snapshot(expires=expires, version=3, meta={"targets.json": MetaFile(7, 1234, {"sha256": "ab" * 32})})
    timestamp = Timestamp(expires=expires, version=9, snapshot_meta=MetaFile(3))

    docs = {}
    for name, signed in [("root", root), ("targets", targets), ("snapshot", snapshot), ("timestamp", timestamp)]:
        md = Metadata(signed)
        md.sign(signers[name])
        if name == "targets":
            md.sign(signers["dev"], append=True)
        docs[name] = md
    return docs


for name, md in metadata_documents().items():
    pretty = md.to_bytes(JSONSerializer())
    compact = md.to_bytes(JSONSerializer(compact=True))
    assert pretty.decode() == json.dumps(md.to_dict(), indent=1, separators=(",", ": "), sort_keys=True)
    case(f"python-tuf {name} pretty file", pretty.decode("utf-8"))
    case(f"python-tuf {name} compact file", compact.decode("utf-8"))
    # Keys in reverse order (deterministic; to_dict's order is not) so that
    # every object has to be sorted.
    case(f"python-tuf {name} signed reversed keys", raw(reverse_keys(md.to_dict()["signed"])))
    # The signature covers exactly encode_canonical(signed): cross-check.
    assert encode_canonical(md.to_dict()["signed"]).encode() == md.signed_bytes

for c in CASES:
    # A pretty file from python-tuf must re-serialize to itself.
    if c["name"].endswith("pretty file"):
        assert c["value"]["pretty"] == c["input"].encode().hex(), c["name"]

doc = {
    "generator": "scripts/gen_canonical_vectors.py",
    "python": sys.version.split()[0],
    "securesystemslib": __import__("securesystemslib").__version__,
    "tuf": __import__("tuf").__version__,
    "max_depth": MAX_DEPTH,
    "cases": CASES,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=1, ensure_ascii=True, sort_keys=False)
    f.write("\n")
print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT, ROOT)}", file=sys.stderr)
