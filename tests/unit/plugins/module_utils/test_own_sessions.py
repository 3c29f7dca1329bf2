# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Our own session never blocks anyone: one a process of the collection left open is ended before
the next login, not waited for as if another administrator held it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.printfleet.mfp.plugins.module_utils import _own_sessions
from ansible_collections.printfleet.mfp.tests.unit.plugins.fake_device import SMTP
from ansible_collections.printfleet.mfp.tests.unit.plugins.module_utils.test_session import LOGIN, logins, reset

BASE_URL = 'https://mfp.example.test:443'


@pytest.fixture
def records(tmp_path):
    """The directory of the records (the device fixture points XDG_CACHE_HOME at tmp_path/cache)."""
    return tmp_path / 'cache' / 'printfleet.mfp' / 'sessions'


def left_open(device, task):
    """A task whose [Logout] fails on every try: the session stays open on the device."""
    device.post_faults = {'logoutbtn': [reset('Connection reset by peer')] * 4}
    result = task('mfp_oauth_token', state='query')
    assert device.logged_in and not device.post_faults['logoutbtn']
    return result


def record(device, pid):
    """A record of the device's current session, as a process with `pid` would have left it."""
    _own_sessions.remember(BASE_URL, None, {'MFPSESSIONID': device.session})
    path = _own_sessions._path(BASE_URL, None)
    with open(path) as kept:
        content = json.load(kept)
    with open(path, 'w') as kept:
        json.dump(dict(content, pid=pid), kept)


def finished_process():
    child = subprocess.Popen([sys.executable, '-c', ''])
    child.wait()
    return child.pid


def test_a_session_left_open_is_ended_before_the_next_login(device, task, records):
    first = left_open(device, task)
    assert first['warnings'] == [
        'Logging out of mfp.example.test failed (The device at https://mfp.example.test:443 stopped answering '
        '(POST /nw_service_smtp.html): Connection reset by peer; tried 4 times (mfp_retries 3), and its '
        'answer was lost after it was sent, so the device may have acted on it.); the next task on mfp.example.test '
        'ends that session before it logs in, else the device ends it when it times out.']
    assert device.session not in repr(first)   # the cookie never reaches output
    sent, slept = len(device.requests), len(device.clock.sleeps)
    second = task('mfp_oauth_token', state='query')
    assert not second.get('failed') and not second['warnings'], second
    # The page read with the kept cookie offers [Logout]; pressed, then the login, with no wait.
    assert device.requests[sent:sent + 4] == [('GET', SMTP), ('POST', SMTP), ('GET', '/login.html'), LOGIN]
    assert device.clock.sleeps[slept:] == []
    assert not device.logged_in and list(records.iterdir()) == []


def test_the_record_is_private_and_gone_after_a_clean_logout(device, task, records):
    left_open(device, task)
    [path] = records.iterdir()
    assert stat.S_IMODE(records.stat().st_mode) == 0o700 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert 'mfp.example.test' not in path.name
    task('mfp_oauth_token', state='query')
    assert list(records.iterdir()) == []


def test_a_session_of_a_process_that_died_is_ended(device, task):
    device.post_faults = {'logoutbtn': [reset('reset')]}
    task('mfp_oauth_token', state='query', mfp_retries=0)
    record(device, finished_process())   # as a worker killed while logged in leaves it
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed'), result
    assert device.clock.sleeps == []


def test_a_session_of_a_run_still_working_is_not_ours_to_end(device, task):
    device.post_faults = {'logoutbtn': [reset('reset')]}
    task('mfp_oauth_token', state='query', mfp_retries=0)
    held = device.session
    record(device, os.getppid())   # a process that runs: another roll-out working on the printer now
    result = task('mfp_oauth_token', state='query', mfp_busy_timeout=5)
    assert result['failed'] and result['msg'].startswith('Another administrator is logged in to mfp.example.test')
    assert device.session == held


def test_a_remembered_session_the_device_has_ended_is_forgotten(device, task, records):
    left_open(device, task)
    device.session = None   # ended by the idle timeout meanwhile
    sent = len(device.requests)
    assert not task('mfp_oauth_token', state='query').get('failed')
    assert device.requests[sent:sent + 2] == [('GET', SMTP), ('GET', '/login.html')]   # 302: nothing to end
    assert list(records.iterdir()) == []


def test_a_clean_logout_leaves_no_record_and_the_next_task_no_extra_request(device, task, records):
    task('mfp_oauth_token', state='query')
    assert list(records.iterdir()) == []   # though the logout's answer carried a new cookie
    task('mfp_oauth_token', state='query')
    assert logins(device) == [LOGIN, LOGIN] and len(device.requests) == 10


def test_an_unwritable_cache_only_loses_the_memory(device, task, monkeypatch, tmp_path):
    (tmp_path / 'file').write_text('')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'file'))   # no directory can be made there
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed') and not result['warnings'], result


def test_a_session_waited_for_is_ended_once_the_run_holding_it_has_ended(device, task):
    device.post_faults = {'logoutbtn': [reset('reset')]}
    task('mfp_oauth_token', state='query', mfp_retries=0)
    other_run = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])
    record(device, other_run.pid)
    original = device.wait

    def wait(seconds):   # the other run's worker ends (killed) while this login waits
        other_run.kill()
        other_run.wait()
        original(seconds)

    device.wait = wait
    try:
        result = task('mfp_oauth_token', state='query')
    finally:
        other_run.kill()
        other_run.wait()
    assert not result.get('failed'), result
    assert device.clock.sleeps == [5] and not device.logged_in
