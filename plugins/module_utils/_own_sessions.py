# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The admin sessions the collection holds, remembered across its processes.

A device has one admin session at a time. Ansible runs each host-task in a new worker process,
and a process can end holding it (a logout that failed, a worker killed): the next task would
then wait for that session as if another administrator held it. So the session's cookie is kept
in a private file while the session lives, and the next login to the device ends that session
first (docs/troubleshooting.md, "Another administrator is logged in").
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os


def _path(base_url, user):
    """The file of the sessions of `user` on the device at `base_url`: under $XDG_CACHE_HOME (else
    ~/.cache), named by a digest so that it names no device or user."""
    cache = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    digest = hashlib.sha256(repr((base_url, user or '')).encode('utf-8')).hexdigest()
    return os.path.join(cache, 'printfleet.mfp', 'sessions', digest)


def remember(base_url, user, cookies):
    """Keep the cookies of a session just opened (0600, in a 0700 directory), with this process's id."""
    path = _path(base_url, user)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    temporary = '%s.%d' % (path, os.getpid())
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)   # also where a file of that name was left with another mode
    with os.fdopen(descriptor, 'w') as record:
        json.dump({'cookies': cookies, 'pid': os.getpid()}, record)
    os.replace(temporary, path)   # whole or not at all, for a reader in another process


def leftover(base_url, user):
    """The cookies of a session the collection left open on the device, or None: one whose process has
    ended, or this process's own (an earlier task of a loop, a logout between polls that failed).

    A session whose process still runs belongs to another run working on the device right now (two
    roll-outs at once): not ours to end. One failed open() when there is none: the cost on the
    happy path.
    """
    try:
        with open(_path(base_url, user)) as record:
            kept = json.load(record)
        pid, cookies = int(kept['pid']), dict(kept['cookies'])
    except (OSError, ValueError, KeyError, TypeError):
        return None   # none, or unreadable: as if none, the login then waits as it always did
    if pid != os.getpid() and _running(pid):
        return None
    return cookies


def forget(base_url, user, cookies):
    """Drop the record of the session with `cookies` once it has ended (not another run's, written since)."""
    path = _path(base_url, user)
    try:
        with open(path) as record:
            if json.load(record).get('cookies') != cookies:
                return
        os.remove(path)
    except (OSError, ValueError, AttributeError):
        pass   # already gone, or not a record this collection wrote


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True   # running, as another user
    return True
