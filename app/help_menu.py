"""The Help menu: what the window shows (F1), the keyboard shortcuts, the lessons, and About with
the version. The shortcut list is read from the menus themselves, so it cannot go stale."""

from __future__ import annotations

import html

from PySide6 import QtGui, QtWidgets

from ganscope.app.i18n import translate
from ganscope.app.i18n_messages import language

ABOUT = {
    "en": "<h3>ganscope {version}</h3><p>Watch a small GAN learn a 2-D distribution, live.</p>"
    "<p>New here? Open the <b>Lessons</b> panel (Ctrl+L, or Help → Open the lessons): twelve one-click "
    "lessons, from a discriminator as a classifier to mode collapse and its remedies. Press F1 to see what "
    "every layer and chart shows.</p>",
    "zh": "<h3>ganscope {version}</h3><p>实时观察一个小型 GAN 学习二维分布。</p>"
    "<p>第一次使用？打开<b>课程</b>面板（Ctrl+L，或“帮助 → 打开课程”）：十二个一键课程，从作为分类器的判别器"
    "到模式崩溃及其补救方法。按 F1 查看每个图层和图表的含义。</p>",
}


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ganscope")
    except PackageNotFoundError:
        return "(development copy)"


def shortcut_rows(window) -> list[tuple[str, str]]:
    """(keys, what) for every menu action with a shortcut, in menu order."""
    rows = []

    def walk(menu):
        for act in menu.actions():
            if act.menu() is not None:
                walk(act.menu())
            elif not act.shortcut().isEmpty():
                rows.append((act.shortcut().toString(QtGui.QKeySequence.NativeText), act.text().replace("&", "")))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu())
    return rows


def build_help_menu(window, menu: QtWidgets.QMenu) -> None:
    from ganscope.app.explain_panel import show_explain_panel

    menu.addAction("What am I looking at?", lambda: show_explain_panel(window), QtGui.QKeySequence.HelpContents)
    menu.addAction("Keyboard shortcuts", lambda: show_shortcuts(window), QtGui.QKeySequence("Ctrl+/"))
    menu.addAction("Open the lessons", lambda: (window.lessons_dock.show(), window.lessons_dock.raise_()))
    menu.addSeparator()
    menu.addAction("&About ganscope", lambda: show_about(window))


def _page(window, title: str, body: str) -> QtWidgets.QDialog:
    """A small non-modal page (the window keeps training behind it)."""
    dialog = QtWidgets.QDialog(window)
    dialog.setWindowTitle(title)
    lay = QtWidgets.QVBoxLayout(dialog)
    text = QtWidgets.QTextBrowser()
    text.setHtml(body)
    lay.addWidget(text)
    close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Close)
    close.rejected.connect(dialog.close)
    lay.addWidget(close)
    dialog.resize(460, 420)
    dialog.show()
    return dialog


def show_shortcuts(window) -> QtWidgets.QDialog:
    lang = language()
    rows = "".join(
        f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(w)}</td></tr>"
        for k, w in shortcut_rows(window)
    )
    title = translate("Keyboard shortcuts", lang)
    return _page(window, title, f"<h3>{html.escape(title)}</h3><table>{rows}</table>")


def show_about(window) -> QtWidgets.QDialog:
    lang = language() if language() in ABOUT else "en"
    return _page(window, "ganscope", ABOUT[lang].format(version=html.escape(app_version())))
