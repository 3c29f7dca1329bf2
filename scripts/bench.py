"""`make bench`: what the playbooks users run cost on a lab fleet, against the repository's bare client.

    .venv/bin/python scripts/bench.py [--sizes 50,200,1000] [--rollout-max 200] [--forks 50] [--repeat 3]
    make bench BENCH_ARGS="--rollout-max 1000"                        # the roll-outs at 1,000 printers too
    make bench BENCH_ARGS="--sizes 10000 --audit-only --repeat 1"     # one controller, 10,000 printers
    make bench BENCH_ARGS="--sizes 10000 --rollout-max 10000 --no-first-rollout --repeat 1"   # and the roll-out

For each fleet size, starts a lab in its own process (own loopback range and control port) with
that many printers already compliant (OAuth 2.0 for SMTP and POP, token Obtained) and as many fresh
ones (as delivered, user/password authentication), every answer delayed by --latency-ms, and runs:

- audit.yml: playbooks/audit.yml as users run it (fleet mode: one task reads the printers,
  --forks at a time), on the compliant printers;
- audit.yml, per host: the same with token_audit_fleet=false (one task per printer), up to
  --per-host-max printers;
- rollout.yml, no change: playbooks/rollout.yml on the compliant printers, fleet mode (one task rolls
  them out, --forks at a time), up to --rollout-max printers;
- rollout.yml, no change, per host: the same with mail_oauth_fleet=false (a task per printer), up to
  --per-host-max printers;
- rollout.yml, first: the same on the fresh printers (settings written, [Get Token] pressed);
- start-up: a play without tasks on the compliant printers, what every ansible-playbook run pays
  once (interpreter, inventory, play), part of the audit's cost;
- bare client: a pool of --forks threads making the audit's requests with plain `requests`, one
  keep-alive session per printer: the floor the network and the lab set.

The playbooks run on an inventory as a user with thousands of printers writes one: an INI file of
names and addresses, and what the printers share (port, CA, admin password) in group_vars/printers.yml.
At 10,000 printers it prints the issue's target for one controller: the whole audit.yml run, start-up
included, under 3 minutes (the lab's first start is printed apart and is part of no figure).

The audit and the bare client are repeated (--repeat), interleaved, so that a slow spell of the
machine falls on both; each figure shows the least and the spread. CPU is that of the whole
ansible-playbook process tree (os.wait4), or of this process for the bare client; memory is the
peak resident size of the largest process of the tree. A benchmark, not a test: nothing asserts on
the figures, which depend on the machine and on what else runs on it (the load average is
printed before and after each size). Loopback only; the lab is always stopped.
"""

import argparse
import concurrent.futures
import json
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
RUN_TIMEOUT_SECONDS = 1800
COMPLIANT, FRESH = "bench-c-{n:05d}", "bench-f-{n:05d}"

# The compliant state: the compliant printers start in it and the roll-out declares it.
OAUTH = {"provider": "microsoft", "account": "scan@contoso.example"}
SMTP = {"primary_server": "smtp.office365.com", "port": 587, "ssl_tls": True}
POP = {"server": "outlook.office365.com", "port": 995, "ssl": True}
SETTINGS = {
    "mail_oauth_provider": OAUTH["provider"], "mail_oauth_account": OAUTH["account"],
    "mail_oauth_smtp": SMTP, "mail_oauth_pop": POP,
    "token_audit_expected_provider": OAUTH["provider"], "token_audit_expected_account": OAUTH["account"],
}

