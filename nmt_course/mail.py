"""Outgoing e-mail: SMTP when MAIL_SERVER is set, otherwise written to the log."""
from __future__ import annotations

from flask import current_app
from flask_mail import Message

from .extensions import mail


def send(to: str, subject: str, body: str) -> None:
    if not current_app.config.get("MAIL_SERVER"):
        # The embedded default has no mail server: the log is where a developer looks.
        current_app.logger.warning("E-mail not sent (MAIL_SERVER is not set). To: %s\n"
                                   "Subject: %s\n\n%s", to, subject, body)
        return
    mail.send(Message(subject=subject, recipients=[to], body=body))


def send_password_reset(user, token: str, minutes: int) -> None:
    link = f"{current_app.config['SITE_URL']}/reset-password/{token}"
    send(user.email, "Reset your password",
         f"Hello {user.legal_name},\n\n"
         f"Someone (we hope you) asked to reset the password of your account at "
         f"{current_app.config['PROVIDER_NAME']}. To choose a new password, open this link "
         f"within {minutes} minutes:\n\n{link}\n\n"
         "The link works once. If you did not ask for it, ignore this message; your password "
         "stays as it is.\n")
