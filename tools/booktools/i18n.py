"""The Chinese edition's message catalogs: extract, update, check.

The zh edition (``make book-zh``) is built from the SAME executed notebooks as the English site,
with Sphinx's internationalisation: every paragraph, heading, caption and admonition of the pages
is a message; its translation lives in ``book/locales/zh_CN/LC_MESSAGES/<page>.po`` (one catalog per
page, managed with sphinx-intl). Code, figures and cell outputs are shared; only prose is translated.

``python -m booktools.i18n update`` (``PYTHONPATH=tools``; ``make locales``) re-extracts the messages
from the chapter sources (no execution: a figure cell gets a placeholder image, so that its caption
is extracted too) and merges them into the catalogs: a new or changed English message appears there
untranslated (or fuzzy), which ``check`` reports and the tests refuse.

``python -m booktools.i18n check`` lists untranslated, fuzzy and inconsistent messages (exit 1 if
any); ``lint FILE.po ...`` checks only that each translation keeps its message's markup (roles,
maths, inline code, link targets), which the ``-W`` build would otherwise refuse later.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANG = "zh_CN"
LOCALES = ROOT / "book" / "locales"
# Generated per build (measured times): written in the edition's language by booktools.site, not translated.
GENERATED = {"book/status"}
# a 1x1 PNG: the placeholder output that makes a figure cell's caption part of the extracted page
_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def catalogs(locales: Path = LOCALES) -> list[Path]:
    return sorted((locales / LANG / "LC_MESSAGES").rglob("*.po"))


def _placeholder_outputs(nb: dict) -> dict:
    for c in nb["cells"]:
        if c["cell_type"] == "code" and c.get("metadata", {}).get("mystnb", {}).get("figure"):
            c["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {"image/png": _PNG}}]
    return nb


def extract(work: Path, notebooks: Path) -> Path:
    """Stage the site from the (unexecuted) notebooks in ``work`` and build its message templates."""
    from booktools.site import stage

    # the lecture-time table is generated in each edition's language at staging (no messages of its
    # own): stage it from an empty results folder, so that what this machine has run changes nothing
    empty = work.parent / f"{work.name}-no-results"
    empty.mkdir(parents=True, exist_ok=True)
    staged = stage(work, notebooks, nbmake_xml=None, results_root=empty)
    if not staged:
        raise SystemExit(f"no chapter notebooks in {notebooks} (run `make notebooks` first)")
    for p in staged:
        p.write_text(json.dumps(_placeholder_outputs(json.loads(p.read_text(encoding="utf-8"))), ensure_ascii=False),
                     encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jb), "build", str(work), "--builder", "custom", "--custom-builder", "gettext", "--quiet"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pot = work / "_build" / "gettext"
    for name in GENERATED:
        (pot / f"{name}.pot").unlink(missing_ok=True)
    return pot


def update(work: Path, notebooks: Path, locales: Path = LOCALES) -> None:
    pot = extract(work, notebooks)
    subprocess.run([str(Path(sys.executable).with_name("sphinx-intl")), "update", "-p", str(pot), "-l", LANG,
                    "-d", str(locales), "-w", "0"], check=True)
    _drop_obsolete(locales)


def _drop_obsolete(locales: Path) -> None:
    """Obsolete entries (#~) are English text that left the pages: not kept in the catalogs."""
    import polib

    for path in catalogs(locales):
        po = polib.pofile(str(path), wrapwidth=0)
        stale = po.obsolete_entries()
        if stale:
            for e in stale:
                po.remove(e)
            po.save()


# --- checks ----------------------------------------------------------------------------------------
_MARKUP = [
    re.compile(r"\{[\w:-]+\}`[^`]*`"),  # MyST roles: {cite:p}`he2016deep`, {glue:text}`x:.1f`, {doc}`...`
    re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S),  # maths
    re.compile(r"(?<!\})`[^`]+`"),  # inline code (not a role's body)
    re.compile(r"\]\(([^)]+)\)"),  # link targets
]


_TITLED = re.compile(r"\{(doc|ref|numref|download|edition|term)\}`[^`<]*<([^`>]+)>`")
# A glossary link names its entry by the bilingual key (``{term}`plain network · 普通网络` ``); a
# Chinese sentence shows the Chinese term: ``{term}`普通网络 <plain network · 普通网络>` `` keeps the key.
_TERM = re.compile(r"\{term\}`([^`<]+)`")
# A glued text in words has a Chinese twin (the chapter glues ``name`` and ``name_zh``): a translation
# may use the twin where the English uses ``name``.
_GLUE_ZH = re.compile(r"(\{glue:\w*\}`\w+?)_zh(`|:)")


