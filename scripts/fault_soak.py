"""`make faults`: the Targets of issue 10 on a lab fleet, as an operator meets them. Not a test (slow).

    .venv/bin/python scripts/fault_soak.py [--printers 30] [--reboot-seeds 1 2 3] [--forks 10]

(a) The flaky fleet: `--printers` printers answering 20% of requests 503, dropping 10% of connections,
    with 20-100 ms of latency; playbooks/rollout.yml run again and again (up to MAX_RUNS) with a person
    signing in as it waits. Target: all converged within 2 runs, no session left open.
(b) A reboot at a seeded random moment of a roll-out on REBOOT_PRINTERS printers, for each seed: it
    costs at most the rebooted printer's task (the others converge in that run), and the rebooted
    printer converges on the next run.
(c) Two roll-outs at once: two ansible-playbook processes on the same CONCURRENT_PRINTERS printers.
    Target: both end with every printer converged, one code per printer, no session left open.

After every run: converged printers, failed hosts, sessions the collection left open (the session
holder's User-Agent is printfleet.mfp/...), failed logins, sign-in codes per printer (the most [Get
Token] presses that reached the provider on a printer). A summary table at the end; the exit status
is non-zero when a target is missed. Lab on loopback only, stopped at the end.
"""

import argparse
import logging
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "integration"))
# The integration tests' helpers: the playbooks as an operator runs them, the person signing in.
from test_playbooks import ACCOUNT, person_signing_in, playbook, record_of  # noqa: E402
from test_targets import DEVICES, fleet_document  # noqa: E402
from test_fault_suite import results_since  # noqa: E402

from mfplab.fleet import parse_fleet  # noqa: E402
from mfplab.server import LabThread  # noqa: E402

FLAKY = {"error_rate": 0.2, "drop_rate": 0.1, "latency_ms": 20, "jitter_ms": 80}
MAX_RUNS = 4            # of (a): beyond the target, to show where it would have converged
TARGET_RUNS = 2
REBOOT_PRINTERS = 6
REBOOT_SECONDS = 2
CONCURRENT_PRINTERS = 6
WAIT = ["-e", "mail_oauth_token_wait=true", "-e", "mail_oauth_token_poll_interval=2",
        "-e", "mail_oauth_token_wait_timeout=300"]


def fleet(count, faults=None):
    """`count` printers of both families and languages (the integration tests' four, in turn)."""
    document = fleet_document()
    document["devices"] = [dict(DEVICES[index % len(DEVICES)], name=f"mfp-{index:02d}", faults=faults or {})
                           for index in range(count)]
    return parse_fleet(document)


def converged(device):
    return (device["settings"]["smtp"]["auth_method"] == "oauth2"
            and device["settings"]["oauth"] == {"provider": "microsoft", "account": ACCOUNT}
            and device["token"]["state"] == "obtained")


def state(lab):
    """What the lab holds: converged printers, sessions the collection left open, failed logins, codes."""
    truth = {name: lab.call(host.ground_truth) for name, host in lab.lab.hosts.items()}
    open_sessions = [name for name, device in truth.items() if device["session"]["active"]
                     and (device["session"]["user_agent"] or "").startswith("printfleet.mfp/")]
    return {
        "converged": sorted(name for name, device in truth.items() if converged(device)),
        "open": open_sessions,
        "failed_logins": sum(device["counters"]["failed_logins"] for device in truth.values()),
        "codes": max(device["counters"]["token_requests"] for device in truth.values()),
        "printers": len(truth),
    }


def rollout(workdir, lab, *options):
    """One run: its return code, the hosts it failed (or found unreachable), its seconds."""
    record = record_of(workdir, "rollout.yml")
    line = len(record.read_text(encoding="utf-8").splitlines()) if record.exists() else 0
    started = time.monotonic()
    code, _tasks, _output = playbook(workdir, lab.lab.inventory_path, "rollout.yml", *WAIT, *options)
    return code, sorted(results_since(record, line)), time.monotonic() - started


def show(label, run, code, failed, seconds, now):
    print(f"{label} run {run}: rc {code}, {seconds:.0f} s; converged {len(now['converged'])}/{now['printers']}; "
          f"failed hosts {len(failed)} {failed if failed else ''}; sessions left open {len(now['open'])}; "
          f"failed logins {now['failed_logins']}; sign-in codes per printer at most {now['codes']}", flush=True)


