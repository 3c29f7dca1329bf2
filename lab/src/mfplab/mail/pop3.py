"""A small POP3 server (RFC 1939, with RFC 5034's AUTH for XOAUTH2) on implicit TLS.

No maintained asyncio POP3 server library exists (aiosmtpd is SMTP only), and a printer needs few
commands: USER/PASS, AUTH XOAUTH2, STAT, LIST, UIDL, RETR, DELE, NOOP, RSET, QUIT and CAPA.
"""

import asyncio

from . import authority as outcomes
from . import replies

LINE_LIMIT = 16384   # an XOAUTH2 line carries a whole access token
IDLE_SECONDS = 60
CAPABILITIES = ("TOP", "UIDL", "SASL PLAIN XOAUTH2", "USER")


class Pop3Session:
    def __init__(self, authority, mailboxes, reader, writer):
        self._authority = authority
        self._mailboxes = mailboxes
        self._reader = reader
        self._writer = writer
        self._user = None
        self.mailbox = None
        self._messages = []
        self._deleted = set()

    async def run(self):
        await self._send(replies.POP_GREETING)
        while True:
            line = await self._line()
            if line is None:
                return
            command, _space, argument = line.partition(" ")
            command = command.upper()
            if command == "QUIT":
                if self.mailbox is not None and self._deleted:
                    self._mailboxes.delete(self.mailbox, {self._messages[n]["id"] for n in self._deleted})
                await self._send("+OK Microsoft Exchange Server POP3 server signing off.")
                return
            handler = (self._authorization if self.mailbox is None else self._transaction).get(command)
            if handler is None:
                await self._send("-ERR Protocol error.")
            else:
                await handler(self, argument)

    async def _line(self):
        try:
            raw = await asyncio.wait_for(self._reader.readline(), IDLE_SECONDS)
        except (asyncio.TimeoutError, ValueError, ConnectionError):
            return None
        if not raw:
            return None
        return raw.decode("utf-8", "replace").rstrip("\r\n")

    async def _send(self, *lines):
        self._writer.write("".join(f"{line}\r\n" for line in lines).encode("utf-8"))
        await self._writer.drain()

    # AUTHORIZATION state

    async def _capa(self, _argument):
        await self._send("+OK", *CAPABILITIES, ".")

    async def _user_command(self, argument):
        self._user = argument
        await self._send("+OK")

    async def _pass(self, argument):
        if self._user is None:
            await self._send("-ERR Protocol error.")
            return
        outcome, mailbox = self._authority.basic(self._user, argument)
        if outcome != outcomes.OK:
            await self._send(replies.POP_BASIC_REFUSED)
            return
        await self._authenticated(mailbox)

    async def _auth(self, argument):
        mechanism, _space, initial = argument.partition(" ")
        if mechanism.upper() != "XOAUTH2":
            await self._send("-ERR Unrecognized authentication type.")
            return
        if not initial:
            await self._send("+ ")
            initial = await self._line() or ""
        outcome, mailbox = self._authority.xoauth2(outcomes.decode_base64(initial) or b"", outcomes.POP_SCOPE)
        if outcome != outcomes.OK:
            await self._send(replies.POP_XOAUTH2_REFUSED)
            return
        await self._authenticated(mailbox)

    async def _authenticated(self, mailbox):
        self.mailbox = mailbox
        self._messages = [dict(message, octets=_octets(message)) for message in self._mailboxes.messages(mailbox)]
        await self._send(replies.POP_AUTHENTICATED)

    # TRANSACTION state

    def _live(self):
        return [(n + 1, message) for n, message in enumerate(self._messages) if n not in self._deleted]

    def _message(self, argument):
        """(index, message) a message number names, or None."""
        if argument.isdigit() and 0 < int(argument) <= len(self._messages) and int(argument) - 1 not in self._deleted:
            return int(argument) - 1, self._messages[int(argument) - 1]
        return None

    async def _stat(self, _argument):
        live = self._live()
        await self._send(f"+OK {len(live)} {sum(message['octets'] for _n, message in live)}")

    async def _list(self, argument):
        await self._listing(argument, lambda message: message["octets"])

    async def _uidl(self, argument):
        await self._listing(argument, lambda message: message["id"])

    async def _listing(self, argument, value):
        if argument:
            found = self._message(argument)
            if found is None:
                await self._send("-ERR No such message.")
            else:
                await self._send(f"+OK {found[0] + 1} {value(found[1])}")
            return
        await self._send("+OK", *(f"{n} {value(message)}" for n, message in self._live()), ".")

    async def _retr(self, argument):
        found = self._message(argument)
        if found is None:
            await self._send("-ERR No such message.")
            return
        lines = found[1]["data"].replace("\r\n", "\n").split("\n")
        # Byte-stuffing (RFC 1939): a line starting with "." gets another.
        await self._send("+OK", *("." + line if line.startswith(".") else line for line in lines), ".")

    async def _dele(self, argument):
        found = self._message(argument)
        if found is None:
            await self._send("-ERR No such message.")
            return
        self._deleted.add(found[0])
        await self._send("+OK")

    async def _noop(self, _argument):
        await self._send("+OK")

    async def _rset(self, _argument):
        self._deleted.clear()
        await self._send("+OK")

    _authorization = {"CAPA": _capa, "USER": _user_command, "PASS": _pass, "AUTH": _auth}
    _transaction = {"CAPA": _capa, "STAT": _stat, "LIST": _list, "UIDL": _uidl, "RETR": _retr, "DELE": _dele,
                    "NOOP": _noop, "RSET": _rset}


def _octets(message):
    return len(message["data"].replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))


async def serve_pop3(authority, mailboxes, address, port, tls_context):
    """A POP3 server on the running loop, TLS from the first byte (995's way)."""
    async def session(reader, writer):
        try:
            await Pop3Session(authority, mailboxes, reader, writer).run()
        except ConnectionError:
            pass
        finally:
            writer.close()

    return await asyncio.start_server(session, address, port, ssl=tls_context, limit=LINE_LIMIT,
                                      reuse_address=True)
