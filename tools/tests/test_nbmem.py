"""booktools.nbmem: the peak memory of a notebook's process tree, recorded and held to a limit."""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat

from booktools import nbmem, site

ROOT = Path(__file__).resolve().parents[2]


def test_the_sampler_counts_child_processes():
    child = subprocess.Popen([sys.executable, "-c", "b = bytearray(200 * 1024**2); import time; b[::4096] = b'x' * len(b[::4096]); time.sleep(3)"])
    try:
        with nbmem.PeakSampler(interval=0.05) as s:
            time.sleep(1.5)
        assert s.peak > 200 * 1024**2, s.peak  # this process alone holds far less
    finally:
        child.kill()
        child.wait()


def _run(tmp_path, source: str, limit: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(tmp_path / "nb.ipynb"))
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT / "tools"), "RESNET_BOOK_MEMORY_LIMIT": limit,
           "OMP_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, "-m", "pytest", "-p", "booktools.nbmem", "--nbmake", "-q", "-p", "no:cacheprovider",
                        "--junitxml", str(tmp_path / "r.xml"), "nb.ipynb"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    return r, site.chapter_measures(tmp_path / "r.xml")["nb"], ET.parse(tmp_path / "r.xml")


def test_a_notebook_over_the_limit_fails_with_its_peak(tmp_path):
    src = ("b = bytearray(300 * 1024**2)\nb[::4096] = b'x' * len(b[::4096])\nimport time; time.sleep(0.5)\n"
           "t = time.process_time()\nwhile time.process_time() - t < 1: pass")  # one second of CPU
    r, m, tree = _run(tmp_path, src, str(250 * 1024**2))
    assert r.returncode == 1, r.stdout + r.stderr
    assert m["failed"] and m["peak_rss"] > 300 * 1024**2 and m["threads"] == "1"
    message = tree.getroot().find(".//failure").get("message")
    assert "peak resident memory" in message and "above the limit of 250 MiB" in message, message
    r, m, _ = _run(tmp_path, src, str(4 * 1024**3))  # the same notebook under a higher limit passes
    assert r.returncode == 0 and not m["failed"] and m["peak_rss"] > 300 * 1024**2
    assert 1 <= m["cpu_seconds"] < m["time"] + 5, m  # the kernel's busy second, and the kernel's start-up
