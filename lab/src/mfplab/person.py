"""A mailbox user at a browser: signs in where a device's token panel sends them.

The demo and the tests share it. It clicks through the provider's pages as a person does, with
mfplab.browser.Browser: a device code entered at the verification URL, or a device's sign-in
address (a browser sign-in) followed to the provider and, once signed in, back to the device.
"""

from mfplab.browser import Browser


class Person:
    def __init__(self, ca_path, username, password, follow_redirects=True):
        """`follow_redirects=False` stops at the provider's answer that sends the browser back to the app."""
        self._ca_path = ca_path
        self.username = username
        self._password = password
        self._follow_redirects = follow_redirects

    def _browser(self):
        # A fresh browser each time: one sign-in's cookies do not carry into the next.
        return Browser(self._ca_path, follow_redirects=self._follow_redirects)

    def sign_in_with_code(self, verification_uri, user_code, decision="accept"):
        """Open the verification URL, enter the code, sign in, answer the consent page if asked; the last page."""
        browser = self._browser()
        browser.open(verification_uri)
        browser.submit(user_code=user_code)
        return self._sign_in(browser, decision)

    def sign_in_at(self, sign_in_url, decision="accept"):
        """Open a device's sign-in address, sign in, answer the consent page if asked; the last page (the
        device's answer, when the browser was sent back to it)."""
        browser = self._browser()
        browser.open(sign_in_url)
        return self._sign_in(browser, decision)

    def _sign_in(self, browser, decision):
        page = browser.submit(username=self.username, password=self._password)
        if page.forms and "decision" in page.form().buttons:
            page = browser.submit(button="decision", button_value=decision)
        return page
