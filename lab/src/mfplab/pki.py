"""The lab CA and the server certificates it signs, kept in the lab's state directory.

EC P-256 keys: generating one takes about a millisecond, so a fleet of hundreds of devices
gets its certificates in well under a second on first start, and reuses them afterwards.
"""

import datetime
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mfplab.state import private_dir, write_private

VALIDITY = datetime.timedelta(days=825)


def _name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mfplab"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _pem_key(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class LabCA:
    """Loads the CA from `state_dir`, or creates it there on first use."""

    def __init__(self, state_dir):
        self.dir = Path(state_dir)
        self.ca_path = self.dir / "ca.pem"
        self._key_path = self.dir / "ca.key"
        self._cert_dir = self.dir / "certs"
        if self.ca_path.exists() and self._key_path.exists():
            self._key = serialization.load_pem_private_key(self._key_path.read_bytes(), None)
            self._cert = x509.load_pem_x509_certificate(self.ca_path.read_bytes())
        else:
            self._create()

    def _create(self):
        private_dir(self.dir)
        self._key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        name = _name("mfplab CA")
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, key_cert_sign=True, crl_sign=True,
                    content_commitment=False, key_encipherment=False, data_encipherment=False,
                    key_agreement=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        write_private(self._key_path, _pem_key(self._key))
        self.ca_path.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    def server_cert(self, address, certificate="valid"):
        """Paths (cert chain, key) of a server certificate for an IP address, made once.

        `certificate`: "valid" (signed by the lab CA), "expired" (signed by it, expired) or
        "changed" (self-signed, as a device makes one after a factory reset: no CA vouches for it)."""
        stem = address if certificate == "valid" else f"{address}-{certificate}"
        cert_path = self._cert_dir / f"{stem}.pem"
        key_path = self._cert_dir / f"{stem}.key"
        if not (cert_path.exists() and key_path.exists()):
            self._issue(address, cert_path, key_path, certificate)
        return cert_path, key_path

    def _issue(self, address, cert_path, key_path, certificate):
        private_dir(self._cert_dir)
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        if certificate == "expired":
            valid_from, valid_to = now - VALIDITY, now - datetime.timedelta(days=1)
        else:
            valid_from, valid_to = now - datetime.timedelta(minutes=5), now + VALIDITY
        self_signed = certificate == "changed"
        issuer_key, issuer = (key, _name(address)) if self_signed else (self._key, self._cert.subject)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(address))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from)
            .not_valid_after(valid_to)
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]), critical=False
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
            )
            .sign(issuer_key, hashes.SHA256())
        )
        write_private(key_path, _pem_key(key))
        chain = cert.public_bytes(serialization.Encoding.PEM)
        if not self_signed:
            chain += self._cert.public_bytes(serialization.Encoding.PEM)
        cert_path.write_bytes(chain)

    def server_context(self, address, certificate="valid"):
        """A TLS server context presenting this address's certificate (see server_cert)."""
        cert_path, key_path = self.server_cert(address, certificate)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_path, key_path)
        return context
