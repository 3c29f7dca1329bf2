"""The administrator session: one at a time, idle expiry, lockout, and single-use `token2` values.

Everything is evaluated lazily on requests, so an idle device runs no timers.
"""

import collections
import secrets
import time

LOGIN_TOKENS_KEPT = 32   # outstanding login forms (several browsers may sit on the login page)
PAGE_TOKENS_KEPT = 4     # outstanding settings-page forms per session (e.g. both pages open)


TOKEN_HEX = 80   # as captured: token2 is 80 hex digits


class SingleUseTokens:
    """The last few token1/token2 pairs rendered into forms, each bound to the session cookie it was
    rendered for; a pair is accepted once, with that cookie."""

    def __init__(self, kept):
        self._values = collections.deque(maxlen=kept)

    def issue(self, bound_to=None):
        """A new (token1, token2) pair for a form shown to `bound_to` (a session cookie)."""
        pair = (secrets.token_hex(TOKEN_HEX // 2), secrets.token_hex(TOKEN_HEX // 2))
        self._values.append((pair, bound_to))
        return pair

    def take(self, token1, token2, bound_to=None):
        """True once for a pair that was issued to `bound_to`; it is spent either way."""
        for entry in self._values:
            (first, second), owner = entry
            if second == token2 and token2:
                self._values.remove(entry)
                return (token1 is None or first == token1) and owner == bound_to
        return False

    def clear(self):
        self._values.clear()


class AdminSession:
    def __init__(self, now, holder, user_agent):
        self.id = secrets.token_hex(16)
        self.holder = holder            # "web": logged in at the login form; "visitor": the lab's scheduled visitor
        self.user_agent = user_agent    # of the login request, to tell clients apart
        self.last_seen = now
        self.pending = None   # the confirmation page awaiting [OK] / [Cancel]
        self.tokens = SingleUseTokens(PAGE_TOKENS_KEPT)


class AdminSessions:
    def __init__(self, idle_seconds, lockout_attempts, lockout_seconds, clock=time.time):
        self.idle_seconds = idle_seconds
        self._attempts = lockout_attempts
        self._lock_seconds = lockout_seconds
        self._clock = clock
        self._session = None
        self.login_tokens = SingleUseTokens(LOGIN_TOKENS_KEPT)
        self._failures_in_row = 0
        self._locked_until = None

    # lockout
    def locked(self):
        if self._locked_until is not None and self._clock() >= self._locked_until:
            self._locked_until = None
            self._failures_in_row = 0
        return self._locked_until is not None

    def record_failure(self):
        self._failures_in_row += 1
        if self._failures_in_row >= self._attempts:
            self._locked_until = self._clock() + self._lock_seconds

    # the session
    def current(self, session_id):
        """The live session named by the cookie, touched; None if absent, foreign or idle too long."""
        session = self._live()
        if session is None or not session_id or session.id != session_id:
            return None
        session.last_seen = self._clock()
        return session

    def held_by_other(self, session_id):
        session = self._live()
        return session is not None and session.id != session_id

    def open(self, holder, user_agent=""):
        self._failures_in_row = 0
        self._session = AdminSession(self._clock(), holder, user_agent)
        return self._session

    def close(self, session_id):
        """End the session named by the cookie; True if it was the live one."""
        if self._session is not None and self._session.id == session_id:
            self._session = None
            return True
        return False

    def clear(self, reboot=False):
        """End the session (forced expiry); a reboot also forgets login forms and failed logins."""
        self._session = None
        if reboot:
            self.login_tokens.clear()
            self._failures_in_row = 0
            self._locked_until = None

    def state(self):
        locked = self.locked()
        session = self._live()
        return {
            "active": session is not None,
            "holder": session.holder if session else None,
            "user_agent": session.user_agent if session else None,
            "locked_until": self._locked_until if locked else None,
            "failed_logins_in_row": self._failures_in_row,
        }

    def _live(self):
        session = self._session
        if session is not None and self._clock() - session.last_seen >= self.idle_seconds:
            self._session = session = None
        return session
