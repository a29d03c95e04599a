"""Sphinx extension: a language switch (EN ↔ 中文) at the top of every page, to the same page.

The English and the Chinese edition are built side by side under ``_build/`` (``html`` and ``zh``;
``student`` and ``student-zh``); :func:`booktools.site.stage` tells each build where its twin is
(``lang_switch_other``, relative to the edition's root) and which language it is
(``lang_switch_lang``). The link is relative, so it works from a folder, a local server or a
published site that keeps the two editions side by side.
"""

from __future__ import annotations

import html

LABELS = {"en": ("中文", "zh-CN", "阅读本页的中文版"), "zh_CN": ("English", "en", "Read this page in English")}


def _on_page(app, pagename, templatename, context, doctree):
    other = app.config.lang_switch_other
    if not other or app.builder.name not in ("html", "dirhtml"):
        return
    label, hreflang, title = LABELS[app.config.lang_switch_lang]
    # from this page up to the edition's root, then into the other edition
    href = "../" * pagename.count("/") + other + pagename + app.builder.out_suffix
    link = (f'<p class="rb-lang-switch" style="text-align: right; margin: 0;"><a class="reference external" href="{html.escape(href)}" '
            f'hreflang="{hreflang}" lang="{hreflang}" title="{html.escape(title)}">🌐 {html.escape(label)}</a></p>\n')
    context["body"] = link + context.get("body", "")


def setup(app):
    app.add_config_value("lang_switch_other", "", "html")  # e.g. "../zh/"; empty: no switch
    app.add_config_value("lang_switch_lang", "en", "html")
    app.connect("html-page-context", _on_page, priority=700)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
