# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP session with one device for one task: log in, read pages, post forms, log out."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import codecs
import email.message
import hashlib
import ipaddress
import re
import ssl
import time
import traceback
import warnings
from http.cookies import SimpleCookie
from urllib.parse import urlencode
from urllib.request import getproxies_environment, proxy_bypass_environment

from ansible_collections.printfleet.mfp.plugins.module_utils import _own_sessions as own_sessions
from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError
from ansible_collections.printfleet.mfp.plugins.module_utils._page import Page
from ansible_collections.printfleet.mfp.plugins.module_utils._version import USER_AGENT

try:
    import urllib3
    from urllib3.exceptions import ConnectTimeoutError, HTTPError, InsecureRequestWarning, ProtocolError, ProxyError, SSLError
    from urllib3.util.ssl_ import create_urllib3_context
except ImportError:
    HAS_URLLIB3 = False
    URLLIB3_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_URLLIB3 = True
    URLLIB3_IMPORT_ERROR = None
    # urllib3 warns of every request to a printer whose certificate is not verified, which happens only
    # where the user chose so (mfp_validate_certs false): noise. Filtered once for the process, since
    # warnings.catch_warnings() around each request is not thread-safe and the fleet tasks use threads.
    warnings.filterwarnings('ignore', category=InsecureRequestWarning)

# What urllib3 puts before its messages: "HTTPSConnectionPool(host='printer', port=443): " (2.x)
# or "<urllib3.connection.HTTPSConnection object at 0x7f...>: " (1.26).
_CONNECTION_PREFIX = re.compile(r"^(\w+\(host=.*?, port=\d+\)|<[\w.]+ object at 0x[0-9a-f]+>): ")

# OpenSSL's words for a TLS handshake answered in plain HTTP (1.1, 3.0 and 3.2+).
_PLAIN_HTTP_ANSWER = re.compile(r'WRONG_VERSION_NUMBER|wrong version number|record layer failure|'
                                r'packet length too long|http request', re.I)

# OpenSSL's words for a certificate past its validity, and for a device certificate signed by itself.
_EXPIRED = re.compile(r'certificate has expired', re.I)
# (A self-signed certificate "in certificate chain" is a CA not given, which the general advice covers.)
_SELF_SIGNED = re.compile(r'self[- ]signed certificate(?! in certificate chain)', re.I)

# OpenSSL's and the kernel's words for a connection closed during the TLS handshake (a server out of
# connection slots, a reset): a dropped connection, not a certificate to fix.
_HANDSHAKE_DROPPED = re.compile(r'EOF occurred in violation of protocol|UNEXPECTED_EOF|unexpected eof|'
                                r'Connection reset by peer', re.I)

# <meta charset="..."> or <meta http-equiv="Content-Type" content="text/html; charset=...">.
_META_CHARSET = re.compile(br'<meta[^>]+charset=["\']?([\w.:-]+)', re.I)

BACKOFF_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8
BUSY_POLL_SECONDS = 5
# What a Sharp page says when the machine is busy and did nothing: <p class="err">ERROR[5000]: …
BUSY_ERROR = 5000

# Read once per process: the environment of a run does not change while it runs.
ENVIRONMENT_PROXIES = getproxies_environment()

# The logins a device refused in this process, as digests of (device, user, password). Ansible
# runs a task's `retries`/`until` attempts and loop items in one worker process: each attempt
# would otherwise count another failed login, and devices lock the admin out after a few.
REFUSED_LOGINS = set()

LOGIN_MESSAGES = {
    'login_failed': 'Login to {host} failed: the device refused the admin password{user}. '
                    'Check mfp_admin_password. The login was not retried, so the device counted one failed attempt.',
    'locked': 'Login to {host} is locked after repeated failed attempts. '
              'The device unlocks by itself after a while; check mfp_admin_password before trying again.',
    'another_admin': 'Another administrator is logged in to {host}; it was still busy after waiting '
                     '{wait} s (mfp_busy_timeout). Try again later.',
    'page_expired': 'The login form of {host} expired before it was posted; nothing was changed. Run the task again.',
    'refused_before': 'Login to {host} not tried: the device refused this admin password{user} on an earlier attempt '
                      'in this run (a retry or loop of the task), and each failed login counts towards its lockout. '
                      'Check mfp_admin_password.',
}


