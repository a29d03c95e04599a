"""pytest plugin for ``make execute``: each chapter's peak resident memory, beside nbmake's time.

Loaded with ``-p booktools.nbmem`` (``PYTHONPATH=tools``). While nbmake executes a notebook, a
thread samples the resident memory (RSS) of the whole process tree every 0.1 s -- this pytest
process, which plays the part of the Jupyter server, the notebook's kernel and every process the
kernel starts (training workers) -- and keeps the largest sum. It is written into the JUnit XML
(``--junitxml``) as properties of the chapter's test case, where ``booktools.site`` reads it for
the status page:

- ``peak_rss_bytes``: that peak, in bytes;
- ``cpu_seconds``: the CPU time (user + system) the tree's processes used meanwhile, the runner's
  included -- on one thread about the wall time the chapter takes on an idle core, also where other
  work on a busy machine stretches the wall time;
- ``threads``: the CPU threads a notebook was given (``OMP_NUM_THREADS``, or ``default (N cores)``).

A chapter whose peak is above ``RESNET_BOOK_MEMORY_LIMIT`` (bytes; default 2 GiB, mybinder.org's
limit of "2G", which JupyterHub counts in binary units) fails, so that a cell that pushes a chapter
over what Binder gives a reader is caught by the build that adds it.
"""

from __future__ import annotations

import os
import threading

import pytest

DEFAULT_LIMIT = 2 * 1024**3
INTERVAL_S = 0.1


def memory_limit() -> int:
    value = os.environ.get("RESNET_BOOK_MEMORY_LIMIT", "").strip()
    return int(float(value)) if value else DEFAULT_LIMIT


def threads_label() -> str:
    n = os.environ.get("OMP_NUM_THREADS", "").strip()
    return n if n else f"default ({os.cpu_count()} cores)"


class PeakSampler:
    """``with PeakSampler() as s: ...`` -> ``s.peak``: the largest resident memory of the process tree
    seen (bytes); ``s.cpu_seconds``: the CPU time its processes used meanwhile."""

    def __init__(self, pid: int | None = None, interval: float = INTERVAL_S):
        import psutil

        self.root = psutil.Process(pid or os.getpid())
        self.interval = interval
        self.peak = 0
        self._cpu: dict[tuple[int, float], float] = {}  # (pid, start time) -> its CPU seconds, last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nbmem-sampler", daemon=True)

    def sample(self) -> int:
        import psutil

        try:
            procs = [self.root] + self.root.children(recursive=True)
        except psutil.Error:
            return 0
        rss = 0
        for p in procs:
            try:
                with p.oneshot():
                    rss += p.memory_info().rss
                    t = p.cpu_times()
                    self._cpu[p.pid, p.create_time()] = t.user + t.system
            except psutil.Error:  # ended between the listing and the reading
                pass
        self.peak = max(self.peak, rss)
        return rss

    @property
    def cpu_seconds(self) -> float:
        """CPU time of every process seen (a process that ended between samples loses its last 0.1 s)."""
        return sum(self._cpu.values()) - self._cpu_before

    def __enter__(self):
        self.sample()
        self._cpu_before = sum(self._cpu.values())  # the runner's own time before the notebook started
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()
        return False


class MemoryLimitExceeded(Exception):
    pass


def fmt_bytes(n: float) -> str:
    return f"{n / 1024**3:.2f} GiB" if n >= 1024**3 else f"{n / 1024**2:.0f} MiB"


def _is_notebook(item) -> bool:
    return bool(getattr(item, "nbmake", False)) or str(getattr(item, "fspath", "")).endswith(".ipynb")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if not _is_notebook(item):
        return (yield)
    sampler = PeakSampler()
    try:
        with sampler:
            result = yield
    finally:  # also for a chapter that failed: recorded before pytest makes the report (junitxml)
        item.user_properties.append(("peak_rss_bytes", str(sampler.peak)))
        item.user_properties.append(("cpu_seconds", f"{sampler.cpu_seconds:.1f}"))
        item.user_properties.append(("threads", threads_label()))
    limit = memory_limit()
    if sampler.peak > limit:
        raise MemoryLimitExceeded(
            f"{item.name}: peak resident memory {fmt_bytes(sampler.peak)} (the kernel, its processes and the "
            f"runner together) is above the limit of {fmt_bytes(limit)} (Binder's; RESNET_BOOK_MEMORY_LIMIT)")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(MemoryLimitExceeded):
        report.longrepr = str(call.excinfo.value)  # not nbmake's "NBMAKE INTERNAL ERROR" with a traceback
    return report
