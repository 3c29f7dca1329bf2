"""The lab's mail servers on one loopback address: SMTP with STARTTLS, SMTP with implicit TLS and
POP3 with implicit TLS, their mailboxes and the tenants' basic authentication switches."""

from .authority import MailAuthority
from .mailboxes import Mailboxes
from .network import IMPLICIT_TLS_PORT, POP3S_PORT, SUBMISSION_PORTS, MailNetwork
from .pop3 import serve_pop3
from .smtp import SubmissionHandler, serve_submission

SERVERS = ("submission_port", "implicit_tls_port", "pop3_port")


class MailServers:
    """`config` is the fleet's `mail:` section; `store` keeps mailboxes and switches across restarts."""

    def __init__(self, config, idp, ca, store):
        self.config = config
        self._ca = ca
        self._store = store
        state = store.load(None)
        if state is None:   # the fleet file's switches count once; from then on the store rules
            disabled = [idp.directory.tenant(reference).id for reference in config["basic_auth_disabled"]]
            state = {"mailboxes": {}, "basic_auth_disabled": sorted(disabled)}
            store.save(state)
        self.authority = MailAuthority(idp, state, lambda: store.save(state))
        self.mailboxes = Mailboxes(state, lambda: store.save(state))
        self.ports = {}
        self._servers = []

    async def start(self):
        address = self.config["address"]
        context = self._ca.server_context(address)
        handler = SubmissionHandler(self.authority, self.mailboxes)
        started = {
            "submission_port": await serve_submission(handler, address, self.config["submission_port"], context, False),
            "implicit_tls_port": await serve_submission(handler, address, self.config["implicit_tls_port"], context,
                                                        True),
            "pop3_port": await serve_pop3(self.authority, self.mailboxes, address, self.config["pop3_port"], context),
        }
        for key, server in started.items():
            self._servers.append(server)
            self.ports[key] = server.sockets[0].getsockname()[1]   # port 0 in the fleet file: any free one

    async def stop(self):
        for server in self._servers:
            server.close()
        self._servers.clear()

    def network(self):
        """Where the devices' configured server names and ports lead."""
        ports = {port: self.ports["submission_port"] for port in SUBMISSION_PORTS}
        ports[IMPLICIT_TLS_PORT] = self.ports["implicit_tls_port"]
        ports[POP3S_PORT] = self.ports["pop3_port"]
        return MailNetwork(self.config["server_names"], self.config["address"], ports)

    def ground_truth(self):
        return {"address": self.config["address"], **self.ports, "server_names": list(self.config["server_names"]),
                "tenants": self.authority.tenants(), "mailboxes": self.mailboxes.summary()}
