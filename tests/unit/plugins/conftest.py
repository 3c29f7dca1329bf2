# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import contextlib
import json
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.printfleet.mfp.plugins.module_utils import _session
from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import module_kwargs
from ansible_collections.printfleet.mfp.plugins.module_utils._runner import run
from ansible_collections.printfleet.mfp.tests.unit.plugins.fake_device import FakeDevice

ADMIN_PASSWORD = 'Admin-Secret-1'

try:
    from ansible.module_utils import testing
    patch_module_args = testing.patch_module_args
except ImportError:  # ansible-core 2.18 has no testing helper: modules read their arguments from basic._ANSIBLE_ARGS
    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()):
            yield


class Clock:
    """Time for the session: sleeping lets the device's world move on, instantly."""

    def __init__(self, device):
        self.device = device
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        self.device.wait(seconds)

    def clock(self):
        return self.now


@pytest.fixture
def device(monkeypatch, tmp_path):
    """The device every task of the test talks to (bp_classic, English UI)."""
    fake = FakeDevice()
    clock = Clock(fake)
    # The sessions the collection remembers across its processes (_own_sessions): the test's own.
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))

    monkeypatch.setattr(_session, 'new_http', fake.connect)
    # Each test is a run of its own: no login refused by an earlier test's device is remembered.
    monkeypatch.setattr(_session, 'REFUSED_LOGINS', set())
    monkeypatch.setattr(_session.Session, 'sleep', staticmethod(clock.sleep))
    monkeypatch.setattr(_session.Session, 'clock', staticmethod(clock.clock))
    fake.clock = clock
    return fake


@pytest.fixture
def oauth_device(device):
    """The device with both pages on OAuth 2.0 for the scan mailbox at Microsoft, no token yet."""
    device.settings['smtp']['auth_method'] = 'oauth2'
    device.settings['pop']['auth_method'] = 'oauth2'
    device.settings['oauth'] = {'provider': 'microsoft', 'account': 'scan@contoso.example'}
    return device


@pytest.fixture
def task(device):
    """Run a module as its action plugin does: same spec, same validation, same entry point."""
    def run_task(name, check_mode=False, diff=True, planned=None, **args):
        args.setdefault('mfp_host', device.host)
        args.setdefault('mfp_admin_password', ADMIN_PASSWORD)
        validation = ArgumentSpecValidator(**module_kwargs(name)).validate(args)
        assert not validation.error_messages, validation.error_messages
        return run(name, validation.validated_parameters, check_mode, diff, planned)
    return run_task
