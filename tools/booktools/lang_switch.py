"""Sphinx extension: how each page of an edition links to the rest of the published tree.

The site is published as one tree (``booktools.site.TREE``; ``make site``): the English edition at
the root, ``zh/``, ``student/``, ``student-zh/`` and ``slides/``. :func:`booktools.site.stage` tells each
build where it lies in that tree (``lang_switch_edition``), where its other-language twin lies
(``lang_switch_twin``), its language (``lang_switch_lang``) and the tree's address
(``lang_switch_site``). From these, every page gets

- a language switch (EN ↔ 中文) at its top, to the same page of the twin: a relative link, so it works
  from a folder, a local server or the published site;
- ``<link rel="alternate" hreflang="en" | "zh-CN" | "x-default">`` in its head: the same page in each
  language, as absolute addresses (what search engines read);

and the role ``{edition}`title <student>``` links to another edition's first page (``site``, ``student``
or ``slides``; in the reader's language where there is one). The 404 page is served at any address,
so its links (the switch and the body's) are made absolute paths (``notfound_urls_prefix``,
sphinx-notfound-page). The sitemap (sphinx-sitemap) is written for the site's html pages only.
"""

from __future__ import annotations

import html
import posixpath
from urllib.parse import urlparse

from docutils import nodes

LABELS = {"en": ("中文", "zh-CN", "阅读本页的中文版"), "zh_CN": ("English", "en", "Read this page in English")}
HREFLANG = {"en": "en", "zh_CN": "zh-CN"}


def _up(config, pagename: str) -> str:
    """From page ``pagename`` of this edition up to the root of the published tree (relative)."""
    return "../" * (pagename.count("/") + config.lang_switch_edition.count("/"))


def _not_found(app, pagename: str) -> bool:
    return pagename == getattr(app.config, "notfound_pagename", None)


def _tree_path(app) -> str:
    """The tree's root as an absolute path on its server (``/name/`` on GitHub Pages)."""
    return urlparse(app.config.lang_switch_site).path or "/"


def _on_page(app, pagename, templatename, context, doctree):
    if app.builder.name not in ("html", "dirhtml"):
        return
    lang, edition, twin = app.config.lang_switch_lang, app.config.lang_switch_edition, app.config.lang_switch_twin
    if twin is None:
        return
    label, hreflang, title = LABELS[lang]
    page = pagename + app.builder.out_suffix
    # up to the tree's root, then into the other edition (the 404 page: from the server's root)
    href = (_tree_path(app) if _not_found(app, pagename) else _up(app.config, pagename)) + twin + page
    link = (f'<p class="rb-lang-switch" style="text-align: right; margin: 0;"><a class="reference external" href="{html.escape(href)}" '
            f'hreflang="{hreflang}" lang="{hreflang}" title="{html.escape(title)}">🌐 {html.escape(label)}</a></p>\n')
    context["body"] = link + context.get("body", "")
    site = app.config.lang_switch_site
    if site and not _not_found(app, pagename):
        other = "zh_CN" if lang == "en" else "en"
        urls = {lang: site + edition + page, other: site + twin + page}
        alternates = [(HREFLANG[x], urls[x]) for x in ("en", "zh_CN")] + [("x-default", urls["en"])]
        context["metatags"] = context.get("metatags", "") + "".join(
            f'<link rel="alternate" hreflang="{h}" href="{html.escape(u)}" />\n' for h, u in alternates)


def edition_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{edition}`the student edition <student>``` or ``{edition}`slides```: a link to the first page
    of another part of the published tree, in the reader's language where it has one."""
    from booktools.site import SLIDES, TREE

    title, _, target = text.rpartition("<")
    title, target = (title.strip(), target.rstrip(">").strip()) if title else (text.strip(), text.strip())
    env = inliner.document.settings.env
    lang = env.config.lang_switch_lang
    folders = {"site": TREE[lang, False], "student": TREE[lang, True], "slides": SLIDES}
    if target not in folders:
        msg = inliner.reporter.error(f"{{edition}}: unknown edition {target!r} (one of {', '.join(folders)})", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    href = _up(env.config, env.docname) + folders[target] + "index.html"
    return [nodes.reference(rawtext, title, refuri=href, classes=["rb-edition"])], []


def _absolute_links_on_not_found(app, doctree, docname):
    """The 404 page is served at any address: its body's relative links become absolute paths."""
    if not _not_found(app, docname) or app.builder.name not in ("html", "dirhtml"):
        return
    prefix = app.config.notfound_urls_prefix or "/"
    for ref in doctree.findall(nodes.reference):
        uri = ref.get("refuri", "")
        if uri and "://" not in uri and not uri.startswith(("#", "/", "mailto:")):
            path, _, anchor = uri.partition("#")
            ref["refuri"] = posixpath.normpath(prefix + path) + (f"#{anchor}" if anchor else "")


def _sitemap_only_for_the_site(app):
    """sphinx-sitemap collects every page an html-like builder writes: not the slides' (nor others')."""
    if app.builder.name not in ("html", "dirhtml") and hasattr(app.config, "sitemap_excludes"):
        app.config.sitemap_excludes = ["*"]


def setup(app):
    app.add_config_value("lang_switch_lang", "en", "env")  # the {edition} role's links depend on it
    app.add_config_value("lang_switch_edition", "", "env")  # this edition's folder in the tree, e.g. "zh/"
    app.add_config_value("lang_switch_twin", None, "html")  # the other language's, e.g. ""; None: no switch
    app.add_config_value("lang_switch_site", "", "html")  # the tree's address, e.g. "https://owner.github.io/name/"
    app.add_role("edition", edition_role)
    app.connect("html-page-context", _on_page, priority=700)
    app.connect("doctree-resolved", _absolute_links_on_not_found)
    app.connect("builder-inited", _sitemap_only_for_the_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