class WriteFailed(MfpError):
    """A form post (a login, a save, a pressed control, [Logout]) that got no answer to read.

    `acted`: False where the device provably did not act on it (the connection failed before it was
    sent, or the device answered 503 before handling it); True where it may have (the connection
    dropped or timed out after it was sent, another 5xx): only the page, read again, tells.
    """

    def __init__(self, message, acted, **details):
        super(WriteFailed, self).__init__(message, **details)
        self.acted = acted

    def spent(self, retries, advice):
        """The failure of the last try, saying what became of the write (and, with `advice`, what to do)."""
        if self.acted:
            outcome = ('its answer was lost after it was sent, so the device may have acted on it',
                       'Run the task again: it reads the device and does only what is left to do.')
        else:
            outcome = ('the device did not act on it, so nothing was changed by it',
                       'Run the task again when the device answers; a higher mfp_retries rides out longer outages.')
        return MfpError('%s; tried %d times (mfp_retries %d), and %s.%s'
                        % (str(self).rstrip('.'), retries + 1, retries, outcome[0], ' ' + outcome[1] if advice else ''),
                        **self.details)


def tls_context(verify):
    """TLS settings for `verify`: False, True (the system's trust store) or the path of a CA file."""
    if verify is False:
        return create_urllib3_context(cert_reqs=ssl.CERT_NONE)
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    if verify is True:
        context.load_default_certs()
        return context
    try:
        context.load_verify_locations(cafile=verify)
    except (OSError, ssl.SSLError) as error:
        raise MfpError('mfp_ca_path %s holds no CA certificate in PEM format: %s' % (verify, error))
    return context


def proxy_for(scheme, host):
    """The proxy the environment (https_proxy or http_proxy, all_proxy) gives for the device, or None."""
    proxy = ENVIRONMENT_PROXIES.get(scheme) or ENVIRONMENT_PROXIES.get('all')
    if not proxy or _no_proxy(host):
        return None
    return proxy if '://' in proxy else 'http://' + proxy


