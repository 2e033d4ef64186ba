"""E-mail: the brief as a message (summary as text and right-to-left HTML, PDF attached), and SMTP sending."""

from __future__ import annotations

import html
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from ..errors import RenderError, UsageError
from ..model import Brief, Cite, ItemList, Paragraph, Text, note_text

INTRO = {"ar": "مرفق الموجز الكامل بصيغة PDF.", "en": "The full brief is attached as a PDF."}
SOURCES = {"ar": "المصادر", "en": "Sources"}


def _inline_text(inlines) -> tuple[str, str, list]:
    """Plain text, HTML and the citations of a run of inlines; footnote calls become [n]."""
    plain, marked, cites = [], [], []
    for part in inlines:
        if isinstance(part, Text):
            plain.append(part.text)
            marked.append(html.escape(part.text))
        elif isinstance(part, Cite):
            n = part.citation.number
            plain.append(f"[{n}]")
            marked.append(f"<sup>[{n}]</sup>")
            cites.append(part.citation)
    return "".join(plain).strip(), "".join(marked).strip(), cites


def summary_parts(brief: Brief) -> tuple[str, str]:
    """The brief's summary section as (plain text, HTML body), with the notes it cites."""
    lang = brief.meta.lang
    direction = brief.meta.direction
    labels = brief.labels
    section = next((s for s in brief.sections if s.key == "summary"), None)
    text = [brief.meta.title]
    body = [f"<h1>{html.escape(brief.meta.title)}</h1>"]
    if brief.meta.subtitle:
        text.append(brief.meta.subtitle)
        body.append(f"<p><em>{html.escape(brief.meta.subtitle)}</em></p>")
    text.append("")
    notes = {}
    if section is not None:
        text += [section.title, ""]
        body.append(f"<h2>{html.escape(section.title)}</h2>")
        for block in section.blocks:
            runs = block.items if isinstance(block, ItemList) else [block.inlines] if isinstance(block, Paragraph) \
                else []
            items = []
            for run in runs:
                plain, marked, cites = _inline_text(run)
                notes.update({c.number: c for c in cites})
                text.append(f"• {plain}" if isinstance(block, ItemList) else plain)
                items.append(marked)
            if isinstance(block, ItemList):
                tag = "ol" if block.ordered else "ul"
                body.append(f"<{tag}>" + "".join(f"<li>{m}</li>" for m in items) + f"</{tag}>")
            else:
                body += [f"<p>{m}</p>" for m in items]
            text.append("")
    if notes:
        heading = SOURCES.get(lang, SOURCES["en"])
        text += [heading] + [f"[{n}] {note_text(c, labels)}" for n, c in sorted(notes.items())] + [""]
        body.append(f"<h3>{heading}</h3><ol class=\"notes\">" + "".join(
            f"<li value=\"{n}\">{html.escape(note_text(c, labels))}</li>" for n, c in sorted(notes.items())) + "</ol>")
    intro = INTRO.get(lang, INTRO["en"])
    text.append(intro)
    body.append(f"<p>{html.escape(intro)}</p>")
    align = "right" if direction == "rtl" else "left"
    page = (f'<!DOCTYPE html>\n<html dir="{direction}" lang="{lang}">\n<head><meta charset="utf-8">'
            f"<title>{html.escape(brief.meta.title)}</title></head>\n"
            f'<body dir="{direction}" style="direction:{direction};text-align:{align};'
            f'font-family:Amiri,Arial,sans-serif;line-height:1.6">\n' + "\n".join(body) + "\n</body>\n</html>\n")
    return "\n".join(text).rstrip() + "\n", page


