"""Form fields every feature's forms share. Not a page."""
from __future__ import annotations

from wtforms import EmailField, StringField

from .text import one_line


class OneLineField(StringField):
    """A one-line text field, cleaned as it will be stored (see nmt_course.text): no line
    breaks, control characters or bidirectional overrides, spaces collapsed."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = one_line(self.data)


class EmailAddressField(EmailField):
    """An e-mail address as typed; the space a phone keyboard adds after a word is dropped
    before the address is checked."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.strip()
