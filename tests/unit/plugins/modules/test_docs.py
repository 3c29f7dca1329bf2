# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The hand-copied docs held to what they copy: ansible-doc reads DOCUMENTATION and RETURN
statically, so they cannot be generated from the settings and profile tables."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.printfleet.mfp.plugins.doc_fragments._connection import ModuleDocFragment
from ansible_collections.printfleet.mfp.plugins.module_utils import _arguments as arguments
from ansible_collections.printfleet.mfp.plugins.module_utils import _device_settings as device_settings
from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.modules import (
    mfp_fleet_mail_oauth, mfp_info, mfp_mail_oauth, mfp_oauth_token, mfp_pop, mfp_smtp,
)

MODULES = {'mfp_smtp': mfp_smtp, 'mfp_pop': mfp_pop, 'mfp_oauth_token': mfp_oauth_token, 'mfp_info': mfp_info,
           'mfp_mail_oauth': mfp_mail_oauth, 'mfp_fleet_mail_oauth': mfp_fleet_mail_oauth}
SETTINGS_MODULES = sorted(arguments.SETTINGS_SERVICES.items())
# The modules whose options `smtp` and `pop` hold page settings, and their argument specs.
PAGE_DICTIONARY_SPECS = {'mfp_mail_oauth': arguments.SPECS['mfp_mail_oauth']['argument_spec'],
                         'mfp_fleet_mail_oauth': arguments.FLEET_MAIL_OAUTH_SPEC['argument_spec']}


def _options(module):
    return yaml.safe_load(MODULES[module].DOCUMENTATION)['options']


def _description(option):
    text = option['description']
    return ' '.join(text) if isinstance(text, list) else text


def _device_options(service):
    return device_settings.names(service) + device_settings.names(service, 'password')


def _documented_as_the_table_says(documented, spec, names):
    for name in names:
        setting, option = device_settings.BY_NAME[name], documented[name]
        assert option['type'] == spec[name]['type'], name
        assert option.get('choices') == spec[name].get('choices'), name
        assert _description(option).startswith(setting['doc']), name
        if setting['range']:
            assert '%d to %d' % setting['range'] in _description(option), name
        if 'at most' in _description(option):
            assert 'at most %d characters' % setting['max_length'] in _description(option), name


@pytest.mark.parametrize('module, service', SETTINGS_MODULES)
def test_settings_documented_as_the_table_says(module, service):
    _documented_as_the_table_says(_options(module), arguments.SPECS[module]['argument_spec'], _device_options(service))


@pytest.mark.parametrize('module', sorted(PAGE_DICTIONARY_SPECS))
@pytest.mark.parametrize('service', profiles.SERVICES)
def test_page_dictionaries_documented_as_the_table_says(module, service):
    documented = _options(module)[service]['suboptions']
    spec = PAGE_DICTIONARY_SPECS[module][service]['options']
    assert set(documented) == set(spec) == set(arguments.MAIL_OAUTH_PAGES[service])
    _documented_as_the_table_says(documented, spec, arguments.MAIL_OAUTH_PAGES[service])


@pytest.mark.parametrize('module, service', SETTINGS_MODULES)
def test_every_documented_option_is_an_argument(module, service):
    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    assert set(_options(module)) | set(fragment) == set(arguments.SPECS[module]['argument_spec'])


def test_credential_of_the_token_module_as_the_table_says():
    documented, spec = _options('mfp_oauth_token'), arguments.SPECS['mfp_oauth_token']['argument_spec']
    for name in ('provider', 'account'):
        assert (documented[name]['type'], documented[name].get('choices')) == (
            spec[name]['type'], spec[name].get('choices')), name


def test_profile_choices_of_the_fragment_are_the_profiles():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']['mfp_profile']
    assert documented['choices'] == ['auto'] + sorted(profiles.PROFILES)


def test_token_return_blocks_agree():
    blocks = dict((module, yaml.safe_load(MODULES[module].RETURN)['token'])
                  for module in ('mfp_smtp', 'mfp_pop', 'mfp_oauth_token'))
    first = blocks['mfp_smtp']
    for module, block in blocks.items():
        assert (block['type'], block['returned'], block['contains']) == (
            first['type'], first['returned'], first['contains']), module
