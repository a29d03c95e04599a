"""The built site, slides and student edition, tested in a real browser (``make browser``).

These tests run AFTER the builds (``make test`` runs ``html``, ``slides``, ``book-zh``,
``book-student``, ``site``, then ``browser``): they read the published tree that ``make site``
assembles (``_build/site-tree``: the English site at its root, ``zh/``, ``student/``, ``student-zh/``,
``slides/``), serve it on localhost as GitHub Pages does (under the site's path, ``/name/``, with its
``404.html`` for a missing address) and drive Debian's Chromium (``/usr/bin/chromium``, or
``$RESNET_BOOK_CHROMIUM``) with Playwright. Without a build or a browser they are skipped with the
reason; with ``RESNET_BOOK_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing piece fails instead.

The machines that run them have no network but package registries, while the site loads MathJax
from a CDN. The tests route those requests to a local copy of the same npm package (fetched once
with npm) so that pages render as a reader's browser renders them; every other request that leaves
localhost is aborted and counts as a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from sitecheck import BUILD, MATHJAX3, ROOT, SCREENSHOTS, CDN_MATHJAX, CHROMIUM_ARGS, TREE, chapters, chromium_path, missing, site_address  # noqa: F401


@pytest.fixture(scope="session")
def site() -> Path:
    """The English site: the root of the published tree."""
    if not (TREE / "chapters").is_dir():
        missing("no published tree in _build/site-tree (run `make html slides book-zh book-student site` first)")
    return TREE


@pytest.fixture(scope="session")
def student_site(site) -> Path:
    if not (TREE / "student" / "chapters").is_dir():
        missing("no student edition in _build/site-tree/student (run `make book-student site` first)")
    return TREE / "student"


@pytest.fixture(scope="session")
def slides_dir(site) -> Path:
    if not (TREE / "slides" / "index.html").exists():
        missing("no slides in _build/site-tree/slides (run `make slides site` first)")
    return TREE / "slides"


class PagesServer(http.server.SimpleHTTPRequestHandler):
    """The tree as GitHub Pages serves it: under the site's path (``/name/``), and a missing address
    answered with the tree's ``404.html`` and status 404."""
    prefix = "/"

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(self.prefix):
            return str(TREE / "no such file")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code, message=None, explain=None):
        page = TREE / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def server():
    """The published tree on http://127.0.0.1:PORT/name/ (its path on GitHub Pages); yields that address
    without the final slash: ``f"{server}/chapters/..."`` is the English site, ``f"{server}/zh/..."``,
    ``/student/``, ``/student-zh/``, ``/slides/`` the others."""
    from urllib.parse import urlparse

    prefix = urlparse(site_address()).path or "/"
    handler = type("Pages", (PagesServer,), {"prefix": prefix})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(TREE)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix.rstrip('/')}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def mathjax_dir() -> Path | None:
    """npm's mathjax 3 package (what the site loads from the CDN), fetched once next to the slides' packages."""
    from booktools.npm import npm_package

    return npm_package(*MATHJAX3)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        missing("no chromium (Debian: apt-get install chromium; or set RESNET_BOOK_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed (pip install -r tests/browser/requirements.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageLog:
    """What went wrong on a page: JavaScript errors, console errors, failed or external requests."""

    def __init__(self):
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.external: list[str] = []
        self.mathjax_blocked = False

    def problems(self) -> list[str]:
        errors = self.page_errors
        if self.mathjax_blocked:
            # Only without the local MathJax copy (npm unreachable): the CDN script is blocked, so
            # window.MathJax stays the theme's config object and jupyterquiz's `MathJax.version[0]`
            # throws once per quiz. A reader online never sees this.
            errors = [e for e in errors if e != "Cannot read properties of undefined (reading '0')"]
        return ([f"JS error: {e}" for e in errors] + [f"console: {e}" for e in self.console_errors]
                + [f"request failed: {u}" for u in self.failed] + [f"external request: {u}" for u in self.external])


def _benign_console(msg) -> bool:
    text, url = msg.text, (msg.location or {}).get("url", "")
    # Chromium asks every origin for /favicon.ico; the site has none (the theme gives no favicon).
    if url.endswith("/favicon.ico"):
        return True
    # A request that left localhost: the route handler aborted it and recorded it (or served MathJax).
    if text.startswith("Failed to load resource") and url and not url.startswith("http://127.0.0.1"):
        return True
    # pydata-sphinx-theme 0.17 logs this as an error on a first visit (empty localStorage "mode"),
    # then falls back to "auto": what every new reader's console shows, not a fault of the book.
    if text.startswith("Got invalid theme mode: . Resetting to auto."):
        return True
    return False


def watched_page(ctx, mathjax_dir: Path | None):
    """(page, log): a new page of the browser context ``ctx`` whose errors and requests are recorded in
    ``log``; MathJax's CDN is served from ``mathjax_dir``, every other request that leaves localhost
    is aborted and recorded."""
    log = PageLog()

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            return r.continue_()
        m = CDN_MATHJAX.match(url)
        if m and mathjax_dir is None:
            log.mathjax_blocked = True
            return r.abort()
        if m:
            f = (mathjax_dir / m.group(1).split("?")[0]).resolve()
            if f.is_file() and mathjax_dir.resolve() in f.parents:
                return r.fulfill(path=str(f))
        log.external.append(url)
        return r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.on("pageerror", lambda e: log.page_errors.append(f"{e}"))
    page.on("console", lambda m: m.type == "error" and not _benign_console(m) and
            log.console_errors.append(f"{m.text} ({(m.location or {}).get('url', '')})"))
    # net::ERR_ABORTED is the browser dropping a request when the test moves on to the next page (a
    # late icon font); a file that is missing is a 404, recorded by the response handler below
    page.on("requestfailed", lambda r: log.failed.append(f"{r.url} ({r.failure})")
            if r.url.startswith("http://127.0.0.1") and "ERR_ABORTED" not in (r.failure or "") else None)
    page.on("response", lambda r: log.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    return page, log


@pytest.fixture
def new_page(browser, mathjax_dir):
    """``new_page()`` -> (page, log): a fresh page whose errors and requests are recorded in ``log``."""
    contexts = []

    def make(viewport=(1280, 900)):
        ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(ctx)
        return watched_page(ctx, mathjax_dir)

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
