"""Token material: the RS256 signing key and its JWKS, opaque secrets and how they are stored."""

import base64
import hashlib
import json
import secrets

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def new_secret():
    """An opaque bearer secret (refresh token, device code)."""
    return secrets.token_urlsafe(48)


def digest(secret):
    """What the state keeps instead of a bearer secret: its SHA-256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def client_info(uid, utid):
    """Entra's client_info: base64url JSON without padding, from which msal builds the account id."""
    raw = json.dumps({"uid": uid, "utid": utid}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class SigningKey:
    """One RSA key that signs every JWT; persisted as PEM so tokens outlive a restart."""

    def __init__(self, private_key):
        self._private_key = private_key
        self._public_jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        self.kid = self._thumbprint(self._public_jwk)

    @classmethod
    def generate(cls):
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem):
        return cls(serialization.load_pem_private_key(pem.encode("ascii"), None))

    def to_pem(self):
        return self._private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")

    @staticmethod
    def _thumbprint(jwk):
        # RFC 7638: a kid that is stable for the key and needs no bookkeeping.
        canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
        return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()

    def jwks(self):
        key = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid}
        key.update(n=self._public_jwk["n"], e=self._public_jwk["e"])
        return {"keys": [key]}

    def sign(self, claims):
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})
