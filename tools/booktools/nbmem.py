"""pytest plugin for ``make execute``: each chapter's peak resident memory, beside nbmake's time.

Loaded with ``-p booktools.nbmem`` (``PYTHONPATH=tools``). While nbmake executes a notebook, a
thread samples the resident memory (RSS) of the whole process tree every 0.1 s -- this pytest
process, which plays the part of the Jupyter server, the notebook's kernel and every process the
kernel starts (training workers) -- and keeps the largest sum. It is written into the JUnit XML
(``--junitxml``) as properties of the chapter's test case, where ``booktools.site`` reads it for
the status page:

- ``peak_rss_bytes``: that peak, in bytes;
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


def tree_rss(root) -> int:
    """Resident memory of ``root`` (a psutil.Process) and all its descendants, in bytes."""
    import psutil

    total = 0
    try:
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:  # ended between the listing and the reading
            pass
    return total


class PeakSampler:
    """``with PeakSampler() as s: ...`` -> ``s.peak``: the largest tree RSS seen (bytes)."""

    def __init__(self, pid: int | None = None, interval: float = INTERVAL_S):
        import psutil

        self.root = psutil.Process(pid or os.getpid())
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nbmem-sampler", daemon=True)

    def sample(self) -> int:
        rss = tree_rss(self.root)
        self.peak = max(self.peak, rss)
        return rss

    def _run(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self):
        self.sample()
        self._thread.start()
        return self

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
