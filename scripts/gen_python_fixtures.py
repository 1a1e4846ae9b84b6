#!/usr/bin/env python3
"""Write complete, signed TUF repositories made by python-tuf, for interop tests.

Run with the project's Python venv (python-tuf 7.0.1, securesystemslib 1.6.0):

    "$(scripts/pyenv.sh)" scripts/gen_python_fixtures.py

Output: crates/tuf-testkit/fixtures/python-tuf/<fixture>/ with
  metadata/      as a repository publishes it: N.root.json for every root
                 version, root.json (the newest), timestamp.json, and
                 N.<role>.json (consistent snapshot) or <role>.json (not)
  targets/       the real target files, plus <hash>.<basename> copies for
                 every listed hash when consistent_snapshot is true
  manifest.json  what a client must find (path, sha256, length, role) and
                 what it must not find ("absent"), and the versions published

and keys/ (TEST KEYS ONLY, never use them for anything else): the private keys
as unencrypted PKCS#8 PEM, the form securesystemslib's CryptoSigner writes.
Existing keys are reused, so regenerating changes only the signatures that are
randomized (ECDSA, RSA-PSS). Everything else (expiry, versions, contents) is
fixed, and every file is written by python-tuf (Metadata.to_file with the
default JSONSerializer: indent=1, sorted keys, ASCII escapes).

After writing, scripts/interop/check_fixtures.py reads every fixture back with
python-tuf's ngclient.Updater and downloads every manifest target.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib import parse

import securesystemslib
import tuf
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from securesystemslib.signer import CryptoSigner, Key, Signature, Signer, SSlibKey
from securesystemslib.signer._utils import compute_default_keyid
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    SuccinctRoles,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

ROOT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT_DIR / "crates/tuf-testkit/fixtures/python-tuf"
EXPIRES = datetime(2100, 1, 1, tzinfo=timezone.utc)
VALID_AT = "2026-01-01T00:00:00Z"  # any time before EXPIRES works
SPEC_VERSION = "1.0.34"

# name -> (keytype, scheme, rsa bits). keytype "ecdsa-sha2-nistp256" is the
# legacy spelling (keytype == scheme) that real repositories still carry.
KEY_SPECS: dict[str, tuple[str, str, int]] = {
    "root-ed25519": ("ed25519", "ed25519", 0),
    "root-ecdsa-p256": ("ecdsa", "ecdsa-sha2-nistp256", 0),
    "root-rsa-pss-sha256-3072": ("rsa", "rsassa-pss-sha256", 3072),
    "targets-rsa-pss-sha256-2048": ("rsa", "rsassa-pss-sha256", 2048),
    "snapshot-ecdsa-p384": ("ecdsa", "ecdsa-sha2-nistp384", 0),
    "timestamp-ed25519": ("ed25519", "ed25519", 0),
    "rsassa-pss-sha384": ("rsa", "rsassa-pss-sha384", 3072),
    "rsassa-pss-sha512": ("rsa", "rsassa-pss-sha512", 4096),
    "rsassa-pss-sha256-maxsalt": ("rsa", "rsassa-pss-sha256", 2048),
    "rsa-pkcs1v15-sha256": ("rsa", "rsa-pkcs1v15-sha256", 2048),
    "rsa-pkcs1v15-sha384": ("rsa", "rsa-pkcs1v15-sha384", 3072),
    "rsa-pkcs1v15-sha512": ("rsa", "rsa-pkcs1v15-sha512", 4096),
    "ecdsa-sha2-nistp521": ("ecdsa", "ecdsa-sha2-nistp521", 0),
    "ecdsa-legacy-keytype": ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", 0),
    "ml-dsa-65": ("ml-dsa", "ml-dsa-65/1", 0),
    "ed25519-a": ("ed25519", "ed25519", 0),
    "ed25519-b": ("ed25519", "ed25519", 0),
    "ed25519-c": ("ed25519", "ed25519", 0),
    "ed25519-d": ("ed25519", "ed25519", 0),
}


# ---------------------------------------------------------------- keys


class MaxSaltPssSigner(Signer):
    """RSASSA-PSS with the maximum salt length, as Go's crypto/rsa signs
    (go-tuf, Vault). securesystemslib signs with salt = digest length but
    verifies with any salt length, so python-tuf accepts both."""

    def __init__(self, private_key: rsa.RSAPrivateKey, public_key: SSlibKey):
        self._private_key = private_key
        self._public_key = public_key

    @classmethod
    def from_priv_key_uri(cls, priv_key_uri, public_key, secrets_handler=None):  # noqa: ANN001, ANN206
        raise NotImplementedError

    @property
    def public_key(self) -> Key:
        return self._public_key

    def sign(self, payload: bytes) -> Signature:
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
        sig = self._private_key.sign(payload, pss, hashes.SHA256())
        return Signature(self._public_key.keyid, sig.hex())


class KeyStore:
    """Loads test keys from keys/NAME.pem, creating missing ones."""

    def __init__(self, key_dir: Path):
        self.dir = key_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self._signers: dict[str, Signer] = {}

    def _private(self, name: str) -> Any:  # noqa: ANN401
        path = self.dir / f"{name}.pem"
        if path.exists():
            return serialization.load_pem_private_key(path.read_bytes(), None)
        keytype, scheme, bits = KEY_SPECS[name]
        if keytype == "ed25519":
            priv = ed25519.Ed25519PrivateKey.generate()
        elif keytype == "rsa":
            priv = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        elif keytype in ("ecdsa", "ecdsa-sha2-nistp256"):
            curve = {
                "ecdsa-sha2-nistp256": ec.SECP256R1(),
                "ecdsa-sha2-nistp384": ec.SECP384R1(),
                "ecdsa-sha2-nistp521": ec.SECP521R1(),
            }[scheme]
            priv = ec.generate_private_key(curve)
        elif keytype == "ml-dsa":
            priv = CryptoSigner.generate_mldsa(scheme=scheme)._private_key  # noqa: SLF001
        else:
            raise ValueError(keytype)
        path.write_bytes(
            priv.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return priv

    def signer(self, name: str) -> Signer:
        if name in self._signers:
            return self._signers[name]
        keytype, scheme, _ = KEY_SPECS[name]
        priv = self._private(name)
        pub = SSlibKey.from_crypto(priv.public_key(), None, scheme)
        if keytype != pub.keytype:
            # legacy keytype spelling: same key material, keyid over the
            # key as published
            keyval = dict(pub.keyval)
            pub = SSlibKey(compute_default_keyid(keytype, scheme, keyval), keytype, scheme, keyval)
        if name.endswith("-maxsalt"):
            signer: Signer = MaxSaltPssSigner(priv, pub)
        else:
            signer = CryptoSigner(priv, pub)
        self._signers[name] = signer
        return signer

    def key(self, name: str) -> SSlibKey:
        """A fresh copy of the public key: fixtures add unknown fields to
        theirs without touching the signer's or another fixture's."""
        pub = self.signer(name).public_key
        return SSlibKey.from_dict(pub.keyid, copy.deepcopy(pub.to_dict()))


# ---------------------------------------------------------------- repository


@dataclass
class Repo:
    """One repository being built: metadata objects, signers and targets."""

    name: str
    description: str
    keys: KeyStore
    consistent: bool = True
    meta_hashes: bool = False  # lengths and hashes in timestamp/snapshot meta
    target_hash_algos: tuple[str, ...] = ("sha256",)
    roots: list[Metadata[Root]] = field(default_factory=list)
    targets: dict[str, Metadata[Targets]] = field(default_factory=dict)
    signers: dict[str, list[Signer]] = field(default_factory=dict)
    # (role, target path) -> contents; two roles may list one path with
    # different contents (a shadowed target)
    contents: dict[tuple[str, str], bytes] = field(default_factory=dict)
    file_role: dict[str, str] = field(default_factory=dict)
    absent: list[dict[str, str]] = field(default_factory=list)
    snapshot_version: int = 1
    timestamp_version: int = 1
    notes: dict[str, Any] = field(default_factory=dict)
    # hook(obj) is called on Snapshot/Timestamp before signing and on every
    # Metadata after signing (to add unsigned envelope fields)
    hook: Any = None

    # -- root

    def new_root(self, role_keys: dict[str, list[str]], thresholds: dict[str, int]) -> Root:
        root = Root(
            version=1,
            spec_version=SPEC_VERSION,
            expires=EXPIRES,
            consistent_snapshot=self.consistent,
        )
        for role, names in role_keys.items():
            for n in names:
                root.add_key(self.keys.key(n), role)
            root.roles[role].threshold = thresholds.get(role, 1)
            self.signers[role] = [self.keys.signer(n) for n in names]
        return root

    def publish_root(self, root: Root, extra_signers: list[Signer] = ()) -> Metadata[Root]:
        """Sign a root version with its own root keys and extra_signers (the
        previous version's keys when rotating)."""
        md = Metadata(root)
        seen = set()
        for s in [*extra_signers, *self.signers["root"]]:
            if s.public_key.keyid not in seen:
                md.sign(s, append=True)
                seen.add(s.public_key.keyid)
        self.roots.append(md)
        return md

    # -- targets

    def new_targets(self, role: str, version: int = 1, signers: list[str] | None = None) -> Targets:
        t = Targets(version=version, spec_version=SPEC_VERSION, expires=EXPIRES)
        self.targets[role] = Metadata(t)
        if signers is not None:
            self.signers[role] = [self.keys.signer(n) for n in signers]
        return t

    def add_target(self, role: str, path: str, data: bytes, custom: Any = None) -> TargetFile:  # noqa: ANN401
        tf = TargetFile.from_data(path, data, list(self.target_hash_algos))
        if custom is not None:
            tf.unrecognized_fields["custom"] = custom
        self.targets[role].signed.targets[path] = tf
        self.contents[(role, path)] = data
        return tf

    def expect(self, path: str, role: str) -> None:
        """The target a client must resolve for path is the one in role."""
        self.file_role[path] = role

    def expect_absent(self, path: str, why: str) -> None:
        self.absent.append({"path": path, "why": why})

    def delegate(
        self,
        delegator: str,
        role: DelegatedRole,
        key_names: list[str],
    ) -> None:
        t = self.targets[delegator].signed
        if t.delegations is None:
            t.delegations = Delegations(keys={}, roles={})
        assert t.delegations.roles is not None
        t.delegations.roles[role.name] = role
        for n in key_names:
            k = self.keys.key(n)
            t.delegations.keys[k.keyid] = k
            if k.keyid not in role.keyids:
                role.keyids.append(k.keyid)
        self.signers[role.name] = [self.keys.signer(n) for n in key_names]

    # -- writing

    def _fname(self, role: str, version: int) -> str:
        enc = parse.quote(role, "")
        return f"{version}.{enc}.json" if self.consistent else f"{enc}.json"

    def write(self, out: Path) -> None:
        """Sign everything bottom-up and write the repository to out/NAME/."""
        hook = self.hook
        d = out / self.name
        if d.exists():
            shutil.rmtree(d)
        meta_dir = d / "metadata"
        meta_dir.mkdir(parents=True)
        ser = JSONSerializer()

        def write_md(md: Metadata, fname: str, role: str) -> bytes:
            md.signatures.clear()
            for s in self.signers[role]:
                md.sign(s, append=True)
            if hook:
                hook(md)
            path = meta_dir / fname
            md.to_file(str(path), ser)
            path.chmod(0o644)  # securesystemslib creates files with 0o777 & ~umask
            return path.read_bytes()

        # targets roles, then snapshot, then timestamp
        snapshot = Snapshot(
            version=self.snapshot_version, spec_version=SPEC_VERSION, expires=EXPIRES
        )
        for role, md in self.targets.items():
            data = write_md(md, self._fname(role, md.signed.version), role)
            if self.meta_hashes:
                mf = MetaFile.from_data(md.signed.version, data, ["sha256", "sha512"])
            else:
                mf = MetaFile(md.signed.version)
            snapshot.meta[f"{role}.json"] = mf
        if hook:
            hook(snapshot)
        snap_md = Metadata(snapshot)
        snap_bytes = write_md(snap_md, self._fname("snapshot", snapshot.version), "snapshot")

        ts = Timestamp(version=self.timestamp_version, spec_version=SPEC_VERSION, expires=EXPIRES)
        if self.meta_hashes:
            ts.snapshot_meta = MetaFile.from_data(snapshot.version, snap_bytes, ["sha256"])
        else:
            ts.snapshot_meta = MetaFile(snapshot.version)
        if hook:
            hook(ts)
        write_md(Metadata(ts), "timestamp.json", "timestamp")

        # roots were signed by publish_root; write every version and the newest
        for md in self.roots:
            if hook:
                hook(md)
            md.to_file(str(meta_dir / f"{md.signed.version}.root.json"), ser)
        self.roots[-1].to_file(str(meta_dir / "root.json"), ser)
        for p in meta_dir.iterdir():
            p.chmod(0o644)

        # target files: at their path (the first role listing a path wins),
        # and under every hash prefix when consistent
        tdir = d / "targets"
        for (role, path), data in self.contents.items():
            tf = self.targets[role].signed.targets[path]
            names = tf.get_prefixed_paths() if self.consistent else []
            if not (tdir / path).exists():
                names.append(path)
            for name in names:
                dest = tdir / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)

        self._write_manifest(d, snapshot, ts)

    def _write_manifest(self, d: Path, snapshot: Snapshot, ts: Timestamp) -> None:
        targets = []
        for path, role in self.file_role.items():
            data = self.contents[(role, path)]
            targets.append(
                {
                    "path": path,
                    "role": role,
                    "length": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        manifest = {
            "generator": "scripts/gen_python_fixtures.py",
            "python_tuf": tuf.__version__,
            "securesystemslib": securesystemslib.__version__,
            "description": self.description,
            "consistent_snapshot": self.consistent,
            "valid_at": VALID_AT,
            "expires": EXPIRES.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "trusted_root": "metadata/1.root.json",
            "versions": {
                "root": self.roots[-1].signed.version,
                "timestamp": ts.version,
                "snapshot": snapshot.version,
                **{r: md.signed.version for r, md in self.targets.items()},
            },
            "targets": targets,
            "absent": self.absent,
            **self.notes,
        }
        (d / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")


def content(path: str) -> bytes:
    return f"target file {path}\n".encode()


# ---------------------------------------------------------------- fixtures


def fixture_keytypes(ks: KeyStore) -> Repo:
    repo = Repo(
        "keytypes",
        "Top-level roles signed with several key types; root v1 needs 2 of "
        "{ed25519, ecdsa P-256}; root v2 adds an RSA-PSS 3072 key (threshold "
        "still 2) and is signed by both versions' keys. One delegated role per "
        "other scheme securesystemslib's CryptoSigner supports.",
        ks,
        meta_hashes=True,
        target_hash_algos=("sha256", "sha512"),
    )
    top = {
        "root": ["root-ed25519", "root-ecdsa-p256"],
        "targets": ["targets-rsa-pss-sha256-2048"],
        "snapshot": ["snapshot-ecdsa-p384"],
        "timestamp": ["timestamp-ed25519"],
    }
    root = repo.new_root(top, {"root": 2})
    v1 = repo.publish_root(root)
    # root v2: rotate in an RSA key; signed by v1's keys (threshold 2) and v2's
    root2 = Metadata.from_bytes(v1.to_bytes()).signed
    root2.version = 2
    root2.add_key(ks.key("root-rsa-pss-sha256-3072"), "root")
    old_signers = list(repo.signers["root"])
    repo.signers["root"] = [*old_signers, ks.signer("root-rsa-pss-sha256-3072")]
    repo.publish_root(root2, old_signers)

    repo.snapshot_version = 4
    repo.timestamp_version = 5
    repo.new_targets("targets", version=3)
    repo.add_target("targets", "top.txt", content("top.txt"))
    repo.expect("top.txt", "targets")

    schemes = []
    for k in ["root-ed25519", "root-ecdsa-p256", "root-rsa-pss-sha256-3072"]:
        schemes.append({"role": "root", "key": k})
    for role, names in top.items():
        if role != "root":
            schemes += [{"role": role, "key": n} for n in names]

    delegated = [
        ("rsassa-pss-sha384", ["rsassa-pss-sha384"], 1),
        ("rsassa-pss-sha512", ["rsassa-pss-sha512"], 1),
        ("rsassa-pss-sha256-maxsalt", ["rsassa-pss-sha256-maxsalt"], 1),
        ("rsa-pkcs1v15-sha256", ["rsa-pkcs1v15-sha256"], 1),
        ("rsa-pkcs1v15-sha384", ["rsa-pkcs1v15-sha384"], 1),
        ("rsa-pkcs1v15-sha512", ["rsa-pkcs1v15-sha512"], 1),
        ("ecdsa-sha2-nistp521", ["ecdsa-sha2-nistp521"], 1),
        ("ecdsa-legacy-keytype", ["ecdsa-legacy-keytype"], 1),
        # ML-DSA (TAP 21) is not in the spec: a client that does not know it
        # must ignore the key and still meet threshold 1 with the ed25519 key
        ("ml-dsa-65-and-ed25519", ["ml-dsa-65", "ed25519-a"], 1),
        # three key types, all three signatures needed
        ("mixed-threshold-3", ["ed25519-b", "root-ecdsa-p256", "rsa-pkcs1v15-sha256"], 3),
    ]
    for i, (role, names, threshold) in enumerate(delegated):
        dr = DelegatedRole(role, [], threshold, True, paths=[f"{role}/*"])
        repo.delegate("targets", dr, names)
        repo.new_targets(role, version=1 + i % 3)
        path = f"{role}/file.txt"
        repo.add_target(role, path, content(path))
        repo.expect(path, role)
        schemes += [{"role": role, "key": n} for n in names]

    for s in schemes:
        key = ks.key(s["key"])
        s.update(keyid=key.keyid, keytype=key.keytype, scheme=key.scheme)
    repo.notes["keys"] = schemes
    repo.notes["notes"] = [
        "RSA-PSS signatures use salt length = digest length (securesystemslib), "
        "except role rsassa-pss-sha256-maxsalt: maximum salt length (as Go signs).",
        "ECDSA signatures are DER.",
        "ecdsa-legacy-keytype uses keytype 'ecdsa-sha2-nistp256' (keytype == scheme).",
        "ml-dsa-65-and-ed25519: threshold 1 over an ml-dsa-65/1 key and an ed25519 key; both sign.",
        "timestamp and snapshot meta carry length and hashes; targets carry sha256 and sha512.",
    ]
    return repo


def fixture_delegations(ks: KeyStore) -> Repo:
    repo = Repo(
        "delegations",
        "Targets delegating by paths (globs; terminating and not; three levels "
        "deep) and by path_hash_prefixes. Look-ups walk pre-order depth-first.",
        ks,
    )
    online = ["ed25519-a"]
    root = repo.new_root(
        {
            "root": ["root-ed25519"],
            "targets": ["ed25519-b"],
            "snapshot": online,
            "timestamp": online,
        },
        {},
    )
    repo.publish_root(root)
    repo.new_targets("targets", version=2)
    repo.add_target("targets", "readme.txt", content("readme.txt"))
    repo.expect("readme.txt", "targets")
    dk = ["ed25519-c"]

    # 1. docs: non-terminating, matches docs/X and docs/X/Y (a pattern never
    # crosses "/": "docs/*" does not match docs/api/x.txt)
    repo.delegate("targets", DelegatedRole("docs", [], 1, False, paths=["docs/*", "docs/*/*"]), dk)
    repo.new_targets("docs", version=3)
    repo.add_target("docs", "docs/guide.txt", content("docs/guide.txt"))
    repo.expect("docs/guide.txt", "docs")
    #    docs -> docs-api (terminating) -> docs-api-v2 (3rd level)
    repo.delegate("docs", DelegatedRole("docs-api", [], 1, True, paths=["docs/api/*.txt"]), dk)
    repo.new_targets("docs-api")
    repo.add_target("docs-api", "docs/api/index.txt", content("docs/api/index.txt"))
    repo.expect("docs/api/index.txt", "docs-api")
    repo.delegate(
        "docs-api",
        DelegatedRole("docs-api-v2", [], 1, False, paths=["docs/api/v2-?.txt"]),
        ["ed25519-d"],
    )
    repo.new_targets("docs-api-v2")
    repo.add_target("docs-api-v2", "docs/api/v2-a.txt", content("docs/api/v2-a.txt"))
    repo.expect("docs/api/v2-a.txt", "docs-api-v2")
    repo.expect_absent("docs/api/v2-ab.txt", "'?' matches exactly one character")
    #    docs-api is terminating: a later sibling of docs-api that also claims
    #    docs/api/* is never consulted for it
    repo.delegate(
        "docs", DelegatedRole("docs-late", [], 1, False, paths=["docs/api/*", "docs/other/*"]), dk
    )
    repo.new_targets("docs-late")
    repo.add_target("docs-late", "docs/api/late.txt", content("docs/api/late.txt"))
    repo.add_target("docs-late", "docs/other/x.txt", content("docs/other/x.txt"))
    repo.expect("docs/other/x.txt", "docs-late")
    repo.expect_absent(
        "docs/api/late.txt", "listed by docs-late, but docs-api (terminating, matches) comes first"
    )
    repo.expect_absent("docs/a/b/c.txt", "docs/* and docs/*/* do not match three segments")

    # 2. bin: terminating. bin-fallback also claims bin/*, but is only
    # reached for paths bin does not claim
    repo.delegate("targets", DelegatedRole("bin", [], 1, True, paths=["bin/*"]), dk)
    repo.new_targets("bin")
    repo.add_target("bin", "bin/tool", content("bin/tool"))
    repo.expect("bin/tool", "bin")
    repo.delegate(
        "targets", DelegatedRole("bin-fallback", [], 1, False, paths=["bin/*", "sbin/*"]), dk
    )
    repo.new_targets("bin-fallback")
    repo.add_target("bin-fallback", "bin/tool", b"WRONG: shadowed by role bin\n")
    repo.add_target("bin-fallback", "bin/other", content("bin/other"))
    repo.add_target("bin-fallback", "sbin/daemon", content("sbin/daemon"))
    repo.expect("sbin/daemon", "bin-fallback")
    repo.expect_absent("bin/other", "bin is terminating and claims bin/*: the search stops there")

    # 3. lib: not terminating; lib/b.txt is found in the next sibling
    repo.delegate("targets", DelegatedRole("lib", [], 1, False, paths=["lib/*"]), dk)
    repo.new_targets("lib")
    repo.add_target("lib", "lib/a.txt", content("lib/a.txt"))
    repo.expect("lib/a.txt", "lib")
    repo.delegate("targets", DelegatedRole("lib-more", [], 1, False, paths=["lib/*", "*/*.md"]), dk)
    repo.new_targets("lib-more")
    repo.add_target("lib-more", "lib/b.txt", content("lib/b.txt"))
    repo.add_target("lib-more", "notes/changes.md", content("notes/changes.md"))
    repo.expect("lib/b.txt", "lib-more")
    repo.expect("notes/changes.md", "lib-more")
    #    a role that lists a target outside its paths is not trusted for it
    repo.add_target("lib-more", "elsewhere.txt", content("elsewhere.txt"))
    repo.expect_absent("elsewhere.txt", "listed by lib-more, but outside its delegated paths")
    #    a delegated role that lists a path but with a character class glob
    repo.delegate("targets", DelegatedRole("data", [], 1, False, paths=["data/[ab]*.dat"]), dk)
    repo.new_targets("data")
    for p in ["data/alpha.dat", "data/beta.dat", "data/gamma.dat"]:
        repo.add_target("data", p, content(p))
    repo.expect("data/alpha.dat", "data")
    repo.expect("data/beta.dat", "data")
    repo.expect_absent("data/gamma.dat", "[ab]* does not match gamma.dat")

    # 4. path_hash_prefixes: first hex digit of sha256(path) 0-7 / 8-f
    lo = [f"{i:x}" for i in range(8)]
    hi = [f"{i:x}" for i in range(8, 16)]
    repo.delegate("targets", DelegatedRole("hashed-lo", [], 1, True, path_hash_prefixes=lo), dk)
    repo.delegate("targets", DelegatedRole("hashed-hi", [], 1, True, path_hash_prefixes=hi), dk)
    repo.new_targets("hashed-lo")
    repo.new_targets("hashed-hi")
    for i in range(6):
        p = f"hashed/file-{i}.txt"
        role = "hashed-lo" if hashlib.sha256(p.encode()).hexdigest()[0] in lo else "hashed-hi"
        repo.add_target(role, p, content(p))
        repo.expect(p, role)
    repo.expect_absent("hashed/missing.txt", "in no role")
    repo.snapshot_version = 7
    repo.timestamp_version = 9
    return repo


def fixture_succinct(ks: KeyStore) -> Repo:
    repo = Repo(
        "succinct",
        "TAP 15 succinct hashed bins: targets delegates to 16 bins (bit_length "
        "4, name_prefix 'bins'), every bin published, targets in several bins.",
        ks,
    )
    online = ["ed25519-a"]
    root = repo.new_root(
        {
            "root": ["root-ed25519"],
            "targets": ["ed25519-b"],
            "snapshot": online,
            "timestamp": online,
        },
        {},
    )
    repo.publish_root(root)
    t = repo.new_targets("targets")
    binkey = ks.key("ed25519-c")
    succinct = SuccinctRoles([binkey.keyid], 1, 4, "bins")
    t.delegations = Delegations(keys={binkey.keyid: binkey}, succinct_roles=succinct)
    for name in succinct.get_roles():
        repo.new_targets(name, signers=["ed25519-c"])
    used: dict[str, int] = {}
    for i in range(12):
        p = f"pkg/package-{i:02}.tar"
        role = succinct.get_role_for_target(p)
        repo.add_target(role, p, content(p))
        repo.expect(p, role)
        used[role] = used.get(role, 0) + 1
    # a target listed in the wrong bin must not be found
    wrong = "pkg/misplaced.tar"
    right = succinct.get_role_for_target(wrong)
    other = next(r for r in succinct.get_roles() if r != right)
    repo.add_target(other, wrong, content(wrong))
    repo.expect_absent(wrong, f"listed in {other}, but the path hashes to {right}")
    repo.notes["bins_with_targets"] = dict(sorted(used.items()))
    return repo


def _odd(tag: str) -> dict[str, Any]:
    """An unknown field with values that test canonical JSON: nesting,
    escapes, non-ASCII, negative and zero integers, null, booleans."""
    return {
        f"x-unknown-{tag}": {
            "nested": [1, -2, 0, "two", {"three": True, "four": None}],
            'quote"d': 'back\\slash and "quotes"',
            "unicode": "\u00e9\u00fc \u65e5\u672c \U0001f600",
            "control": "tab\tnewline\n",
            "A-upper": "sorted before lower case",
        }
    }


def fixture_unknown_fields(ks: KeyStore) -> Repo:
    repo = Repo(
        "unknown-fields",
        "Unknown fields everywhere: envelope, signed, keys, keyval, roles, "
        "delegations, delegated roles, meta entries, target entries, "
        "signatures. Signed parts are signed with the unknown fields in; "
        "envelope and signature fields are not covered by signatures.",
        ks,
        meta_hashes=True,
    )
    online = ["ed25519-a"]
    root = repo.new_root(
        {
            "root": ["root-ecdsa-p256"],
            "targets": ["ed25519-b"],
            "snapshot": online,
            "timestamp": online,
        },
        {},
    )
    root.unrecognized_fields.update(_odd("root-signed"))
    for k in root.keys.values():
        k.unrecognized_fields.update(_odd("key"))
        k.keyval["x-unknown-keyval"] = "kept"
    for r in root.roles.values():
        r.unrecognized_fields.update(_odd("role"))
    repo.publish_root(root)

    t = repo.new_targets("targets", version=2)
    t.unrecognized_fields.update(_odd("targets-signed"))
    tf = repo.add_target("targets", "a.txt", content("a.txt"), custom={"x": [1, 2], "y": "z"})
    tf.unrecognized_fields.update(_odd("target"))
    repo.expect("a.txt", "targets")
    dr = DelegatedRole("delegated", [], 1, True, paths=["d/*"])
    dr.unrecognized_fields.update(_odd("delegated-role"))
    repo.delegate("targets", dr, ["ed25519-c"])
    assert t.delegations is not None
    t.delegations.unrecognized_fields.update(_odd("delegations"))
    for k in t.delegations.keys.values():
        k.unrecognized_fields.update(_odd("delegated-key"))
        k.keyval["x-unknown-keyval"] = "kept"
    d = repo.new_targets("delegated")
    d.unrecognized_fields.update(_odd("delegated-signed"))
    tf = repo.add_target("delegated", "d/b.txt", content("d/b.txt"))
    tf.unrecognized_fields.update(_odd("delegated-target"))
    repo.expect("d/b.txt", "delegated")

    def hook(obj: Any) -> None:  # noqa: ANN401
        if isinstance(obj, Metadata):
            obj.unrecognized_fields.update(_odd("envelope"))
            for sig in obj.signatures.values():
                sig.unrecognized_fields.update(_odd("signature"))
        elif isinstance(obj, Snapshot):
            obj.unrecognized_fields.update(_odd("snapshot-signed"))
            for mf in obj.meta.values():
                mf.unrecognized_fields.update(_odd("meta"))
        elif isinstance(obj, Timestamp):
            obj.unrecognized_fields.update(_odd("timestamp-signed"))
            obj.snapshot_meta.unrecognized_fields.update(_odd("meta"))

    repo.hook = hook
    return repo


def fixture_consistent(ks: KeyStore, consistent: bool) -> Repo:
    repo = Repo(
        f"consistent-snapshot-{str(consistent).lower()}",
        f"A small repository with consistent_snapshot {str(consistent).lower()}: "
        + (
            "versioned snapshot/targets/delegated metadata and hash-prefixed targets."
            if consistent
            else "unversioned metadata (except N.root.json) and plain target paths."
        ),
        ks,
        consistent=consistent,
        target_hash_algos=("sha256", "sha512"),
    )
    online = ["ed25519-a"]
    root = repo.new_root(
        {
            "root": ["root-ed25519"],
            "targets": ["ed25519-b"],
            "snapshot": online,
            "timestamp": online,
        },
        {},
    )
    repo.publish_root(root)
    repo.new_targets("targets", version=2)
    repo.snapshot_version = 3
    repo.timestamp_version = 4
    files = {
        "file.txt": content("file.txt"),
        "dir/sub/nested.txt": content("dir/sub/nested.txt"),
        "empty.txt": b"",
        "binary.bin": bytes(range(256)),
    }
    for p, data in files.items():
        repo.add_target("targets", p, data)
        repo.expect(p, "targets")
    repo.delegate("targets", DelegatedRole("role1", [], 1, False, paths=["role1/*"]), ["ed25519-c"])
    repo.new_targets("role1", version=5)
    repo.add_target("role1", "role1/x.txt", content("role1/x.txt"))
    repo.expect("role1/x.txt", "role1")
    return repo


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-check", action="store_true", help="skip the read-back check")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    ks = KeyStore(out / "keys")

    repos = [
        fixture_keytypes(ks),
        fixture_delegations(ks),
        fixture_succinct(ks),
        fixture_unknown_fields(ks),
        fixture_consistent(ks, True),
        fixture_consistent(ks, False),
    ]
    for repo in repos:
        repo.write(out)
        print(f"wrote {out / repo.name}")
    (out / "keys" / "README.md").write_text(
        "TEST KEYS ONLY. Unencrypted PKCS#8 PEM private keys used to sign the\n"
        "python-tuf fixtures beside this folder (scripts/gen_python_fixtures.py).\n"
        "They are public: never use them to sign anything real.\n"
    )
    if not args.no_check:
        check = ROOT_DIR / "scripts/interop/check_fixtures.py"
        subprocess.run([sys.executable, str(check), str(out)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
