"""Messages made while the app runs follow the interface language (app.i18n_messages)."""

import re

import pytest

from ganscope.app.i18n_messages import PATTERNS, PHRASES, message
from ganscope.core.engine import GanEngine
from tests.app.conftest import wait_ticket

LATIN_WORDS = re.compile(r"\b[A-Za-z]{4,}\b")  # English words left in a Chinese message


def _english_left(text: str, allowed=()) -> list:
    return [w for w in LATIN_WORDS.findall(text) if w not in allowed]


def test_every_pattern_fills_its_template_from_its_own_groups():
    for pattern, template in PATTERNS:
        groups = re.compile(pattern).groups
        used = {int(i) for i in re.findall(r"\{(\d+)\}", template)}
        extra = 1 if template.startswith("{5}") else 0  # the sweep's 'how it ended' word
        assert used and max(used) < groups + extra, pattern
    assert PATTERNS[-1][0] == r"(.+?): (.+)"  # the catch-all comes last, or it hides the others


def test_the_engines_divergence_message_in_chinese(small_cfg):
    small_cfg.d_opt.kind = small_cfg.g_opt.kind = "sgd"
    small_cfg.d_opt.lr = small_cfg.g_opt.lr = 10.0
    small_cfg.objective.loss = "lsgan"
    e = GanEngine(small_cfg)
    for _ in range(200):  # it diverges within a few steps; a bound, not a hope
        if e.status != "ok":
            break
        e.step(5)
    assert e.status == "diverged", f"no divergence within {e.step_count} steps at learning rate 10"
    zh = message(e.message, "zh")
    assert "发散" in zh and "学习率" in zh and str(e.step_count) in zh
    assert _english_left(zh, allowed={"g_loss", "d_loss", "g_grad", "d_grad", "weights"}) == []
    assert message(e.message, "en") == e.message


@pytest.mark.parametrize("text", sorted(PHRASES))
def test_fixed_phrases_have_no_english_left(text):
    assert _english_left(message(text, "zh"), allowed={"WGAN", "psi"}) == []


def test_the_window_speaks_chinese_after_the_switch(qtbot, window, tmp_path):
    from ganscope.core.session import save_session

    path = tmp_path / "run.gscope"
    save_session(GanEngine(window.engine.cfg), path)
    window.set_language("zh")
    assert window.files.open_session(str(path))
    assert window.statusBar().currentMessage() == "已打开 run.gscope"
    window._show_error("Cannot open session", "x.gscope: no such file")  # offscreen: a banner
    assert window.banner.text() == "无法打开会话：x.gscope: no such file"
    wait_ticket(qtbot, window, window.send_update("d_opt.kind", "sgd"))
    qtbot.waitUntil(lambda: "优化器" in window.statusBar().currentMessage(), timeout=5000)
    # Back in English, exactly as before.
    window.set_language("en")
    window._show_error("Cannot open session", "x.gscope: no such file")
    assert window.banner.text() == "Cannot open session: x.gscope: no such file"


def test_panel_notes_follow_the_language(qtbot, window):
    from ganscope.app.dirac_view import DiracView

    view = DiracView()
    qtbot.addWidget(view)
    english = view.note.text()
    assert english.startswith("Plain GAN")
    from ganscope.app.i18n_messages import set_language

    set_language("zh")
    try:
        view.retranslate()
        assert view.note.text().startswith("普通 GAN") and "与平衡点的距离" in view.note.text()
    finally:
        set_language("en")
    view.retranslate()
    assert view.note.text() == english


def test_qts_own_buttons_follow_the_language(qtbot, window):
    from PySide6 import QtWidgets

    box = QtWidgets.QDialogButtonBox
    window.set_language("zh")
    try:
        buttons = box(box.Save | box.Discard | box.Cancel)
        texts = {buttons.button(b).text().replace("&", "") for b in (box.Save, box.Discard, box.Cancel)}
        assert texts == {"保存", "丢弃", "取消"}  # Qt's own translation (qtbase_zh_CN)
    finally:
        window.set_language("en")
    buttons = box(box.Save | box.Cancel)
    assert buttons.button(box.Save).text().replace("&", "") == "Save"


def test_the_unsaved_work_question_in_chinese(qtbot, window):
    asked = []
    window.ask_unsaved = lambda text: asked.append(text) or "cancel"
    wait_ticket(qtbot, window, window.do_action("step"))
    assert not window.keeper.confirm_discard("closing")
    window.ask_unsaved = lambda text: "discard"  # the fixture can close it
    zh = message(asked[0], "zh")
    assert zh == "当前运行有未保存的更改。关闭之前要保存吗？"
    assert message("Unsaved changes", "zh") == "未保存的更改"


def test_the_status_bars_rates_and_lowered_detail_in_chinese():
    parts = {
        "135 it/s (55% of headless)": "135 次迭代/秒（无界面速度的 55%）",
        "29 fps": "29 帧/秒",
        "96² surface every 2 frames, 1,024 points, ~30 fps (training fell behind)": (
            "曲面 96²（每 2 帧重算），1,024 个点，约 30 帧/秒（训练曾低于目标）"
        ),
        "64² surface, 1,024 points, ~24 fps (frames were over budget)": "曲面 64²，1,024 个点，约 24 帧/秒（帧曾超出预算）",
    }
    for english, chinese in parts.items():
        assert message(english, "zh") == chinese and message(english, "en") == english
