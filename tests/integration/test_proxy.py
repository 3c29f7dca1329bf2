"""Proxies from the environment of ansible-playbook, end to end: the audit of a lab printer goes
through an HTTPS (CONNECT) proxy on loopback unless no_proxy names the printer's network.

    .venv/bin/python -m pytest -q tests/integration/test_proxy.py
"""

import select
import socket
import socketserver
import subprocess
import threading

import pytest
import yaml

from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_targets import BIN, environment, fleet_document

PRINTER = "mfp-en-bp"


class ConnectProxy(socketserver.ThreadingTCPServer):
    """A forward proxy that only tunnels (CONNECT), and notes each tunnel's destination."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), TunnelHandler)
        self.tunnels = []
        self.url = "http://127.0.0.1:%d" % self.server_address[1]


class TunnelHandler(socketserver.StreamRequestHandler):

    def handle(self):
        request = self.rfile.readline().decode("latin-1").split()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass   # the request's headers
        if len(request) != 3 or request[0] != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, port = request[1].rsplit(":", 1)
        self.server.tunnels.append(request[1])
        with socket.create_connection((host, int(port)), timeout=30) as upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            client = self.connection
            while True:
                ready = select.select([client, upstream], [], [], 30)[0]
                if not ready:
                    return
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)


@pytest.fixture
def proxy():
    server = ConnectProxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("no_proxy, tunnelled", [("", True), ("127.0.0.0/8", False)])
def test_the_audit_goes_through_the_environment_proxy_unless_no_proxy_names_the_printer(
        tmp_path, proxy, no_proxy, tunnelled):
    fleet = parse_fleet(fleet_document())
    printer = next(device for device in fleet.devices if device["name"] == PRINTER)
    playbook = tmp_path / "audit.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": PRINTER, "gather_facts": False,
        "tasks": [{"printfleet.mfp.mfp_oauth_token": {"state": "query"}, "register": "audit"},
                  {"ansible.builtin.assert": {"that": ["audit.ansible_facts.mfp_oauth.smtp.state == 'not_obtained'"]}}],
    }]), encoding="utf-8")
    env = environment(tmp_path)
    env.pop("NO_PROXY")
    env.update(https_proxy=proxy.url, no_proxy=no_proxy)
    with LabThread(fleet, tmp_path / "lab") as lab:
        run = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(lab.lab.inventory_path), str(playbook)],
                             cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]
    expected = ["%s:%d" % (printer["address"], printer["port"])] if tunnelled else []
    assert proxy.tunnels == expected
