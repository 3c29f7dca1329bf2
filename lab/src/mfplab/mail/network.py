"""The devices' view of the network: the fleet's mail server names lead to the lab's mail address,
and the well-known mail ports to the lab servers' ports. Anything else does not exist."""

SUBMISSION_PORTS = (587, 25)   # STARTTLS
IMPLICIT_TLS_PORT = 465
POP3S_PORT = 995


class ServerNotFound(OSError):
    """The name does not resolve (a typo in the server name)."""


class MailNetwork:
    def __init__(self, names, address, ports):
        self.names = {name.lower() for name in names}
        self.address = address
        self._ports = dict(ports)   # a device's configured port -> the lab server's port

    def route(self, server, port):
        """(address, port) a device reaches for `server`:`port`; ServerNotFound or ConnectionRefusedError."""
        if server.lower() not in self.names and server != self.address:
            raise ServerNotFound(f"{server or '(no server)'}: name or service not known")
        if port not in self._ports:
            raise ConnectionRefusedError(f"{server}:{port}: connection refused")
        return self.address, self._ports[port]


NO_NETWORK = MailNetwork((), None, {})
