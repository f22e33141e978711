"""How a sync stops before its end: told to by a signal, or because the reader of stdout is gone.

SIGTERM, SIGINT and SIGHUP (Kubernetes, cron timeouts, Airflow, Ctrl-C, a closed terminal) become
`Interrupted`, raised at once wherever the sync is (a sleep waiting on a report, a request, parsing
a document) except while a message line is being written: there it waits until the line is
whole. Both exceptions derive from BaseException, so no `except Exception` on the way (retries,
the SDK's "unhandled error" log) mistakes them for a failure of a request or a stream.

The signal handler itself writes and logs nothing: it may run in the middle of a write to stdout
or stderr, where a second write would be reentrant. What is left to write (the pending lines, a
final STATE) is written by whoever catches `Interrupted`, after the stack has unwound.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from tap_amazon_sp.errors import TapError

# The signals that stop a sync: SIGHUP too, as a closed terminal or ssh session sends it.
STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Termination signals that arrived while the tap was already stopping.
_LATE: list[int] = []


class Interrupted(BaseException):
    """A termination signal arrived: stop, finish the pending lines, write a final STATE."""

    def __init__(self, signum: int, finish: Callable[[], None]) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.finish = finish

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """What a shell reports for a process ended by this signal: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


class OutputClosed(BaseException):
    """stdout can take nothing more: its reader closed it (`tap | head`, a target that died), or the
    file behind it refused a write (a full disk)."""

    PIPE_CLOSED = "The output pipe was closed by its reader"

    def __init__(self, reason: str = PIPE_CLOSED) -> None:
        super().__init__(reason)
        self.reason = reason

    @classmethod
    def by(cls, error: OSError) -> OutputClosed:
        """What a failed write to stdout means."""
        if isinstance(error, BrokenPipeError):
            return cls()
        return cls(f"Writing to stdout failed ({error.strerror or error})")


class StopGuard:
    """Holds back a termination signal while a line is being written, then raises it.

    `writing()` and `written()` bracket every write to stdout; a signal arriving in between is
    raised by `written()`, once the lines are whole. Later signals are only noted: the sync is
    already stopping, and cutting its last lines short would be worse than waiting for the reader
    (SIGKILL remains for a reader that never reads).
    """

    def __init__(self) -> None:
        self._depth = 0
        self.stop: Interrupted | None = None
        self.raised = False
        global _ACTIVE
        _ACTIVE = self

    def signal(self, stop: Interrupted) -> None:
        """Called from the signal handler."""
        if self.stop is not None:
            _LATE.append(stop.signum)
            return
        self.stop = stop
        if not self._depth:
            self.raised = True
            raise stop

    def writing(self) -> None:
        self._depth += 1

    def written(self) -> None:
        self._depth -= 1
        if not self._depth and self.stop is not None and not self.raised:
            self.raised = True
            raise self.stop


# The guard of the tap's output (the latest made), which `held_once_sent` holds a signal with.
_ACTIVE: StopGuard | None = None


class _Creating:
    """Whether a create call (createReport, createQuery) is under way and its request was sent."""

    armed = False
    holding = False


_CREATING = _Creating()


@contextmanager
def held_once_sent() -> Iterator[None]:
    """Around a create call and the STATE that remembers what it created: a signal that arrives
    once the request is sent waits until the block ends (the STATE written), so a stopped sync never
    leaves a report or query Amazon made that no state names, requested again by the next sync. A
    signal while the request waits for quota, or between failed tries, stops at once."""
    _CREATING.armed = True
    try:
        yield
    finally:
        _CREATING.armed = False
        _release()


def sending() -> None:
    """The client is about to send a request: inside `held_once_sent`, hold signals from here on."""
    if _CREATING.armed and not _CREATING.holding and _ACTIVE is not None:
        _ACTIVE.writing()
        _CREATING.holding = True


def not_sent() -> None:
    """The request failed (nothing was created): a signal held since it was sent is raised now."""
    _release()


def _release() -> None:
    if _CREATING.holding and _ACTIVE is not None:
        _CREATING.holding = False
        _ACTIVE.written()


def hold_signals() -> None:
    """From here on the process is ending: a termination signal is noted, never raised."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in STOPPING:
        signal.signal(signum, _note)


def ignore_signals() -> None:
    """The command is exiting: a termination signal changes nothing now. (Python restores the default
    action of signals it handles while it shuts down, which would end the process by the signal.)"""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in STOPPING:
        signal.signal(signum, signal.SIG_IGN)


def before_start() -> None:
    """Until the tap is created (importing the SDK takes a second or two), a termination signal ends
    the command quietly with 128 + the signal: nothing was requested or written yet."""
    for signum in STOPPING:
        signal.signal(signum, _exit_before_start)


def _exit_before_start(signum: int, _frame: FrameType | None) -> None:
    ignore_signals()
    raise SystemExit(128 + signum)


def _note(signum: int, _frame: FrameType | None) -> None:
    _LATE.append(signum)


def late_signals() -> list[str]:
    """The signals that arrived while the process was ending, by name."""
    return [signal.Signals(signum).name for signum in _LATE]


@contextmanager
def one_line(logger: logging.Logger, *, doing: str | None = None) -> Iterator[None]:
    """Run a CLI mode so that a failure the tap understands (refused credentials, a FATAL report,
    an unreadable document), a signal or an output that takes nothing more is one line and an exit
    status, not a stack trace; bookmarks already stop before it.

    `doing` names a mode other than a sync (discovery, --about, ...), which writes to stdout only:
    there a signal just stops it, and any failed write is the output closing.
    """
    try:
        yield
    except TapError as exc:
        hold_signals()
        logger.error("%s", exc)
        sys.exit(1)
    except Interrupted as stop:
        hold_signals()
        if doing is None:
            sys.exit(finish_sync(stop, logger))
        logger.warning("Stopped by %s during %s; exit status %d", stop.name, doing, stop.exit_code)
        sys.exit(stop.exit_code)
    except OutputClosed as closed:
        hold_signals()
        output_closed(closed.reason, logger)
        sys.exit(1)
    except OSError as exc:
        if doing is None:
            raise
        hold_signals()
        output_closed(OutputClosed.by(exc).reason, logger)
        sys.exit(1)
    finally:
        ignore_signals()


def finish_sync(stop: Interrupted, logger: logging.Logger) -> int:
    """Finish an interrupted sync: its queued lines, then a STATE that resumes where it stopped; the
    exit status."""
    try:
        stop.finish()
    except OutputClosed as closed:
        output_closed(closed.reason, logger)
    else:
        logger.warning(
            "Stopped by %s: the last STATE resumes after the last window emitted in full; exit status %d",
            stop.name,
            stop.exit_code,
        )
    if late := late_signals():
        logger.warning("%s while stopping: ignored, so that no line was cut short", ", ".join(late))
    return stop.exit_code


def output_closed(reason: str, logger: logging.Logger) -> None:
    """Say the output is gone, and point stdout at devnull: Python flushes stdout once more at exit,
    which with the reader gone would print "Exception ignored ... BrokenPipeError" (its docs' remedy)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    logger.error("%s; stopping, as nothing more can be written", reason)
