"""`make bench`: what driving a printer fleet from Ansible costs, against a floor and a baseline.

    .venv/bin/python scripts/bench.py [--devices 200] [--latency-ms 100] [--forks 20]

Starts a lab fleet of already compliant printers (OAuth 2.0 for SMTP and POP, token Obtained)
in its own process, on its own loopback range and control port, then runs, with the same forks:

- startup: a play without tasks, what every ansible-playbook run pays once;
- baseline: ansible.builtin.debug per host, Ansible's own cost per host-task;
- audit: mfp_oauth_token state=query per host, in the controller process (action plugin);
- audit, module mode: the same with mfp_execution=module and delegate_to=localhost;
- roll-out, modules: mfp_smtp + mfp_pop (+ mfp_oauth_token, skipped by the facts), no change;
- roll-out, role: the role printfleet.mfp.mail_oauth with the same settings, no change;
- bare client: a thread pool doing the audit's HTTP requests, the floor the network and lab set.

Prints wall time, CPU time (the ansible-playbook process tree, or this process for the bare
client) and HTTP requests per device (the lab's counters) for each, then the ratios. The runs
the overhead ratio is made of (startup, baseline, audit, bare client) are repeated, interleaved,
and the one with the least CPU counts: whatever else the machine does only ever adds CPU. A
benchmark, not a test: nothing asserts on the figures. Loopback only; the lab is always stopped.
"""

import argparse
import concurrent.futures
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

from collection_tree import collections_path
from mfplab.fleet import default_fleet_path
from mfplab.state import lab_info_path, read_control_secret, read_lab_info

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Away from the default lab (127.1.0.0/16, control 8479) and scripts/bench_lab.py (127.59/127.60, 18479).
CONTROL_PORT = 18579
IDP_ADDRESS = "127.69.0.1"
FIRST_DEVICE = "127.70.0.1"
RUN_TIMEOUT_SECONDS = 600

# The compliant state: the fleet starts in it and the roll-out declares it, so nothing changes.
OAUTH = {"provider": "microsoft", "account": "scan@contoso.example"}
SMTP = {"primary_server": "smtp.office365.com", "port": 587, "ssl_tls": True, "auth_method": "oauth2"}
POP = {"server": "outlook.office365.com", "port": 995, "ssl": True, "auth_method": "oauth2"}

