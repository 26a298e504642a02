"""``python3 run.py list``: every experiment, read from its folder: id, the paper figure it
regenerates, and where its documentation is."""

import signal
from pathlib import Path

from . import folder, get, ids


def main() -> None:
    for experiment in ids():
        page = folder(experiment) / "README.md"
        shown = page.relative_to(Path.cwd()) if page.is_relative_to(Path.cwd()) else page
        print(f"{experiment:20} {get(experiment).PAPER_FIGURE}\n{'':20} {shown}")


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `run.py list | head` ends quietly
    main()
