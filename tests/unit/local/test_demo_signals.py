"""``signals demo`` stops on SIGTERM and Ctrl-C: the stack is told to stop, then interrupted."""

from __future__ import annotations

import os
import signal
import threading
from types import SimpleNamespace

import pytest
from signals.cli.demo import _stop_on_signals


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_marks_the_stack_stopping_before_interrupting(signum: int) -> None:
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    stack = SimpleNamespace(stopping=threading.Event())
    try:
        _stop_on_signals(stack)
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signum)
            signal.sigtimedwait([], 0.5)  # let the handler run on this (the main) thread
        # even if the interrupt had been swallowed, the schedule loop sees the stop at its next check
        assert stack.stopping.is_set()
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