def _no_proxy(host):
    """no_proxy names the device: `*`, its name or a domain of it, its address, or a network (CIDR) holding it."""
    if proxy_bypass_environment(host, ENVIRONMENT_PROXIES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    for entry in ENVIRONMENT_PROXIES.get('no', '').split(','):
        try:
            if address in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            pass   # a name, not a network
    return False


def new_http(proxy, tls, timeout):
    """The connection pool for one device run (tests replace it with a scripted device).

    urllib3 rather than requests: in Ansible's worker, forked per host-task, requests' session
    layer (cookie jar, environment merging, hooks) cost as much CPU as the HTTP itself.
    """
    options = dict(num_pools=1, maxsize=1, ssl_context=tls, retries=False,
                   timeout=urllib3.Timeout(connect=timeout, read=timeout))
    if proxy:
        return urllib3.ProxyManager(proxy, **options)
    return urllib3.PoolManager(**options)


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
        self.verify = params['mfp_ca_path'] if params['mfp_validate_certs'] and params['mfp_ca_path'] \
            else params['mfp_validate_certs']
        self.timeout = params['mfp_timeout']
        self.retries = params['mfp_retries']
        self.busy_timeout = params['mfp_busy_timeout']
        self.request_count = 0
        self.warnings = []
        # Called as recorder(method, path, form, response) after every answer: mfp_info's capture.
        self.recorder = None
        self._cookies = {}
        self._charset = 'utf-8'
        self._http = None
        self._logged_in = False
        self._answered = False
        self._path = None   # of the page opened: read again after a failed write
        self._kept = None   # the cookies of the session as _own_sessions keeps them
        self._last_page = None
        self.model = None

    def __enter__(self):
        scheme = self.base_url.split(':', 1)[0]
        tls = tls_context(self.verify) if scheme == 'https' else None
        self._http = new_http(proxy_for(scheme, self.host), tls, self.timeout)
        return self

    def __exit__(self, exc_type, error, traceback):
        try:
            if self._logged_in:
                self._logout()
        finally:
            self._http.clear()
        if isinstance(error, MfpError) and self.warnings:
            # A failed task reports them too (a logout that failed after the error, say).
            error.details.setdefault('warnings', []).extend(self.warnings)

    @staticmethod
    def sleep(seconds):
        time.sleep(seconds)

    @staticmethod
    def clock():
        return time.monotonic()

    def open(self, service):
        """Log in to the device and return the page of `service`."""
        path = profiles.page_path(service, self.profile)
        login_url = '%s?%s' % (profiles.login_path(self.profile), path)
        if self._login_digest() in REFUSED_LOGINS:
            raise self._login_error('refused_before')
        self._path = path
        self._end_leftover_session()
        deadline = self.clock() + self.busy_timeout
        tries, lost = 0, False
        while True:
            try:
                form = self._login_page(login_url)
                self._use_profile(form)
                response = self._send('POST', login_url, self._login_form(form))
            except WriteFailed as failure:
                tries = self._retry_write(failure, tries)
                lost = lost or failure.acted
                # The device may have opened a session for the cookie we hold: its page then shows.
                page = self._read_in_session(path) if failure.acted else None
                if page is not None:
                    self._started()
                    return page
                continue   # from a fresh login page
            if response.get_redirect_location():
                self._started()
                return self.read(service)
            refused = self._page(response, 'POST ' + profiles.login_path(self.profile))
            reason = profiles.login_error(refused.lang, refused.error_message())
            if reason == 'another_admin' and self.clock() < deadline:
                self.sleep(BUSY_POLL_SECONDS)
                self._end_leftover_session()   # the other run's worker may have ended, leaving it open
                continue
            if reason is None:
                raise MfpError('Login to %s failed: %s' % (self.host, refused.text('error') or 'the device did not accept it'))
            if reason == 'login_failed':
                REFUSED_LOGINS.add(self._login_digest())
            raise self._login_error(reason, lost)

    def logout(self):
        """End the admin session now (the context manager's exit does it otherwise)."""
        if self._logged_in:
            self._logout()

    def _started(self):
        self._logged_in = True
        self._kept = dict(self._cookies)
        try:
            own_sessions.remember(self.base_url, self.user, self._kept)
        except OSError:
            pass   # no private cache to write (a read-only home): a session left open then times out, as before

    def _end_leftover_session(self):
        """End the session a process of the collection that has ended left open on the device (a logout that
        failed, a worker killed): the collection knows its cookie, so the login need not wait for that
        session as for another administrator's."""
        cookies = own_sessions.leftover(self.base_url, self.user)
        if cookies is None:
            return
        self._cookies, self._kept = dict(cookies), cookies
        self._last_page = self._read_in_session(self._path)
        if self._last_page is None:
            own_sessions.forget(self.base_url, self.user, cookies)   # the device has ended it already
        else:
            self._logout()
        self._cookies, self._last_page = {}, None

    def _login_error(self, reason, lost=False):
        message = LOGIN_MESSAGES[reason].format(host=self.host, wait=self.busy_timeout,
                                                user=' or user name' if self.user else '')
        if reason == 'another_admin' and lost:
            # Under a session cookie its lost answer carried: one the collection cannot end.
            message += (' A login of this task whose answer was lost may have opened that session; the device ends '
                        'it after its idle timeout.')
        return MfpError(message)

    def _login_digest(self):
        # A digest, so that the process keeps no copy of a password beyond the task's own.
        return hashlib.sha256(repr((self.base_url, self.user, self.password)).encode('utf-8')).hexdigest()

    def read(self, service):
        return self._get(profiles.page_path(service, self.profile))

    def submit(self, service, page, settings, password=None):
        """Post the whole form with `settings` applied, as [Submit] does; returns the page the device rendered."""
        def saved(shown):
            # A save is all or nothing: a page showing each value posted shows it done. One that does not
            # (or a password alone, never shown) is posted again, which saves the same values.
            current = profiles.read_settings(self.profile, service, shown)
            return bool(settings) and all(current.get(key) == value for key, value in settings.items())

        result, name = self._press_control(
            service, page, 'submit', lambda shown: profiles.write_settings(self.profile, service, shown, settings, password),
            saved)
        if result.text('error'):
            raise MfpError('The device refused the %s settings: %s' % (service.upper(), result.text('error')),
                           device_message=result.text('error'))
        if not (result.text('status') or saved(result)):
            raise self._ignored(service, page, 'submit', name)
        return result

    def press(self, service, page, button):
        """Press [Get Token] or [Delete] (posting the form as the page shows it), answer a confirmation
        page with [OK] if the device shows one (the others ask with the browser's confirm(), which a
        person answers before the one POST), and check that the token panel moved."""
        def moved(shown):
            label = shown.text('token_status')
            return label is not None and (profiles.token_state(shown.lang, label) == 'not_obtained') == (button == 'delete')

        result, name = self._press_control(
            service, page, button, lambda shown: profiles.write_settings(self.profile, service, shown, {}), moved)
        if result.text('error'):
            raise MfpError('The device refused [%s] on the %s page: %s'
                           % (profiles.control_label(page.lang, button), service.upper(), result.text('error')),
                           device_message=result.text('error'))
        if not result.text('token_status'):
            result = self.read(service)
        if not moved(result):
            raise self._ignored(service, page, button, name)
        return result

    def test_connection(self, page):
        """Press [Connection Test] on the SMTP page with the form as the page shows it: the device tests its
        saved settings (the password box left empty keeps the saved password) and saves nothing.
        Returns (passed, the device's result line without its ERROR[n] code)."""
        # It saves nothing: pressing it again after a lost answer is harmless, so it is never "done".
        result, name = self._press_control('smtp', page, 'connection_test',
                                           lambda shown: profiles.write_settings(self.profile, 'smtp', shown, {}),
                                           lambda shown: False)
        if result.text('status'):
            return True, result.text('status')
        if result.text('error'):
            return False, result.error_message().strip()
        raise self._ignored('smtp', page, 'connection_test', name)

    def _ignored(self, service, page, what, name):
        # Devices ignore an action they do not know, silently: the page comes back unchanged.
        return MfpError('The device ignored [%s] (action=%s) on the %s page of %s: it showed no result and the page '
                        'is unchanged, so nothing was written. Its firmware may name or handle that control '
                        'differently from profile %s.'
                        % (profiles.control_label(page.lang, what), name, service.upper(), self.host, self.profile))

    def _press_control(self, service, page, what, form, done):
        """Press the control labelled [what] on `page` as the page's script does: post form(page), the whole
        form, with `action` set to the control's name; answer a confirmation page with [OK] where the
        device shows one. Returns (the page the device answered, the control's name).

        Retried when safe (docs/device-protocol.md, "Retried writes"): a busy machine (ERROR[5000]) did
        nothing, so the form goes again, built on the page it answered with (fresh tokens); a post the
        device did not act on goes again on a freshly read page; one whose answer was lost goes again
        only when the page, read again, does not show it done (`done`), which is then the page returned.
        """
        pressing, tries = what, 0
        # A busy machine (printing, a person at the panel) is waited for as long as another administrator is.
        busy_until = self.clock() + self.busy_timeout
        while True:
            name = self._control_name(service, page, pressing)
            if pressing == what:
                pressed = name
            data = self._pressing(form(page) if pressing == what else page.fields, name)
            try:
                result = self._post_page(page.action or profiles.page_path(service, self.profile), data)
            except WriteFailed as failure:
                tries = self._retry_write(failure, tries)
                page, pressing = self._read_again(service), what   # a read abandons a confirmation page
                if failure.acted and done(page):
                    return page, pressed
                continue
            if result.error_code() == BUSY_ERROR and (tries < self.retries or self.clock() < busy_until):
                tries = self._back_off(tries)
                page = result
            elif pressing == what and not result.text('error') and profiles.control(result, 'ok'):
                page, pressing = result, 'ok'
            else:
                return result, pressed

    def _read_again(self, service):
        """The page read again after a failed write. Where the session ended meanwhile (the printer restarted:
        a power loss, a reboot), logged in again first, as a person would to look."""
        page = self._read_in_session(profiles.page_path(service, self.profile))
        if page is None:
            self._logged_in = False
            page = self.open(service)
        return page

    def _control_name(self, service, page, what):
        name = profiles.control(page, what)
        if name is None:
            raise MfpError('The %s page of %s shows no [%s] control (it shows %s): it does not match profile %s.'
                           % (service.upper(), self.host, profiles.control_label(page.lang, what),
                              ', '.join('[%s]' % label for label in page.controls.values()) or 'none',
                              self.profile))
        return name

    def _use_profile(self, login_page):
        self.model = login_page.model()
        if self.profile is None:
            model = self.model
            if not model:
                raise MfpError('The login page of %s shows no model name; set mfp_profile.' % self.host)
            self.profile = profiles.profile_for_model(model)
        # The login form follows the device's user-authentication mode, not the profile: read it.
        missing = profiles.login_form_missing(login_page, self.profile)
        if missing:
            raise MfpError('The login page of %s has no %s: it is no login form this collection knows.'
                           % (self.host, ', '.join(missing)))
        if login_page.text_boxes and not self.user:
            raise MfpError('The login page of %s asks a login name (user authentication): set mfp_admin_user.'
                           % self.host)

    def _login_form(self, login_page):
        """The login form as rendered, with the password (and login name, where asked) typed in and
        `action` set to the [Login] control's name."""
        data = self._pressing(login_page.fields, profiles.control(login_page, 'login'))
        data[login_page.passwords[0]] = self.password
        if login_page.text_boxes:
            data[login_page.text_boxes[0]] = self.user
        return data

    def _login_page(self, login_url):
        """The login form; on a device in a two-step mode, after [Administrator Login] (BP-71C65 with user
        authentication on: the first page asks no password)."""
        page = self._get(login_url)
        admin_login = profiles.control(page, 'admin_login') if page.lang in profiles.LANGUAGES else None
        if page.passwords or not admin_login:
            return page
        return self._post_page(login_url, self._pressing(page.fields, admin_login))

    def _logout(self):
        """[Logout] as the last page read offers it (the whole form, `action` its name). Retried as writes
        are: after a failed one, the page read again offers [Logout] with fresh tokens, or shows the session
        ended. A session it could not end stays remembered (_own_sessions): the next login ends it."""
        self._logged_in = False
        page, tries = self._last_page, 0
        try:
            while page is not None:
                name = profiles.control(page, 'logout') if page.lang in profiles.LANGUAGES else None
                if not name:
                    self._send('GET', profiles.logout_path(self.profile), idempotent=True)
                    break
                try:
                    self._send('POST', page.action, self._pressing(page.fields, name))
                    break
                except WriteFailed as failure:
                    tries = self._retry_write(failure, tries, advice=False)
                    page = self._read_in_session(self._path)   # None: the session has ended
        except MfpError as error:
            warning = ('Logging out of %s failed (%s); the next task on %s ends that session before it logs in, '
                       'else the device ends it when it times out.' % (self.host, error, self.host))
            if warning not in self.warnings:   # once, though a wait logs out after every poll
                self.warnings.append(warning)
            return
        own_sessions.forget(self.base_url, self.user, self._kept)

    def _get(self, path):
        return self._page(self._send('GET', path, idempotent=True), 'GET ' + path)

    def _read_in_session(self, path):
        """The page at `path` if the device holds a session for our cookie, else None (it redirects to its login)."""
        response = self._send('GET', path, idempotent=True)
        return None if response.get_redirect_location() else self._page(response, 'GET ' + path)

    def _post_page(self, path, data):
        return self._page(self._send('POST', path, data, idempotent=False), 'POST ' + path)

    def _page(self, response, request):
        """The page a response carries; a redirect instead means the admin session is gone."""
        location = response.get_redirect_location()
        if location:
            raise MfpError('%s redirected %s to %s: the admin session ended (idle timeout or another login).'
                           % (self.host, request.split('?')[0], location))
        # Forms go back in the character set their page came in, as a browser posts them.
        self._charset = _charset(response)
        self._last_page = Page(response.data.decode(self._charset, 'replace'), self.profile)
        return self._last_page

    def _send(self, method, path, data=None, idempotent=False):
        """One request. A read (idempotent) is retried with back-off on 5xx, timeouts and resets. A write
        that gets no answer to read raises WriteFailed, which says whether the device may have acted on
        it; the write's caller decides how to try it again (_retry_write)."""
        url = self.base_url + path
        # The query string of the login URL names a page; messages need only the path.
        request = '%s %s' % (method, path.split('?')[0])
        attempt = 0
        while True:
            try:
                response = self._request(method, url, data)
            except HTTPError as error:
                if isinstance(error, SSLError) and not _HANDSHAKE_DROPPED.search(_reason(error)):
                    raise MfpError(_tls_failure(self.base_url, _reason(error))) from error
                if idempotent and attempt < self.retries:
                    attempt = self._back_off(attempt)
                    continue
                failure = self._no_answer(url, request, error)
                if idempotent:
                    raise failure from error
                raise WriteFailed(str(failure), acted=not _unsent(error), **failure.details) from error
            self._answered = True
            if response.status >= 500 and idempotent:
                if attempt < self.retries:
                    attempt = self._back_off(attempt)
                    continue
                raise MfpError('%s answered %s with HTTP %d on each of %d tries (mfp_retries %d): the device is '
                               'overloaded, restarting or failing, and this read changed nothing. Run the task again '
                               'when it answers: it reads the device and does only what is left to do; a higher '
                               'mfp_retries rides out longer outages.'
                               % (self.host, request, response.status, attempt + 1, self.retries))
            if response.status >= 500 and not idempotent:
                # 503: unavailable, answered before handling the request; another 5xx may come after it.
                raise WriteFailed('%s answered %s with HTTP %d.' % (self.host, request, response.status),
                                  acted=response.status != 503)
            if response.status == 404 and path.startswith(profiles.login_path(self.profile)):
                raise MfpError('%s has no login page %s (HTTP 404): %s is not a printer web UI this collection '
                               'supports. Check mfp_host, mfp_port and mfp_protocol, and that the model is a supported '
                               'one.' % (self.host, profiles.login_path(self.profile), self.base_url))
            if response.status >= 400:
                raise MfpError('%s answered %s with HTTP %d.' % (self.host, request, response.status))
            return response

    def _no_answer(self, url, request, error):
        """The error of a request that got no answer (after its retries, for a read)."""
        if self._answered:
            return MfpError('The device at %s stopped answering (%s): %s' % (self.base_url, request, _reason(error)))
        hint = ''
        if url.startswith('http:') and isinstance(error, ProtocolError):
            # It took the connection and closed it without a word: what a TLS server does
            # with a request in plain HTTP.
            hint = ('. It accepted the connection but closed it without an HTTP answer: if it serves '
                    'HTTPS on that port, set mfp_protocol: https.')
        # Nothing came back at all (refused, timed out, reset, no such name): Ansible's
        # unreachable host, which ignore_unreachable and the play's host count understand.
        return MfpError('Cannot reach the device at %s (%s): %s%s' % (self.base_url, request, _reason(error), hint),
                        unreachable=True)

    def _request(self, method, url, data):
        self.request_count += 1
        headers = {'User-Agent': USER_AGENT}
        if self._cookies:
            headers['Cookie'] = '; '.join('%s=%s' % cookie for cookie in self._cookies.items())
        body = None
        if data is not None:
            # What the page's character set cannot hold goes as &#NNNN;, as a browser sends it.
            body = urlencode(data, encoding=self._charset, errors='xmlcharrefreplace')
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        response = self._http.request(method, url, body=body, headers=headers, redirect=False)
        self._keep_cookies(response)
        if self.recorder is not None:
            self.recorder(method, url[len(self.base_url):], data, response)
        return response

    def _keep_cookies(self, response):
        """The device's session cookie, as a browser keeps it for this one site."""
        for header in response.headers.getlist('Set-Cookie'):
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel['max-age'] != '0':
                    self._cookies[name] = morsel.value
                else:
                    self._cookies.pop(name, None)

    def _pressing(self, form, name):
        """What the page's script posts when the control `name` is pressed: the form's values as a
        browser posts them, with the hidden `action` field set to the control's name."""
        return dict(_form_values(form), **{profiles.action_field(self.profile): name})

    def _back_off(self, attempt):
        self.sleep(min(BACKOFF_SECONDS * 2 ** attempt, BACKOFF_MAX_SECONDS))
        return attempt + 1

    def _retry_write(self, failure, tries, advice=True):
        """The one retry policy of writes (docs/device-protocol.md, "Retried writes"): a write that failed
        (WriteFailed) goes again after a back-off, up to mfp_retries times, on a page read again (fresh
        token1/token2); where the device may have acted on it, that page first says whether it is done.
        Returns the count of tries; raises the failure, saying what became of the write, once they are spent."""
        if tries >= self.retries:
            raise failure.spent(self.retries, advice)
        return self._back_off(tries)


def _form_values(form):
    """The form's values as a browser posts them: an unchecked checkbox not at all."""
    return dict((key, value) for key, value in form.items() if value is not None)


def _charset(response):
    """The character set of a page: its Content-Type header's, else its <meta> tag's, else UTF-8."""
    content_type = email.message.Message()
    content_type['Content-Type'] = response.headers.get('Content-Type', 'text/html')
    declared = content_type.get_content_charset()
    if not declared:
        meta = _META_CHARSET.search(response.data[:2048])
        declared = meta.group(1).decode('ascii') if meta else 'utf-8'
    try:
        return codecs.lookup(declared).name
    except LookupError:
        return 'utf-8'   # a name Python does not know: UTF-8 is what the devices serve


def _tls_failure(base_url, reason):
    """What a failed TLS handshake means, and the fix: nothing was sent to the device."""
    if _PLAIN_HTTP_ANSWER.search(reason):
        return ('%s did not answer in TLS (%s): it serves plain HTTP on that port. Set mfp_protocol: http, or '
                'mfp_port to the port of its HTTPS server.' % (base_url, reason))
    if _EXPIRED.search(reason):
        return ('TLS verification of %s failed: %s. The device certificate has expired; nothing was sent to the '
                'device. Install a renewed certificate on the device (Security Settings, SSL/TLS), signed by the CA '
                'of mfp_ca_path; check the device clock too.' % (base_url, reason))
    if _SELF_SIGNED.search(reason):
        return ('TLS verification of %s failed: %s. The device presents a certificate it signed itself, as after a '
                'factory reset or a certificate replaced on the device. Nothing was sent '
                'to the device. Install a certificate signed by your CA on the device, or give the CA that signed '
                'it with mfp_ca_path (mfp_validate_certs: false is not recommended).' % (base_url, reason))
    return ('TLS verification of %s failed: %s. Give the CA certificate that signed the device certificate with '
            'mfp_ca_path (or set mfp_validate_certs: false, not recommended).' % (base_url, reason))


def _unsent(error):
    """Whether a request that failed with `error` provably never reached the device: the connection (to the
    device or to the proxy) was refused or timed out before the request was sent. NewConnectionError,
    NameResolutionError (2.x) and ConnectTimeoutError are all ConnectTimeoutError, in urllib3 1.26 and 2.x; a
    ProxyError carries the proxy connection's own error. A reset, a drop or a read timeout came after it
    was sent (ProtocolError, ReadTimeoutError): the device may have acted."""
    if isinstance(error, ProxyError):
        return _unsent(getattr(error, 'original_error', None))
    # A connection dropped during the TLS handshake carried no request yet.
    return isinstance(error, (ConnectTimeoutError, SSLError))


def _reason(error):
    """The cause of a urllib3 error, without the name of urllib3's connection object before it."""
    return _CONNECTION_PREFIX.sub('', str(error.args[-1] if error.args else error))