def markup(text: str) -> list[str]:
    """The pieces of a message that a translation must keep verbatim, sorted. A cross-reference
    with an explicit title (``{doc}`glossary <../book/glossary>` ``) keeps its target; its title is
    translated."""
    text = _TITLED.sub(lambda m: f"{{{m.group(1)}}}`<{m.group(2)}>`", text)
    text = _TERM.sub(lambda m: f"{{term}}`<{m.group(1).strip()}>`", text)
    text = _GLUE_ZH.sub(r"\1\2", text)
    out = []
    for rx in _MARKUP:
        out += [m.group(0) for m in rx.finditer(text)]
        text = rx.sub(" ", text)
    return sorted(out)


def problems(path: Path) -> list[str]:
    """Untranslated, fuzzy and markup-changing messages of one catalog."""
    import polib

    po = polib.pofile(str(path), wrapwidth=0)
    catalogs_dir = LOCALES / LANG / "LC_MESSAGES"
    rel = path.relative_to(catalogs_dir) if catalogs_dir in path.parents else path
    out = []
    for e in po:
        if e.obsolete:
            continue
        head = e.msgid[:70].replace("\n", " ")
        if "fuzzy" in e.flags:
            out.append(f"{rel}: fuzzy: {head}")
        elif not e.msgstr.strip():
            out.append(f"{rel}: untranslated: {head}")
        elif markup(e.msgid) != markup(e.msgstr):
            missing = sorted(set(markup(e.msgid)) - set(markup(e.msgstr)))
            extra = sorted(set(markup(e.msgstr)) - set(markup(e.msgid)))
            out.append(f"{rel}: markup differs ({head}): missing {missing[:3]}, added {extra[:3]}")
    return out


# --- Sphinx extension ------------------------------------------------------------------------------
def _sourced_nested_text(app):
    """A transform class: MyST leaves the paragraphs of a table NESTED in a directive (the knowledge
    cards are tables in admonitions) without ``source`` and ``line``, and Sphinx neither extracts
    nor translates a text without a source. Give them their nearest ancestor's."""
    from docutils import nodes
    from sphinx.transforms import SphinxTransform

    class SourcedNestedText(SphinxTransform):
        default_priority = 5  # before Sphinx's i18n transforms (10, 20)

        def apply(self, **kwargs):
            for node in self.document.findall(nodes.TextElement):
                if node.source or not node.rawsource:
                    continue
                up = node.parent
                while up is not None and not up.source:
                    up = up.parent
                node.source = up.source if up is not None else self.document.get("source")
                node.line = (up.line if up is not None else None) or 0

    return SourcedNestedText


_NB_RENDERERS: dict = {}  # a notebook page's source path -> its myst-nb renderer (glue data)


def _glue_in_translations() -> None:
    """Let a translated message glue, as its English does: Sphinx parses each translation as a
    document of its own (source ``<page>:<line>:<translated>``), which lacks the notebook's glue
    data, so ``{glue:md}`name``` would find nothing. Remember each page's myst-nb renderer when its
    English glues, and lend it to the page's translations."""
    from myst_nb.ext.glue import directives, roles, utils

    original = getattr(utils.retrieve_glue_data, "__wrapped__", utils.retrieve_glue_data)

    def retrieve_glue_data(document, key):
        source = str(document.get("source") or "")
        if "nb_renderer" in document:
            _NB_RENDERERS[source] = document["nb_renderer"]
        elif source.endswith(":<translated>") and source.rsplit(":", 2)[0] in _NB_RENDERERS:
            document["nb_renderer"] = _NB_RENDERERS[source.rsplit(":", 2)[0]]
            try:  # lent for this call only: the doctree is pickled, a renderer cannot be
                return original(document, key)
            finally:
                document.attributes.pop("nb_renderer", None)
        return original(document, key)

    retrieve_glue_data.__wrapped__ = original
    for module in (utils, roles, directives):
        module.retrieve_glue_data = retrieve_glue_data


def setup(app):
    app.add_transform(_sourced_nested_text(app))
    _glue_in_translations()
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m booktools.i18n")
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("update", help="re-extract the pages' messages and merge them into the catalogs")
    u.add_argument("--notebooks", default="_nbtest/chapters")
    u.add_argument("--work", default="_build/site-gettext")
    sub.add_parser("check", help="untranslated, fuzzy or markup-changing messages (exit 1 if any)")
    li = sub.add_parser("lint", help="markup consistency of the given .po files")
    li.add_argument("files", nargs="+")
    a = p.parse_args(argv)
    if a.cmd == "update":
        work = Path(a.work)
        shutil.rmtree(work, ignore_errors=True)
        update(work, Path(a.notebooks))
        print(f"catalogs updated in {LOCALES / LANG}")
        return 0
    files = [Path(f) for f in a.files] if a.cmd == "lint" else catalogs()
    found = [x for f in files for x in problems(f)]
    if a.cmd == "lint":
        found = [x for x in found if "markup differs" in x]
    print("\n".join(found) if found else f"{len(files)} catalog(s): every message translated, markup kept")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
