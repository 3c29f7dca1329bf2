"""Token material: the RS256 signing key, its certificate and JWKS, opaque secrets and how they are stored."""

import base64
import datetime
import hashlib
import json
import secrets

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

SIGNING_CERTIFICATE_NAME = "mfplab token signing"
SIGNING_CERTIFICATE_YEARS = 5   # Entra's published signing certificates run about five years


def new_secret():
    """An opaque bearer secret (refresh token, device code)."""
    return secrets.token_urlsafe(48)


def digest(secret):
    """What the state keeps instead of a bearer secret: its SHA-256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _base64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def pairwise_subject(tenant_id, object_id, client_id):
    """Entra's `sub`: one opaque value per user and application, unlike `oid` which all apps share."""
    return _base64url(hashlib.sha256(f"{tenant_id}/{object_id}/{client_id.lower()}".encode()).digest())


def client_info(uid, utid):
    """Entra's client_info: base64url JSON without padding, from which msal builds the account id."""
    return _base64url(json.dumps({"uid": uid, "utid": utid}, separators=(",", ":")).encode("utf-8"))


def _self_signed(private_key):
    # Entra's signing certificates are self-signed too: the key's holder vouches for it, no CA does.
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SIGNING_CERTIFICATE_NAME)])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * SIGNING_CERTIFICATE_YEARS))
        .sign(private_key, hashes.SHA256())
    )


class SigningKey:
    """One RSA key and its certificate; persisted as PEM so tokens and key ids outlive a restart."""

    def __init__(self, private_key, certificate):
        self._private_key = private_key
        self._certificate = certificate
        self._public_jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        der = certificate.public_bytes(serialization.Encoding.DER)
        # As in Entra, the key id is the certificate's x5t: the SHA-1 thumbprint of its DER form.
        self.kid = _base64url(hashlib.sha1(der).digest())  # noqa: S324 - a thumbprint, as RFC 7517 x5t defines
        self._x5c = base64.b64encode(der).decode("ascii")

    @classmethod
    def generate(cls):
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(private_key, _self_signed(private_key))

    @classmethod
    def from_pem(cls, key_pem, certificate_pem=None):
        """The stored key; a certificate is made for it if the state predates certificates."""
        private_key = serialization.load_pem_private_key(key_pem.encode("ascii"), None)
        if certificate_pem is None:
            return cls(private_key, _self_signed(private_key))
        return cls(private_key, x509.load_pem_x509_certificate(certificate_pem.encode("ascii")))

    def to_pem(self):
        return self._private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")

    def certificate_pem(self):
        return self._certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def jwks(self):
        # Entra's keys carry no "alg": clients take RS256 from the token header.
        key = {"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid,
               "n": self._public_jwk["n"], "e": self._public_jwk["e"], "x5c": [self._x5c]}
        return {"keys": [key]}

    def sign(self, claims):
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"typ": "JWT", "x5t": self.kid, "kid": self.kid})
