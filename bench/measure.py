"""Measure one benchmark subprocess: wall time, CPU time and peak RSS (shared by bench/sweep.py and others)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    """One measured subprocess."""

    petitions: int
    seconds: float
    cpu: float
    rss_mb: float
    db_bytes: int = 0
    crawl_seconds: float = 0.0  # as the crawl itself measured it, without the process start

    @property
    def rate(self) -> float:
        """Petitions per second of crawl (process start-up excluded, for both spiders alike)."""
        return self.petitions / (self.crawl_seconds or self.seconds)


def measure(cmd: list[str], petitions: int, env: dict | None = None) -> tuple[Run, str]:
    """Run a command, return its wall time, CPU time (wait4) and peak RSS (VmHWM).

    Not ru_maxrss: a child forked from this process (which holds the whole replica)
    would report this process's RSS from before its exec.
    """
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        peak_kb = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
            time.sleep(0.05)
        seconds = time.monotonic() - started
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])}… failed:\n{stdout}\n{stderr}")
    return Run(petitions, seconds, usage.ru_utime + usage.ru_stime, peak_kb / 1024), stdout


def _vm_hwm_kb(pid: int) -> int:
    """Return the peak resident set of a running process, in KB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def launch_nginx(scratch: Path, config: str, needed_by: str) -> subprocess.Popen:
    """Start nginx with `config` (written to scratch/nginx.conf) in the foreground; a clear error without it."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        raise SystemExit(f"{needed_by} needs nginx: apt-get install nginx (Debian), then run again")
    (scratch / "logs").mkdir(exist_ok=True)
    conf = scratch / "nginx.conf"
    conf.write_text(config)
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(scratch), "-g", "daemon off; user root;"])
    time.sleep(0.5)
    if proc.poll() is not None:
        raise SystemExit(f"nginx did not start: see {scratch}/logs/error.log")
    return proc
