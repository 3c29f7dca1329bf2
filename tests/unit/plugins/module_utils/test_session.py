# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Login, retries and the errors a person must be able to act on."""

from __future__ import annotations

import requests

LOGIN = ('POST', '/login.html')


def logins(device):
    return [request for request in device.requests if request == LOGIN]


def recorded(device, what):
    """A list that gets `what(request, kwargs)` of every request the device is sent from now on."""
    seen = []
    original = device.send

    def record(request, **kwargs):
        seen.append(what(request, kwargs))
        return original(request, **kwargs)

    device.send = record
    return seen


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
    device.faults = [503, requests.exceptions.ConnectionError('reset'), requests.exceptions.ReadTimeout('slow')]
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed'), result
    assert device.clock.sleeps == [0.5, 1.0, 2.0]


def test_unreachable_device_after_the_retries(device, task):
    device.faults = [requests.exceptions.ConnectionError('Connection refused')] * 3
    result = task('mfp_oauth_token', state='query', mfp_retries=2)
    assert result['failed']
    assert result['msg'].startswith('Cannot reach the device at https://mfp.example.test:443')
    assert 'Connection refused' in result['msg']
    assert result['unreachable'] is True
    assert len(device.requests) == 3


def test_a_device_that_stops_answering_is_not_unreachable(device, task):
    # The login page came back, so the device was reached: losing it later is a failure.
    original = device.send

    def drop_after_login(request, **kwargs):
        if request.path_url == '/nw_service_smtp.html':
            device.requests.append(('GET', '/nw_service_smtp.html'))
            raise requests.exceptions.ConnectionError('Connection reset by peer')
        return original(request, **kwargs)

    device.send = drop_after_login
    result = task('mfp_oauth_token', state='query', mfp_retries=1)
    assert result['failed'] and 'unreachable' not in result
    assert 'stopped answering' in result['msg'] and 'Connection reset by peer' in result['msg']


def test_form_posts_are_never_retried(device, task):
    # The login form is fetched, then posting it meets a dropped connection.
    original = device.send

    def drop_posts(request, **kwargs):
        if request.method == 'POST':
            device.requests.append((request.method, '/login.html'))
            raise requests.exceptions.ConnectionError('reset by peer')
        return original(request, **kwargs)

    device.send = drop_posts
    result = task('mfp_oauth_token', state='query', mfp_retries=3)
    assert result['failed'] and 'reset by peer' in result['msg']
    assert 'unreachable' not in result
    assert len(logins(device)) == 1


def test_tls_failure_says_how_to_give_the_ca(device, task):
    device.faults = [requests.exceptions.SSLError('certificate verify failed: self-signed certificate')]
    result = task('mfp_oauth_token', state='query')
    assert result['failed']
    assert 'TLS verification' in result['msg'] and 'mfp_ca_path' in result['msg']
    assert 'unreachable' not in result
    assert len(device.requests) == 1


def test_ca_path_is_used_even_with_requests_ca_bundle(device, task, monkeypatch, tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('dummy')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    seen = recorded(device, lambda request, kwargs: kwargs['verify'])
    task('mfp_oauth_token', state='query', mfp_ca_path=str(ca))
    assert seen and set(seen) == {str(ca)}


def test_environment_is_honoured_without_mfp_ca_path(device, task, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example:3128')
    seen = recorded(device, lambda request, kwargs: (kwargs['verify'], kwargs['proxies'].get('https')))
    task('mfp_oauth_token', state='query')
    assert set(seen) == {('/etc/ssl/certs/ca-certificates.crt', 'http://proxy.example:3128')}


def test_validate_certs_false_is_honoured(device, task):
    seen = recorded(device, lambda request, kwargs: kwargs['verify'])
    task('mfp_oauth_token', state='query', mfp_validate_certs=False)
    assert set(seen) == {False}


def test_http_only_when_chosen(device, task):
    urls = recorded(device, lambda request, kwargs: request.url)
    assert 'failed' not in task('mfp_oauth_token', state='query', mfp_protocol='http', mfp_port=8080)
    assert urls and all(url.startswith('http://mfp.example.test:8080/') for url in urls)
    del urls[:]
    task('mfp_oauth_token', state='query')
    assert urls and all(url.startswith('https://mfp.example.test:443/') for url in urls)


def test_logs_out_after_a_failure(device, task):
    device.lang = 'en'
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
    assert device.requests[-1] == ('GET', '/logout.html')
    assert not device.logged_in


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
    assert device.requests == [('GET', '/login.html'), ('POST', '/login.html'), ('GET', '/nw_service_smtp.html'),
                               ('GET', '/sys_email_status_special.html'), ('GET', '/logout.html')]