# bp_classic pages and login form (docs/device-protocol.md); every bench printer has that layout.
SMTP_PAGE, POP_PAGE = "/nw_service_smtp.html", "/sys_email_status_special.html"
LOGIN_URL = f"/login.html?{SMTP_PAGE}"
PASSWORD_FIELD = "ggt_textbox(10003)"
# The rest of the login form as the page's script posts it (docs/device-protocol.md).
LOGIN_FORM = {"ggt_select(10009)": "3", "action": "loginbtn", "ordinate": "0", "ggt_hidden(10008)": "5"}
HIDDEN = re.compile(r'name="(token[12])" value="([0-9a-f]+)"')
# Issue 12: this many printers audited from one 2-core controller in under this many seconds.
ONE_CONTROLLER_FLEET, ONE_CONTROLLER_SECONDS = 10000, 180
RECAP = re.compile(r"^\S+\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)


def fleet_document(devices, latency_ms, fresh):
    default = yaml.safe_load(default_fleet_path().read_text(encoding="utf-8"))
    compliant = {
        "name": COMPLIANT, "count": devices, "faults": {"latency_ms": latency_ms},
        "settings": {"smtp": dict(SMTP, auth_method="oauth2", user="", password=""),
                     "pop": dict(POP, auth_method="oauth2", user="", password=""), "oauth": OAUTH},
        "token": {"state": "obtained", "account": OAUTH["account"]},
    }
    return {
        "lab": {"control_port": CONTROL_PORT, "first_device_address": FIRST_DEVICE},
        "identity_provider": dict(default["identity_provider"], address=IDP_ADDRESS),
        "defaults": default["defaults"],
        "devices": [compliant] + ([{"name": FRESH, "count": devices, "faults": {"latency_ms": latency_ms}}]
                                  if fresh else []),
    }


def printer_hosts(lab_inventory):
    """The printers of the lab's inventory: {name: host variables}."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # 10,000 printers: seconds less with libyaml
    return yaml.load(lab_inventory.read_text(encoding="utf-8"), Loader=loader)["all"]["children"]["printers"]["hosts"]


def write_inventory(directory, hosts):
    """The printers as a user with thousands of them writes the inventory: an INI file of names and
    addresses, and what every printer shares (port, CA, admin password) in group_vars/printers.yml.

    Ansible reads it in a fraction of the time of the lab's YAML file with every variable per host
    (10,000 printers: about 2 s of start-up instead of 16; docs/scale-out.md).
    """
    names = list(hosts)
    shared = {key: value for key, value in hosts[names[0]].items()
              if all(hosts[name].get(key) == value for name in names)}
    lines = ["[printers]"]
    for name in names:
        own = {key: value for key, value in hosts[name].items() if key not in shared}
        lines.append(" ".join([name] + [f"{key}={json.dumps(value)}" for key, value in own.items()]))
    (directory / "group_vars").mkdir(parents=True)
    (directory / "group_vars" / "printers.yml").write_text(yaml.safe_dump(shared), encoding="utf-8")
    inventory = directory / "hosts.ini"
    inventory.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return inventory


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

    def counters(self, prefix):
        answer = self.control.get(self.info["control_url"] + "/devices", timeout=120).json()
        return {device["name"]: device["counters"] for device in answer["devices"] if device["name"].startswith(prefix)}

    def cpu_seconds(self):
        """CPU the lab process has used: it shares the machine's cores with what is measured."""
        fields = Path(f"/proc/{self.info['pid']}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(lab, prefix, work):
    """Run `work` -> (outcome, cpu s, peak KiB or None); its wall time, the lab's CPU and the counters per printer."""
    before_counters, before_lab = lab.counters(prefix), lab.cpu_seconds()
    started = time.perf_counter()
    outcome, cpu, peak = work()
    wall = time.perf_counter() - started
    after_counters = lab.counters(prefix)
    per_device = {key: sorted(after_counters[name][key] - before_counters[name][key] for name in after_counters)
                  for key in ("requests", "posts", "logins")}
    return {"wall": wall, "cpu": cpu, "peak_mib": peak / 1024 if peak else None,
            "lab_cpu": lab.cpu_seconds() - before_lab, "per_device": per_device, "outcome": outcome}


# What every ansible-playbook run pays before its first task.
STARTUP_PLAY = [{"name": "Start-up", "hosts": "printers", "gather_facts": False, "tasks": []}]


def ansible_run(workdir, name, inventory, forks, playbook, *options):
    """ansible-playbook with the collection resolved from this repository; returns the recap totals."""
    log = workdir / (re.sub(r"\W+", "_", name).strip("_") + ".log")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path()), ANSIBLE_RETRY_FILES_ENABLED="false",
               NO_PROXY="*", no_proxy="*")
    settings = workdir / "settings.yml"
    settings.write_text(yaml.safe_dump(SETTINGS), encoding="utf-8")
    if playbook == "startup":
        playbook = workdir / "startup.yml"
        playbook.write_text(yaml.safe_dump(STARTUP_PLAY), encoding="utf-8")
    command = [BIN / "ansible-playbook", "-i", str(inventory), "--forks", str(forks), "-e", f"@{settings}",
               *options, str(ROOT / "playbooks" / playbook)]

    def work():
        with open(log, "w", encoding="utf-8") as output:
            process = subprocess.Popen(command, env=env, cwd=workdir, stdout=output, stderr=subprocess.STDOUT)
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        output = log.read_text(encoding="utf-8")
        if process.returncode:   # the figures of a failed run mean little: show why it failed
            tail = "\n".join(output.splitlines()[-15:])
            print(f"ansible-playbook {name!r} exited {process.returncode}; its output ends with:\n{tail}", flush=True)
        totals = [sum(int(row[i]) for row in RECAP.findall(output)) for i in range(5)]
        outcome = dict(zip(("ok", "changed", "unreachable", "failed", "skipped"), totals))
        return outcome, usage.ru_utime + usage.ru_stime, usage.ru_maxrss

    return work


