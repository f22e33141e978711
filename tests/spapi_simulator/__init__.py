"""A local stand-in for Amazon's SP-API, LWA and report-document host, for tests.

``Simulator`` serves real HTTP on loopback; ``RecordedRequest`` is what it records per request.
"""

from __future__ import annotations

from .server import RecordedRequest, Simulator, every_issued_secret

__all__ = ["RecordedRequest", "Simulator", "every_issued_secret"]
