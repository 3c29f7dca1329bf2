"""SMTP client submission on aiosmtpd: STARTTLS on one port, implicit TLS on another, AUTH
XOAUTH2 (a mechanism of our own: aiosmtpd has none), LOGIN and PLAIN, answered as Exchange Online does."""

import asyncio
import collections
import logging
from typing import NamedTuple

from aiosmtpd.smtp import MISSING, SMTP, AuthResult

from . import authority as outcomes
from . import replies

# aiosmtpd warns on every login that its legacy Session.login_data is deprecated: the lab stays quiet.
logging.getLogger("mail.log").setLevel(logging.ERROR)


class Authenticated(NamedTuple):
    login: str    # the mailbox
    method: str   # XOAUTH2, LOGIN or PLAIN


# An AUTH XOAUTH2 line carries a whole access token, well past RFC 5321's 512-octet command line.
AUTH_LINE_LIMIT = 16384


class ExchangeLikeSMTP(SMTP):
    # Exchange's AUTH LOGIN prompts (base64 of "Username:" and "Password:"), not aiosmtpd's.
    AuthLoginUsernameChallenge = "Username:"
    AuthLoginPasswordChallenge = "Password:"
    line_length_limit = AUTH_LINE_LIMIT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # This connection's own limits (aiosmtpd's class-wide dict is shared by every connection).
        self.command_size_limits = collections.defaultdict(lambda: SMTP.command_size_limit, AUTH=AUTH_LINE_LIMIT)


class SubmissionHandler:
    """aiosmtpd's handler: the XOAUTH2 mechanism, the sender check and delivery to the mailboxes."""

    def __init__(self, authority, mailboxes):
        self._authority = authority
        self._mailboxes = mailboxes

    async def auth_XOAUTH2(self, server, args):   # noqa: N802 - aiosmtpd finds mechanisms by this name
        if len(args) == 2:
            raw = outcomes.decode_base64(args[1])
        else:
            raw = await server.challenge_auth("", encode_to_b64=False)
            if raw is MISSING:   # aborted; aiosmtpd has answered
                return AuthResult(success=False, handled=True)
        outcome, mailbox = self._authority.xoauth2(raw or b"", outcomes.SMTP_SCOPE)
        return _result(outcome, mailbox, "XOAUTH2")

    def authenticate(self, server, session, envelope, mechanism, login_password):
        """aiosmtpd's authenticator, for AUTH LOGIN and PLAIN."""
        outcome, mailbox = self._authority.basic(login_password.login.decode("utf-8", "replace"),
                                                 login_password.password.decode("utf-8", "replace"))
        return _result(outcome, mailbox, mechanism)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if not session.authenticated:
            return replies.SMTP_NOT_AUTHENTICATED
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return replies.SMTP_SENDER_OK

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self._mailboxes.deliver(envelope.rcpt_tos, envelope.mail_from, envelope.original_content or envelope.content,
                                session.auth_data.login, session.auth_data.method)
        return replies.SMTP_QUEUED


def _result(outcome, mailbox, method):
    if outcome == outcomes.OK:
        return AuthResult(success=True, auth_data=Authenticated(mailbox, method), message=replies.SMTP_AUTHENTICATED)
    return AuthResult(success=False, handled=False, message=replies.SMTP_AUTH_REFUSED[outcome])


async def serve_submission(handler, address, port, tls_context, implicit_tls):
    """An asyncio server on the running loop. STARTTLS is required before anything but EHLO; on the
    implicit TLS port the connection is encrypted from the start, so AUTH needs no STARTTLS there."""
    loop = asyncio.get_running_loop()

    def protocol():
        common = dict(hostname=replies.SMTP_HOSTNAME, ident=replies.SMTP_IDENT, authenticator=handler.authenticate,
                      timeout=60, loop=loop)
        if implicit_tls:
            return ExchangeLikeSMTP(handler, auth_require_tls=False, **common)
        return ExchangeLikeSMTP(handler, tls_context=tls_context, require_starttls=True, **common)

    return await loop.create_server(protocol, address, port, ssl=tls_context if implicit_tls else None,
                                    reuse_address=True)
