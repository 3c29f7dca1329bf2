# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scripted device behind a urllib3-shaped transport, written from docs/device-protocol.md.

It is deliberately written apart from the collection's profiles (its own field tables), so a
wrong field name in a profile makes the tests fail. It asserts what a careful client must do:
post every field of the form, echo a fresh single-use token1/token2 pair, say what was pressed in
the hidden `action` field as the page's script does, never send a password unasked.
"""

from __future__ import annotations

import copy
import html
import http.client
import types
import urllib.parse

import urllib3
from urllib3.exceptions import ProtocolError

SMTP = '/nw_service_smtp.html'
POP = '/sys_email_status_special.html'

# (setting, kind, bp index, mx index), in page order.
FIELDS = {
    SMTP: [('primary_server', 'textbox', 1, 101), ('port', 'textbox', 2, 102), ('timeout', 'textbox', 3, 103),
           ('sender_name', 'textbox', 4, 104), ('sender_address', 'textbox', 5, 105),
           ('ssl_tls', 'checkbox', 6, 106), ('auth_method', 'select', 7, 107), ('user', 'textbox', 8, 108),
           ('password', 'password', 9, 109), ('change_password', 'checkbox', 10, 110),
           ('provider', 'select', 11, 111), ('account', 'textbox', 12, 112)],
    POP: [('server', 'textbox', 1, 201), ('port', 'textbox', 2, 202), ('check_interval', 'textbox', 3, 203),
          ('ssl', 'checkbox', 4, 204), ('auth_method', 'select', 5, 205), ('user', 'textbox', 6, 206),
          ('password', 'password', 7, 207), ('change_password', 'checkbox', 8, 208),
          ('provider', 'select', 9, 209), ('account', 'textbox', 10, 210)],
}
# The `action` each control posts, per family, and its label (a Sharp label carries an access key).
CONTROLS = {
    'bp_classic': {'submit': 'submitbtn', 'get_token': 'gettokenbtn', 'delete': 'deletebtn',
                   'connection_test': 'testButton', 'logout': 'logoutbtn'},
    'mx_classic': {'submit': 'executebtn', 'get_token': 'tokengetbtn', 'delete': 'tokendeletebtn',
                   'connection_test': 'testButton', 'logout': 'logoutbtn'},
}
LABELS = {
    'en': {'submit': 'Submit(U)', 'get_token': 'Get Token', 'delete': 'Delete', 'connection_test': 'Connection Test',
           'logout': 'Logout(L)', 'login': 'Login', 'admin_login': 'Administrator Login', 'ok': 'OK',
           'cancel': 'Cancel'},
    'sv': {'submit': 'Skicka(U)', 'get_token': 'Hämta token', 'delete': 'Radera', 'connection_test': 'Anslutningstest',
           'logout': 'Logga ut(L)', 'login': 'Logga in', 'admin_login': 'Administratörsinloggning', 'ok': 'OK',
           'cancel': 'Avbryt'},
}
# The login form by the device's user-authentication mode (docs/device-protocol.md).
LOGIN_MODES = {
    'administrator': {'user': 'role', 'password': 'ggt_textbox(10003)', 'hidden': '5', 'first': False},
    'login_name': {'user': 'name', 'password': 'ggt_textbox(10003)', 'hidden': '5', 'first': False},
    'password': {'user': None, 'password': 'ggt_textbox(10003)', 'hidden': '4', 'first': False},
    'admin_two_step': {'user': None, 'password': 'ggt_textbox(10006)', 'hidden': '3', 'first': True},
}
WEB_CHANGE = {SMTP: 'nw_service_smtpWebChange', POP: 'sys_email_status_specialWebChange'}
ERRORS = {'validation': 1001, 'page_expired': 1002, 'login_failed': 1101, 'locked': 1102, 'another_admin': 1103,
          'busy': 5000}
OPTIONS = {
    (SMTP, 'auth_method'): ['none', 'smtp_auth', 'oauth2'],
    (POP, 'auth_method'): ['plain', 'apop', 'oauth2'],
    (SMTP, 'provider'): ['', 'microsoft', 'google'],
    (POP, 'provider'): ['', 'microsoft', 'google'],
}
# What a select shows for each option (the collection finds options by it), and the option values
# of each family (bp from 0, mx from 1: the collection must take them from the page).
OPTION_TEXT = {
    'en': {'none': 'None', 'smtp_auth': 'SMTP-AUTH', 'oauth2': 'OAuth 2.0', 'plain': 'Plain', 'apop': 'APOP',
           '': '', 'microsoft': 'Microsoft', 'google': 'Google'},
    'sv': {'none': 'Ingen', 'smtp_auth': 'SMTP-AUTH', 'oauth2': 'OAuth 2.0', 'plain': 'Klartext', 'apop': 'APOP',
           '': '', 'microsoft': 'Microsoft', 'google': 'Google'},
}
FIRST_OPTION_VALUE = {'bp_classic': 0, 'mx_classic': 1}
# Row headings of the settings pages, as the manual names the fields.
FIELD_LABELS = {
    'en': {'primary_server': 'Primary Server', 'port': 'Port Number', 'timeout': 'Timeout', 'sender_name': 'Sender Name',
           'sender_address': 'Sender Address', 'ssl_tls': 'Enable SSL/TLS', 'server': 'POP3 Server',
           'check_interval': 'Check Interval', 'ssl': 'Enable SSL', 'auth_method': 'Authentication Method',
           'user': 'User Name', 'password': 'Password', 'change_password': 'Change Password', 'provider': 'Provider',
           'account': 'Account Name'},
    'sv': {'primary_server': 'Primär server', 'port': 'Portnummer', 'timeout': 'Timeout', 'sender_name': 'Sändarnamn',
           'sender_address': 'Avsändaradress', 'ssl_tls': 'Aktivera SSL/TLS', 'server': 'POP3-server',
           'check_interval': 'Kontrollintervall', 'ssl': 'Aktivera SSL', 'auth_method': 'Autentiseringsmetod',
           'user': 'Användarnamn', 'password': 'Lösenord', 'change_password': 'Ändra lösenord',
           'provider': 'Leverantör', 'account': 'Kontonamn'},
}
SHARED = ('provider', 'account')
SECTION = {SMTP: 'smtp', POP: 'pop'}

TEXT = {
    'en': {
        'states': {'not_obtained': 'Not Obtained', 'waiting_for_authorization': 'Waiting for Authorization',
                   'obtained': 'Obtained', 'invalid': 'Invalid'},
        'login_failed': 'Login failed. Check the login name and password.',
        'locked': 'Login is locked because of repeated failed attempts. Try again later.',
        'another_admin': 'Another administrator is logged in. Try again later.',
        'page_expired': 'The page has expired. Reload the page and try again.',
        'saved': 'The settings have been saved.',
        'deleted': 'The token has been deleted.',
        'sign_in_url': 'Sign-in Address',
        'busy': 'The machine is busy. Try again later.',
        'logged_out': 'You have logged out.',
        'labels': {'port': 'Port Number', 'primary_server': 'Primary Server', 'server': 'POP3 Server',
                   'account': 'Account Name', 'provider': 'Provider', 'user': 'User Name',
                   'timeout': 'Timeout', 'check_interval': 'Check Interval'},
        'range': 'Enter a number from {} to {}.', 'required': 'Enter a value.',
        'oauth_first': 'Select OAuth 2.0 to get a token.',
    },
    'sv': {
        'states': {'not_obtained': 'Ej hämtad', 'waiting_for_authorization': 'Väntar på auktorisering',
                   'obtained': 'Hämtad', 'invalid': 'Ogiltig'},
        'login_failed': 'Inloggningen misslyckades. Kontrollera inloggningsnamn och lösenord.',
        'locked': 'Inloggningen är låst på grund av upprepade misslyckade försök. Försök igen senare.',
        'another_admin': 'En annan administratör är inloggad. Försök igen senare.',
        'page_expired': 'Sidan har gått ut. Läs in sidan igen och försök på nytt.',
        'saved': 'Inställningarna har sparats.',
        'deleted': 'Token har raderats.',
        'sign_in_url': 'Inloggningsadress',
        'busy': 'Maskinen är upptagen. Försök igen senare.',
        'logged_out': 'Du har loggats ut.',
        'labels': {'port': 'Portnummer', 'primary_server': 'Primär server', 'server': 'POP3-server',
                   'account': 'Kontonamn', 'provider': 'Leverantör', 'user': 'Användarnamn',
                   'timeout': 'Timeout', 'check_interval': 'Kontrollintervall'},
        'range': 'Ange ett tal från {} till {}.', 'required': 'Ange ett värde.',
        'oauth_first': 'Välj OAuth 2.0 för att hämta en token.',
    },
}
# What a browser sign-in firmware shows after [Get Token]: the provider's sign-in page for the device's app,
# which sends the browser back to the device.
SIGN_IN_URL = ('https://idp.example.test/organizations/oauth2/v2.0/authorize?client_id=6f1c2d3e&response_type=code'
               '&redirect_uri=https%3A%2F%2Fmfp.example.test%2Foauth2%2Fcallback&scope=openid+offline_access'
               '&state=Zs1Q&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256')
RANGES = {'port': (1, 65535), 'timeout': (1, 60), 'check_interval': (1, 240)}

# A fault: the device acts on the request, then the connection drops before its answer.
LOST = 'lost'


class LoggedOut(Exception):
    """[Logout] pressed: answered with the login form and a new cookie."""


def default_settings():
    return {
        'smtp': {'primary_server': 'smtp.office365.com', 'port': '587', 'timeout': '20', 'sender_name': 'Scanner',
                 'sender_address': 'scan@contoso.example', 'ssl_tls': True, 'auth_method': 'smtp_auth',
                 'user': 'scan@contoso.example', 'password': 'Old-Smtp-Secret'},
        'pop': {'server': 'outlook.office365.com', 'port': '995', 'check_interval': '5', 'ssl': True,
                'auth_method': 'plain', 'user': 'scan@contoso.example', 'password': 'Old-Pop-Secret'},
        'oauth': {'provider': '', 'account': ''},
    }


class FakeDevice:
    """One emulated MFP. Inspect `posts`, `requests`, `settings`, `token`, `failed_logins`."""

    def __init__(self, profile='bp_classic', lang='en', model=None, admin_password='Admin-Secret-1',
                 admin_user='admin', host='mfp.example.test'):
        self.profile = profile
        self.lang = lang
        self.model = model or ('BP-C131PW' if profile == 'bp_classic' else 'MX-3071')
        self.admin_password = admin_password
        self.admin_user = admin_user
        self.host = host
        self.settings = default_settings()
        self.token = {'state': 'not_obtained', 'account': None, 'user_code': None, 'message': None}
        # POP's own credential and token, on A3 profiles (bp_a3, bp_a3_panel): independent of SMTP's.
        self.pop_token = {'state': 'not_obtained', 'account': None, 'user_code': None, 'message': None}
        self.settings['pop_oauth'] = {'provider': '', 'account': ''}
        self.requests = []      # (method, path) of every request
        self.connections = []   # (proxy, TLS context, timeout) of every connection pool opened to it
        self.posts = []         # (path, form) of every POST
        self.failed_logins = 0
        self.lockout_attempts = 3
        self.busy_logins = 0    # how many logins are refused because another administrator is logged in
        self.busy_posts = 0     # how many settings posts a busy machine answers with ERROR[5000]
        self.confirm_style = None      # how [Get Token] and [Delete] ask, if not as the family does
        self.control_names = {}        # controls a firmware names otherwise than its family
        self.deaf_to = set()           # actions the page offers but the firmware ignores
        self.login_mode = None         # the login form's mode (LOGIN_MODES), if not the family's usual one
        self.index_shift = 0           # a firmware numbering its fields otherwise than its family
        self.labelled = True           # rows with a heading per field (else bare inputs)
        self.faults = []        # exceptions, HTTP status codes or LOST, served to the next requests
        self.post_faults = {}   # action -> faults served to the next POSTs with that `action`
        self.idle_seconds = None   # the session ends after this long without a request
        self.idle = 0
        self.keeps_visitor_cookie = False   # a login keeps the cookie of the login page as the session's
        self.session = None
        self.tokens2 = set()
        self.tokens1 = {}       # token2 -> the token1 rendered beside it
        self.pending = None     # (action, path, values) awaiting [OK] on a confirmation page
        self.approve_after = None  # seconds of waiting until a person signs in (as approve_account)
        self.approve_account = None
        self.refuse_after = None   # seconds of waiting until the provider refuses the sign-in, with `refusal`
        self.refusal = None        # the token message the device then shows
        self.ignored = set()    # settings the firmware silently does not save
        self.charset = 'utf-8'  # of its pages and of the forms it reads
        self.charset_in_header = True  # else only in the page's <meta>
        self.model_in_header = True    # else only in the title, as Sharp's "Login - <MODEL>"
        self.sign_in = 'device_code'   # how [Get Token] signs in: a user code, or a sign-in address (browser)

    # --- the world around the device -----------------------------------------------------

    def wait(self, seconds):
        """Time passes (the client sleeps); a person may sign in meanwhile, an idle session ends."""
        self.idle += seconds
        if self.idle_seconds is not None and self.idle >= self.idle_seconds:
            self.session = None
        if self.approve_after is not None and self.token['state'] == 'waiting_for_authorization':
            self.approve_after -= seconds
            if self.approve_after <= 0:
                self.token.update(state='obtained', account=self.approve_account or self.settings['oauth']['account'],
                                  user_code=None, sign_in_url=None)
        if self.refuse_after is not None and self.token['state'] == 'waiting_for_authorization':
            self.refuse_after -= seconds
            if self.refuse_after <= 0:
                self.token.update(state='not_obtained', user_code=None, sign_in_url=None, message=self.refusal)

    def set_token(self, state, account=None, message=None):
        self.token.update(state=state, account=account, user_code=None, sign_in_url=None, message=message)

    @property
    def family(self):
        """Whose field names, controls and option values: the A3 profiles have the BP pages."""
        return 'mx_classic' if self.profile == 'mx_classic' else 'bp_classic'

    @property
    def independent(self):
        return self.profile in ('bp_a3', 'bp_a3_panel')

    def _credential(self, path):
        """(settings section, token) a page shows and acts on."""
        if self.independent and path == POP:
            return 'pop_oauth', self.pop_token
        return 'oauth', self.token

    @property
    def confirm(self):
        """bp_classic asks with the browser's confirm() (one POST), mx_classic with a confirmation page."""
        return self.confirm_style or ('script' if self.family == 'bp_classic' else 'page')

    @property
    def login(self):
        return self.login_mode or ('administrator' if self.family == 'bp_classic' else 'login_name')

    @property
    def controls(self):
        return dict(CONTROLS[self.family], **self.control_names)

    @property
    def logged_in(self):
        return self.session is not None

    # --- transport -----------------------------------------------------------------------

    def connect(self, proxy, tls, timeout):
        """Stands in for the session's urllib3 pool manager."""
        self.connections.append((proxy, tls, timeout))
        return self

    def clear(self):
        pass

    def request(self, method, url, body=None, headers=None, **kwargs):
        assert kwargs.get('redirect') is False, 'the session follows no redirect by itself'
        return self.send(types.SimpleNamespace(method=method, url=url, body=body, headers=headers or {}), **kwargs)

    def send(self, request, **kwargs):
        url = urllib.parse.urlsplit(request.url)
        assert url.hostname == self.host, url
        self.requests.append((request.method, url.path))
        action = dict(urllib.parse.parse_qsl(request.body or '')).get('action')
        queued = self.post_faults.get(action) if request.method == 'POST' else None
        faults = queued or self.faults
        if not faults:
            return self._serve(request, url)
        fault = faults.pop(0)
        if fault == LOST:
            self._serve(request, url)
            raise ProtocolError('Connection aborted.', http.client.RemoteDisconnected(
                'Remote end closed connection without response'))
        if isinstance(fault, Exception):
            raise fault
        return self._response(request, fault, 'fault')

    def _serve(self, request, url):
        form = {}
        if request.method == 'POST':
            form = dict(urllib.parse.parse_qsl(request.body or '', keep_blank_values=True, encoding=self.charset))
            self.posts.append((url.path, form))
        cookie = request.headers.get('Cookie', '')
        authed = self.session is not None and ('MFPSESSIONID=%s' % self.session) in cookie
        if authed:
            self.idle = 0
        if url.path == '/login.html':
            return self._login(request, url.query, form, cookie)
        if url.path == '/logout.html':   # no capture shows it; the collection uses it only without a [Logout]
            if authed:
                self.session = None
            return self._logged_out(request, url.query or SMTP)
        if url.path not in FIELDS:
            return self._response(request, 404, 'not found')
        if not authed:
            return self._response(request, 302, '', location='/login.html?' + url.path)
        if request.method == 'GET':
            return self._response(request, 200, self._page(url.path))
        try:
            return self._response(request, 200, self._post(url.path, form))
        except LoggedOut:
            return self._logged_out(request, url.path)

    def _logged_out(self, request, target):
        """The login form, with a new visitor cookie, as the lab's firmware answers a logout."""
        return self._response(request, 200, self._login_form(target, status=TEXT[self.lang]['logged_out']),
                              cookie='V%d' % len(self.requests))

    def _response(self, request, status, body, location=None, cookie=None):
        content_type = 'text/html; charset=%s' % self.charset if self.charset_in_header else 'text/html'
        # A plain dict: HTTPResponse makes its own HTTPHeaderDict, which urllib3 1.26 does not export.
        headers = {'Content-Type': content_type}
        if location:
            headers['Location'] = location
        if cookie:
            secure = '; Secure' if request.url.startswith('https:') else ''
            headers['Set-Cookie'] = 'MFPSESSIONID=%s; Path=/%s; HttpOnly' % (cookie, secure)
        return urllib3.HTTPResponse(body=body.encode(self.charset), headers=headers, status=status, preload_content=True)

    # --- login ---------------------------------------------------------------------------

    def _new_token2(self):
        token2 = '%080x' % (len(self.requests) * 7919 + len(self.tokens2))
        self.tokens2.add(token2)
        return token2

    def _new_tokens(self):
        """A settings page's token1/token2 pair (80 hex each), accepted once and together."""
        token2 = self._new_token2()
        self.tokens1[token2] = '%080x' % (int(token2, 16) * 31)
        return self.tokens1[token2], token2

    def _login(self, request, target, form, cookie):
        target = target or SMTP
        if request.method == 'GET':
            visitor = None if cookie else 'V%d' % len(self.requests)   # the first GET of a visitor sets one
            return self._response(request, 200, self._login_form(target), cookie=visitor)
        text = TEXT[self.lang]
        if form.get('token2') not in self.tokens2:
            return self._response(request, 200, self._login_form(target, error=('page_expired', text['page_expired'])))
        self.tokens2.discard(form['token2'])
        mode = LOGIN_MODES[self.login]
        if form.get('action') == 'adminloginbtn' and mode['first']:
            return self._response(request, 200, self._login_form(target, second_step=True))
        if self.failed_logins >= self.lockout_attempts:
            return self._response(request, 200, self._login_form(target, error=('locked', text['locked'])))
        if self.busy_logins or (self.session is not None and 'MFPSESSIONID=%s' % self.session not in cookie):
            self.busy_logins = max(self.busy_logins - 1, 0)
            return self._response(request, 200, self._login_form(target, error=('another_admin', text['another_admin'])))
        # As a captured Sharp login: the script's action and the form's hidden fields, as rendered.
        assert (form.get('action'), form.get('ordinate'), form.get('ggt_hidden(10008)')) == (
            'loginbtn', '0', mode['hidden']), form
        user_ok = {'role': form.get('ggt_select(10009)') == '3',
                   'name': form.get('ggt_textbox(10002)') == self.admin_user}.get(mode['user'], True)
        if not user_ok or form.get(mode['password']) != self.admin_password:
            self.failed_logins += 1
            return self._response(request, 200, self._login_form(target, error=('login_failed', text['login_failed']),
                                                                 second_step=True))
        self.failed_logins = 0
        self.idle = 0
        if self.keeps_visitor_cookie:
            self.session = cookie.split('MFPSESSIONID=', 1)[1].split(';')[0]
            return self._response(request, 302, '', location=target)
        self.session = 'S%d' % len(self.requests)
        return self._response(request, 302, '', location=target, cookie=self.session)

    def _login_form(self, target, error=None, status=None, second_step=False):
        mode = LOGIN_MODES[self.login]
        control = '<input type="button" name="%s" value="%s" onclick="validate(this.name)">'
        hidden = ('<input type="hidden" name="token2" value="%s"><input type="hidden" name="action" value="">'
                  '<input type="hidden" name="ordinate" value="0">' % self._new_token2())
        if mode['first'] and not second_step:
            body = ('<form method="post" action="/login.html?%s">%s%s</form>'
                    % (html.escape(target), hidden, control % ('adminloginbtn', LABELS[self.lang]['admin_login'])))
            return self._document(body, error=error, status=status)
        user = {'name': '<input type="text" name="ggt_textbox(10002)" value="">',
                'role': '<select name="ggt_select(10009)"><option value="3" selected>Administrator</option></select>',
                }.get(mode['user'], '')
        body = ('<form method="post" action="/login.html?%s">%s%s'
                '<input type="password" name="%s" value="">'
                '<input type="hidden" name="ggt_hidden(10008)" value="%s">%s</form>'
                % (html.escape(target), hidden, user, mode['password'], mode['hidden'],
                   control % ('loginbtn', LABELS[self.lang]['login'])))
        return self._document(body, error=error, status=status)

    def _document(self, body, error=None, status=None):
        """`error`: (key of ERRORS, message)."""
        messages = ''
        if error:
            messages += '<p class="err">ERROR[%d]: %s</p>' % (ERRORS[error[0]], html.escape(error[1]))
        if status:
            messages += '<p class="ok">%s</p>' % html.escape(status)
        header = '<div id="header"><span id="modelName">%s</span></div>' % self.model if self.model_in_header else ''
        return ('<!DOCTYPE html><html lang="%s"><head><meta http-equiv="Content-Type" content="text/html; charset=%s">'
                '<title>Web Page - %s</title></head><body>%s%s%s</body></html>'
                % (self.lang, self.charset, self.model, header, messages, body))

    # --- settings pages --------------------------------------------------------------------

    def _name(self, index_bp, index_mx, kind):
        # A password box is named like a text box (type="password"), as on captured Sharp pages.
        return 'ggt_%s(%d)' % ('textbox' if kind == 'password' else kind,
                               (index_bp if self.family == 'bp_classic' else index_mx) + self.index_shift)

    def _control(self, key):
        return ('<input type="button" name="%s" value="%s" onclick="validate(this.name)">'
                % (self.controls[key], LABELS[self.lang][key]))

    def _hidden(self, path):
        token1, token2 = self._new_tokens()
        return ''.join('<input type="hidden" name="%s" value="%s">' % field for field in (
            (WEB_CHANGE[path], ''), ('action', ''), ('ordinate', '0'), ('token1', token1), ('token2', token2)))

    def _values(self, path):
        values = dict(self.settings[SECTION[path]])
        values.update(self.settings[self._credential(path)[0]])
        return values

    def _page(self, path, values=None, error=None, status=None):
        values = values if values is not None else self._values(path)
        rows = []
        for setting, kind, bp, mx in FIELDS[path]:
            name = self._name(bp, mx, kind)
            value = values.get(setting, '')
            if kind == 'textbox':
                rows.append('<input type="text" name="%s" value="%s">' % (name, html.escape(str(value))))
            elif kind == 'password':
                rows.append('<input type="password" name="%s" value="">' % name)
            elif kind == 'checkbox':
                checked = ' checked' if value is True else ''
                rows.append('<input type="checkbox" name="%s" value="1"%s>' % (name, checked))
            else:
                first = FIRST_OPTION_VALUE[self.family]
                options = ''.join('<option value="%d"%s>%s</option>'
                                  % (first + i, ' selected' if option == value else '', OPTION_TEXT[self.lang][option])
                                  for i, option in enumerate(OPTIONS[(path, setting)]))
                rows.append('<select name="%s">%s</select>' % (name, options))
            if self.labelled:
                rows[-1] = '<tr><th>%s</th><td>%s</td></tr>' % (FIELD_LABELS[self.lang][setting], rows[-1])
        keys = ['submit'] + ([] if self.profile == 'bp_a3_panel' else ['get_token']) + ['delete'] + (
            ['connection_test'] if path == SMTP else [])   # the BP-70C65 gets its token on the panel only
        buttons = ''.join(self._control(key) for key in keys)
        token = self._credential(path)[1]
        panel = '<tr><th>Token</th><td id="tokenStatus">%s</td></tr>' % TEXT[self.lang]['states'][token['state']]
        if token['account']:
            panel += '<tr><th>Authorized Account</th><td id="tokenAccount">%s</td></tr>' % token['account']
        if token.get('sign_in_url'):
            panel += ('<tr><th>%s</th><td id="tokenSignInUrl"><a href="%s">%s</a></td></tr>'
                      '<tr><th>Expires</th><td id="tokenExpires">2026-11-27T10:15:00Z</td></tr>'
                      % (TEXT[self.lang]['sign_in_url'], html.escape(token['sign_in_url']), html.escape(token['sign_in_url'])))
        elif token['state'] == 'waiting_for_authorization':
            panel += ('<tr><th>User Code</th><td id="tokenUserCode">%s</td></tr>'
                      '<tr><th>Verification URL</th><td id="tokenVerificationUri">https://idp.example.test/devicelogin</td></tr>'
                      '<tr><th>Expires</th><td id="tokenExpires">2026-11-27T10:15:00Z</td></tr>' % token['user_code'])
        if token['message']:
            panel += '<tr><th>Message</th><td id="tokenMessage">%s</td></tr>' % html.escape(token['message'])
        body = ('<form method="post" action="%s">%s%s%s%s</form>'
                '<table id="tokenPanel">%s</table>'
                % (path, self._hidden(path), self._control('logout'), '<table>%s</table>' % ''.join(rows), buttons,
                   panel))
        return self._document(body, error=error, status=status)

    def _read_form(self, path, form):
        """HTML form semantics, and the contract's demand that a client posts the whole form."""
        values = {}
        for setting, kind, bp, mx in FIELDS[path]:
            name = self._name(bp, mx, kind)
            if kind == 'checkbox':
                values[setting] = form.get(name) == '1'
            else:
                assert name in form, 'the client did not post %s (%s): the device would blank it' % (name, setting)
                if kind == 'select':
                    values[setting] = OPTIONS[(path, setting)][int(form[name]) - FIRST_OPTION_VALUE[self.family]]
                else:
                    values[setting] = form[name]
        return values

    def _errors(self, path, values, for_token):
        text = TEXT[self.lang]
        for key, (low, high) in RANGES.items():
            if key in values and not (values[key].isdigit() and low <= int(values[key]) <= high):
                return '%s: %s' % (text['labels'][key], text['range'].format(low, high))
        oauth = values['auth_method'] == 'oauth2'
        server = 'primary_server' if path == SMTP else 'server'
        if for_token and not oauth:
            return '%s: %s' % (text['labels']['auth_method'], text['oauth_first'])
        if oauth and not values[server]:
            return '%s: %s' % (text['labels'][server], text['required'])
        for key in SHARED:
            if (oauth or for_token) and not values[key]:
                return '%s: %s' % (text['labels'][key], text['required'])
        return None

    def _post(self, path, form):
        text = TEXT[self.lang]
        token2 = form.get('token2')
        if token2 not in self.tokens2 or self.tokens1.get(token2) != form.get('token1'):
            return self._page(path, error=('page_expired', text['page_expired']))
        self.tokens2.discard(token2)
        assert not any(name.startswith('ggt_submit') for name in form), 'a Sharp page has no submit buttons'
        assert all(name not in form for name in self.controls.values()), 'a control is never posted itself'
        assert WEB_CHANGE[path] in form and 'ordinate' in form, 'the client dropped the hidden fields'
        action = form.get('action')
        pressed = next((key for key, name in self.controls.items() if name == action), None)
        if pressed == 'logout':
            self.session = None
            raise LoggedOut()
        if self.busy_posts:
            self.busy_posts -= 1
            if self.pending:   # the confirmation page again, as the lab shows it
                return self._confirm_page(path, self.pending[3], error=('busy', text['busy']))
            return self._page(path, error=('busy', text['busy']))
        if action in self.deaf_to:
            return self._page(path)   # a firmware that does not act on this control: the page, unchanged
        if self.pending and action in ('okbtn', 'cancelbtn'):
            return self._confirmed(path, action == 'okbtn')
        self.pending = None
        if pressed is None or (pressed == 'connection_test' and path != SMTP):
            return self._page(path)   # an unknown action is ignored silently, as real devices do
        if pressed == 'delete':  # form values are ignored
            if self.confirm == 'page':
                self.pending = ('delete', path, None, 'Delete the token?')
                return self._confirm_page(path, self.pending[3])
            return self._delete(path)
        values = self._read_form(path, form)
        error = self._errors(path, values, for_token=pressed == 'get_token')
        if error:
            return self._page(path, values=values, error=('validation', error))
        if pressed == 'get_token':
            if self.confirm == 'page':
                self.pending = ('get_token', path, values, 'Obtain a token for %s?' % values['account'])
                return self._confirm_page(path, self.pending[3])
            return self._get_token(path)
        if pressed == 'connection_test':
            return self._page(path, values=values, status='Connection test succeeded.')
        self._save(path, values)
        return self._page(path, status=text['saved'])

    def _save(self, path, values):
        section = self.settings[SECTION[path]]
        for key in section:
            if key in self.ignored:
                continue
            if key == 'password':
                if values['change_password']:
                    section['password'] = values['password']
            else:
                section[key] = values[key]
        self.settings[self._credential(path)[0]] = {key: values[key] for key in SHARED}

    def _confirm_page(self, path, message, error=None):
        body = ('<form method="post" action="%s"><p id="confirmMessage">%s</p>%s'
                '<input type="button" name="okbtn" value="%s" onclick="validate(this.name)">'
                '<input type="button" name="cancelbtn" value="%s" onclick="validate(this.name)"></form>'
                % (path, html.escape(message), self._hidden(path), LABELS[self.lang]['ok'], LABELS[self.lang]['cancel']))
        return self._document(body, error=error)

    def _confirmed(self, path, ok):
        action, pending_path = self.pending[:2]
        self.pending = None
        assert pending_path == path
        if not ok:
            return self._page(path)
        if action == 'delete':
            return self._delete(path)
        return self._get_token(path)

    def _delete(self, path):
        self._credential(path)[1].update(state='not_obtained', account=None, user_code=None, sign_in_url=None,
                                         message=None)
        return self._page(path, status=TEXT[self.lang]['deleted'])

    def _get_token(self, path):
        # Stricter than the lab: the token is requested for the saved provider and account,
        # whatever else the form carried; nothing of the form is saved.
        browser = self.sign_in == 'browser'
        self._credential(path)[1].update(state='waiting_for_authorization', account=None, message=None,
                                         user_code=None if browser else 'F7K2QW9M',
                                         sign_in_url=SIGN_IN_URL if browser else None)
        return self._page(path)

    def writes(self):
        """(path, form) of every settings-page POST but [Logout]: what check mode must never send."""
        return [(path, form) for path, form in self.posts
                if path != '/login.html' and form.get('action') != self.controls['logout']]

    def pressed(self):
        """The `action` of every settings-page POST but [Logout], in order."""
        return [form.get('action') for path, form in self.writes()]

    def snapshot(self):
        return copy.deepcopy(self.settings)
