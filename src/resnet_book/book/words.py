"""Words a page glues into its prose, in both editions. A chapter glues an English phrase with
:func:`glue_text`; its Chinese comes from :data:`ZH`, the one table of the zh edition's glued words
(the prose around them is in the catalogs, book/locales/zh_CN). Chapters hold no Chinese.

Glue numbers and names, not verdicts: a sentence's meaning must not depend on the data (a
comparison the data decides is a column of a table made by code).
"""

from __future__ import annotations

from ..errors import ConfigError

#: English phrase -> its Chinese, for every phrase a page glues (class names, sources, captions' words).
ZH: dict[str, str] = {
    # CIFAR-10's classes (engine.data.CLASSES)
    "airplane": "飞机", "automobile": "汽车", "bird": "鸟", "cat": "猫", "deer": "鹿",
    "dog": "狗", "frog": "青蛙", "horse": "马", "ship": "船", "truck": "卡车",
}


def zh(text: str) -> str:
    """The Chinese of a glued English phrase (from :data:`ZH`)."""
    try:
        return ZH[text]
    except KeyError:
        raise ConfigError(f"no Chinese for the glued phrase {text!r}: add it to resnet_book.book.words.ZH") from None


def glue_text(name: str, text: str) -> None:
    """Glue ``text`` as Markdown under ``name`` for the English page and its Chinese under
    ``name + "_zh"`` for the zh edition's catalog (which writes {glue:md}`name_zh`)."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)
    glue(name + "_zh", Markdown(zh(text)), display=False)
