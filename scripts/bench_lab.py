"""Benchmark the lab itself: how fast a large fleet starts, what it costs idle, how it serves.

    .venv/bin/python scripts/bench_lab.py --devices 500

Prints start time, idle CPU share over a window, resident memory, and the wall time for one
page from every device fetched concurrently. Loopback only; bounded in count and time.
"""

import argparse
import concurrent.futures
import resource
import tempfile
import time

import requests

from mfplab.fleet import load_fleet, parse_fleet
from mfplab.server import LabThread


def bench_fleet(devices):
    idp = load_fleet().identity_provider
    return parse_fleet({
        "lab": {"control_port": 18479, "first_device_address": "127.60.0.1"},
        "identity_provider": dict(idp, address="127.59.0.1"),
        "devices": [{"name": "bench-{n:04d}", "count": devices}],
    })


def fetch_all(lab, ca_path):
    session = requests.Session()
    session.trust_env = False
    adapter = requests.adapters.HTTPAdapter(pool_connections=64, pool_maxsize=64)
    session.mount("https://", adapter)

    def fetch(host):
        return session.get(f"https://{host.address}:{host.port}/main.html", verify=ca_path, timeout=30).status_code

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        return list(pool.map(fetch, lab.hosts.values()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--idle-seconds", type=float, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as state:
        fleet = bench_fleet(args.devices)
        for attempt in ("first start (makes certificates)", "second start (state reused)"):
            started = time.perf_counter()
            with LabThread(fleet, state) as running:
                start_seconds = time.perf_counter() - started
                cpu_before, idle_started = time.process_time(), time.perf_counter()
                time.sleep(args.idle_seconds)
                idle_cpu = (time.process_time() - cpu_before) / (time.perf_counter() - idle_started)
                fetched = time.perf_counter()
                statuses = fetch_all(running.lab, running.lab.ca.ca_path)
                fetch_seconds = time.perf_counter() - fetched
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{attempt}: {args.devices} devices up in {start_seconds:.2f} s; "
                  f"idle CPU {idle_cpu:.2%} of one core over {args.idle_seconds:.0f} s; "
                  f"peak RSS {rss_mb:.0f} MiB; one page from every device in {fetch_seconds:.2f} s "
                  f"({statuses.count(200)}/{len(statuses)} answered 200)")


if __name__ == "__main__":
    main()
