"""The device's mail client: the standard library's smtplib and poplib, as a real client talks.

Every function blocks on the network; the device runs them in an executor thread because the lab
serves the mail servers on the same event loop. Access tokens and passwords live only in the call.
"""

import base64
import email.message
import email.utils
import poplib
import smtplib
import ssl

from .network import IMPLICIT_TLS_PORT, NO_NETWORK, ServerNotFound

# What went wrong, in the words the control API and the page use.
SERVER_NOT_FOUND = "server_not_found"
CONNECTION_FAILED = "connection_failed"
AUTHENTICATION_FAILED = "authentication_failed"
REJECTED = "rejected"


def xoauth2(user, access_token):
    return f"user={user}\x01auth=Bearer {access_token}\x01\x01"


def scan_message(sender, recipient, model):
    message = email.message.EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = f"Scanned image from {model}"
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = email.utils.make_msgid(domain="mfplab.invalid")
    message.set_content("Scanned document attached.\n")
    message.add_attachment(b"%PDF-1.4\n%lab scan\n", maintype="application", subtype="pdf", filename="scan.pdf")
    return message


class MailClient:
    def __init__(self, network=NO_NETWORK, ca_path=None):
        self._network = network
        self._context = ssl.create_default_context(cafile=str(ca_path)) if ca_path else None

    def submit(self, smtp, credential, message=None):
        """Connect with the SMTP settings, authenticate with `credential` (None, ("XOAUTH2", user, token)
        or ("LOGIN", user, password)) and send `message`, or only test (None). {"reply"} or {"error", "reply"}."""
        try:
            address, port = self._network.route(smtp["primary_server"], smtp["port"])
            with self._smtp(smtp, address, port) as connection:
                reply = self._authenticate(connection, credential)
                if message is not None:
                    reply = _send(connection, message)
                return {"reply": reply}
        except smtplib.SMTPAuthenticationError as error:
            return _failed(AUTHENTICATION_FAILED, error.smtp_code, error.smtp_error)
        except smtplib.SMTPResponseException as error:
            return _failed(REJECTED, error.smtp_code, error.smtp_error)
        except (ServerNotFound, smtplib.SMTPException, OSError) as error:
            return _network_failure(error)

    def _smtp(self, smtp, address, port):
        timeout = smtp["timeout"]
        implicit_tls = smtp["ssl_tls"] and smtp["port"] == IMPLICIT_TLS_PORT
        if implicit_tls:
            connection = smtplib.SMTP_SSL(address, port, timeout=timeout, context=self._tls())
        else:
            connection = smtplib.SMTP(address, port, timeout=timeout)
        try:
            connection.ehlo()
            if smtp["ssl_tls"] and not implicit_tls:
                connection.starttls(context=self._tls())
                connection.ehlo()
        except BaseException:
            connection.close()
            raise
        return connection

    @staticmethod
    def _authenticate(connection, credential):
        if credential is None:
            return " ".join(map(str, connection.noop()))
        mechanism, user, secret = credential
        if mechanism == "XOAUTH2":
            code, text = connection.auth("XOAUTH2", lambda challenge=None: xoauth2(user, secret))
        else:
            connection.user, connection.password = user, secret
            code, text = connection.auth("LOGIN", connection.auth_login, initial_response_ok=False)
        return _reply(code, text)

    def check(self, pop, credential):
        """Log in to POP3 with the settings, fetch and delete what waits (a printer prints it).
        `credential`: ("XOAUTH2", user, token), ("PLAIN", user, password) or ("APOP", user, password)."""
        try:
            address, port = self._network.route(pop["server"], pop["port"])
            if pop["ssl"]:
                connection = poplib.POP3_SSL(address, port, timeout=20, context=self._tls())
            else:
                connection = poplib.POP3(address, port, timeout=20)
            try:
                reply = _pop_login(connection, credential)
                count = connection.stat()[0]
                for number in range(1, count + 1):
                    connection.retr(number)
                    connection.dele(number)
                connection.quit()
            finally:
                connection.close()
            return {"reply": reply, "messages": count}
        except poplib.error_proto as error:
            text = error.args[0]
            return {"error": AUTHENTICATION_FAILED, "reply": text.decode("utf-8", "replace") if isinstance(text, bytes) else text}
        except (ServerNotFound, OSError) as error:
            return _network_failure(error)

    def _tls(self):
        if self._context is None:
            raise ssl.SSLError("no trusted certificate authority")
        return self._context


def _pop_login(connection, credential):
    mechanism, user, secret = credential
    if mechanism == "XOAUTH2":
        connection._shortcmd("AUTH XOAUTH2")   # poplib has no AUTH (RFC 5034): the two steps by hand
        answer = connection._shortcmd(base64.b64encode(xoauth2(user, secret).encode("utf-8")).decode("ascii"))
    elif mechanism == "APOP":
        answer = connection.apop(user, secret)
    else:
        connection.user(user)
        answer = connection.pass_(secret)
    return answer.decode("utf-8", "replace")


def _send(connection, message):
    sender, recipient = message["From"], message["To"]
    for code, text in (connection.mail(sender), connection.rcpt(recipient)):
        if code >= 400:
            raise smtplib.SMTPResponseException(code, text)
    code, text = connection.data(message.as_bytes())
    if code >= 400:
        raise smtplib.SMTPResponseException(code, text)
    return _reply(code, text)


def _reply(code, text):
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"


def _failed(error, code, text):
    return {"error": error, "reply": _reply(code, text)}


def _network_failure(error):
    return {"error": SERVER_NOT_FOUND if isinstance(error, ServerNotFound) else CONNECTION_FAILED,
            "reply": str(error) or type(error).__name__}
