"""A Microsoft-compatible identity provider for the lab: device code flow, refresh tokens, Entra errors."""

from .provider import IdentityProvider

__all__ = ["IdentityProvider"]
