"""The provider as certificates print it, the signature image's check, and the grading scale
built from a course's pass marks. Pure: no Flask, no database."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..content.images import ImageRefused, image_type
from ..runtime import Settings

SIGNATURE_MAX_BYTES = 200 * 1024


@dataclass(frozen=True)
class Provider:
    name: str
    postal_address: str
    contact_email: str
    approval_number: str
    signature_png: bytes | None = None
    version: int = 0  # 0: never saved, the config's values
    cebroker_provider_number: str = ""  # for CE Broker's roster upload, without "50-"

    @classmethod
    def from_settings(cls, settings: Settings) -> Provider:
        return cls(name=settings.provider_name, postal_address=settings.provider_address,
                   contact_email=settings.provider_email,
                   approval_number=settings.provider_approval_number)


def check_signature(data: bytes) -> bytes:
    """The signature image if it is a PNG of at most 200 KB, judged by its content;
    ImageRefused otherwise."""
    if len(data) > SIGNATURE_MAX_BYTES:
        raise ImageRefused(f"The signature may be at most {SIGNATURE_MAX_BYTES // 1024} KB; "
                           f"this file is {-(-len(data) // 1024)} KB.")
    try:
        _, extension = image_type(data)
    except ImageRefused as error:
        if not data:
            raise
        raise ImageRefused("That file is not a PNG image.") from error
    if extension != "png":
        raise ImageRefused("The signature must be a PNG image.")
    return data


def grading_scale(pass_marks: Iterable[int]) -> str:
    """How the course was graded, in words a board reads: every quiz must be passed, at its
    pass mark, all or nothing."""
    marks = sorted(set(pass_marks))
    if not marks:
        return "Completed every lesson; no partial credit"
    if len(marks) == 1:
        return f"Passed every lesson quiz at {marks[0]} % or more; no partial credit"
    return (f"Passed every lesson quiz at its pass mark ({marks[0]} % to {marks[-1]} %); "
            "no partial credit")
