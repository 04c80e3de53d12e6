"""API keys come from the environment or the OS keyring - never from source, settings or provenance -
and every text that might carry one (logs, error messages) goes through redact()."""

from __future__ import annotations

import logging
import os
import re
import threading

from engine.errors import CriticUnavailable

log = logging.getLogger("sam_sculpt.critics")

KEYRING_SERVICE = "sam-sculpt"
_KNOWN: set[str] = set()  # every key handed out in this process, so redact() can find it anywhere
_LOCK = threading.Lock()
_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-.=]{8,}"),
    re.compile(r"(?i)(api[_-]?key[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]{6,}"),
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
        if _KNOWN:
            try:
                message = record.getMessage()
            except Exception:  # a malformed record: let the handler report it as usual
                return True
            record.msg, record.args = redact(message), None
        return True


def install_log_redaction() -> None:
    """Put a RedactingFilter on every handler of the root logger (idempotent): a key that reached a
    third-party log message is masked before it is written."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
