"""The fault suite (issue 10): the roll-out (a person signing in as it waits) and the audit on a small
fleet under each fault the lab makes, as an operator runs them: playbooks/rollout.yml again until it
converges, then playbooks/audit.yml. Whatever the fault, asserted on the lab's ground truth:

- nothing lost: after every run each settings section is the one before the roll-out or the one the
  roll-out writes, whole; at the end every printer holds what a roll-out without faults leaves;
- no duplicate sign-in: one code per printer at the provider, one refresh token per printer;
- no session the collection opened is left open (the session holder's User-Agent says whose it is);
- no failed login (the fleet's passwords are right: a failed login is one the collection caused);
- convergence within the bound the case states.

A printer that hangs or whose certificate fails is meant not to converge: it ends failed with a message
naming the cause, nothing written to it, and the other printer converges as if it were not there.

    .venv/bin/python -m pytest -q -n 2 tests/integration/test_fault_suite.py
"""

import dataclasses
import json
import socket
import ssl
import threading

import pytest

from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_playbooks import ACCOUNT, person_signing_in, playbook, record_of
from test_targets import DEVICES, fleet_document

# Two printers of both families (bp_classic, mx_classic); the fault hits the second, or both.
PRINTERS = [DEVICES[0], DEVICES[2]]
FAULTY = PRINTERS[1]["name"]
USER_AGENT_PREFIX = "printfleet.mfp/"

# Short, so that each case takes seconds: a stalled or hanging answer costs mfp_timeout per try, a busy
# device (another administrator, a visitor) is waited for up to mfp_busy_timeout.
FAST = ["-e", "mfp_timeout=3", "-e", "mfp_retries=3", "-e", "mfp_busy_timeout=15",
        "-e", "mail_oauth_token_wait=true", "-e", "mail_oauth_token_poll_interval=1",
        "-e", "mail_oauth_token_wait_timeout=60"]

# Most faults are ridden out within a run: the retries (mfp_retries 3) outlast a share of 20-40% failed
# requests nearly always, and the next run does what is left. Two runs is the Target of issue 10; faults
# that end a run for a printer by design (a reboot, the provider down for the first run, power lost
# during a save with its seconds down) need that second run to finish its task.
RUNS = 2
# Shorter than mfp_busy_timeout (FAST), so that a login meeting the session a lost login answer opened
# waits it out; a real printer's is minutes (docs/troubleshooting.md, "Another administrator is logged in").
IDLE_SECONDS = 4
# Power loss at 50% of saves can strike a printer in two runs running (seeded, but each save draws).
RUNS_POWER_LOSS = 3


@dataclasses.dataclass
class Case:
    faults: dict = dataclasses.field(default_factory=dict)    # of the faulty printer
    both: bool = False              # the faults hit both printers
    provider: dict = None           # the provider's faults
    provider_first_run_only: bool = False   # the outage ends after the first run, as outages do
    runs: int = RUNS
    reboot: bool = False            # the faulty printer reboots once settings are being written
    fails: str = None               # the faulty printer never converges: its message says this
    idle_seconds: float = None      # the faulty printer's session idle timeout
    options: tuple = ()             # ansible-playbook options of the case's runs
    browser_seconds: float = 0     # a person's browser holds a connection to the faulty printer this long
    hit: str = None                 # the lab's count that shows the fault struck (the faulty printer's, or provider's)


