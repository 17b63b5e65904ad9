"""The card a lesson ends with: what happened in numbers, what to try next, and a button for it.

It sits above the plane (no dialog to dismiss), appears when the lesson's last step has been
drawn, and goes away when a new run starts or the user closes it.
"""

from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets

from ganscope.app.i18n_messages import language, pick
from ganscope.app.run_state import number

POLL_MS = 200
# lesson -> (the lesson to try next, why, in English and Chinese)
NEXT = {
    "lesson-1-classifier": (
        "lesson-2-chance",
        {"en": "Let G train too and watch D drift to chance.", "zh": "让生成器也训练，看判别器如何退到随机水平。"},
    ),
    "lesson-2-chance": (
        "lesson-3-fleeting",
        {"en": "Keep training past the balance: is it stable?", "zh": "越过平衡点继续训练：它稳定吗？"},
    ),
    "lesson-3-fleeting": (
        "lesson-4-vanishing",
        {"en": "Make D strong and see what G's gradient does.", "zh": "让判别器变强，看生成器的梯度会怎样。"},
    ),
    "lesson-4-vanishing": (
        "lesson-4b-nonsaturating",
        {
            "en": "The remedy: the non-saturating loss keeps G's gradient alive.",
            "zh": "补救：非饱和损失让生成器的梯度保持不消失。",
        },
    ),
    "lesson-4b-nonsaturating": (
        "lesson-5-collapse",
        {"en": "Next failure: G covers only some modes.", "zh": "下一种失败：生成器只覆盖部分模式。"},
    ),
    "lesson-5-collapse": (
        "lesson-7a-wgan-gp",
        {
            "en": "The remedy: WGAN-GP covers all eight modes (7b packing and 7c unrolling are the others).",
            "zh": "补救：WGAN-GP 覆盖全部八个模式（另两种是 7b 打包和 7c 展开）。",
        },
    ),
    "lesson-6-oscillation": (
        "lesson-7a-wgan-gp",
        {
            "en": "A gradient penalty damps the circling; the Dirac-GAN plane (View menu) shows why.",
            "zh": "梯度惩罚能抑制打转；“视图”菜单中的 Dirac-GAN 平面说明了原因。",
        },
    ),
    "lesson-7a-wgan-gp": (
        "lesson-7b-pacgan",
        {"en": "Another remedy: let D judge samples in packs.", "zh": "另一种补救：让判别器成组地判断样本。"},
    ),
    "lesson-7b-pacgan": (
        "lesson-7c-unrolled",
        {"en": "Another remedy: G plays against D's future.", "zh": "另一种补救：生成器对抗未来的判别器。"},
    ),
    "lesson-7c-unrolled": (
        "lesson-8a-frozen-d",
        {"en": "Why not just freeze a good D?", "zh": "为什么不直接冻结一个好的判别器？"},
    ),
    "lesson-8a-frozen-d": (
        "lesson-8b-reuse-d",
        {"en": "Or reuse a trained D for a fresh G?", "zh": "或者让训练好的判别器配一个新的生成器？"},
    ),
}
WORDS = {
    "title": {"en": "Lesson finished: {0}", "zh": "本课结束：{0}"},
    "modes": {"en": "Modes captured: {0} of {1}", "zh": "捕获的模式：{1} 个中的 {0} 个"},
    "hq": {"en": "High-quality samples: {0}%", "zh": "高质量样本：{0}%"},
    "js": {"en": "JS divergence: {0} bits", "zh": "JS 散度：{0} 比特"},
    "fired": {"en": "{0} from step {1}", "zh": "{0}：从第 {1} 步起"},
    "none": {"en": "No detector fired.", "zh": "没有检测器触发。"},
    "missed": {
        "en": "Expected but not seen this time: {0} (try another seed).",
        "zh": "这次没有出现预期的：{0}（换一个随机种子试试）。",
    },
    "detectors": {"en": "Detectors", "zh": "检测器"},
    "next": {"en": "Try next", "zh": "接下来试试"},
    "last": {
        "en": "That was the last lesson: draw your own target (Draw target) and try the remedies on it.",
        "zh": "这是最后一课：画一个你自己的目标分布（绘制目标），在上面试试各种补救方法。",
    },
    "start": {"en": "Start {0}", "zh": "开始 {0}"},
    "close": {"en": "Close", "zh": "关闭"},
}


