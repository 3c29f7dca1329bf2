# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Login, retries and the errors a person must be able to act on."""

from __future__ import annotations

import datetime
import pathlib
import ssl
import urllib.parse

import pytest
import urllib3
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from urllib3.connection import HTTPSConnection
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError, SSLError

from ansible_collections.printfleet.mfp.plugins.module_utils import _session, _version

LOGIN = ('POST', '/login.html')


def logins(device):
    return [request for request in device.requests if request == LOGIN]


def recorded(device, what):
    """A list that gets `what(request)` of every request the device is sent from now on."""
    seen = []
    original = device.send

    def record(request, **kwargs):
        seen.append(what(request))
        return original(request, **kwargs)

    device.send = record
    return seen


def reset(message):
    return ProtocolError('Connection aborted.', ConnectionResetError(message))


def refused():
    connection = HTTPSConnection('mfp.example.test', 443)   # named before the message, as urllib3 does
    return NewConnectionError(connection, 'Failed to establish a new connection: [Errno 111] Connection refused')


def verifies(tls):
    """Certificate and host name checked: urllib3 2 has the context check the name; 1.26 turns that off
    in the contexts it makes and matches the name itself after the handshake."""
    checks_name = tls.check_hostname or urllib3.__version__.startswith('1.')
    return tls.verify_mode == ssl.CERT_REQUIRED and checks_name