# bp_classic pages and login form (docs/device-protocol.md); every bench device has that layout.
SMTP_PAGE, POP_PAGE = "/nw_service_smtp.html", "/sys_email_status_special.html"
LOGIN_URL, LOGOUT_URL = f"/login.html?{SMTP_PAGE}", "/logout.html"
PASSWORD_FIELD = "ggt_textbox(10003)"
# The rest of the login form as the page's script posts it (docs/device-protocol.md).
LOGIN_FORM = {"ggt_select(10009)": "3", "action": "loginbtn", "ordinate": "0", "ggt_hidden(10008)": "5"}
TOKEN2 = re.compile(r'name="token2" value="([0-9a-f]+)"')
RECAP = re.compile(r"^\S+\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)


def fleet_document(devices, latency_ms):
    default = yaml.safe_load(default_fleet_path().read_text(encoding="utf-8"))
    return {
        "lab": {"control_port": CONTROL_PORT, "first_device_address": FIRST_DEVICE},
        "identity_provider": dict(default["identity_provider"], address=IDP_ADDRESS),
        "defaults": default["defaults"],
        "devices": [{
            "name": "bench-{n:04d}",
            "count": devices,
            "faults": {"latency_ms": latency_ms},
            "settings": {"smtp": dict(SMTP, user="", password=""), "pop": dict(POP, user="", password=""),
                         "oauth": OAUTH},
            "token": {"state": "obtained", "account": OAUTH["account"]},
        }],
    }


# The runs the overhead ratio is computed from: repeated (--repeat), the least CPU counts.
RATIO_RUNS = ("startup (no task)", "baseline (debug)", "audit", "bare client")


def play(**body):
    return [{"name": "Bench", "hosts": "printers", "gather_facts": False, **body}]


PLAYBOOKS = {
    # What every run pays once (interpreter, inventory, play set-up), to take out of per host-task costs.
    "startup (no task)": play(tasks=[]),
    "baseline (debug)": play(tasks=[{"ansible.builtin.debug": {"msg": "{{ inventory_hostname }}"}}]),
    "audit": play(tasks=[{"printfleet.mfp.mfp_oauth_token": {"state": "query"}}]),
    "audit, module mode": play(tasks=[{"printfleet.mfp.mfp_oauth_token": {"state": "query", "mfp_execution": "module"},
                                       "delegate_to": "localhost"}]),
    # The roll-out's module tasks alone; the token task is skipped on the facts the pages gave.
    "roll-out, modules": play(tasks=[
        {"printfleet.mfp.mfp_smtp": dict(SMTP, **OAUTH)},
        {"printfleet.mfp.mfp_pop": dict(POP, **OAUTH)},
        {"printfleet.mfp.mfp_oauth_token": dict(OAUTH, state="present"),
         "when": "not (ansible_facts.mfp_oauth.smtp.state == 'obtained' and "
                 f"ansible_facts.mfp_oauth.smtp.token_account == '{OAUTH['account']}')"},
    ]),
    # What an operator runs: the role does the same, and reports the sign-ins still to do.
    "roll-out, role": play(roles=[{"role": "printfleet.mfp.mail_oauth", "vars": {
        "mail_oauth_provider": OAUTH["provider"], "mail_oauth_account": OAUTH["account"],
        "mail_oauth_smtp": {key: value for key, value in SMTP.items() if key != "auth_method"},
        "mail_oauth_pop": {key: value for key, value in POP.items() if key != "auth_method"},
    }}]),
}


class Lab:
    """The bench fleet served by `mfplab up` in a process of its own, and its control API.

    In the foreground, so that it is this script's child: whatever happens here (failure, Ctrl-C),
    it is stopped, and never measured as part of what runs beside it.
    """

    def __init__(self, state, fleet_file):
        self.state = state
        self.command = [BIN / "mfplab", "--state", str(state), "up", "--fleet", str(fleet_file), "--foreground"]
        self.control = requests.Session()
        self.control.trust_env = False

    def __enter__(self):
        self.state.mkdir(mode=0o700)
        log = self.state / "lab.log"
        with open(log, "wb") as output:
            self.process = subprocess.Popen(self.command, stdout=output, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
            while not lab_info_path(self.state).exists():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("bench: the lab did not start:\n" + log.read_text(encoding="utf-8")[-2000:])
                time.sleep(0.1)
            self.info = read_lab_info(self.state)
            self.control.headers["Authorization"] = f"Bearer {read_control_secret(self.state)}"
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if lab_info_path(self.state).exists():
            subprocess.run([BIN / "mfplab", "--state", str(self.state), "down"], stdout=subprocess.DEVNULL,
                           timeout=60, check=False)
        if self.process.poll() is None:
            self.process.terminate()   # `down` did not get through; the lab stops on SIGTERM too
        self.process.wait(60)

    def devices(self):
        answer = self.control.get(self.info["control_url"] + "/devices", timeout=60).json()
        return {device["name"]: device for device in answer["devices"]}

    def cpu_seconds(self):
        """CPU the lab process has used: it shares the machine's cores with what is measured."""
        fields = Path(f"/proc/{self.info['pid']}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(lab, work):
    """Run `work`; its wall and CPU time, the lab's CPU and the HTTP counters per device."""
    before_counters, before_lab = lab.devices(), lab.cpu_seconds()
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    started = time.perf_counter()
    outcome = work()
    wall = time.perf_counter() - started
    after = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    after_counters = lab.devices()
    cpu = sum(getattr(end, field) - getattr(start, field)
              for start, end in zip(before, after) for field in ("ru_utime", "ru_stime"))
    per_device = {key: sorted(after_counters[name]["counters"][key] - before_counters[name]["counters"][key]
                              for name in after_counters)
                  for key in ("requests", "posts", "logins")}
    return {"wall": wall, "cpu": cpu, "lab_cpu": lab.cpu_seconds() - before_lab, "per_device": per_device,
            "outcome": outcome}


def ansible_run(workdir, name, inventory, forks, *options):
    """ansible-playbook with the collection resolved from this repository; returns the recap totals."""
    playbook = workdir / (re.sub(r"\W+", "_", name).strip("_") + ".yml")
    playbook.write_text(yaml.safe_dump(PLAYBOOKS[name], sort_keys=False), encoding="utf-8")
    log = playbook.with_suffix(".log")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path()), ANSIBLE_RETRY_FILES_ENABLED="false")
    command = [BIN / "ansible-playbook", "-i", str(inventory), "--forks", str(forks), *options, str(playbook)]

    def work():
        with open(log, "w", encoding="utf-8") as output:
            rc = subprocess.run(command, env=env, cwd=workdir, stdout=output, stderr=subprocess.STDOUT,
                                timeout=RUN_TIMEOUT_SECONDS, check=False).returncode
        output = log.read_text(encoding="utf-8")
        if rc:   # the figures of a failed run mean little: show why it failed
            tail = "\n".join(output.splitlines()[-15:])
            print(f"ansible-playbook {name!r} exited {rc}; its output ends with:\n{tail}")
        totals = [sum(int(row[i]) for row in RECAP.findall(output)) for i in range(5)]
        return dict(zip(("ok", "changed", "unreachable", "failed", "skipped"), totals))

    return work


def bare_client(inventory, forks):
    """The audit's requests with plain requests: log in, the two pages, log out, per device."""
    hosts = yaml.safe_load(inventory.read_text(encoding="utf-8"))["all"]["children"]["printers"]["hosts"]

    def audit(host):
        base = f"https://{host['ansible_host']}:{host['mfp_port']}"
        with requests.Session() as http:   # one keep-alive connection per device
            http.trust_env = False
            http.verify = host["mfp_ca_path"]
            form = http.get(base + LOGIN_URL, timeout=30)
            login = dict(LOGIN_FORM, token2=TOKEN2.search(form.text).group(1),
                         **{PASSWORD_FIELD: host["mfp_admin_password"]})
            smtp = http.post(base + LOGIN_URL, data=login, timeout=30)   # follows the 302 to the SMTP page
            pop = http.get(base + POP_PAGE, timeout=30)
            http.get(base + LOGOUT_URL, timeout=30)
            return all('id="tokenStatus"' in page.text for page in (smtp, pop))

    def work():
        with concurrent.futures.ThreadPoolExecutor(forks) as pool:
            answered = list(pool.map(audit, hosts.values()))
        return {"ok": answered.count(True), "failed": answered.count(False)}

    return work


COLUMNS = ("run", "wall s", "cpu s", "cpu s, all runs", "cpu ms/device", "host-tasks", "lab cpu s",
           "requests/device", "posts/device", "logins/device", "changed", "failed")
ROW = "{:<20} {:>7} {:>6} {:>16} {:>14} {:>11} {:>10} {:>16} {:>13} {:>14} {:>8} {:>7}"


def spread(values):
    low, high = values[0], values[-1]
    return f"{low}" if low == high else f"{low}-{high}"


def least_cpu(repeats):
    return min(repeats, key=lambda run: run["cpu"])


def report(name, repeats, devices):
    run = least_cpu(repeats)
    outcome, per_device = run["outcome"], run["per_device"]
    # A host-task is one task run for one host, also when skipped; for the bare client, one device.
    host_tasks = sum(outcome.get(key, 0) for key in ("ok", "failed", "skipped", "unreachable"))
    every_cpu = " ".join(f"{repeat['cpu']:.1f}" for repeat in repeats)
    print(ROW.format(name, f"{run['wall']:.1f}", f"{run['cpu']:.1f}", every_cpu, f"{1000 * run['cpu'] / devices:.0f}",
                     host_tasks,
                     f"{run['lab_cpu']:.1f}", spread(per_device["requests"]), spread(per_device["posts"]),
                     spread(per_device["logins"]), outcome.get("changed", "-"),
                     outcome["failed"] + outcome.get("unreachable", 0)), flush=True)


def ratios(runs, devices):
    startup, debug, audit, module, bare = (least_cpu(runs[name]) for name in (
        "startup (no task)", "baseline (debug)", "audit", "audit, module mode", "bare client"))

    def per_host_task(run, floor=0.0):   # ms of CPU per host-task beyond start-up and `floor`
        return 1000 * (run["cpu"] - startup["cpu"] - floor) / devices

    ansible = per_host_task(debug)
    # The plugins' own cost: the audit's CPU beyond start-up and the bare client's same HTTP requests.
    in_process, module_mode = per_host_task(audit, bare["cpu"]), per_host_task(module, bare["cpu"])
    print(f"\nCPU per host-task, beyond start-up: debug {ansible:.1f} ms; beyond the bare client's HTTP too: "
          f"audit in-process {in_process:.1f} ms, module mode {module_mode:.1f} ms")
    print(f"  per host-task overhead, in-process vs debug: {in_process / ansible:.2f}x (target <= 1.5x)")
    print(f"  module mode vs in-process: {module_mode / in_process:.1f}x per host-task; whole run: "
          f"wall {module['wall'] / audit['wall']:.2f}x, cpu {module['cpu'] / audit['cpu']:.2f}x")
    print(f"  in-process audit vs bare client: wall {audit['wall'] / bare['wall']:.2f}x, "
          f"cpu {audit['cpu'] / bare['cpu']:.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200, choices=range(1, 1001), metavar="1..1000")
    parser.add_argument("--latency-ms", type=int, default=100, help="added by the lab to every request")
    parser.add_argument("--forks", type=int, default=20, help="ansible-playbook --forks and bare client threads")
    parser.add_argument("--repeat", type=int, default=3, choices=range(1, 11), metavar="1..10",
                        help="runs of each of " + ", ".join(RATIO_RUNS) + "; the least CPU counts")
    args = parser.parse_args()

    # Every run shares the machine's cores: a load already there skews the figures.
    print(f"{args.devices} compliant devices, {args.latency_ms} ms latency per request, forks {args.forks}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the start", flush=True)
    with tempfile.TemporaryDirectory(prefix="mfp-bench-") as workdir:
        workdir = Path(workdir)
        fleet_file = workdir / "fleet.yml"
        fleet_file.write_text(yaml.safe_dump(fleet_document(args.devices, args.latency_ms), sort_keys=False),
                              encoding="utf-8")
        started = time.perf_counter()
        with Lab(workdir / "lab", fleet_file) as lab:
            inventory = Path(lab.info["inventory"])
            print(f"lab up in {time.perf_counter() - started:.1f} s\n", flush=True)
            # Unmeasured: the first run pays for cold caches (byte code, page cache) that no later run pays.
            ansible_run(workdir, "audit", inventory, args.forks, "--limit", "all[0]")()
            work = dict((name, ansible_run(workdir, name, inventory, args.forks)) for name in PLAYBOOKS)
            work["bare client"] = bare_client(inventory, args.forks)
            runs = dict((name, []) for name in work)
            # Interleaved, so that a slow spell of the machine is shared by every kind of run.
            for _repeat in range(args.repeat):
                for name in RATIO_RUNS:
                    runs[name].append(measure(lab, work[name]))
            print(ROW.format(*COLUMNS))
            for name in work:
                if name not in RATIO_RUNS:
                    runs[name].append(measure(lab, work[name]))
                report(name, runs[name], args.devices)
    ratios(runs, args.devices)


if __name__ == "__main__":
    main()
