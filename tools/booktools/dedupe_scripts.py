"""Sphinx extension: drop duplicate <script> entries from each page.

With jupyter-book 1.0.4 / sphinx-thebe, the inline script that declares ``const THEBE_JS_URL``
is added twice to every page, which throws "Identifier 'THEBE_JS_URL' has already been declared"
in the browser console. Keeping the first of identical scripts removes the error.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        # the same inline script can arrive once with filename None and once with ""
        key = (str(getattr(js, "filename", js) or ""), tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)  # after the theme and extensions added theirs
    return {"parallel_read_safe": True, "parallel_write_safe": True}
