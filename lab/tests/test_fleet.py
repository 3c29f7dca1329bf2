"""The fleet file: defaults, expansion, addresses, and errors that name the entry."""

import pytest

from mfplab.fleet import FleetError, inventory, load_fleet, parse_fleet

CLIENT = {"clients": [{"client_id": "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f", "name": "lab"}]}


def fleet(devices, **extra):
    return parse_fleet(dict({"identity_provider": CLIENT, "devices": devices}, **extra))


def test_the_default_fleet_has_a_dozen_devices_in_both_languages_and_profiles():
    devices = load_fleet().devices
    assert len(devices) >= 12
    assert {d["language"] for d in devices} == {"en", "sv"}
    assert {d["profile"] for d in devices} == {"bp_classic", "mx_classic"}
    assert {d["sign_in"] for d in devices} == {None, "browser"}   # device code, the profiles' usual, and browser
    assert {d["token"]["state"] for d in devices} == {"not_obtained", "obtained", "invalid"}
    assert any(d["faults"].get("offline") for d in devices)


def test_devices_get_consecutive_loopback_addresses_skipping_network_and_broadcast_octets():
    parsed = fleet([{"name": "p{n}", "count": 3}], lab={"first_device_address": "127.5.0.254"})
    assert [d["address"] for d in parsed.devices] == ["127.5.0.254", "127.5.1.1", "127.5.1.2"]
    assert [d["name"] for d in parsed.devices] == ["p1", "p2", "p3"]


def test_defaults_merge_deeply_and_entries_override_them():
    parsed = fleet([{"name": "a", "settings": {"smtp": {"port": 465}}}],
                   defaults={"language": "sv", "settings": {"smtp": {"port": 25, "timeout": 9}}})
    device = parsed.devices[0]
    assert device["language"] == "sv"
    assert device["settings"]["smtp"] == {"port": 465, "timeout": 9}
    assert device["lockout"] == {"attempts": 3, "seconds": 300}   # Sharp's usual 3 attempts / 5 minutes
    assert device["authentication"] is None


@pytest.mark.parametrize("devices, message", [
    ([], "has no devices"),
    ([{"model": "x"}], "needs a name"),
    ([{"name": "a"}, {"name": "a"}], "name is used twice"),
    ([{"name": "a", "address": "127.1.0.9"}, {"name": "b", "address": "127.1.0.9"}], "used twice"),
    ([{"name": "a", "address": "10.0.0.1"}], "not an IPv4 loopback"),
    ([{"name": "a", "language": "de"}], "language must be one of"),
    ([{"name": "a", "profile": "bp_modern"}], r"profile must be one of \['bp_a3', 'bp_a3_panel', 'bp_classic', 'mx_classic'\]"),
    ([{"name": "a", "faults": {"melt": True}}], "unknown faults"),
    ([{"name": "a", "authentication": "kerberos"}], "authentication must be one of"),
    ([{"name": "a", "faults": {"error_rate": 2}}], "between 0 and 1"),
    ([{"name": "a", "faults": {"hang": "yes"}}], "hang must be true or false"),
    ([{"name": "a", "faults": {"max_connections": -1}}], "max_connections must be between 0 and 1000"),
    ([{"name": "a", "faults": {"certificate": "stolen"}}], r"certificate must be one of \['valid', 'expired', 'changed'\]"),
    ([{"name": "a", "faults": {"visitor_hold_seconds": 0}}], "visitor_hold_seconds must be between"),
    ([{"name": "a", "faults": {"power_loss_seconds": 601}}], "power_loss_seconds must be between 0 and 600"),
    ([{"name": "a", "faults": {"lost_answer_rate": "often"}}], "lost_answer_rate must be a number"),
    ([{"name": "a", "token": {"state": "obtained"}}], "needs the account"),
    ([{"name": "a", "token": {"state": "shiny"}}], "token.state must be one of"),
    ([{"name": "a", "pop_token": {"state": "invalid"}}], "a pop_token that is invalid needs the account"),
    ([{"name": "p{n}", "count": 0}], "positive whole number"),
])
def test_a_bad_fleet_file_is_refused_with_the_entry_named(devices, message):
    with pytest.raises(FleetError, match=message):
        fleet(devices)


