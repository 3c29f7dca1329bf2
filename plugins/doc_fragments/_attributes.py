# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # Attributes every module of the collection has.
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the device.
    support: full
    details:
      - Check mode logs in and reads the pages; it never posts a settings form or presses a button.
  diff_mode:
    description: Returns details on what has changed (or would change in C(check_mode)) in diff mode.
    support: full
    details:
      - Passwords are shown masked, and only when they are about to be written.
  facts:
    description: Sets C(ansible_facts.mfp_oauth) with the token state of both services.
    support: full
  action_group:
    description: Use C(group/printfleet.mfp.mfp) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - printfleet.mfp.mfp
  action:
    description: Has an action plugin of the same name that runs the module's logic in the controller process.
    support: full
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  delegation:
    description: Can be used with C(delegate_to) and related keywords.
    support: full
    details:
      - With O(mfp_execution=module) the module runs on the delegated host; the connection options
        still come from the printer's host variables.
'''
