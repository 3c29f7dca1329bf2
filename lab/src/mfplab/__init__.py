"""mfplab: an emulated MFP fleet and a Microsoft-compatible identity provider on loopback."""
