"""Who holds a TCP port: so that govwatch says "port 8001 is taken by pid 4242 (datasette serve …)".

`port_taken` tries to bind the address the way a server would (SO_REUSEADDR,
so a port in TIME_WAIT is free). `holders` reads Linux's /proc (the socket
tables, then each process's open files) to name the listening processes; where
/proc cannot tell (another OS, a process of another user), it returns nothing
and the message says only that the port is taken.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
LISTEN = "0A"  # the state column of /proc/net/tcp for a listening socket
MAX_PROCESSES = 100_000  # bound the /proc walk, whatever the machine runs


@dataclass(frozen=True, slots=True)
class Holder:
    """A process listening on a port."""

    pid: int
    command: str

    def __str__(self) -> str:
        return f"pid {self.pid} ({self.command})" if self.command else f"pid {self.pid}"


def port_taken(host: str, port: int) -> bool:
    """Tell whether a server could not listen on `host:port` now (port 0 is never taken)."""
    if port == 0:
        return False
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def holders(port: int) -> list[Holder]:
    """Return the processes listening on TCP `port` that /proc can name (empty when it cannot tell)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return []
    found: list[Holder] = []
    try:
        pids = [entry.name for entry in os.scandir(PROC) if entry.name.isdigit()][:MAX_PROCESSES]
    except OSError:
        return []
    for pid in pids:
        try:
            links = {os.readlink(fd.path) for fd in os.scandir(PROC / pid / "fd")}
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            found.append(Holder(int(pid), _command(int(pid))))
    return found


def describe(host: str, port: int) -> str:
    """Return "port N on HOST is taken" with, when /proc can tell, the process that holds it."""
    named = holders(port)
    by = f" by {', '.join(map(str, named))}" if named else ""
    return f"port {port} on {host} is taken{by}"


def held_by(port: int, pid: int) -> bool | None:
    """Tell whether process `pid` listens on `port` (None when /proc cannot tell)."""
    if not (PROC / "net" / "tcp").exists():
        return None
    return any(h.pid == pid for h in holders(port))


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _command(pid: int) -> str:
    try:
        argv = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return ""
    words = [a.decode(errors="replace") for a in argv[:3] if a]
    words = [Path(w).name if "/" in w else w for w in words]
    return " ".join(words)[:80]
