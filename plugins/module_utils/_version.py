# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's version as its requests name it (a module cannot read galaxy.yml or MANIFEST.json:
Ansible ships it to the worker without them). A unit test holds it equal to galaxy.yml's version."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

COLLECTION_VERSION = '0.3.0'

# Sent with every request, so that a device's log (and the lab) tells the collection's session from a person's.
USER_AGENT = 'printfleet.mfp/%s' % COLLECTION_VERSION
