"""The local stack's HTTP servers (gateway, feed server, webhook receiver) on one base class.

``http.server``'s threading server prints a traceback to stderr whenever a client drops its
connection mid-request (a browser closing a tab, a poller stopped, a demo interrupted): that is the
client's doing and nothing to act on, so those are ignored here. Any other error in a request
still goes to the standard report.
"""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from typing import Any

CLIENT_GONE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], CLIENT_GONE):
            return
        super().handle_error(request, client_address)
