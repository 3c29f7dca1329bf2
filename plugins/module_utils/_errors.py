# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class MfpError(Exception):
    """The one error the modules report: a clear message, plus result keys in `details`."""

    def __init__(self, message, **details):
        super(MfpError, self).__init__(message)
        self.details = details
