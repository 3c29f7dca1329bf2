"""The fleet file's `identity_provider:` section: tenants, accounts, registered apps and lifetimes."""

import uuid
from dataclasses import dataclass

DEFAULT_SETTINGS = {
    "token_lifetime_seconds": 3600,
    "device_code_lifetime_seconds": 900,
    "poll_interval_seconds": 5,
    # Entra's authorization codes are short-lived: about 10 minutes.
    "authorization_code_lifetime_seconds": 600,
    # Entra's refresh tokens die after 90 days without use.
    "refresh_token_inactivity_seconds": 90 * 24 * 3600,
}

# Path segments Entra accepts in place of one tenant.
MULTI_TENANT_SEGMENTS = ("organizations", "common")
# What an app registration for printers asks for when the fleet file names no permissions:
# the Exchange Online mail protocols. Admin consent grants exactly these.
DEFAULT_CLIENT_PERMISSIONS = (
    "https://outlook.office.com/SMTP.Send",
    "https://outlook.office.com/POP.AccessAsUser.All",
    "https://outlook.office.com/IMAP.AccessAsUser.All",
)
CONDITIONAL_ACCESS_SETTINGS = ("block_device_code_flow",)


@dataclass(frozen=True)
class Tenant:
    name: str
    id: str
    domain: str | None
    admin_consent: bool
    conditional_access: dict


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    display_name: str
    tenant: Tenant
    enabled: bool

    @property
    def object_id(self):
        # Derived, not stored: stays the same across restarts and state resets.
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.tenant.id}/{self.username.lower()}"))


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    permissions: tuple
    redirect_uris: tuple   # where /authorize may send the person back to, exactly as registered


class Directory:
    """Read-only view of the configured identities; what changes at run time lives in the provider's state."""

    def __init__(self, config):
        config = config or {}
        self.settings = {key: int(config.get(key, default)) for key, default in DEFAULT_SETTINGS.items()}
        self.clients = {
            entry["client_id"].lower(): Client(
                entry["client_id"], entry.get("name", entry["client_id"]),
                tuple(entry.get("permissions") or DEFAULT_CLIENT_PERMISSIONS),
                tuple(entry.get("redirect_uris") or ()),
            )
            for entry in config.get("clients") or []
        }
        self.tenants = []
        self.accounts = {}
        for entry in config.get("tenants") or []:
            tenant = Tenant(
                name=entry["name"],
                id=entry.get("id") or str(uuid.uuid5(uuid.NAMESPACE_DNS, entry["name"])),
                domain=entry.get("domain"),
                admin_consent=bool(entry.get("admin_consent", False)),
                conditional_access=conditional_access(entry.get("conditional_access") or {}, entry["name"]),
            )
            self.tenants.append(tenant)
            for account in entry.get("accounts") or []:
                self.accounts[account["username"].lower()] = Account(
                    username=account["username"],
                    password=account["password"],
                    display_name=account.get("display_name", account["username"]),
                    tenant=tenant,
                    enabled=bool(account.get("enabled", True)),
                )

    def tenant(self, reference):
        """The tenant named by id, name or domain (case-insensitive), as the lab's own tools may; LookupError if none."""
        return self._tenant_by(reference, lambda tenant: (tenant.id, tenant.name, tenant.domain))

    def tenant_in_path(self, segment):
        """The tenant an authority path names: Entra takes only its id or a verified domain, not its name."""
        return self._tenant_by(segment, lambda tenant: (tenant.id, tenant.domain))

    def _tenant_by(self, reference, names):
        wanted = str(reference).lower()
        for tenant in self.tenants:
            if wanted in {name.lower() for name in names(tenant) if name}:
                return tenant
        raise LookupError(f"unknown tenant {reference!r}")

    def account(self, username):
        try:
            return self.accounts[str(username).lower()]
        except KeyError:
            raise LookupError(f"unknown account {username!r}") from None

    def client(self, client_id):
        try:
            return self.clients[str(client_id).lower()]
        except KeyError:
            raise LookupError(f"unknown client {client_id!r}") from None


def conditional_access(settings, tenant_name):
    """A tenant's Conditional Access switches, every one off unless the fleet file turns it on."""
    if not isinstance(settings, dict) or set(settings) - set(CONDITIONAL_ACCESS_SETTINGS):
        raise ValueError(f"tenant {tenant_name}: conditional_access takes only {', '.join(CONDITIONAL_ACCESS_SETTINGS)}")
    if not all(isinstance(value, bool) for value in settings.values()):
        raise ValueError(f"tenant {tenant_name}: conditional_access settings must be true or false")
    return {name: settings.get(name, False) for name in CONDITIONAL_ACCESS_SETTINGS}
