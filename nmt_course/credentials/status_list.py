"""Bitstring Status List v1.0: one bit per issued credential, set when it is revoked.

The list is 131,072 bits (16 KB) uncompressed, the specification's minimum, so that a
verifier fetching it learns nothing about which credential it checks (herd privacy); each
credential gets a random index. The bitstring is GZIP-compressed and multibase base64url
encoded ('u', no padding); bit 0 is the left-most bit of the first byte."""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import secrets
import zlib
from collections.abc import Iterable

from .contexts import VC_V2

LIST_BITS = 131_072
PURPOSE = "revocation"


class StatusListError(Exception):
    """An encoded list that cannot be read; the message says why."""


def random_index() -> int:
    return secrets.randbelow(LIST_BITS)


def bitstring(set_indexes: Iterable[int], size: int = LIST_BITS) -> bytes:
    bits = bytearray(size // 8)
    for index in set_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return bytes(bits)


def encode(set_indexes: Iterable[int], size: int = LIST_BITS) -> str:
    # mtime=0: the same bits always encode to the same text
    compressed = gzip.compress(bitstring(set_indexes, size), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded: object, *, max_bytes: int = 16 * LIST_BITS // 8) -> bytes:
    """The bitstring; refuses text that is not base64url multibase, not GZIP, shorter than
    the minimum list or inflating beyond `max_bytes` (a compression bomb)."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("its encodedList is not multibase base64url (starting with u)")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=31)  # GZIP framing
        bits = inflater.decompress(compressed, max_bytes + 1)
    except (ValueError, zlib.error) as error:
        raise StatusListError("its encodedList is not GZIP-compressed base64url") from error
    if len(bits) > max_bytes or inflater.unconsumed_tail:
        raise StatusListError("its encodedList inflates beyond any status list")
    if len(bits) < LIST_BITS // 8:
        raise StatusListError(f"its list is shorter than the minimum {LIST_BITS:,} bits")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entry(list_url: str, index: int) -> dict:
    """A credential's `credentialStatus`."""
    return {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": PURPOSE, "statusListIndex": str(index),
            "statusListCredential": list_url}


def list_credential(list_url: str, issuer: str, set_indexes: Iterable[int],
                    valid_from: dt.datetime) -> dict:
    """The status list credential (unsigned); its issuer is the DID alone, since the VC
    context has no terms for the rest of an Open Badges profile."""
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList",
                              "statusPurpose": PURPOSE, "encodedList": encode(set_indexes)},
    }