def flaky_fleet(workdir, printers, forks):
    with LabThread(fleet(printers, FLAKY), workdir / "lab") as lab, \
            person_signing_in(lab, record_of(workdir, "rollout.yml")):
        for run in range(1, MAX_RUNS + 1):
            code, failed, seconds = rollout(workdir, lab, "-f", str(forks))
            now = state(lab)
            show("(a) flaky fleet", run, code, failed, seconds, now)
            if len(now["converged"]) == printers:
                break
    met = len(now["converged"]) == printers and run <= TARGET_RUNS and not now["open"] \
        and now["failed_logins"] == 0 and now["codes"] == 1
    return met, f"{len(now['converged'])}/{printers} in {run} runs, {len(now['open'])} sessions open, " \
                f"{now['failed_logins']} failed logins, {now['codes']} code(s) per printer"


def reboot_mid_run(workdir, seed, forks, length):
    """One roll-out with one printer rebooted `REBOOT_SECONDS` at a seeded moment within `length` seconds."""
    draw = random.Random(seed)
    victim, after = f"mfp-{draw.randrange(REBOOT_PRINTERS):02d}", draw.uniform(0, length)
    with LabThread(fleet(REBOOT_PRINTERS), workdir / "lab") as lab, \
            person_signing_in(lab, record_of(workdir, "rollout.yml")):
        timer = threading.Timer(after, lambda: lab.run(lab.lab.hosts[victim].reboot(REBOOT_SECONDS)))
        timer.start()
        code, failed, seconds = rollout(workdir, lab, "-f", str(forks))
        timer.cancel()
        first = state(lab)
        show(f"(b) seed {seed}: {victim} rebooted at {after:.1f} s;", 1, code, failed, seconds, first)
        code2, failed2, seconds2 = rollout(workdir, lab, "-f", str(forks))
        second = state(lab)
        show(f"(b) seed {seed}:", 2, code2, failed2, seconds2, second)
    others = [name for name in lab.lab.hosts if name != victim]
    met = set(failed) <= {victim} and set(others) <= set(first["converged"]) \
        and len(second["converged"]) == REBOOT_PRINTERS and not second["open"] and second["codes"] == 1 \
        and second["failed_logins"] == 0
    return met, f"{victim} at {after:.1f} s: run 1 failed {failed or 'none'}, run 2 {len(second['converged'])}/" \
                f"{REBOOT_PRINTERS}, {len(second['open'])} sessions open"


def clean_run_length(workdir, forks):
    with LabThread(fleet(REBOOT_PRINTERS), workdir / "lab") as lab, \
            person_signing_in(lab, record_of(workdir, "rollout.yml")):
        code, failed, seconds = rollout(workdir, lab, "-f", str(forks))
        show("(b) without a reboot", 1, code, failed, seconds, state(lab))
    return seconds


def two_at_once(workdir, forks):
    with LabThread(fleet(CONCURRENT_PRINTERS), workdir / "lab") as lab, \
            person_signing_in(lab, record_of(workdir / "first", "rollout.yml")):
        results = {}

        def run(name):
            (workdir / name).mkdir(exist_ok=True)
            results[name] = rollout(workdir / name, lab, "-f", str(forks))

        threads = [threading.Thread(target=run, args=(name,)) for name in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        now = state(lab)
        for name, (code, failed, seconds) in results.items():
            show(f"(c) the {name} of two at once", 1, code, failed, seconds, now)
    codes = [code for code, _failed, _seconds in results.values()]
    met = codes == [0, 0] and len(now["converged"]) == CONCURRENT_PRINTERS and not now["open"] \
        and now["codes"] == 1 and now["failed_logins"] == 0
    return met, f"return codes {codes}, {len(now['converged'])}/{CONCURRENT_PRINTERS} converged, " \
                f"{len(now['open'])} sessions open, {now['codes']} code(s) per printer"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--printers", type=int, default=30)
    parser.add_argument("--reboot-seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--forks", type=int, default=10)
    args = parser.parse_args()
    # The lab's web servers log each connection a fault drops, with its traceback: noise here.
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)
    rows = []
    with tempfile.TemporaryDirectory(prefix="fault-soak-") as directory:
        workdir = Path(directory)
        (workdir / "a").mkdir()
        rows.append(("(a) flaky fleet", *flaky_fleet(workdir / "a", args.printers, args.forks)))
        (workdir / "clean").mkdir()
        length = clean_run_length(workdir / "clean", args.forks)
        for seed in args.reboot_seeds:
            (workdir / f"b{seed}").mkdir()
            rows.append((f"(b) reboot, seed {seed}", *reboot_mid_run(workdir / f"b{seed}", seed, args.forks, length)))
        (workdir / "c").mkdir()
        rows.append(("(c) two roll-outs at once", *two_at_once(workdir / "c", args.forks)))
    print("\n| target | met | figures |\n|---|---|---|")
    for name, met, figures in rows:
        print(f"| {name} | {'yes' if met else 'NO'} | {figures} |")
    return 0 if all(met for _name, met, _figures in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