def _w(key: str, *args) -> str:
    return pick(WORDS[key], *args)


class LessonEndCard(QtWidgets.QFrame):
    """Watches a running lesson (`watch`) and shows its summary when its last step is drawn."""

    def __init__(self, window):
        super().__init__()
        self.window = window
        self.scenario = None
        self.next_name: str | None = None
        self.setObjectName("lessonEndCard")
        self.setStyleSheet("#lessonEndCard {background:#e4f1fb; border:1px solid #0072b2} QLabel {color:#002a44}")
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(QtCore.Qt.RichText)
        lay.addWidget(self.text, 1)
        buttons = QtWidgets.QVBoxLayout()
        self.next_button = QtWidgets.QPushButton()
        self.next_button.clicked.connect(self.start_next)
        self.close_button = QtWidgets.QPushButton()
        self.close_button.clicked.connect(self.hide)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self._poll)
        self.hide()

    def watch(self, scenario) -> None:
        """A lesson has started: show its card when it ends."""
        self.hide()
        self.scenario = scenario
        self.timer.start(POLL_MS)

    def stop(self) -> None:
        """A new run that is not this lesson: no card."""
        self.scenario = None
        self.timer.stop()
        self.hide()

    def _poll(self) -> None:
        w = self.window
        if self.scenario is None:
            self.timer.stop()
            return
        _fid, frame = w.worker.latest()
        if frame is None or w.worker.playing or frame.step < self.scenario.steps or w._drawn_id != _fid:
            return
        self.timer.stop()
        self.show_summary(frame)

    def show_summary(self, frame) -> None:
        from ganscope.app.lessons_panel import DETECTOR_NAMES

        s, lang = self.scenario, language() if language() in ("en", "zh") else "en"
        m = frame.metrics
        numbers = []  # on one line: the card must leave the plane and charts room at 1024x700
        if frame.centres is not None and "modes" in m:
            numbers.append(_w("modes", number(m.get("modes"), ".0f"), len(frame.centres)))
            hq = m.get("hq_share")
            numbers.append(_w("hq", number(None if hq is None else 100 * hq, ".0f")))
        if "js" in m:
            numbers.append(_w("js", number(m.get("js"), ".2f")))
        lines = ["   ·   ".join(numbers)] if numbers else []
        fired = sorted(((round(line.value()), name) for name, line in self.window.charts.markers.items()))
        seen = [_w("fired", DETECTOR_NAMES[name][lang], f"{step:,}") for step, name in fired]
        lines.append(f"{_w('detectors')}: " + ("; ".join(seen) if seen else _w("none")))
        missed = [DETECTOR_NAMES[n][lang] for n in s.expect if n not in self.window.charts.markers]
        if missed:
            lines.append(_w("missed", ", ".join(missed)))
        nxt = NEXT.get(s.name)
        self.next_name = nxt[0] if nxt else None
        advice = nxt[1][lang] if nxt else _w("last")
        body = "<br>".join(html.escape(x) for x in lines)
        self.text.setText(
            f"<b>{html.escape(_w('title', s.text(lang)[0]))}</b><br>{body}"
            f"<br><b>{html.escape(_w('next'))}:</b> {html.escape(advice)}"
        )
        if self.next_name:
            title = next(x for x in self.window.lessons.scenarios if x.name == self.next_name).text(lang)[0]
            self.next_button.setText(_w("start", title))
        self.next_button.setVisible(self.next_name is not None)
        self.close_button.setText(_w("close"))
        self.show()

    def start_next(self) -> int | None:
        """Start the lesson the card recommends (asks first if the current run has unsaved work)."""
        if self.next_name is None:
            return None
        lessons = self.window.lessons
        names = [x.name for x in lessons.scenarios]
        lessons.list.setCurrentRow(names.index(self.next_name))
        return lessons.run(self.next_name)
