"""The faults a device or the identity provider can be given, and their bounds: shared by the fleet
file and the running lab.

Kept free of the server's imports, so the CLI can check a fleet file without loading them.
"""

MAX_LATENCY_MS = 30_000
# A request held by `hang` or an answer held by `stall_rate` ends when the client gives up, or
# after this long: the lab never keeps a task forever.
MAX_HOLD_SECONDS = 600
CERTIFICATES = ("valid", "expired", "changed")

# What each fault may be: (low, high) for numbers, a tuple of choices for strings; booleans are booleans.
RATE = (0.0, 1.0)
LATENCY = (0, MAX_LATENCY_MS)

# busy_rate: the share of settings-page POSTs a busy machine answers with ERROR[5000] instead of acting.
# power_loss_seconds and visitor_hold_seconds are parameters of a fault, not faults: their
# defaults apply while the fault they shape is off.
NO_FAULTS = {"latency_ms": 0, "jitter_ms": 0, "error_rate": 0.0, "drop_rate": 0.0, "busy_rate": 0.0,
             "offline": False, "lost_answer_rate": 0.0, "hang": False, "stall_rate": 0.0, "cut_rate": 0.0,
             "max_connections": 0, "power_loss_rate": 0.0, "power_loss_seconds": 3.0, "certificate": "valid",
             "visitor_every_seconds": 0.0, "visitor_hold_seconds": 30.0}
BOUNDS = {"latency_ms": LATENCY, "jitter_ms": LATENCY, "error_rate": RATE, "drop_rate": RATE, "busy_rate": RATE,
          "lost_answer_rate": RATE, "stall_rate": RATE, "cut_rate": RATE, "max_connections": (0, 1000),
          "power_loss_rate": RATE, "power_loss_seconds": (0.0, 600.0), "certificate": CERTIFICATES,
          "visitor_every_seconds": (0.0, 86_400.0), "visitor_hold_seconds": (0.1, float(MAX_HOLD_SECONDS))}

# The identity provider's faults: unreachable, slow, failing (5xx) or throttling (429).
NO_PROVIDER_FAULTS = {"offline": False, "latency_ms": 0, "error_rate": 0.0, "throttle_rate": 0.0,
                      "retry_after_seconds": 60}
PROVIDER_BOUNDS = {"latency_ms": LATENCY, "error_rate": RATE, "throttle_rate": RATE,
                   "retry_after_seconds": (1, 3600)}


def with_changes(settings, changes, defaults=None, bounds=None):
    """`settings` with `changes` applied (None resets a fault to none); ValueError names a bad one.

    The device's faults unless `defaults` and `bounds` name another set (the provider's)."""
    defaults = NO_FAULTS if defaults is None else defaults
    bounds = BOUNDS if bounds is None else bounds
    if not isinstance(changes, dict):
        raise ValueError("faults must be a mapping of fault names to values")
    unknown = set(changes) - set(defaults)
    if unknown:
        raise ValueError(f"unknown faults {sorted(unknown)}; known: {sorted(defaults)}")
    result = dict(settings)
    for key, value in changes.items():
        result[key] = defaults[key] if value is None else _checked(key, value, defaults[key], bounds.get(key))
    return result


def _checked(key, value, default, bound):
    kind = type(default)
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    if kind is str:
        if value not in bound:
            raise ValueError(f"{key} must be one of {list(bound)}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number")
    value = kind(value)
    low, high = bound
    if not low <= value <= high:
        raise ValueError(f"{key} must be between {low:g} and {high:g}")
    return value