def bare_client(hosts, prefix, forks):
    """The audit's requests with plain requests: the login form, the login (following its redirect to
    the SMTP page), the POP page, [Logout] on it; per printer, `forks` printers at a time."""
    hosts = [host for name, host in hosts.items() if name.startswith(prefix)]

    def audit(host):
        base = f"https://{host['ansible_host']}:{host['mfp_port']}"
        with requests.Session() as http:   # one keep-alive connection per printer
            http.trust_env = False
            http.verify = host["mfp_ca_path"]
            form = dict(HIDDEN.findall(http.get(base + LOGIN_URL, timeout=30).text))
            login = dict(LOGIN_FORM, token2=form["token2"], **{PASSWORD_FIELD: host["mfp_admin_password"]})
            smtp = http.post(base + LOGIN_URL, data=login, timeout=30)
            pop = http.get(base + POP_PAGE, timeout=30)
            http.post(base + POP_PAGE, data=dict(HIDDEN.findall(pop.text), action="logoutbtn"), timeout=30)
            return all('id="tokenStatus"' in page.text for page in (smtp, pop))

    def work():
        before = resource.getrusage(resource.RUSAGE_SELF)
        with concurrent.futures.ThreadPoolExecutor(forks) as pool:
            answered = list(pool.map(audit, hosts))
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        return {"ok": answered.count(True), "failed": answered.count(False)}, cpu, None

    return work


COLUMNS = ("printers", "run", "wall s", "cpu s", "peak MiB", "lab cpu s", "host-tasks", "requests/printer",
           "posts/printer", "logins/printer", "changed", "failed")
ROW = "{:>8}  {:<24} {:>13} {:>13} {:>8} {:>9} {:>10} {:>16} {:>13} {:>14} {:>7} {:>6}"


def spread(values, digits=1):
    low, high = min(values), max(values)
    return f"{low:.{digits}f}" if f"{low:.{digits}f}" == f"{high:.{digits}f}" else f"{low:.{digits}f}-{high:.{digits}f}"


def span(values):
    return f"{values[0]}" if values[0] == values[-1] else f"{values[0]}-{values[-1]}"


def report(devices, name, runs):
    last = runs[-1]
    outcome, per_device = last["outcome"], last["per_device"]
    host_tasks = sum(outcome.get(key, 0) for key in ("ok", "failed", "skipped", "unreachable")) \
        if "skipped" in outcome else devices
    peak = f"{max(run['peak_mib'] for run in runs):.0f}" if last["peak_mib"] else "-"
    print(ROW.format(devices, name, spread([run["wall"] for run in runs]), spread([run["cpu"] for run in runs]), peak,
                     f"{last['lab_cpu']:.1f}", host_tasks, span(per_device["requests"]), span(per_device["posts"]),
                     span(per_device["logins"]), outcome.get("changed", "-"),
                     outcome["failed"] + outcome.get("unreachable", 0)), flush=True)


