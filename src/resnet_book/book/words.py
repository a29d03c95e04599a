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
    # chapters/04b_table6.py (and 09_data.py): the reproduction's source and caveat, the released weights' recipe
    "akamaster/pytorch_resnet_cifar10 (GitHub), option A, 200 epochs, best epoch on the test set":
        "akamaster/pytorch_resnet_cifar10（GitHub），选项 A，200 轮，在测试集上选取最佳轮次",
    "best epoch selected on the test set": "在测试集上选取最佳轮次",
    "option A, 200 epochs, batch 128, lr 0.1 /10 at epochs 100 and 150, all 50k training images; best epoch chosen "
    "on the test set": "选项 A，200 轮，batch 128，lr 0.1，在第 100 和第 150 轮时 ÷10，使用全部 50k 张训练图像；在测试集上选取最佳轮次",
    # chapters/09_data.py: which copy of CIFAR-10 a build read
    "the developer copy of CIFAR-10 whose pixels went through JPEG": "像素经过 JPEG 处理的 CIFAR-10 开发者副本",
    "the original CIFAR-10 pixels (downloaded with torchvision)": "原始的 CIFAR-10 像素（用 torchvision 下载）",
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
