"""The emulated MFP firmware: one device's web UI and behaviour (see docs/device-protocol.md).

`device` (the web UI, on aiohttp) and `oauth` (the device's OAuth client, on msal) are imported
where they are used, so that reading the layouts (the fleet file, the CLI) does not load them.
"""