def ratio(runs, floor_runs, key):
    """Each repetition against the floor's of the same round, as `least-most`."""
    return spread([run[key] / floor[key] for run, floor in zip(runs, floor_runs)], 2)


def network_floor(devices, run, latency_ms, forks):
    """What the printers' answers alone take: round trips x latency / concurrency."""
    return devices * max(run["per_device"]["requests"]) * latency_ms / 1000 / forks


def verdicts(devices, runs, args):
    audit, bare = runs["audit.yml"], runs["bare client"]
    print(f"\n{devices} printers, forks {args.forks}, {args.latency_ms} ms per answer:")
    print(f"  audit.yml vs bare client: wall {ratio(audit, bare, 'wall')}x (target <= 1.5x), "
          f"cpu {ratio(audit, bare, 'cpu')}x (target <= 5x)")
    startup = min(run["cpu"] for run in runs["start-up (no task)"])
    beyond = min(run["cpu"] for run in audit) - startup
    print(f"  audit.yml beyond ansible-playbook's start-up ({startup:.1f} s cpu): {beyond:.1f} s cpu, "
          f"{1000 * beyond / devices:.1f} ms per printer; bare client {1000 * min(run['cpu'] for run in bare) / devices:.1f} ms")
    if devices == ONE_CONTROLLER_FLEET:
        floor = network_floor(devices, audit[-1], args.latency_ms, args.forks)
        print(f"  audit.yml: {devices} printers audited in {spread([run['wall'] for run in audit], 0)} s, the whole "
              f"ansible-playbook run (target < {ONE_CONTROLLER_SECONDS} s); network floor {floor:.0f} s "
              f"({max(audit[-1]['per_device']['requests'])} round trips x {args.latency_ms} ms x {devices} printers "
              f"/ {args.forks})")
    for name in ("rollout.yml, no change", "rollout.yml, no change, per host", "rollout.yml, first"):
        if name in runs:
            run = runs[name][-1]
            floor = network_floor(devices, run, args.latency_ms, args.forks)
            print(f"  {name}: wall {run['wall'] / floor:.2f}x the network floor ({floor:.1f} s = "
                  f"{max(run['per_device']['requests'])} round trips x {args.latency_ms} ms x {devices} printers "
                  f"/ {args.forks}); {max(run['per_device']['requests'])} requests and "
                  f"{max(run['per_device']['logins'])} login(s) per printer"
                  + (" (target <= 2x, <= 5 requests, 1 login)" if name.endswith("no change") else ""))


def audit_report_ok(workdir, devices):
    report = json.loads((workdir / "reports" / "token_audit.json").read_text(encoding="utf-8"))
    return report["summary"]["status"]["compliant"] == devices


