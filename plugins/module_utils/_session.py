# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP session with one device for one task: log in, read pages, post forms, log out."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time
import traceback
import warnings

from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError
from ansible_collections.printfleet.mfp.plugins.module_utils._page import Page

try:
    import requests
    from urllib3.exceptions import InsecureRequestWarning
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

BACKOFF_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8
BUSY_POLL_SECONDS = 5

LOGIN_MESSAGES = {
    'login_failed': 'Login to {host} failed: the device refused the admin password{user}. '
                    'Check mfp_admin_password. The login was not retried, so the device counted one failed attempt.',
    'locked': 'Login to {host} is locked after repeated failed attempts. '
              'The device unlocks by itself after a while; check mfp_admin_password before trying again.',
    'another_admin': 'Another administrator is logged in to {host}; it was still busy after waiting '
                     '{wait} s (mfp_busy_timeout). Try again later.',
    'page_expired': 'The login form of {host} expired before it was posted; nothing was changed. Run the task again.',
}


def new_http():
    """The requests session for one device run (tests replace it with a scripted transport)."""
    return requests.Session()


class Session(object):
    """One admin session with one device, used as a context manager that always logs out."""

    def __init__(self, params):
        host = params['mfp_host']
        self.host = host
        self.base_url = '%s://%s:%d' % (params['mfp_protocol'], '[%s]' % host if ':' in host else host,
                                        params['mfp_port'])
        self.profile = None if params['mfp_profile'] == 'auto' else params['mfp_profile']
        self.user = params['mfp_admin_user']
        self.password = params['mfp_admin_password']
        # A CA path, unlike True, is not replaced by REQUESTS_CA_BUNDLE (see __enter__).
        self.verify = params['mfp_ca_path'] if params['mfp_validate_certs'] and params['mfp_ca_path'] \
            else params['mfp_validate_certs']
        self.timeout = params['mfp_timeout']
        self.retries = params['mfp_retries']
        self.busy_timeout = params['mfp_busy_timeout']
        self.request_count = 0
        self.warnings = []
        self._http = None
        self._logged_in = False
        self._answered = False

    def __enter__(self):
        self._http = new_http()
        # What requests takes from the environment (proxies and no_proxy, REQUESTS_CA_BUNDLE for
        # verify=True, ~/.netrc), settled once for the device instead of on every request: scanning
        # os.environ per request was a good part of a task's CPU.
        http = self._http
        settings = http.merge_environment_settings(self.base_url, {}, None, self.verify, None)
        http.auth = requests.utils.get_netrc_auth(self.base_url)
        http.trust_env = False
        http.proxies, http.verify = settings['proxies'], settings['verify']
        return self

    def __exit__(self, *exc_info):
        try:
            if self._logged_in:
                self._logout()
        finally:
            self._http.close()

    @staticmethod
    def sleep(seconds):
        time.sleep(seconds)

    @staticmethod
    def clock():
        return time.monotonic()

    def open(self, service):
        """Log in to the device and return the page of `service`."""
        path = profiles.PATHS[service]
        login_url = '%s?%s' % (profiles.LOGIN_PATH, path)
        deadline = self.clock() + self.busy_timeout
        while True:
            form = self._get(login_url)
            self._use_profile(form)
            response = self._send('POST', login_url, self._login_form(form), idempotent=False)
            if response.is_redirect:
                self._logged_in = True
                return self.read(service)
            refused = Page(response.text)
            reason = profiles.login_error(refused.lang, refused.text('error'))
            if reason == 'another_admin' and self.clock() < deadline:
                self.sleep(BUSY_POLL_SECONDS)
                continue
            if reason is None:
                raise MfpError('Login to %s failed: %s' % (self.host, refused.text('error') or 'the device did not accept it'))
            raise MfpError(LOGIN_MESSAGES[reason].format(
                host=self.host, wait=self.busy_timeout, user=' or user name' if self.user else ''))

    def read(self, service):
        return self._get(profiles.PATHS[service])

    def submit(self, service, page, settings, password=None):
        """Post the whole form with `settings` applied; returns the page the device rendered."""
        form = profiles.write_settings(self.profile, service, page.fields, settings, password)
        result = self._post_form(service, page, form, 'submit')
        if result.text('error'):
            raise MfpError('The device refused the %s settings: %s' % (service.upper(), result.text('error')),
                           device_message=result.text('error'))
        return result

    def press(self, service, page, button, settings=None):
        """Press [Get Token] or [Delete] (posting the form with `settings` applied) and confirm with [OK]."""
        form = profiles.write_settings(self.profile, service, page.fields, settings or {})
        confirm = self._post_form(service, page, form, button)
        if confirm.fields.get(profiles.CONFIRM['action']) != button:
            message = confirm.text('error') or 'no confirmation page appeared'
            raise MfpError('The device refused [%s] on the %s page: %s' % (button, service.upper(), message),
                           device_message=confirm.text('error'))
        data = _form_data(confirm, confirm.fields, profiles.CONFIRM['ok'], default='OK')
        done = Page(self._send('POST', confirm.action or profiles.PATHS[service], data, idempotent=False).text)
        if done.text('error'):
            raise MfpError('The device refused [%s] on the %s page: %s' % (button, service.upper(), done.text('error')),
                           device_message=done.text('error'))
        return done if done.text('token_status') else self.read(service)

    def _post_form(self, service, page, form, button):
        data = _form_data(page, form, profiles.page(self.profile, service)['buttons'][button])
        return Page(self._send('POST', page.action or profiles.PATHS[service], data, idempotent=False).text)

    def _use_profile(self, login_page):
        if self.profile is None:
            model = login_page.text('model')
            if not model:
                raise MfpError('The login page of %s shows no model name; set mfp_profile.' % self.host)
            self.profile = profiles.profile_for_model(model)
        login = profiles.PROFILES[self.profile]['login']
        missing = [name for name in (login['user'], login['password']) if name and name not in login_page.fields]
        if missing:
            raise MfpError('The login page of %s has no field %s: it does not match profile %s.'
                           % (self.host, ', '.join(missing), self.profile))
        if login['user'] and not self.user:
            raise MfpError('Devices of profile %s log in with a user name: set mfp_admin_user.' % self.profile)

    def _login_form(self, login_page):
        login = profiles.PROFILES[self.profile]['login']
        data = _form_data(login_page, login_page.fields, login['submit'])
        data[login['password']] = self.password
        if login['user']:
            data[login['user']] = self.user
        return data

    def _logout(self):
        self._logged_in = False
        try:
            self._send('GET', profiles.LOGOUT_PATH, idempotent=False)
        except MfpError as error:
            self.warnings.append('Logging out of %s failed (%s); the device ends the session when it times out.'
                                 % (self.host, error))

    def _get(self, path):
        response = self._send('GET', path, idempotent=True)
        if response.is_redirect:
            raise MfpError('%s redirected %s to %s: the admin session ended (idle timeout or another login).'
                           % (self.host, path, response.headers.get('Location')))
        return Page(response.text)

    def _send(self, method, path, data=None, idempotent=False):
        """One request; idempotent ones are retried with back-off on 5xx, timeouts and resets."""
        url = self.base_url + path
        # The query string of the login URL names a page; messages need only the path.
        request = '%s %s' % (method, path.split('?')[0])
        attempt = 0
        while True:
            try:
                response = self._request(method, url, data)
            except requests.exceptions.SSLError as error:
                raise MfpError('TLS verification of %s failed: %s. Give the CA certificate that signed the device '
                               'certificate with mfp_ca_path (or set mfp_validate_certs: false, not recommended).'
                               % (self.base_url, _reason(error))) from error
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
                if idempotent and attempt < self.retries:
                    attempt = self._back_off(attempt)
                    continue
                if self._answered:
                    raise MfpError('The device at %s stopped answering (%s): %s'
                                   % (self.base_url, request, _reason(error))) from error
                # Nothing came back at all (refused, timed out, reset, no such name): Ansible's
                # unreachable host, which ignore_unreachable and the play's host count understand.
                raise MfpError('Cannot reach the device at %s (%s): %s'
                               % (self.base_url, request, _reason(error)),
                               unreachable=True) from error
            self._answered = True
            if response.status_code >= 500 and idempotent and attempt < self.retries:
                attempt = self._back_off(attempt)
                continue
            if response.status_code >= 400:
                raise MfpError('%s answered %s with HTTP %d.' % (self.host, request, response.status_code))
            return response

    def _request(self, method, url, data):
        self.request_count += 1
        with warnings.catch_warnings():
            if self.verify is False:
                # The user chose not to verify; saying so on every request is noise.
                warnings.simplefilter('ignore', InsecureRequestWarning)
            return self._http.request(method, url, data=data, timeout=self.timeout, allow_redirects=False)

    def _back_off(self, attempt):
        self.sleep(min(BACKOFF_SECONDS * 2 ** attempt, BACKOFF_MAX_SECONDS))
        return attempt + 1


def _form_data(page, form, button, default=''):
    """What a browser posts: the form's values (an unchecked checkbox not at all) and the pressed button."""
    data = dict((key, value) for key, value in form.items() if value is not None)
    data[button] = page.buttons.get(button, default)
    return data


def _reason(error):
    """The innermost cause of a requests error, without the URL noise around it."""
    cause = error.args[0] if error.args else error
    reason = getattr(cause, 'reason', None) or cause
    return str(reason)
