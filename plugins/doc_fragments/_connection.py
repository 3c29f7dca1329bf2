# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # The connection to the device's web pages, shared by every module.
    DOCUMENTATION = r'''
options:
  mfp_host:
    description:
      - Address (host name or IP) of the device's web pages.
      - When not given in the task, the host variable C(mfp_host) is used, then C(ansible_host),
        then C(inventory_hostname) of the inventory host the task runs for.
    type: str
  mfp_port:
    description:
      - TCP port of the device's web pages.
      - When not given in the task, the host variable of the same name is used.
    type: int
    default: 443
  mfp_protocol:
    description:
      - V(https), or V(http) for devices whose web pages have no TLS.
      - Plain HTTP sends the admin password unencrypted; it is used only when chosen here,
        never as a fallback when HTTPS fails.
      - When not given in the task, the host variable of the same name is used.
    type: str
    choices: [https, http]
    default: https
  mfp_admin_user:
    description:
      - Login name of the device administrator, for devices whose login page asks for one (user
        authentication). Ignored where the login page asks the password alone.
      - When not given in the task, the host variable of the same name is used.
    type: str
  mfp_admin_password:
    description:
      - Password of the device administrator.
      - When not given in the task, the host variable of the same name is used, so setting
        C(mfp_admin_password) to C({{ vault_mfp_admin_password }}) in C(group_vars) is enough.
      - A refused password is never retried, so one wrong password costs one failed login on the device.
    type: str
    required: true
  mfp_validate_certs:
    description:
      - Verify the device's TLS certificate.
      - When not given in the task, the host variable of the same name is used.
    type: bool
    default: true
  mfp_ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the device certificates.
      - The only CAs trusted for the device when given. Without it, the system's trust store is used
        (OpenSSL's default paths, which E(SSL_CERT_FILE) and E(SSL_CERT_DIR) can change).
      - When not given in the task, the host variable of the same name is used.
    type: path
  mfp_timeout:
    description:
      - Seconds to wait for each answer of the device.
      - When not given in the task, the host variable of the same name is used.
    type: int
    default: 30
  mfp_retries:
    description:
      - How often a request is retried, with back-off, after a server error, a timeout or a dropped
        connection.
      - A page read is simply read again. A form post (login, save, [Get Token], [OK], [Delete],
        logout) is posted again, on the page read again, only where that is safe; that is, when the
        device provably did not act on it (connection refused, HTTP 503, busy), or when its answer was lost
        and the page read again does not show it done. A refused password is never retried.
      - When not given in the task, the host variable of the same name is used.
    type: int
    default: 3
  mfp_busy_timeout:
    description:
      - A device has one administrator session at a time. While another administrator is logged
        in, the login is tried again for up to this many seconds before the task fails.
      - A save or button the device answers with C(ERROR[5000]) (the machine is busy, and did nothing) is
        tried again for up to this many seconds too, and at least O(mfp_retries) times.
      - When not given in the task, the host variable of the same name is used.
    type: int
    default: 60
  mfp_profile:
    description:
      - The device family, which says where each setting is on the web pages.
      - V(auto) detects it from the model name on the login page.
      - When not given in the task, the host variable of the same name is used.
    type: str
    choices: [auto, bp_a3, bp_a3_panel, bp_classic, mx_classic]
    default: auto
  mfp_execution:
    description:
      - Where the device is driven from.
      - V(controller) runs in the Ansible controller process; the inventory hosts (printers) need
        neither Python nor SSH. Use it in plays with C(gather_facts) off.
      - V(module) runs the module on the task's host, usually a jump host in the printer network
        given with C(delegate_to); that host needs Python and the C(urllib3) library.
        The connection options are resolved from the printer's host variables before that.
      - When not given in the task, the host variable of the same name is used.
    type: str
    choices: [controller, module]
    default: controller
requirements:
  - urllib3 >= 1.26 (on the controller, or on the delegated host with O(mfp_execution=module))
notes:
  - Each task logs in once, reads and writes the page(s) it needs, and logs out, also when it fails,
    so that the next task (or a person) can log in; a device allows one administrator at a time.
  - Passwords are write-only on the device and never appear in results, facts or diffs.
  - A proxy from the environment (E(https_proxy), E(http_proxy) for O(mfp_protocol=http), E(all_proxy)) is used
    unless E(no_proxy) names the device (C(*), its name or a domain of it, its address, or a network in CIDR
    notation holding it). In the default O(mfp_execution=controller) this is the environment of
    C(ansible-playbook); the C(environment) keyword of a play or task applies only with O(mfp_execution=module).
'''