def bench_size(workdir, devices, args, curve):
    rollouts = not args.audit_only and devices <= args.rollout_max
    fresh = rollouts and not args.no_first_rollout
    size_dir = workdir / str(devices)
    size_dir.mkdir()
    fleet_file = size_dir / "fleet.yml"
    fleet_file.write_text(yaml.safe_dump(fleet_document(devices, args.latency_ms, fresh), sort_keys=False),
                          encoding="utf-8")
    print(f"\n== {devices} printers: load average {os.getloadavg()[0]:.2f} before the start", flush=True)
    started = time.perf_counter()
    with Lab(size_dir / "lab", fleet_file) as lab:
        print(f"lab of {devices * (2 if fresh else 1)} printers up in {time.perf_counter() - started:.1f} s "
              "(its first start: not part of any figure below)", flush=True)
        hosts = printer_hosts(Path(lab.info["inventory"]))
        inventory = write_inventory(size_dir / "inventory", hosts)
        compliant, first = "bench-c-", "bench-f-"
        audit_options = ("--limit", compliant + "*", "-e", f"token_audit_report_dir={size_dir / 'reports'}",
                         "-e", f"token_audit_forks={args.forks}")
        work = {
            "audit.yml": (compliant, ansible_run(size_dir, "audit", inventory, args.forks, "audit.yml", *audit_options)),
            "bare client": (compliant, bare_client(hosts, compliant, args.forks)),
        }
        work["start-up (no task)"] = (compliant, ansible_run(size_dir, "startup", inventory, args.forks,
                                                             "startup", "--limit", compliant + "*"))
        if devices <= args.per_host_max:
            work["audit.yml, per host"] = (compliant, ansible_run(size_dir, "audit per host", inventory, args.forks,
                                                                  "audit.yml", *audit_options,
                                                                  "-e", "token_audit_fleet=false"))
        if rollouts:
            rollout_options = ("-e", f"mail_oauth_forks={args.forks}")
            work["rollout.yml, no change"] = (compliant, ansible_run(size_dir, "rollout", inventory, args.forks,
                                                                     "rollout.yml", "--limit", compliant + "*",
                                                                     *rollout_options))
            if devices <= args.per_host_max:
                work["rollout.yml, no change, per host"] = (compliant, ansible_run(
                    size_dir, "rollout per host", inventory, args.forks, "rollout.yml", "--limit", compliant + "*",
                    "-e", "mail_oauth_fleet=false"))
            if fresh:
                work["rollout.yml, first"] = (first, ansible_run(size_dir, "first rollout", inventory, args.forks,
                                                                 "rollout.yml", "--limit", first + "*", *rollout_options))
        # Unmeasured: the first run pays for cold caches (byte code, page cache) that no later run pays.
        ansible_run(size_dir, "warm-up", inventory, args.forks, "audit.yml", *audit_options[2:],
                    "--limit", compliant.rstrip("-") + "-00001")()
        runs = dict((name, []) for name in work)
        for _repeat in range(args.repeat):   # interleaved: a slow spell of the machine falls on both
            for name in ("audit.yml", "bare client"):
                runs[name].append(measure(lab, *work[name]))
        if not audit_report_ok(size_dir, devices):
            print("the audit did not find every printer compliant: see", size_dir / "reports", flush=True)
        for name in work:
            if not runs[name]:
                runs[name].append(measure(lab, *work[name]))
        print(ROW.format(*COLUMNS))
        for name in work:
            report(devices, name, runs[name])
    verdicts(devices, runs, args)
    print(f"  load average {os.getloadavg()[0]:.2f} after", flush=True)
    curve[devices] = runs["audit.yml"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,1000",
                        help="fleet sizes, comma-separated (up to 10000; twice as many printers are served "
                             "unless --audit-only or --no-first-rollout)")
    parser.add_argument("--latency-ms", type=int, default=100, help="added by the lab to every answer")
    parser.add_argument("--forks", type=int, default=50,
                        help="concurrency: ansible-playbook --forks, token_audit_forks and the bare client's threads")
    parser.add_argument("--repeat", type=int, default=3, choices=range(1, 11), metavar="1..10",
                        help="runs of the audit and the bare client per size")
    parser.add_argument("--per-host-max", type=int, default=200,
                        help="largest fleet the per-host audit is measured on (it costs a task per printer)")
    parser.add_argument("--rollout-max", type=int, default=200,
                        help="largest fleet the roll-outs are measured on")
    parser.add_argument("--no-first-rollout", action="store_true",
                        help="no fresh printers and no first roll-out (the no-change roll-out is measured): "
                             "for 10000, where twice the fleet would pass a hard limit of 20,000 open files")
    parser.add_argument("--audit-only", action="store_true",
                        help="only the audit and the bare client (no roll-outs, no fresh printers): for 10000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if not all(1 <= size <= 10000 for size in sizes):
        parser.error("--sizes: from 1 to 10000 printers each")

    print(f"sizes {sizes}, {args.latency_ms} ms latency per answer, forks {args.forks}; {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}", flush=True)
    curve = {}
    with tempfile.TemporaryDirectory(prefix="mfp-bench-") as workdir:
        for devices in sizes:
            bench_size(Path(workdir), devices, args, curve)
    print("\nscaling of audit.yml (least of the runs): " + "; ".join(
        f"{devices} printers {min(run['wall'] for run in runs):.1f} s wall, {min(run['cpu'] for run in runs):.1f} s cpu, "
        f"{max(run['peak_mib'] for run in runs):.0f} MiB peak" for devices, runs in curve.items()))


if __name__ == "__main__":
    main()
