"""The JSON-LD contexts committed with the app (contexts/SOURCES.md says where each comes
from) and a document loader that serves them by URL and never fetches: a context it does not
hold is an error, so checking a credential makes no network call and cannot be steered into
one."""
from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from pathlib import Path

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver

FOLDER = Path(__file__).parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
FILES = {VC_V2: "credentials-v2.jsonld", OB_V3: "ob-context-3.0.3.json"}
# What an Open Badges 3.0 credential names, in this order (its specification requires both).
CREDENTIAL_CONTEXTS = (VC_V2, OB_V3)
# The DID document's contexts: only ever published, never canonicalised here.
DID_CONTEXTS = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")


class UnknownContext(Exception):
    """A document named a context that is not bundled."""

    def __init__(self, url: object):
        super().__init__(f"the context {str(url)[:200]!r} is not one this app holds")
        self.url = url


@functools.cache
def bundled() -> Mapping[str, dict]:
    """URL → parsed context, read once."""
    return {url: json.loads((FOLDER / name).read_text(encoding="utf-8"))
            for url, name in FILES.items()}


class DocumentLoader:
    """pyld's document loader: the given documents by URL, nothing else.

    Its documents are tagged static, so pyld keeps each context once resolved (signing is
    several times faster, bench/credentials.py), in the loader's own cache: pyld's default
    one is shared by every loader in the process and would let one loader's context answer
    for another's."""

    def __init__(self, documents: Mapping[str, dict] | None = None):
        self.documents = dict(bundled() if documents is None else documents)
        self._resolved = LRUCache(maxsize=32)

    def __call__(self, url: str, options: object = None) -> dict:
        document = self.documents.get(url)
        if document is None:
            raise UnknownContext(url)
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document),
                "tag": "static"}

    def options(self) -> dict:
        """The pyld options that route every context through this loader."""
        return {"documentLoader": self,
                "contextResolver": ContextResolver(self._resolved, self)}

    def with_documents(self, extra: Mapping[str, dict]) -> DocumentLoader:
        """Another loader holding these documents too (the specification's test vectors use
        an examples context that credentials never name)."""
        return DocumentLoader({**self.documents, **extra})
