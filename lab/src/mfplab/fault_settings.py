"""The faults a device can be given, and their bounds: shared by the fleet file and the running lab.

Kept free of the server's imports, so the CLI can check a fleet file without loading them.
"""

MAX_LATENCY_MS = 30_000
# busy_rate: the share of settings-page POSTs a busy machine answers with ERROR[5000] instead of acting.
NO_FAULTS = {"latency_ms": 0, "jitter_ms": 0, "error_rate": 0.0, "drop_rate": 0.0, "busy_rate": 0.0,
             "offline": False}


def with_changes(settings, changes):
    """`settings` with `changes` applied (None resets a fault to none); ValueError names a bad one."""
    unknown = set(changes) - set(NO_FAULTS)
    if unknown:
        raise ValueError(f"unknown faults {sorted(unknown)}; known: {sorted(NO_FAULTS)}")
    result = dict(settings)
    for key, value in changes.items():
        value = NO_FAULTS[key] if value is None else type(NO_FAULTS[key])(value)
        if key in ("error_rate", "drop_rate", "busy_rate") and not 0 <= value <= 1:
            raise ValueError(f"{key} must be between 0 and 1")
        if key in ("latency_ms", "jitter_ms") and not 0 <= value <= MAX_LATENCY_MS:
            raise ValueError(f"{key} must be between 0 and {MAX_LATENCY_MS}")
        result[key] = value
    return result
