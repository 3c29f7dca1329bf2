"""What Exchange Online answers, per protocol and outcome (docs/device-protocol.md says which are seen)."""

from . import authority

SMTP_HOSTNAME = "lab.outlook.office365.com"
SMTP_IDENT = "Microsoft ESMTP MAIL Service ready"
SMTP_AUTHENTICATED = "235 2.7.0 Authentication successful"
SMTP_AUTH_REFUSED = {
    authority.BAD_TOKEN: "535 5.7.3 Authentication unsuccessful",
    authority.BAD_CREDENTIALS: "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.",
    authority.BASIC_DISABLED: "550 5.7.30 Basic authentication is not supported for Client Submission",
    authority.MALFORMED: "501 5.5.124 Invalid XOAUTH2 auth data",
}
SMTP_NOT_AUTHENTICATED = "530 5.7.57 Client not authenticated to send mail."
SMTP_SENDER_OK = "250 2.1.0 Sender OK"
SMTP_QUEUED = "250 2.0.0 OK"

POP_GREETING = "+OK The Microsoft Exchange POP3 service is ready."
POP_AUTHENTICATED = "+OK User successfully authenticated."
POP_BASIC_REFUSED = "-ERR Logon failure: unknown user name or bad password."
POP_XOAUTH2_REFUSED = "-ERR Authentication failure: unknown user name or bad password."
