"""E-mail: the .eml draft (RTL HTML body, RFC 2231 attachment name) and `briefgen send` to a real SMTP server.

The SMTP server is aiosmtpd, started by each test on 127.0.0.1 on a free port; nothing else is contacted.
"""

from __future__ import annotations

import email
import os
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from briefgen.render import mail
from briefgen.run import pipeline

from .test_workflow import GOOD

ARABIC_NAME = "موجز المحادثات"


def _parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def test_build_eml_writes_a_draft_with_rtl_html_and_the_pdf(project, cli):
    outline = project(GOOD, f"{ARABIC_NAME}.yaml")
    result = cli("build", outline, "--format", "pdf", "--eml")
    assert result.exit_code == 0, result.output
    reports = project.root / "reports"
    eml = reports / f"{ARABIC_NAME}.eml"
    assert f"wrote {eml}" in result.output
    raw = eml.read_bytes()
    msg = _parse(raw)
    assert msg["Subject"] == "موجز الاختبار"
    assert msg["X-Unsent"] == "1"
    plain = msg.get_body(("plain",)).get_content()
    assert "الملخّص التنفيذي" in plain
    assert "تقول الحكومة العراقية إن التحالف لا يمكن أن يبقى بلا نهاية.[1]" in plain
    assert "[1] حفريات، «بعد مناقشة جدولة الانسحاب" in plain  # the cited notes follow the summary
    assert "يخشى خبراء" not in plain  # background is not part of the summary
    html = msg.get_body(("html",)).get_content()
    assert '<html dir="rtl" lang="ar">' in html
    assert "لم يُتخذ قرار بسحب القوات الأميركية.<sup>[2]</sup>" in html
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{ARABIC_NAME}.pdf"
    assert b"filename*" in raw and b"utf-8''" in raw  # RFC 2231, not an RFC 2047 encoded word
    assert attachment.get_content() == (reports / f"{ARABIC_NAME}.pdf").read_bytes()


def test_english_brief_mail_is_left_to_right(project, tmp_path):
    outline = project(GOOD.replace('title: "موجز الاختبار"', 'title: "Test brief"\nlang: en'))
    checked = pipeline.check(outline)
    assert checked.brief is not None
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(b"%PDF-1.7 test")
    msg = _parse(bytes(mail.compose(checked.brief, pdf, sender="a@example.org", to=["b@example.org"])))
    html = msg.get_body(("html",)).get_content()
    assert '<html dir="ltr" lang="en">' in html and "<h2>Executive summary</h2>" in html
    assert msg["Subject"] == "Test brief" and msg["To"] == "b@example.org"
    assert list(msg.iter_attachments())[0].get_content() == b"%PDF-1.7 test"


def test_html_body_escapes_outline_text(project, tmp_path):
    outline = project(GOOD.replace("لم يُتخذ قرار", "<script>x</script> لم يُتخذ قرار"))
    checked = pipeline.check(outline)
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(b"%PDF")
    _, html = mail.summary_parts(checked.brief)
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- a real SMTP server on 127.0.0.1 ---------------------------------------------------------

class Inbox:
    def __init__(self):
        self.envelopes = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def smtp_server():
    inbox = Inbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        inbox.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture()
def no_smtp_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("BRIEFGEN_SMTP_"):
            monkeypatch.delenv(name)