def ca_certificate(path, common_name):
    """A self-signed CA certificate in PEM at `path`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def test_wrong_password_is_one_failed_login_and_no_retry(device, task):
    result = task('mfp_oauth_token', state='query', mfp_admin_password='wrong', mfp_retries=5)
    assert result['failed']
    assert 'refused the admin password' in result['msg']
    assert 'wrong' not in result['msg']
    assert device.failed_logins == 1
    assert len(logins(device)) == 1


def test_locked_device(device, task):
    device.failed_logins = device.lockout_attempts
    result = task('mfp_oauth_token', state='query')
    assert result['failed']
    assert 'locked after repeated failed attempts' in result['msg']
    assert len(logins(device)) == 1


def test_another_administrator_is_waited_for(device, task):
    device.busy_logins = 2
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed'), result
    assert len(logins(device)) == 3
    assert device.clock.sleeps == [5, 5]
    assert device.failed_logins == 0


def test_another_administrator_beyond_the_busy_timeout(device, task):
    device.busy_logins = 100
    result = task('mfp_oauth_token', state='query', mfp_busy_timeout=12)
    assert result['failed']
    assert 'Another administrator is logged in' in result['msg'] and '12 s' in result['msg']
    assert len(logins(device)) == 4  # at 0, 5, 10 and 15 s
    assert device.failed_logins == 0


def test_swedish_login_messages_are_understood(device, task):
    device.lang = 'sv'
    result = task('mfp_oauth_token', state='query', mfp_admin_password='wrong')
    assert 'refused the admin password' in result['msg']


def test_page_reads_are_retried_with_back_off(device, task):
    device.faults = [503, reset('reset'), ReadTimeoutError(None, '/nw_service_smtp.html', 'Read timed out.')]
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed'), result
    assert device.clock.sleeps == [0.5, 1.0, 2.0]


def test_a_page_read_answered_503_on_every_try_says_so_and_what_to_do(device, task):
    device.faults = [503] * 3
    result = task('mfp_oauth_token', state='query', mfp_retries=2)
    assert result['failed'] and 'unreachable' not in result
    assert result['msg'].startswith('mfp.example.test answered GET /login.html with HTTP 503 on each of 3 tries '
                                    '(mfp_retries 2)')
    assert 'this read changed nothing' in result['msg'] and 'Run the task again' in result['msg']
    assert len(device.requests) == 3


def test_every_request_names_the_collection_as_its_user_agent(device, task):
    agents = recorded(device, lambda request: request.headers.get('User-Agent'))
    assert not task('mfp_oauth_token', state='query').get('failed')
    assert agents and set(agents) == {'printfleet.mfp/%s' % _version.COLLECTION_VERSION}


def test_the_user_agent_names_the_version_of_galaxy_yml():
    galaxy = yaml.safe_load((pathlib.Path(__file__).parents[4] / 'galaxy.yml').read_text(encoding='utf-8'))
    assert _version.COLLECTION_VERSION == galaxy['version']


def test_unreachable_device_after_the_retries(device, task):
    device.faults = [refused()] * 3
    result = task('mfp_oauth_token', state='query', mfp_retries=2)
    assert result['failed']
    assert result['msg'].startswith('Cannot reach the device at https://mfp.example.test:443')
    assert result['msg'].endswith('(GET /login.html): Failed to establish a new connection: [Errno 111] Connection refused')
    assert result['unreachable'] is True
    assert len(device.requests) == 3


def test_urllib3_1_26_messages_read_alike(device, task):
    class Connection:   # how urllib3 1.26 names the connection before its message
        def __str__(self):
            return '<urllib3.connection.HTTPSConnection object at 0x7f8a4c223f50>'

    device.faults = [NewConnectionError(Connection(), 'Failed to establish a new connection: [Errno 111] Connection refused')]
    result = task('mfp_oauth_token', state='query', mfp_retries=0)
    assert result['msg'] == ('Cannot reach the device at https://mfp.example.test:443 (GET /login.html): '
                             'Failed to establish a new connection: [Errno 111] Connection refused')


def test_a_device_that_stops_answering_is_not_unreachable(device, task):
    # The login page came back, so the device was reached: losing it later is a failure.
    original = device.send

    def drop_after_login(request, **kwargs):
        if urllib.parse.urlsplit(request.url).path == '/nw_service_smtp.html':
            device.requests.append(('GET', '/nw_service_smtp.html'))
            raise reset('Connection reset by peer')
        return original(request, **kwargs)

    device.send = drop_after_login
    result = task('mfp_oauth_token', state='query', mfp_retries=1)
    assert result['failed'] and 'unreachable' not in result
    assert 'stopped answering' in result['msg'] and 'Connection reset by peer' in result['msg']


@pytest.mark.parametrize('module, args', [('mfp_smtp', dict(port=25)), ('mfp_oauth_token', dict(state='absent'))])
def test_a_session_that_ends_before_a_post_says_so(device, task, module, args):
    device.set_token('obtained', 'scan@contoso.example')
    original = device.send

    def session_times_out(request, **kwargs):
        if request.method == 'POST' and '/login.html' not in request.url:
            device.session = None
        return original(request, **kwargs)

    device.send = session_times_out
    result = task(module, **args)
    assert result['failed']
    assert result['msg'].startswith('mfp.example.test redirected POST /nw_service_smtp.html to /login.html')
    assert 'the admin session ended' in result['msg']
    assert device.token['state'] == 'obtained'


def test_tls_failure_says_how_to_give_the_ca(device, task):
    device.faults = [SSLError(ssl.SSLCertVerificationError('certificate verify failed: self-signed certificate'))]
    result = task('mfp_oauth_token', state='query')
    assert result['failed']
    assert 'TLS verification' in result['msg'] and 'mfp_ca_path' in result['msg']
    assert 'unreachable' not in result
    assert len(device.requests) == 1


@pytest.mark.parametrize('reason, advice', [
    ('certificate verify failed: certificate has expired (_ssl.c:1006)',
     'The device certificate has expired; nothing was sent to the device. Install a renewed certificate'),
    ('certificate verify failed: self-signed certificate (_ssl.c:1006)',
     'The device presents a certificate it signed itself, as after a factory reset'),
    ('certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)',
     'Give the CA certificate that signed the device certificate with mfp_ca_path'),
])
def test_a_tls_failure_names_its_cause_and_fix(device, task, reason, advice):
    device.faults = [SSLError(ssl.SSLCertVerificationError(reason))]
    result = task('mfp_smtp', port=25)
    assert result['failed'] and advice in result['msg'], result['msg']
    assert device.requests == [('GET', '/login.html')] and not device.posts


@pytest.mark.parametrize('reason', ['EOF occurred in violation of protocol (_ssl.c:1006)',
                                    '[Errno 104] Connection reset by peer'])
def test_a_connection_dropped_in_the_tls_handshake_is_retried_not_a_certificate_to_fix(device, task, reason):
    # A printer out of connection slots resets the connection as the handshake ends: nothing was sent.
    device.faults = [SSLError(ssl.SSLError(reason))]
    result = task('mfp_smtp', port=25)
    assert 'failed' not in result, result
    assert result['changed'] and device.settings['smtp']['port'] in (25, '25')


def test_ca_path_is_the_only_trust_even_with_a_ca_bundle_in_the_environment(device, task, monkeypatch, tmp_path):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    monkeypatch.setenv('SSL_CERT_FILE', '/etc/ssl/certs/ca-certificates.crt')
    ca = ca_certificate(tmp_path / 'ca.pem', 'Printer Fleet CA')
    assert 'failed' not in task('mfp_oauth_token', state='query', mfp_ca_path=str(ca))
    [(proxy, tls, timeout)] = device.connections
    assert verifies(tls)
    assert [dict(field[0] for field in ca['subject']) for ca in tls.get_ca_certs()] == [{'commonName': 'Printer Fleet CA'}]


def test_a_ca_path_without_a_certificate_fails_before_any_request(device, task, tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('not a certificate')
    result = task('mfp_oauth_token', state='query', mfp_ca_path=str(ca))
    assert result['failed'] and result['msg'].startswith('mfp_ca_path %s holds no CA certificate in PEM format' % ca)
    assert device.requests == []


def test_the_system_trust_store_without_mfp_ca_path(device, task, monkeypatch):
    loaded = []
    monkeypatch.setattr(ssl.SSLContext, 'load_default_certs', lambda context, *purpose: loaded.append(context))
    assert 'failed' not in task('mfp_oauth_token', state='query', mfp_timeout=7)
    [(proxy, tls, timeout)] = device.connections
    assert loaded == [tls] and verifies(tls)
    assert (proxy, timeout) == (None, 7)


def test_validate_certs_false_is_honoured(device, task):
    assert 'failed' not in task('mfp_oauth_token', state='query', mfp_validate_certs=False)
    [(proxy, tls, timeout)] = device.connections
    assert tls.verify_mode == ssl.CERT_NONE and not tls.check_hostname


@pytest.mark.parametrize('host, proxy', [
    ('10.20.1.21', None), ('192.0.2.5', 'http://proxy.example:3128'), ('2001:db8::10', None),
    ('mfp-01.printers.internal', None), ('mfp-01.example', 'http://proxy.example:3128'),
])
def test_no_proxy_takes_names_domains_and_networks(monkeypatch, host, proxy):
    monkeypatch.setattr(_session, 'ENVIRONMENT_PROXIES', {
        'https': 'proxy.example:3128', 'no': 'printers.internal, 10.0.0.0/8,2001:db8::/32'})
    assert _session.proxy_for('https', host) == proxy


def test_environment_proxy_and_no_proxy(device, task, monkeypatch):
    monkeypatch.setattr(_session, 'ENVIRONMENT_PROXIES', {'https': 'proxy.example:3128', 'no': 'printers.internal'})
    task('mfp_oauth_token', state='query')
    device.host = 'mfp-01.printers.internal'
    task('mfp_oauth_token', state='query', mfp_host=device.host)
    assert [proxy for proxy, tls, timeout in device.connections] == ['http://proxy.example:3128', None]


def test_http_only_when_chosen(device, task):
    urls = recorded(device, lambda request: request.url)
    assert 'failed' not in task('mfp_oauth_token', state='query', mfp_protocol='http', mfp_port=8080)
    assert urls and all(url.startswith('http://mfp.example.test:8080/') for url in urls)
    assert device.connections[-1][1] is None  # no TLS at all
    del urls[:]
    task('mfp_oauth_token', state='query')
    assert urls and all(url.startswith('https://mfp.example.test:443/') for url in urls)


def test_a_failed_task_keeps_the_warning_of_a_failed_logout(device, task):
    device.set_token('obtained', 'someone@contoso.example')
    original = device.send

    def refuse_and_drop_logout(request, **kwargs):
        if 'action=logoutbtn' in (request.body or ''):
            device.requests.append(('POST', '[Logout(L)]'))
            raise reset('Connection reset by peer')
        return original(request, **kwargs)

    device.send = refuse_and_drop_logout
    result = task('mfp_oauth_token', state='present', provider='microsoft', account='scan@contoso.example',
                  wait=True, wait_timeout=1, poll_interval=1)
    assert result['failed']
    assert [warning for warning in result['warnings'] if warning.startswith('Logging out of mfp.example.test failed')]


def test_logs_out_after_a_failure(device, task):
    device.labelled = False   # unlabelled fields: the profile's names are all there is to go by
    result = task('mfp_smtp', port=25, mfp_profile='mx_classic', mfp_admin_user='admin')
    assert result['failed']
    assert 'does not match profile mx_classic' in result['msg']
    assert not device.logged_in


def test_session_ends_when_the_page_fails(device, task, monkeypatch):
    from ansible_collections.printfleet.mfp.tests.unit.plugins import fake_device
    monkeypatch.setitem(fake_device.TEXT['en']['states'], 'obtained', 'Got It')
    device.set_token('obtained', 'scan@contoso.example')
    result = task('mfp_oauth_token', state='query')
    assert result['failed']
    assert "Unknown token status label 'Got It'" in result['msg']
    assert device.requests[-1] == ('POST', '/nw_service_smtp.html')   # [Logout(L)] on the page read
    assert not device.logged_in


@pytest.mark.parametrize('profile, model', [('bp_classic', 'BP-C542WD'), ('mx_classic', 'MX-4071')])
def test_the_model_in_the_title_alone_is_enough(device, task, profile, model):
    device.profile, device.model, device.model_in_header = profile, model, False
    result = task('mfp_oauth_token', state='query', mfp_admin_user='admin')
    assert 'failed' not in result, result
    assert logins(device) == [LOGIN]


def test_unknown_model(device, task):
    device.model = 'XY-1000'
    result = task('mfp_oauth_token', state='query')
    assert result['failed']
    assert "No profile covers the model 'XY-1000'" in result['msg'] and 'mfp_profile' in result['msg']
    assert logins(device) == []


def test_mx_classic_needs_a_login_name(device, task):
    device.profile = 'mx_classic'
    device.model = 'MX-4071'
    result = task('mfp_oauth_token', state='query')
    assert result['failed']
    assert 'set mfp_admin_user' in result['msg']
    assert logins(device) == []


def test_audit_costs_five_requests(device, task):
    task('mfp_oauth_token', state='query')
    # The logout is [Logout(L)] on the last page read: its form, posted with action=logoutbtn.
    assert device.requests == [('GET', '/login.html'), ('POST', '/login.html'), ('GET', '/nw_service_smtp.html'),
                               ('GET', '/sys_email_status_special.html'), ('POST', '/sys_email_status_special.html')]
    assert device.posts[-1][1]['action'] == 'logoutbtn' and not device.logged_in


def test_a_refused_password_is_not_tried_again_in_the_same_run(device, task):
    first = task('mfp_oauth_token', state='query', mfp_admin_password='wrong')
    assert 'refused the admin password' in first['msg']
    sent = len(device.requests)
    # Ansible's retries/until and loop items run in the same worker process.
    for attempt in range(4):
        again = task('mfp_oauth_token', state='query', mfp_admin_password='wrong')
        assert again['failed'] and again['msg'] == (
            'Login to mfp.example.test not tried: the device refused this admin password on an earlier attempt in '
            'this run (a retry or loop of the task), and each failed login counts towards its lockout. '
            'Check mfp_admin_password.')
    assert len(device.requests) == sent and device.failed_logins == 1
    assert 'failed' not in task('mfp_oauth_token', state='query')
