"""Errors the engine raises on purpose. Their message is one line a user can act on."""


class SculptError(Exception):
    """Base class: str(error) is the one-line message shown to the user."""


class InputError(SculptError):
    """A bad file or value supplied by the user (names the file and the problem)."""


class BackendError(SculptError):
    """A backend could not be created, loaded or run (names the backend and the reason)."""


class CriticUnavailable(BackendError):
    """A critic call failed after its retries (timeouts, 429/5xx, refused connection)."""
