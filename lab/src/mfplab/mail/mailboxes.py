"""The lab's mailboxes: what reached them over SMTP, kept in the mail store and read by the control
API and by POP3. No credential is ever stored: a message records how its sender authenticated."""

import email.parser
import email.policy
import time
import uuid

KEPT_PER_MAILBOX = 100   # the oldest go first: a lab that runs for days stays small


class Mailboxes:
    def __init__(self, state, save):
        self._state = state
        self._save = save

    def deliver(self, recipients, sender, data, authenticated_as, method):
        """Store a message for every recipient (case-insensitive mailbox names)."""
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(data)
        for recipient in recipients:
            box = self._state["mailboxes"].setdefault(recipient.lower(), [])
            box.append({
                "id": uuid.uuid4().hex, "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "from": sender, "to": recipient, "subject": str(headers.get("Subject", "")),
                "authenticated_as": authenticated_as, "method": method, "size": len(data),
                "data": data.decode("utf-8", "replace"),
            })
            del box[:-KEPT_PER_MAILBOX]
        self._save()

    def messages(self, mailbox):
        return list(self._state["mailboxes"].get(mailbox.lower(), []))

    def delete(self, mailbox, ids):
        box = self._state["mailboxes"].get(mailbox.lower(), [])
        box[:] = [message for message in box if message["id"] not in ids]
        self._save()

    def summary(self):
        return {mailbox: len(messages) for mailbox, messages in sorted(self._state["mailboxes"].items())}
