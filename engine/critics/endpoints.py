"""Which API key may go to which endpoint. A provider's key (OPENAI_API_KEY, DASHSCOPE_API_KEY) is sent only
to that provider's hosts; a local server (loopback or private address: vLLM, Ollama, LM Studio) needs no key
and gets a placeholder; any other server gets a key only from a key_env the user named for it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from engine.critics.secrets import get_api_key, redact_url
from engine.errors import BackendError

PLACEHOLDER_KEY = "not-needed"  # what a local server gets: the SDKs insist on some key


@dataclass(frozen=True)
class Provider:
    """A provider's default key variable and the host suffixes that key belongs to."""

    key_env: str
    hosts: tuple[str, ...]

    def owns(self, host: str) -> bool:
        return any(host == h or host.endswith("." + h) for h in self.hosts)


OPENAI = Provider("OPENAI_API_KEY", ("api.openai.com",))
DASHSCOPE = Provider("DASHSCOPE_API_KEY", ("aliyuncs.com",))


def host_of(url: str | None) -> str:
    try:
        return (urlsplit(url or "").hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def is_local(url: str | None) -> bool:
    """True for localhost and loopback / private / link-local IP literals (no DNS lookup)."""
    host = host_of(url)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private or ip.is_link_local


@dataclass(frozen=True)
class KeyChoice:
    key: str  # what goes in the Authorization header (the placeholder for a local server without a key)
    source: str  # for provenance: "env X or keyring" / "placeholder (local server)" (never the key)


def choose_key(backend: str, url: str | None, default_url: str, provider: Provider, key_env: str | None,
               required: bool = True) -> KeyChoice:
    """The key for a request to `url` (None = the SDK's default endpoint `default_url`).

    - key_env named by the user (not the provider's default): that key, wherever url points (their choice);
      a local server without it gets the placeholder.
    - default key_env: sent only to the provider's own hosts; a local server gets the placeholder; any other
      host is refused (name the variable that holds that server's key in key_env)."""
    target = url or default_url
    host = host_of(target)
    explicit = bool(key_env) and key_env != provider.key_env
    env = key_env or provider.key_env
    local = is_local(target)
    if not explicit and not local and not provider.owns(host):
        raise BackendError(f"critic '{backend}': {provider.key_env} is only sent to {', '.join(provider.hosts)}, not to "
                           f"{redact_url(target)}; set key_env to the variable that holds this server's key")
    if not explicit and local:
        return KeyChoice(PLACEHOLDER_KEY, "placeholder (local server, no key needed)")
    key = get_api_key(env, backend, required=required and not local)
    if key:
        return KeyChoice(key, f"env {env} or keyring")
    return KeyChoice(PLACEHOLDER_KEY, f"placeholder ({env} not set)")
