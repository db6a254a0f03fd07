"""moto in a process of its own, on a loopback port: the local stand-in for S3, SQS and DynamoDB.

In the demo's own process moto's request handling competed for one interpreter lock with the
functions calling it, so only one of the machine's cores ever worked. In a process of its own
(as the real services are elsewhere) moto uses one core while the functions use the other; the
functions reach it through ``AWS_ENDPOINT_URL`` exactly as before. The process installs the same
patches (``moto_patches``; ``moto_fast`` for DynamoDB's parse/serialise), serves keep-alive
connections (``moto_http``) and ends with its parent, however the parent ends.
"""

from __future__ import annotations

import os
import signal
from typing import Any

MOTO_START_TIMEOUT_S = 60


def serve_moto(addresses: Any) -> None:
    """Entry point of the moto process: serve on a free loopback port until the parent is gone."""
    import logging
    import multiprocessing
    from multiprocessing.connection import wait

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the demo, which terminates us
    try:
        from signals.local import moto_fast, moto_patches
        from signals.local.moto_http import make_moto_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
        moto_patches.install()
        moto_fast.install()  # DynamoDB parse/serialise without the generic model walks (same answers)
        server = make_moto_server("127.0.0.1", 0)  # keep-alive connections (see moto_http)
        server.start()
    except BaseException as error:  # report, so the parent fails with the cause instead of a timeout
        addresses.put(error)
        raise
    addresses.put(server.get_host_and_port())
    parent = multiprocessing.parent_process()
    if parent is not None:
        wait([parent.sentinel])
    os._exit(0)


class MotoProcess:
    """``MotoProcess().start()`` -> the endpoint URL; ``stop()`` ends the process."""

    def __init__(self) -> None:
        self.process: Any = None
        self.endpoint_url = ""

    def start(self) -> str:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        addresses = context.Queue()
        self.process = context.Process(target=serve_moto, args=(addresses,), name="signals-moto", daemon=True)
        self.process.start()
        got = addresses.get(timeout=MOTO_START_TIMEOUT_S)
        if isinstance(got, BaseException):
            raise got
        host, port = got
        self.endpoint_url = f"http://{host}:{port}"
        return self.endpoint_url

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