CASES = {
    "error_rate": Case({"error_rate": 0.3}, both=True),
    "drop_rate": Case({"drop_rate": 0.2}, both=True),
    "busy_rate": Case({"busy_rate": 0.4}, both=True),
    # A login whose answer is lost (or stalled, or cut before its headers end: they carry the cookie) opens
    # a session under a cookie the collection never got: only the device's idle timeout ends it
    # (docs/device-protocol.md, "Retried writes"). A short one here, which mfp_busy_timeout outlasts.
    "lost_answer_rate": Case({"lost_answer_rate": 0.2}, both=True, idle_seconds=IDLE_SECONDS, hit="answers_lost"),
    "stall_rate": Case({"stall_rate": 0.1}, both=True, idle_seconds=IDLE_SECONDS, options=("-e", "mfp_timeout=2"),
                       hit="answers_stalled"),
    "cut_rate": Case({"cut_rate": 0.2}, both=True, idle_seconds=IDLE_SECONDS, hit="answers_cut"),
    # Each request waits out mfp_timeout: two tries of 2 s, then unreachable.
    "hang": Case({"hang": True}, fails="Cannot reach the device", options=("-e", "mfp_timeout=2", "-e", "mfp_retries=1"),
                 hit="requests_hung"),
    "max_connections": Case({"max_connections": 1}, browser_seconds=3, hit="connections_refused"),
    "power_loss_rate": Case({"power_loss_rate": 0.5, "power_loss_seconds": 1}, runs=RUNS_POWER_LOSS, hit="power_losses"),
    "certificate_expired": Case({"certificate": "expired"}, fails="The device certificate has expired"),
    "certificate_changed": Case({"certificate": "changed"}, fails="a certificate it signed itself"),
    "visitor": Case({"visitor_every_seconds": 2, "visitor_hold_seconds": 2}, both=True, hit="visitor_logins"),
    "provider_offline": Case(provider={"offline": True}, provider_first_run_only=True),
    # Every provider request fails during the first run (an outage): [Get Token] shows ERROR[1003] and asks for
    # no code; the next run presses it again. (Failing at a rate while printers poll: see docs/faults.md.)
    "provider_5xx": Case(provider={"error_rate": 1.0}, provider_first_run_only=True, hit="errors"),
    "provider_throttle": Case(provider={"throttle_rate": 1.0, "retry_after_seconds": 1}, provider_first_run_only=True,
                              hit="throttled"),
    "reboot_mid_run": Case(reboot=True),
}


def lab_for(tmp_path, case):
    document = fleet_document()
    devices = []
    for device in PRINTERS:
        faulty = case.both or device["name"] == FAULTY
        devices.append(dict(device, faults=case.faults if faulty else {},
                            **({"session_idle_seconds": case.idle_seconds} if faulty and case.idle_seconds else {})))
    document["devices"] = devices
    if case.provider:
        document["identity_provider"] = dict(document["identity_provider"], faults=case.provider)
    return LabThread(parse_fleet(document), tmp_path / "lab")


def truth_of(lab):
    return {name: lab.call(host.ground_truth) for name, host in lab.lab.hosts.items()}


def converged(device):
    return (device["settings"]["smtp"]["auth_method"] == "oauth2"
            and device["settings"]["oauth"] == {"provider": "microsoft", "account": ACCOUNT}
            and device["token"]["state"] == "obtained")


def results_since(record, line):
    """{host: (failed or unreachable, the message)} of the run that appended to `record` after `line`."""
    statuses = {}
    for entry in record.read_text(encoding="utf-8").splitlines()[line:] if record.exists() else []:
        result = json.loads(entry)
        if result["status"] in ("failed", "unreachable") and not result["ignored"]:
            statuses[result["host"]] = (result["status"], result["result"].get("msg", ""))
    return statuses


def reboot_once_settings_are_written(lab, stop):
    """Reboots the faulty printer for a second once the roll-out has saved settings on it: mid-run."""
    host = lab.lab.hosts[FAULTY]
    while not stop.wait(0.1):
        if lab.call(lambda: host.device.counters["settings_saved"]) > 0:
            lab.run(host.reboot(1))
            return


def browser_holding_a_connection(lab, seconds):
    """A person's browser with a keep-alive connection open to the faulty printer for `seconds`: under
    max_connections 1, the collection's connections meanwhile are reset."""
    host = lab.lab.hosts[FAULTY]
    context = ssl.create_default_context(cafile=str(lab.lab.ca.ca_path))
    with socket.create_connection((host.address, host.port)) as raw, context.wrap_socket(raw, server_hostname=host.address):
        threading.Event().wait(seconds)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Each printer's settings before a roll-out, and after one without faults."""
    tmp_path = tmp_path_factory.mktemp("reference")
    with lab_for(tmp_path, Case()) as lab:
        before = {name: device["settings"] for name, device in truth_of(lab).items()}
        code, _tasks, output = playbook(tmp_path, lab.lab.inventory_path, "rollout.yml", "-e",
                                        "mail_oauth_token_acquire=false")
        after = {name: device["settings"] for name, device in truth_of(lab).items()}
    assert code == 0, output[-5000:]
    return before, after


