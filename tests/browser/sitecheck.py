"""Shared by the browser tests: where the builds are, which chromium, skip-or-fail."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("RESNET_BOOK_BUILD") or ROOT / "_build")  # another build folder: for trying these tests on a scratch build
# The published tree (make site), as GitHub Pages serves it: the English site at its root, then zh/,
# student/, student-zh/ and slides/ (booktools.site.TREE). The tests read and serve this tree.
TREE = BUILD / "site-tree"
SCREENSHOTS = BUILD / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
REQUIRE = os.environ.get("RESNET_BOOK_REQUIRE_BROWSER") == "1"
# The site's MathJax (sphinx's mathjax_path, MathJax 3 from jsDelivr), served from npm's package
CDN_MATHJAX = re.compile(r"^https://cdn\.jsdelivr\.net/npm/mathjax@3(?:\.[\d.]+)?/(.*)$")
MATHJAX3 = ("mathjax", "3.2.2")


def missing(reason: str):
    """Skip with ``reason`` — or fail, where CI requires the browser tests to run."""
    if REQUIRE:
        pytest.fail(f"{reason} (RESNET_BOOK_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def chromium_path() -> str | None:
    for p in (os.environ.get("RESNET_BOOK_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if p and Path(p).exists():
            return p
    return None


def chapters(site: Path) -> list[str]:
    return sorted(p.stem for p in (site / "chapters").glob("[0-9]*.html"))


def site_address() -> str:
    """The published tree's address (``https://owner.github.io/name/``), as the builds were made for it."""
    import yaml
    from booktools.site import repository, site_url

    return site_url(repository(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")))[0])
