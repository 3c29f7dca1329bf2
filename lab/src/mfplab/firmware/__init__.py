"""The emulated MFP firmware: one device's web UI and behaviour (see docs/device-protocol.md)."""

from .device import Device
from .layouts import LAYOUTS
from .oauth import DeviceOAuthClient

__all__ = ["Device", "DeviceOAuthClient", "LAYOUTS"]