def test_the_provider_must_register_the_devices_client():
    with pytest.raises(FleetError, match="clients"):
        parse_fleet({"devices": [{"name": "a"}]})


@pytest.mark.parametrize("setting", [{"block_device_code": True}, {"block_device_code_flow": "yes"}, ["on"]])
def test_a_tenants_conditional_access_takes_only_known_switches(setting):
    idp = {"clients": [{"client_id": "c"}],
           "tenants": [{"name": "contoso", "conditional_access": setting, "accounts": []}]}
    with pytest.raises(FleetError, match="identity_provider: tenant contoso: conditional_access"):
        parse_fleet({"identity_provider": idp, "devices": [{"name": "a"}]})
    idp["tenants"][0]["conditional_access"] = {"block_device_code_flow": True}
    assert parse_fleet({"identity_provider": idp, "devices": [{"name": "a"}]}).identity_provider == dict(
        idp, address="127.0.0.2", port=8443, faults={})


def test_the_inventory_groups_hosts_and_carries_what_the_collection_needs(tmp_path):
    parsed = fleet([{"name": "a"}, {"name": "b", "profile": "mx_classic", "language": "sv", "admin_user": "root"},
                    {"name": "c", "profile": "mx_classic", "authentication": "admin_two_step"}])
    printers = inventory(parsed, tmp_path / "ca.pem", tmp_path / "control.secret")["all"]["children"]["printers"]
    assert printers["hosts"]["a"]["ansible_host"] == parsed.devices[0]["address"]
    assert printers["hosts"]["a"]["mfp_ca_path"] == str(tmp_path / "ca.pem")
    assert "mfp_admin_user" not in printers["hosts"]["a"]
    assert printers["hosts"]["b"]["mfp_admin_user"] == "root"
    assert "mfp_admin_user" not in printers["hosts"]["c"]   # its login form asks no name
    assert set(printers["children"]["ui_sv"]["hosts"]) == {"b"}
    assert set(printers["children"]["profile_mx_classic"]["hosts"]) == {"b", "c"}


def test_a_redirect_uri_template_registers_the_callback_of_every_printer_that_signs_in_by_browser():
    client = dict(CLIENT["clients"][0], redirect_uris=["https://{address}:{port}/oauth2/callback",
                                                       "https://relay.example/printers"])
    parsed = parse_fleet({"identity_provider": {"clients": [client]}, "lab": {"first_device_address": "127.5.0.1"},
                          "devices": [{"name": "code"}, {"name": "browser", "sign_in": "browser"},
                                      {"name": "a3", "profile": "bp_a3", "model": "BP-B550WD"}]})
    assert parsed.identity_provider["clients"][0]["redirect_uris"] == [
        "https://127.5.0.2:8443/oauth2/callback", "https://127.5.0.3:8443/oauth2/callback",
        "https://relay.example/printers"]
    with pytest.raises(FleetError, match=r"device a: sign_in must be one of \['browser', 'device_code'\]"):
        fleet([{"name": "a", "sign_in": "qr_code"}])


def test_the_providers_faults_are_checked_like_a_devices():
    provider = dict(CLIENT, faults={"throttle_rate": 0.5, "retry_after_seconds": 30})
    assert fleet([{"name": "a"}], identity_provider=provider).identity_provider["faults"]["throttle_rate"] == 0.5
    for faults, message in (({"throttle_rate": 2}, "throttle_rate must be between 0 and 1"),
                            ({"hang": True}, "unknown faults"), ({"offline": "no"}, "offline must be true or false")):
        with pytest.raises(FleetError, match=f"identity_provider.faults: {message}"):
            fleet([{"name": "a"}], identity_provider=dict(CLIENT, faults=faults))
