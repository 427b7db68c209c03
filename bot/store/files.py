"""Files confbot keeps on disk (the SQLite database, its secrets) are its user's alone.

They hold children's and families' details and the keys to the service, so they are made
0600 in folders made 0700, whatever the umask. Existing files and folders keep their mode:
an operator may have chosen a group on purpose.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """``path`` as a folder, made readable by this user only if it is not there yet."""
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        path.chmod(PRIVATE_DIR)  # mkdir's mode is cut by the umask; this one must hold
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file, created empty and readable by this user only if it is not there."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return path
    os.fchmod(fd, PRIVATE_FILE)
    os.close(fd)
    return path