@pytest.mark.parametrize("fault", CASES)
def test_a_roll_out_and_an_audit_under(fault, tmp_path, reference, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    case, (before, written) = CASES[fault], reference
    record = record_of(tmp_path, "rollout.yml")
    expect_converged = [device["name"] for device in PRINTERS if not case.fails or device["name"] != FAULTY]
    runs, failed = 0, {}
    with lab_for(tmp_path, case) as lab, person_signing_in(lab, record) as signed_in:
        while runs < case.runs:
            stop = threading.Event()
            rebooter = threading.Thread(target=reboot_once_settings_are_written, args=(lab, stop), daemon=True)
            if case.reboot and runs == 0:
                rebooter.start()
            if case.browser_seconds and runs == 0:
                threading.Thread(target=browser_holding_a_connection, args=(lab, case.browser_seconds),
                                 daemon=True).start()
            line = len(record.read_text(encoding="utf-8").splitlines()) if record.exists() else 0
            code, _tasks, output = playbook(tmp_path, lab.lab.inventory_path, "rollout.yml", *FAST, *case.options)
            stop.set()
            runs += 1
            failed = results_since(record, line)
            truth = truth_of(lab)
            for name, device in truth.items():   # nothing lost, nothing half-written, after every run
                for section, values in device["settings"].items():
                    assert values in (before[name][section], written[name][section]), (fault, runs, name, section)
            if case.provider_first_run_only:
                lab.run(lab.lab.provider.apply_faults({key: None for key in case.provider}))
            if all(converged(truth[name]) for name in expect_converged):
                break
        audit_code, _tasks, audit_output = playbook(
            tmp_path, lab.lab.inventory_path, "audit.yml", *FAST, *case.options, "-e", f"token_audit_report_dir={tmp_path / 'reports'}")
        if case.idle_seconds:
            # The session a lost login answer opened ends at the device's idle timeout (see the case).
            stop = threading.Event()
            stop.wait(case.idle_seconds + 1)
        truth, provider = truth_of(lab), lab.call(lab.lab.idp.ground_truth)
        provider_counts = lab.call(lab.lab.provider.ground_truth)["fault_counts"]

    if case.hit:   # else the case proved nothing
        counts = dict(truth[FAULTY]["fault_counts"], **truth[FAULTY]["counters"], **provider_counts)
        assert counts[case.hit] > 0, (fault, counts)

    assert all(converged(truth[name]) for name in expect_converged), (fault, runs, failed, output[-5000:])
    assert set(failed) <= {FAULTY} if case.fails else not failed, failed
    for name, device in truth.items():
        assert device["settings"] == (written[name] if name in expect_converged else before[name]), name
        assert device["counters"]["failed_logins"] == 0, name
        session = device["session"]
        assert not (session["active"] and session["user_agent"].startswith(USER_AGENT_PREFIX)), \
            f"{fault}: the collection left a session open on {name}"
    # One code per converged printer, each signed in once; one refresh token each (none twice).
    assert len(signed_in) == len(expect_converged), signed_in
    assert provider["pending"] == []
    [account] = [account for account in provider["accounts"] if account["username"] == ACCOUNT]
    assert account["live_refresh_tokens"] == len(expect_converged)
    if case.fails:   # the other printer is unaffected: it converged in the first run
        status, message = failed[FAULTY]
        assert case.fails in message and runs == 1, (runs, message)
        assert status == ("unreachable" if case.faults.get("hang") else "failed"), status
        assert truth[FAULTY]["counters"]["logins"] == 0 and truth[FAULTY]["counters"]["settings_saved"] == 0
    # The audit, under the same fault, reports what the lab holds.
    report = json.loads((tmp_path / "reports" / "token_audit.json").read_text(encoding="utf-8"))
    statuses = {row["host"]: row["status"] for row in report["hosts"]}
    assert statuses == {name: "compliant" if name in expect_converged else statuses.get(FAULTY) for name in truth}, \
        audit_output[-5000:]
    if case.fails:
        assert statuses[FAULTY] in ("unreachable", "error"), statuses
    else:
        assert audit_code == 0, audit_output[-5000:]