def compose(brief: Brief, pdf: Path, *, sender: str | None = None, to: list[str] | None = None,
            cc: list[str] | None = None, draft: bool = False) -> EmailMessage:
    """The message: subject = title, body = summary (text + HTML alternative), the PDF attached by name."""
    plain, page = summary_parts(brief)
    msg = EmailMessage()
    msg["Subject"] = brief.meta.title
    if sender:
        msg["From"] = sender
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="briefgen.invalid" if not sender or "@" not in sender
                                   else sender.rsplit("@", 1)[1])
    if draft:
        msg["X-Unsent"] = "1"  # Outlook and Thunderbird open the .eml as a draft to send
    msg.set_content(plain, subtype="plain", charset="utf-8")
    msg.add_alternative(page, subtype="html", charset="utf-8")
    try:
        data = pdf.read_bytes()
    except OSError as exc:
        raise RenderError(f"cannot read {pdf}: {exc.strerror}", code="pdf-missing",
                          hint="build it first: briefgen build OUTLINE --format pdf") from None
    # non-ASCII file names are written as RFC 2231 parameters (filename*=utf-8''...)
    msg.add_attachment(data, maintype="application", subtype="pdf", filename=pdf.name)
    msg.get_payload()[-1].set_param("name", pdf.name)  # older clients read the name from Content-Type
    return msg


@dataclass
class Smtp:
    """Where and how to send: from options, else BRIEFGEN_SMTP_* environment variables."""

    host: str | None = None
    port: int | None = None
    starttls: bool = True
    user: str | None = None
    password: str | None = None
    sender: str | None = None
    timeout: float = 30.0

    @classmethod
    def resolve(cls, host=None, port=None, starttls=True, user=None, password=None, sender=None) -> Smtp:
        env = os.environ
        host = host or env.get("BRIEFGEN_SMTP_HOST")
        if not host:
            raise UsageError("no SMTP server given", code="smtp-host",
                             hint="pass --host smtp.example.org or set BRIEFGEN_SMTP_HOST")
        if port is None and env.get("BRIEFGEN_SMTP_PORT"):
            text = env["BRIEFGEN_SMTP_PORT"]
            if not text.isdigit():
                raise UsageError(f"BRIEFGEN_SMTP_PORT must be a number, not '{text}'", code="smtp-port")
            port = int(text)
        user = user or env.get("BRIEFGEN_SMTP_USER")
        password = password if password is not None else env.get("BRIEFGEN_SMTP_PASSWORD")
        if user and not password:
            raise UsageError(f"no password for SMTP user {user}", code="smtp-password",
                             hint="set BRIEFGEN_SMTP_PASSWORD (or pass --password)")
        sender = sender or env.get("BRIEFGEN_SMTP_FROM") or (user if user and "@" in user else None)
        if not sender:
            raise UsageError("no sender address", code="smtp-from",
                             hint="pass --from you@example.org or set BRIEFGEN_SMTP_FROM")
        return cls(host, port if port is not None else (587 if starttls else 25), starttls, user, password, sender)


def send(msg: EmailMessage, smtp: Smtp, recipients: list[str]) -> None:
    """Send over SMTP (STARTTLS unless turned off); every failure is a RenderError (exit 3) with a hint."""
    where = f"{smtp.host}:{smtp.port}"
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
            client.ehlo()
            if smtp.starttls:
                if not client.has_extn("starttls"):
                    raise RenderError(f"{where} does not offer STARTTLS", code="smtp-tls",
                                      hint="use the server's submission port (587), or --no-starttls on a "
                                           "trusted network")
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            refused = client.send_message(msg, from_addr=smtp.sender, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError as exc:
        raise RenderError(f"{where} refused the login of {smtp.user}: {exc.smtp_code} {_text(exc.smtp_error)}",
                          code="smtp-auth", hint="check --user and BRIEFGEN_SMTP_PASSWORD") from None
    except smtplib.SMTPRecipientsRefused as exc:
        bad = ", ".join(f"{r} ({c} {_text(m)})" for r, (c, m) in exc.recipients.items())
        raise RenderError(f"{where} refused every recipient: {bad}", code="smtp-recipients") from None
    except smtplib.SMTPException as exc:
        raise RenderError(f"sending through {where} failed: {exc}", code="smtp-failed") from None
    except ssl.SSLError as exc:
        raise RenderError(f"TLS with {where} failed: {exc.reason or exc}", code="smtp-tls") from None
    except (socket.gaierror, ConnectionError, TimeoutError, OSError) as exc:
        raise RenderError(f"cannot connect to {where}: {exc.strerror or exc}", code="smtp-connect",
                          hint="check --host/--port (or BRIEFGEN_SMTP_HOST/PORT) and the network") from None
    if refused:
        bad = ", ".join(refused)
        raise RenderError(f"sent, but {where} refused: {bad}", code="smtp-recipients")


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
