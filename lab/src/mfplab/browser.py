"""A person at a browser, without the browser: reads HTML forms and submits them as a browser would.

The demo and the tests use it to click through device pages and the provider's sign-in page the
way an administrator or a mailbox user does. It knows HTML form semantics (what a browser sends
for checkboxes, selects and the pressed button) and nothing about any particular page.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


@dataclass
class Form:
    action: str
    method: str = "get"
    fields: dict = field(default_factory=dict)      # what a browser sends if nothing is touched
    buttons: dict = field(default_factory=dict)     # submit name -> [values], in page order
    options: dict = field(default_factory=dict)     # select name -> [option values]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.texts = [], {}
        self._select = self._option = self._text_id = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if "id" in attrs:
            self._text_id, self.texts[attrs["id"]] = attrs["id"], ""
        elif tag == "p" and attrs.get("class") and "." + attrs["class"] not in self.texts:
            # A paragraph known by its class (Sharp's result lines `p.ok`, `p.err`): text(".ok")
            self._text_id = "." + attrs["class"]
            self.texts[self._text_id] = ""
        form = self.forms[-1] if self.forms else None
        if tag == "form":
            self.forms.append(Form(attrs.get("action", ""), attrs.get("method", "get").lower()))
        elif form is None or "disabled" in attrs:
            return
        elif tag == "input":
            self._input(form, attrs)
        elif tag == "button" and attrs.get("name"):
            form.buttons.setdefault(attrs["name"], []).append(attrs.get("value", ""))
        elif tag == "select":
            self._select = attrs.get("name")
            form.options[self._select] = []
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            form.options[self._select].append(value)
            if "selected" in attrs or len(form.options[self._select]) == 1:
                form.fields[self._select] = value
        elif tag == "textarea" and attrs.get("name"):
            form.fields[attrs["name"]] = ""

    @staticmethod
    def _input(form, attrs):
        kind, name = attrs.get("type", "text").lower(), attrs.get("name")
        if not name:
            return
        if kind in ("submit", "image"):
            form.buttons.setdefault(name, []).append(attrs.get("value", ""))
        elif kind in ("checkbox", "radio"):
            if "checked" in attrs:
                form.fields[name] = attrs.get("value", "on")
        elif kind not in ("button", "reset", "file"):
            form.fields[name] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if self._text_id and tag in ("td", "div", "span", "p", "h1", "h2", "li", "a", "code"):
            self._text_id = None

    def handle_data(self, data):
        if self._text_id:
            self.texts[self._text_id] += data


class Page:
    """A fetched page: its URL, status, forms and the text of each element with an id (and of the first
    paragraph of each class, as ".class")."""

    def __init__(self, response):
        self.response = response
        self.url = response.url
        self.status = response.status_code
        parser = _Page()
        parser.feed(response.text)
        self.forms = parser.forms
        self._texts = {key: " ".join(value.split()) for key, value in parser.texts.items()}

    def text(self, element_id, default=None):
        return self._texts.get(element_id, default)

    def form(self, index=0):
        return self.forms[index]


class Browser:
    """One person's browser: a cookie jar, the CAs it trusts, and the page it looks at."""

    def __init__(self, ca_path, timeout=30, follow_redirects=True):
        """`follow_redirects=False` makes a redirect the page itself, for tests that check the redirect."""
        self._http = requests.Session()
        self._http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override `verify`
        self._verify = str(ca_path)
        self._timeout = timeout
        self._follow_redirects = follow_redirects
        self.page = None

    def open(self, url):
        return self._load("get", url)

    def post(self, url, data):
        """Post `data` as given, as a hand-made form would: nothing is taken from the page's forms."""
        return self._load("post", url, data=data)

    def submit(self, form=None, button=None, button_value=None, **changes):
        """Submit a form of the current page as a browser would, pressing `button` (a name).

        Buttons sharing a name are told apart by `button_value` (default: the first).
        `changes` sets fields by name; a value of None unticks a checkbox.
        """
        form = form or self.page.form()
        data = dict(form.fields)
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        if button is not None:
            values = form.buttons[button]
            if button_value is not None and button_value not in values:
                raise KeyError(f"no button {button}={button_value!r} on {self.page.url}")
            data[button] = values[0] if button_value is None else button_value
        url = form.action or self.page.url
        if form.method == "post":
            return self.post(url, data)
        return self._load("get", url, params=data)

    def _load(self, method, url, **payload):
        """Fetch `url`, relative to the current page if there is one, and make the response the page."""
        if self.page is not None:
            url = urljoin(self.page.url, url)
        response = self._http.request(method, url, verify=self._verify, timeout=self._timeout,
                                      allow_redirects=self._follow_redirects, **payload)
        self.page = Page(response)
        return self.page
