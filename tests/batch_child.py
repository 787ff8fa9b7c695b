"""Run ``agreement-engine ARGS`` as the command line does and tell the test, on the file descriptor in
$BATCH_PROGRESS_FD, each input the batch finishes (one line: status and input), so that a test can wait for
progress instead of sleeping. Ctrl-C and SIGHUP behave as in a terminal, however the test run was started.
An input whose alliance name starts with $BATCH_HANG_ON (when set) never finishes: its worker waits for ever.
"""
from __future__ import annotations

import os
import signal
import sys
import threading


def main() -> None:
    from agreement_engine import batch
    from agreement_engine.cli import main as command_line

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    fd = int(os.environ["BATCH_PROGRESS_FD"])
    run = batch.run

    def run_and_tell(*args, progress=None, **kwargs):
        def tell(item):
            os.write(fd, f"{item.status} {item.input}\n".encode("utf-8", "backslashreplace"))
            if progress is not None:
                progress(item)
        return run(*args, progress=tell, **kwargs)

    batch.run = run_and_tell
    hang_on = os.environ.get("BATCH_HANG_ON")
    if hang_on:
        render = batch.render_document

        def render_or_hang(answers, **kwargs):
            if answers["alliance"]["name"].startswith(hang_on):
                threading.Event().wait()  # until the worker is ended
            return render(answers, **kwargs)

        batch.render_document = render_or_hang
    command_line(sys.argv[1:], prog_name="agreement-engine")


if __name__ == "__main__":
    main()
