"""Every e-mail the site sends is a pair of templates, templates/email/<name>.txt and
<name>.html (the subject is the text template's `subject` block). Operations render one here,
before the transaction that queues it (any token made first), and the outbox keeps both parts.
Pure: Jinja and the settings, no Flask, no database."""
from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..config import PROJECT_ROOT
from ..formatting import count_of, long_date
from ..runtime import Email, Settings

TEMPLATES = PROJECT_ROOT / "templates" / "email"
# HTML parts are escaped; text parts are plain text and are not. A fact a template does not
# get is an error, not a blank in someone's mail.
_templates = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                         autoescape=select_autoescape(["html"]), trim_blocks=True,
                         lstrip_blocks=True, keep_trailing_newline=True)
_templates.filters["long_date"] = long_date
_templates.globals["count_of"] = count_of


def render_email(template: str, /, *, to: str, settings: Settings, **facts) -> Email:
    """The e-mail `template`, to `to`: both parts rendered with `facts`, the provider's name
    and `url` (absolute links, built from SITE_URL)."""
    context = {"provider_name": settings.provider_name, "site_url": settings.site_url,
               "url": settings.url, "contact": settings.contact, **facts}
    text = _templates.get_template(f"{template}.txt")
    subject = " ".join("".join(text.blocks["subject"](text.new_context(context))).split())
    return Email(to=to, subject=subject, body=text.render(context),
                 html=_templates.get_template(f"{template}.html").render(context))
