"""Mailers: how e-mail leaves. SMTP when MAIL_SERVER is set, otherwise the log."""
from __future__ import annotations

import email.utils
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from .runtime import Email


@dataclass(frozen=True)
class LogMailer:
    """The embedded default has no mail server: the log is where a developer looks."""

    logger: logging.Logger

    def send(self, message: Email) -> None:
        self.logger.warning("E-mail not sent (MAIL_SERVER is not set). To: %s\nSubject: %s\n\n%s",
                            message.to, message.subject, message.body)


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    use_tls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 15

    def send(self, message: Email) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = email.utils.formatdate(localtime=False)
        mail["Message-ID"] = message.message_id or email.utils.make_msgid()
        mail.set_content(message.body)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        context = ssl.create_default_context()
        if self.use_ssl:
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=context)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with connection as smtp:
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)
