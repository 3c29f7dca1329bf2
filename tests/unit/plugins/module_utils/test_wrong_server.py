# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A task pointed at the wrong server, over real sockets on loopback: the message names the fix."""

from __future__ import annotations

import datetime
import http.server
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import module_kwargs
from ansible_collections.printfleet.mfp.plugins.module_utils._runner import run


class NotAPrinter(http.server.BaseHTTPRequestHandler):
    """A web server without a printer's pages: 404 for everything."""

    def do_GET(self):
        self.send_error(404)

    def log_message(self, *args):
        pass


def self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    (tmp_path / 'cert.pem').write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / 'key.pem').write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    return tmp_path / 'cert.pem', tmp_path / 'key.pem'


@pytest.fixture
def serve(tmp_path):
    """Starts a non-printer web server on loopback, speaking plain HTTP or HTTPS."""
    servers = []

    def start(scheme):
        httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), NotAPrinter)
        if scheme == 'https':
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self_signed(tmp_path))
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return httpd.server_address[1]

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def query(port, protocol):
    args = dict(state='query', mfp_host='127.0.0.1', mfp_port=port, mfp_protocol=protocol,
                mfp_admin_password='Admin-Secret-1', mfp_validate_certs=False, mfp_retries=0, mfp_timeout=5)
    params = ArgumentSpecValidator(**module_kwargs('mfp_oauth_token')).validate(args).validated_parameters
    return run('mfp_oauth_token', params, False, False)


def test_https_to_a_plain_http_server_says_to_use_http(serve):
    result = query(serve('http'), 'https')
    assert result['failed']
    assert 'did not answer in TLS' in result['msg'] and 'Set mfp_protocol: http' in result['msg']
    assert 'validate_certs' not in result['msg']


def test_http_to_an_https_server_says_to_use_https(serve):
    result = query(serve('https'), 'http')
    assert result['failed']
    assert result['msg'].endswith('if it serves HTTPS on that port, set mfp_protocol: https.'), result['msg']


@pytest.mark.parametrize('scheme', ['http', 'https'])
def test_a_web_server_that_is_not_a_printer(serve, scheme):
    port = serve(scheme)
    result = query(port, scheme)
    assert result['failed']
    assert result['msg'] == ('127.0.0.1 has no login page /login.html (HTTP 404): %s://127.0.0.1:%d is not a printer web '
                             'UI this collection supports. Check mfp_host, mfp_port and mfp_protocol, and that the '
                             'model is a supported one.' % (scheme, port))
