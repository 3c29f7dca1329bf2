# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.printfleet.mfp.plugins.plugin_utils._action import MfpActionBase


class ActionModule(MfpActionBase):
    MODULE = 'mfp_mail_oauth'
