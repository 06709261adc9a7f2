"""The SMTP side of outbound mail: the configuration, building the MIME message, sending, and what a
failure means (try again later, or give up now). No database access here."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from types import TracebackType
from typing import Protocol

from django.conf import settings

from ossdesk.channels.threading import mail_domain

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_FACTOR = 5
BACKOFF_CAP = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 1 min, 5 min, 25 min, 125 min, then 6 h."""
    factor: int = BACKOFF_FACTOR ** max(attempts - 1, 0)  # typeshed: int ** int may be a float
    delay = BACKOFF_FIRST * factor
    return min(delay, BACKOFF_CAP)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str
    password: str
    starttls: bool
    use_ssl: bool
    timeout: int
    sender: str


def sender_address() -> str:
    """OSSDESK_MAIL_FROM, else "<vendor name> <support@<mail domain>>"."""
    configured: str = settings.OSSDESK_MAIL_FROM
    return configured or formataddr((settings.OSSDESK_VENDOR_NAME, f"support@{mail_domain()}"))


def smtp_config() -> SmtpConfig | None:
    """The SMTP server to send through; None when OSSDESK_SMTP_HOST is empty (mail stays queued)."""
    if not settings.OSSDESK_SMTP_HOST:
        return None
    return SmtpConfig(
        host=settings.OSSDESK_SMTP_HOST,
        port=settings.OSSDESK_SMTP_PORT,
        user=settings.OSSDESK_SMTP_USER,
        password=settings.OSSDESK_SMTP_PASSWORD,
        starttls=settings.OSSDESK_SMTP_STARTTLS,
        use_ssl=settings.OSSDESK_SMTP_SSL,
        timeout=settings.OSSDESK_SMTP_TIMEOUT,
        sender=sender_address(),
    )


class Mail(Protocol):
    """What the transport needs of an outbox row."""

    recipient: str
    subject: str
    body_text: str
    body_html: str
    message_id: str
    in_reply_to: str
    references: str
    headers: dict[str, str]


class MailError(Exception):
    """Sending failed; `permanent` says that trying again cannot help (the server said 5xx)."""

    def __init__(
        self, text: str, *, permanent: bool = False, unreachable: bool = False, recipient: bool = False
    ) -> None:
        super().__init__(text)
        self.permanent = permanent
        self.unreachable = unreachable  # no connection at all: the rest of the batch would fail too
        self.recipient = recipient  # about the address itself, not the server or our configuration


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id
    if mail.in_reply_to:
        message["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        message["References"] = mail.references
    for name, value in (mail.headers or {}).items():
        message[name] = value
    message.set_content(mail.body_text)
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    return message


def _classify(exc: Exception) -> MailError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        reply = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return MailError(f"recipient refused: {code} {reply}", permanent=500 <= code < 600, recipient=True)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # The configuration is wrong, not the mail: once it is fixed the mail should go.
        return MailError(f"SMTP login refused: {exc.smtp_code} {exc.smtp_error!r}")
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        reply = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return MailError(f"{exc.smtp_code} {reply}", permanent=500 <= exc.smtp_code < 600)
    return MailError(f"{type(exc).__name__}: {exc}")


class Transport:
    """One SMTP connection, opened at the first mail and reused; dropped after any error."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Transport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if config.use_ssl:
            smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            if config.starttls:
                smtp.starttls(context=context)
        if config.user:
            smtp.login(config.user, config.password)
        return smtp

    def send(self, mail: Mail) -> None:
        """Hand one mail to the server; raises MailError saying whether to try again."""
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                error = _classify(exc)
                raise MailError(str(error), unreachable=True) from exc
        try:
            message = build_message(mail, self.config.sender)
            self._smtp.send_message(message, to_addrs=[mail.recipient])
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise _classify(exc) from exc

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None