def test_send_delivers_the_brief(project, cli, smtp_server, no_smtp_env):
    inbox, port = smtp_server
    outline = project(GOOD, f"{ARABIC_NAME}.yaml")
    result = cli("send", outline, "--to", "head@example.org", "--to", "desk@example.org", "--cc", "me@example.org",
                 "--from", "analyst@example.org", "--host", "127.0.0.1", "--port", str(port), "--no-starttls")
    assert result.exit_code == 0, result.output
    assert "sent «موجز الاختبار» to head@example.org, desk@example.org (cc me@example.org)" in result.output
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "analyst@example.org"
    assert envelope.rcpt_tos == ["head@example.org", "desk@example.org", "me@example.org"]
    msg = _parse(envelope.original_content)
    assert msg["Subject"] == "موجز الاختبار"
    assert msg["To"] == "head@example.org, desk@example.org" and msg["Cc"] == "me@example.org"
    assert "Bcc" not in msg and msg["X-Unsent"] is None
    assert '<html dir="rtl" lang="ar">' in msg.get_body(("html",)).get_content()
    (attachment,) = list(msg.iter_attachments())
    pdf = project.root / "reports" / f"{ARABIC_NAME}.pdf"
    assert attachment.get_filename() == pdf.name
    assert attachment.get_content() == pdf.read_bytes()
    assert f"built {pdf}" in result.output

    # a second send uses the PDF already built (it is newer than every input)
    before = pdf.stat().st_mtime_ns
    result = cli("send", outline, "--to", "head@example.org", "--from", "analyst@example.org",
                 "--host", "127.0.0.1", "--port", str(port), "--no-starttls")
    assert result.exit_code == 0, result.output
    assert f"using {pdf}" in result.output and pdf.stat().st_mtime_ns == before
    assert _parse(inbox.envelopes[1].original_content).get_body(("html",)) is not None


def test_send_takes_server_and_password_from_the_environment(project, cli, smtp_server, monkeypatch, no_smtp_env):
    inbox, port = smtp_server
    monkeypatch.setenv("BRIEFGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFGEN_SMTP_PORT", str(port))
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", "analyst@example.org")
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", "s3cret")
    result = cli("send", project(GOOD), "--to", "head@example.org", "--no-starttls")
    assert result.exit_code == 0, result.output
    assert inbox.logins == [("analyst@example.org", "s3cret")]
    assert inbox.envelopes[0].mail_from == "analyst@example.org"  # the login is the sender
    assert "s3cret" not in result.output


def test_a_refused_login_is_an_output_error(project, cli, smtp_server, no_smtp_env):
    _, port = smtp_server
    result = cli("send", project(GOOD), "--to", "a@example.org", "--host", "127.0.0.1", "--port", str(port),
                 "--no-starttls", "--user", "analyst@example.org", "--password", "wrong")
    assert result.exit_code == 3
    assert "refused the login of analyst@example.org" in result.output and "Traceback" not in result.output


def test_starttls_is_required_unless_turned_off(project, cli, smtp_server, no_smtp_env):
    inbox, port = smtp_server
    result = cli("send", project(GOOD), "--to", "a@example.org", "--from", "b@example.org",
                 "--host", "127.0.0.1", "--port", str(port))
    assert result.exit_code == 3
    assert "does not offer STARTTLS" in result.output and not inbox.envelopes


def test_send_needs_a_server_and_a_sender(project, cli, no_smtp_env):
    result = cli("send", project(GOOD), "--to", "a@example.org")
    assert result.exit_code == 2 and "no SMTP server given" in result.output
    assert "BRIEFGEN_SMTP_HOST" in result.output
    result = cli("send", project(GOOD), "--to", "a@example.org", "--host", "127.0.0.1")
    assert result.exit_code == 2 and "no sender address" in result.output
    result = cli("send", project(GOOD), "--to", "a@example.org", "--host", "127.0.0.1", "--from", "b@example.org",
                 "--user", "b@example.org")
    assert result.exit_code == 2 and "BRIEFGEN_SMTP_PASSWORD" in result.output


def test_an_unreachable_server_is_an_output_error(project, cli, no_smtp_env):
    result = cli("send", project(GOOD), "--to", "a@example.org", "--from", "b@example.org", "--host", "127.0.0.1",
                 "--port", str(_free_port()), "--no-starttls")
    assert result.exit_code == 3
    assert "cannot connect to 127.0.0.1:" in result.output and "Traceback" not in result.output


def test_send_refuses_an_outline_with_errors(project, cli, smtp_server, no_smtp_env):
    inbox, port = smtp_server
    result = cli("send", project(GOOD.replace("من جديد", "من قديم")), "--to", "a@example.org",
                 "--from", "b@example.org", "--host", "127.0.0.1", "--port", str(port), "--no-starttls")
    assert result.exit_code == 1 and "quote not found" in result.output
    assert not inbox.envelopes
    assert not Path(project.root / "reports").exists() or not any((project.root / "reports").iterdir())
