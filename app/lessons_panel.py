"""The Lessons panel: the seed note's phenomena, one click each, explained in English or Chinese."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from ganscope.core.compare import REMEDIES
from ganscope.core.scenarios import all_scenarios

LANGUAGES = {"en": "English", "zh": "中文"}
UI_TEXT = {  # the panel's own words in each language
    "run": {"en": "Run this lesson", "zh": "运行这一课"},
    "intro": {
        "en": "Pick a lesson, press Run: the app loads its settings, plays its script (freezing or "
        "resetting a player when the lesson says so) and stops at its end. Detectors report "
        "what happens above the plane.",
        "zh": "选择一课，按“运行”：程序载入这一课的设置，按脚本执行（需要时冻结或重置某一方），并在结束时"
        "停下。检测器会在画面上方报告发生了什么。",
    },
    "expect": {"en": "Watch for", "zh": "留意"},
    "dirac": {"en": "Open the Dirac-GAN plane", "zh": "打开 Dirac-GAN 平面"},
    "arjovsky": {
        "en": "Both losses side by side (current G, fresh D)",
        "zh": "两种损失并排对比（当前生成器，新判别器）",
    },
    "remedies": {
        "en": "Compare the remedies: GAN, WGAN-GP, PacGAN2, unrolled",
        "zh": "比较几种解决办法：GAN、WGAN-GP、PacGAN2、展开",
    },
}
DETECTOR_NAMES = {
    "collapse": {"en": "mode collapse", "zh": "模式崩溃"},
    "hopping": {"en": "mode hopping", "zh": "模式跳跃"},
    "oscillation": {"en": "oscillation", "zh": "振荡"},
    "vanishing": {"en": "vanishing gradient", "zh": "梯度消失"},
    "chance": {"en": "D at chance", "zh": "判别器只能瞎猜"},
    "stalled": {"en": "D stalled", "zh": "判别器停滞"},
    "diverged": {"en": "divergence", "zh": "发散"},
}


class LessonsPanel(QtWidgets.QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.scenarios = all_scenarios()
        self.lang = "en"
        lay = QtWidgets.QVBoxLayout(self)
        self.intro = QtWidgets.QLabel()
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        self.list = QtWidgets.QListWidget()
        self.list.currentRowChanged.connect(self._show)
        self.list.itemDoubleClicked.connect(lambda _i: self.run_current())
        lay.addWidget(self.list, 1)
        self.text = QtWidgets.QTextBrowser()
        self.text.setMinimumHeight(160)
        lay.addWidget(self.text, 2)
        self.run_button = QtWidgets.QPushButton()
        self.run_button.clicked.connect(self.run_current)
        lay.addWidget(self.run_button)
        self.dirac_button = QtWidgets.QPushButton()  # lesson 6's theory, beside it
        self.dirac_button.clicked.connect(lambda: self.window.docks.show_dirac())
        lay.addWidget(self.dirac_button)
        self.arjovsky_button = QtWidgets.QPushButton()  # lesson 4's experiment with both losses
        self.arjovsky_button.clicked.connect(lambda: self.window.docks.show_arjovsky().start())
        lay.addWidget(self.arjovsky_button)
        self.remedies_button = QtWidgets.QPushButton()  # lessons 5 and 7: all four at once
        self.remedies_button.clicked.connect(lambda: self.compare_remedies())
        lay.addWidget(self.remedies_button)
        self.compare_window = None
        self.set_language("en")
        self.list.setCurrentRow(0)

    def set_language(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "en"
        row = max(self.list.currentRow(), 0)
        with QtCore.QSignalBlocker(self.list):
            self.list.clear()
            for s in self.scenarios:
                self.list.addItem(s.text(self.lang)[0])
            self.list.setCurrentRow(row)
        self.intro.setText(UI_TEXT["intro"][self.lang])
        self.run_button.setText(UI_TEXT["run"][self.lang])
        self.dirac_button.setText(UI_TEXT["dirac"][self.lang])
        self.arjovsky_button.setText(UI_TEXT["arjovsky"][self.lang])
        self.remedies_button.setText(UI_TEXT["remedies"][self.lang])
        self._show(row)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.scenarios):
            return
        s = self.scenarios[row]
        self.dirac_button.setVisible(s.name == "lesson-6-oscillation")
        self.arjovsky_button.setVisible(s.name in ("lesson-4-vanishing", "lesson-4b-nonsaturating"))
        self.remedies_button.setVisible(s.name in REMEDIES)
        title, lesson = s.text(self.lang)
        watch = [DETECTOR_NAMES[n][self.lang] for n in s.expect]
        extra = f"<p><i>{UI_TEXT['expect'][self.lang]}: {', '.join(watch)}</i></p>" if watch else ""
        self.text.setHtml(f"<h3>{title}</h3><p>{lesson}</p>{extra}")

    def compare_remedies(self, steps: int | None = None, overrides=()):
        """Lesson 5's ring with GAN, WGAN-GP, PacGAN2 and unrolled side by side, ending with the table.
        The main run pauses: both would share the same cores."""
        from .compare_window import REMEDY_STEPS, open_remedies

        self.window.do_action("play:0")
        kept = self.window.timeline.compare_windows
        if self.compare_window is not None:  # one remedies comparison at a time
            self.compare_window.close()
            if self.compare_window in kept:
                kept.remove(self.compare_window)
        self.compare_window = open_remedies(self.window, steps or REMEDY_STEPS, overrides)
        kept.append(self.compare_window)
        return self.compare_window

    def run_current(self) -> int | None:
        row = self.list.currentRow()
        return self.run(self.scenarios[row].name) if 0 <= row < len(self.scenarios) else None

    def run(self, name: str) -> int | None:
        """Load the lesson, install its script and play; None if the user kept the current run."""
        s = next(x for x in self.scenarios if x.name == name)
        ticket = self.window.load_config(s.config())
        if ticket is None:
            return None
        self.window.worker.submit(lambda e: s.install(e))
        self.window.end_card.watch(s)  # its card shows what happened when it ends
        self.window.statusBar().showMessage(s.text(self.lang)[0], 8000)
        self.window.do_action("play:1")
        return self.window.worker.commands.issued
