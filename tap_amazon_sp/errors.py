"""Errors the tap raises. Messages are meant for a seller reading a log: no secrets, no stack needed."""

from __future__ import annotations


class TapError(Exception):
    """Base of the tap's own errors."""


class AuthError(TapError):
    """Credentials were refused. Never retried: only the user can fix them."""


class TransientError(TapError):
    """A failure worth retrying: throttling, a server error, a dropped connection."""


class DownloadError(TransientError):
    """A document download broke off or arrived cut short: downloading it again may work."""


class APIError(TapError):
    """SP-API refused a request for a reason a retry will not fix."""

    def __init__(self, message: str, *, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class ReportError(TapError):
    """A report could not be produced (FATAL after retries, stuck past the maximum wait)."""


class DocumentError(TapError):
    """A report document could not be read (bad charset, broken compression)."""


class TruncatedDocument(DocumentError):
    """A document's compressed stream ended before its end marker: the bytes were cut short."""


class LimitError(TapError):
    """More rows match a request than Amazon pages through: reported, never silently cut short."""


class CatalogError(TapError):
    """The catalog asks for something the tap cannot do."""


class ConfigFileError(TapError):
    """A config file cannot be read as a JSON object."""


class StateError(TapError):
    """The state given to the tap cannot be read as this tap's state."""
