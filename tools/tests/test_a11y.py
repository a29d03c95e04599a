"""booktools.a11y: alt text from captions, images that open full size, summaries named by their text."""

from __future__ import annotations

from docutils import nodes

from booktools import a11y


def test_alt_text_is_the_captions_first_sentence():
    cap = ("Fig. 6 re-run in the paper's style: dashed lines are training error, e.g. on the mini-batches. "
           "Left: plain nets; right: ResNets.")
    assert a11y.alt_from_caption(cap) == ("Fig. 6 re-run in the paper's style: dashed lines are training error, "
                                          "e.g. on the mini-batches.")
    assert a11y.alt_from_caption("  One   line\nonly ") == "One line only"
    assert a11y.alt_from_caption("训练误差（虚线）和测试误差。左：普通网络。") == "训练误差（虚线）和测试误差。"
    long = "word " * 100
    alt = a11y.alt_from_caption(long, limit=50)
    assert alt.endswith("…") and len(alt) <= 51 and " " not in alt[-2:]


def test_figure_images_get_alt_text_from_the_caption_unless_they_have_some():
    doc = nodes.document(None, None)
    fig = nodes.figure("", nodes.image(uri="a.png"), nodes.image(uri="b.png", alt="Given."),
                       nodes.caption("", "Curves of the two nets. Dashed: training."))
    doc += fig
    doc += nodes.image(uri="c.png")  # not in a figure: nothing to take it from
    a11y._figure_alt(None, doc, "x")
    alts = [i.get("alt") for i in doc.findall(nodes.image)]
    assert alts == ["Curves of the two nets.", "Given.", None]


def test_images_become_links_to_their_file_and_wide_ones_are_marked():
    body = ('<p>x</p><figure><img alt="A" src="../_images/a.png" /><figcaption>A</figcaption></figure>'
            '<a href="http://x"><img src="../_images/in-link.png"/></a>'
            '<div class="cell_output"><img alt="B" src="../_images/b.png" /></div><img src="data:image/png;base64,AA"/>')
    sizes = {"../_images/a.png": (1600, 400), "../_images/b.png": (600, 500)}
    out = a11y.link_images(body, sizes.get)
    assert '<a class="reference internal image-reference rb-zoom rb-wide" href="../_images/a.png"><img alt="A" src="../_images/a.png" /></a>' in out
    assert '<a class="reference internal image-reference rb-zoom" href="../_images/b.png"><img alt="B"' in out
    assert '<a href="http://x"><img src="../_images/in-link.png"/></a>' in out  # already a link: left alone
    assert out.count("rb-zoom") == 2  # a data: image has no file to open
    assert a11y.link_images(out, sizes.get) == out  # linking twice changes nothing


def test_a_table_whose_first_header_cell_is_empty_gets_row_headers():
    def table(first_header: str):
        tgroup = nodes.tgroup(cols=2)
        tgroup += [nodes.colspec(colwidth=1), nodes.colspec(colwidth=1)]
        row = lambda *cells: nodes.row("", *[nodes.entry("", nodes.paragraph(text=c)) for c in cells])  # noqa: E731
        tgroup += nodes.thead("", row(first_header, "paper"))
        tgroup += nodes.tbody("", row("iterations", "64,000"))
        return nodes.table("", tgroup)

    doc = nodes.document(None, None)
    doc += [table(""), table("model")]
    a11y._row_headers(None, doc, "x")
    stubs = [[c.get("stub") for c in t.findall(nodes.colspec)] for t in doc.findall(nodes.table)]
    assert stubs == [[1, None], [None, None]]
