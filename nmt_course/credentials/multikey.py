"""The issuer's Ed25519 keys: Multikey encoding (`publicKeyMultibase`) and the key files.

The key pair lives in one file (SIGNING_KEY_FILE, mode 0600, never in the database). Rotating
moves the old public key, and only the public key, to a file beside it, so credentials signed
before stay verifiable: every public key, current and retired, is published in the did:web
document."""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption,
                                                          PrivateFormat, PublicFormat)

# Multicodec prefixes (varint): ed25519-pub 0xed, ed25519-priv 0x1300.
PUBLIC_PREFIX = b"\xed\x01"
SECRET_PREFIX = b"\x80\x26"


class KeyFileError(Exception):
    """A key file is missing, unreadable, or would be overwritten."""


def encode_public(raw: bytes) -> str:
    """`publicKeyMultibase` of a 32-byte Ed25519 public key: base58btc ('z') of the
    multicodec-prefixed bytes."""
    return "z" + base58.b58encode(PUBLIC_PREFIX + raw).decode()


def encode_secret(raw: bytes) -> str:
    return "z" + base58.b58encode(SECRET_PREFIX + raw).decode()


def _decode(value: object, prefix: bytes, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 100:
        raise ValueError(f"a {what} must be base58btc multibase (starting with z)")
    try:
        data = base58.b58decode(value[1:])
    except ValueError as error:
        raise ValueError(f"the {what} is not valid base58") from error
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise ValueError(f"the {what} is not an Ed25519 Multikey")
    return data[len(prefix):]


def decode_public(value: object) -> bytes:
    return _decode(value, PUBLIC_PREFIX, "public key")


def decode_secret(value: object) -> bytes:
    return _decode(value, SECRET_PREFIX, "secret key")


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    """The current key pair."""

    secret: bytes = b""  # the 32-byte seed; repr hides it
    created: str = ""

    def __repr__(self) -> str:
        return f"SigningKey(public={self.public_multibase!r}, created={self.created!r})"

    @property
    def public_multibase(self) -> str:
        private = Ed25519PrivateKey.from_private_bytes(self.secret)
        return encode_public(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.secret).sign(message)

    @classmethod
    def generate(cls, now: dt.datetime) -> SigningKey:
        seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw,
                                                          NoEncryption())
        return cls(secret=seed, created=_stamp(now))


@dataclass(frozen=True)
class IssuerKeys:
    """The signing key (None: credentials wait for `credentials backfill`) and every public
    key that verifies the issuer's credentials, current first, as publicKeyMultibase."""

    signing: SigningKey | None
    public: tuple[str, ...]

    @classmethod
    def none(cls) -> IssuerKeys:
        return cls(signing=None, public=())


def retired_file(key_file: Path) -> Path:
    """Where rotated-out public keys are kept, beside the key file."""
    return key_file.with_name(key_file.stem + ".retired.json")


def load(key_file: Path) -> IssuerKeys:
    """The keys in `key_file` and beside it; no file, no signing key (the app never makes
    one by itself)."""
    retired = [entry["publicKeyMultibase"] for entry in _read_retired(retired_file(key_file))]
    if not key_file.exists():
        return IssuerKeys(signing=None, public=tuple(retired))
    try:
        data = json.loads(key_file.read_text(encoding="utf-8"))
        key = SigningKey(secret=decode_secret(data["secretKeyMultibase"]),
                         created=str(data.get("created", "")))
        if data.get("publicKeyMultibase") != key.public_multibase:
            raise ValueError("its public key does not belong to its secret key")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyFileError(f"{key_file}: not a usable key file ({error})") from error
    return IssuerKeys(signing=key, public=(key.public_multibase, *retired))


def generate(key_file: Path, *, rotate: bool, now: dt.datetime) -> tuple[SigningKey, str | None]:
    """Write a new key pair to `key_file` (mode 0600). An existing key is replaced only with
    `rotate`, and its public key is kept in the retired file first. Returns the new key and
    the retired public key, if any."""
    current = load(key_file).signing if key_file.exists() else None
    if current is not None and not rotate:
        raise KeyFileError(f"{key_file} holds a key already; `keys generate --rotate` replaces "
                           "it and keeps its public key for the credentials it signed")
    key = SigningKey.generate(now)
    if current is not None:
        entries = _read_retired(retired_file(key_file))
        entries.append({"publicKeyMultibase": current.public_multibase,
                        "created": current.created, "retired": _stamp(now)})
        _write(retired_file(key_file), json.dumps({"publicKeys": entries}, indent=2) + "\n",
               mode=0o644)
    _write(key_file, json.dumps({
        "type": "Multikey", "publicKeyMultibase": key.public_multibase,
        "secretKeyMultibase": encode_secret(key.secret), "created": key.created},
        indent=2) + "\n", mode=0o600)
    return key, current.public_multibase if current else None


def _read_retired(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["publicKeys"]
        for entry in entries:
            decode_public(entry["publicKeyMultibase"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyFileError(f"{path}: not a usable list of public keys ({error})") from error
    return entries


def _write(path: Path, text: str, *, mode: int) -> None:
    """Write whole or not at all: a temporary file with the final mode, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
