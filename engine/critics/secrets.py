"""API keys come from the environment or the OS keyring - never from source, settings or provenance -
and every text that might carry one (logs, error messages) goes through redact(); everything written as
provenance (sculpt.json, batch_summary.json, logs of settings) goes through redact_provenance()."""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from engine.errors import CriticUnavailable

log = logging.getLogger("sam_sculpt.critics")

KEYRING_SERVICE = "sam-sculpt"
_KNOWN: set[str] = set()  # every key handed out in this process, so redact() can find it anywhere
_LOCK = threading.Lock()
_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-.=]{8,}"),
    re.compile(r"(?i)(api[_-]?key[\"']?\s*[:=]\s*[\"']?)[^\s\"',}&;]{6,}"),
)


def get_api_key(env_var: str, backend: str, required: bool = True) -> str | None:
    """The key from $env_var, else from the OS keyring (service 'sam-sculpt', user = env_var)."""
    key = os.environ.get(env_var, "").strip() or _from_keyring(env_var)
    if key:
        with _LOCK:
            _KNOWN.add(key)
        install_log_redaction()
        return key
    if required:
        raise CriticUnavailable(f"critic '{backend}' needs an API key: set {env_var} or store it with "
                                f"`keyring set {KEYRING_SERVICE} {env_var}`")
    return None


def _from_keyring(user: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, user) or None
    except Exception as exc:  # no backend, locked keychain, package missing: all mean "no key there"
        log.debug("keyring lookup for %s failed: %s", user, type(exc).__name__)
        return None


def redact(text: object) -> str:
    """The text with every known key and anything that looks like a key replaced by '***'."""
    s = str(text)
    with _LOCK:
        known = sorted(_KNOWN, key=len, reverse=True)
    for key in known:
        if len(key) >= 4:
            s = s.replace(key, "***")
    s = _PATTERNS[0].sub("***", s)
    for pattern in _PATTERNS[1:]:
        s = pattern.sub(lambda m: m.group(1) + "***", s)
    return s


class RedactingFilter(logging.Filter):
    """Attach to a handler so nothing it writes can carry a key (covers third-party loggers too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let the handler report it as usual
            return True
        if _KNOWN or "://" in message or "key" in message.lower():
            redacted = redact_text(message, limit=max(len(message), 1))  # SDKs log URLs (userinfo, ?api-key=)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


def install_log_redaction() -> None:
    """Put a RedactingFilter on every handler of the root logger (idempotent): a key that reached a
    third-party log message is masked before it is written."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


# ---- provenance -----------------------------------------------------------------------------------
MAX_PROVENANCE_CHARS = 4000  # a longer string (a runaway 5 MB reply) is cut; the cut is noted in the text
SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
                  "x-goog-api-key", "x-auth-token", "ocp-apim-subscription-key")
_SECRET_PARAM = re.compile(r"(?i)(key|token|secret|password|passwd|pwd|sig|auth|credential)")
_CUT_NOTE = re.compile(r" \.\.\.\[truncated: \d+ chars, first \d+ kept\]$")
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]{0,15}://[^\s\"'<>]+")  # bounded scheme: linear on long text


def is_secret_name(name: str) -> bool:
    """A settings key or header whose value must never be written (api_key, Authorization, auth_token...)."""
    from engine.settings import is_secret_key

    low = name.strip().lower()
    return is_secret_key(low) or low in SECRET_HEADERS


def _is_secret_param(name: str) -> bool:
    """A URL query parameter that may carry a credential (api-key=, token=, sig=, password=...)."""
    return is_secret_name(name) or bool(_SECRET_PARAM.search(name))


def redact_url(url: str) -> str:
    """The URL with user:password@ removed and secret-looking query parameters (api-key=, token=, sig=...)
    replaced by '***'. Anything that does not parse as a URL is returned through redact()."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = "***@" + netloc.rsplit("@", 1)[1]
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, "***" if _is_secret_param(k) else v) for k, v in pairs], safe="*")
        return redact(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))
    except ValueError:
        return redact(url)


def redact_text(text: str, limit: int = MAX_PROVENANCE_CHARS) -> str:
    """redact() + every URL in the text through redact_url(), cut to `limit` characters (noting the cut)."""
    cut = len(text) > limit and not (len(text) <= limit + 80 and _CUT_NOTE.search(text[-80:]))  # cut once only
    s = text[:limit] if cut else text
    s = redact(s)
    if "://" in s:
        s = _URL.sub(lambda m: redact_url(m.group(0)), s)
    if cut:
        s += f" ...[truncated: {len(text)} chars, first {limit} kept]"
    return s


def redact_provenance(obj: Any, limit: int = MAX_PROVENANCE_CHARS) -> Any:
    """A JSON-able copy safe to write: values under secret-looking keys (api_key, Authorization, token...)
    become '***', URLs lose userinfo and secret query parameters, known keys and key-like strings are
    masked, and strings longer than `limit` are cut with a note. Every provenance writer calls this."""
    if isinstance(obj, dict):
        return {k: ("***" if isinstance(k, str) and is_secret_name(k) and v not in (None, "") else
                    redact_provenance(v, limit)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [redact_provenance(v, limit) for v in obj]
    if isinstance(obj, str):
        return redact_text(obj, limit)
    return obj
