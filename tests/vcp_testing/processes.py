"""Starting vcp in child processes that Ctrl-C can reach."""

from __future__ import annotations

import signal


def interruptible() -> None:
    """``preexec_fn`` for a child that tests send SIGINT to.

    A shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT
    ignored: the child would never see the "Ctrl-C". Restoring the default lets Python install
    its KeyboardInterrupt handler, whatever the test runner inherited.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
