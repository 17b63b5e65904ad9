""" "What am I looking at?": every layer of the plane and every chart, one sentence each, in English
and Chinese. Opened from Help (F1); it follows the app's language like the rest of the window."""

from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets

from ganscope.app.i18n_messages import language

# (heading, [(item, sentence)]) in each language; the plane's layers in LAYERS' order.
ITEMS = {
    "en": [
        (
            "The plane",
            [
                (
                    "Decision surface",
                    "The colour is D's verdict at each point: red where D says 'real', blue where it "
                    "says 'generated' (the bar on the right gives the scale).",
                ),
                ("Decision boundary", "The dark line where D cannot decide (D(x) = 0.5, or score 0 for WGAN critics)."),
                ("Generated density", "Purple shading where G puts most of its samples."),
                ("Real samples", "Green dots: points drawn from the target distribution G should learn."),
                ("Generated samples", "Orange triangles: what G produces from random noise now."),
                (
                    "Gradient arrows",
                    "Purple strokes from each generated sample in the direction G's update will move "
                    "it (longer means a stronger push).",
                ),
                (
                    "Generator manifold",
                    "Grey lines: a grid in G's noise space mapped through G, showing how G folds "
                    "and stretches its input.",
                ),
                ("Trails", "Dark orange lines: where a few generated samples came from over the last 40 frames."),
                ("Handles", "White circles on a mixture's centres: drag one to move that component of the target."),
            ],
        ),
        (
            "The charts",
            [
                ("Loss", "D's and G's losses per step; dashed vertical lines mark when a detector first fired."),
                (
                    "D accuracy",
                    "How often D is right on real and on generated samples; the dashed line at 0.5 is "
                    "chance, where D can no longer tell them apart.",
                ),
                (
                    "Gradient norm (log)",
                    "The size of each player's gradient on a log scale: a fall by orders of "
                    "magnitude means that player has stopped learning.",
                ),
                (
                    "modes captured (share)",
                    "The share of the target's modes that receive at least one high-quality "
                    "sample (VEEGAN/PacGAN's definition).",
                ),
                ("high quality", "The share of generated samples within 3 standard deviations of their nearest mode."),
                (
                    "JS (bits)",
                    "Jensen-Shannon divergence between real and generated samples on a grid: 0 bits is "
                    "identical, 1 bit is no overlap at all.",
                ),
                ("MMD", "Maximum mean discrepancy, a distance between the two sample sets that is 0 when they match."),
            ],
        ),
        (
            "Around them",
            [
                (
                    "Status bar",
                    "Step, D's mean output on real and generated samples, modes captured, and training "
                    "speed in iterations and frames per second; a dash means not measured yet.",
                ),
                (
                    "Yellow note",
                    "A detector's verdict (collapse, hopping, oscillation, vanishing gradient, D at chance) in words.",
                ),
            ],
        ),
    ],
    "zh": [
        (
            "平面",
            [
                (
                    "决策曲面",
                    "颜色表示判别器在每一点的判断：红色表示判为“真实”，蓝色表示判为“生成”（右侧色条给出刻度）。",
                ),
                ("决策边界", "判别器无法判断之处的深色线（D(x) = 0.5；WGAN 评论器为得分 0）。"),
                ("生成样本密度", "紫色阴影表示生成器样本最集中的地方。"),
                ("真实样本", "绿色圆点：从生成器要学习的目标分布中抽取的点。"),
                ("生成样本", "橙色三角：生成器当前由随机噪声生成的点。"),
                ("梯度箭头", "从每个生成样本出发的紫色线段，指向生成器这次更新会把它推去的方向（越长推力越大）。"),
                ("生成器流形", "灰色线：噪声空间中的网格经生成器映射后的样子，显示生成器如何折叠和拉伸输入。"),
                ("轨迹", "深橙色线：少数生成样本在最近 40 帧中走过的路径。"),
                ("拖动手柄", "混合分布各分量中心上的白色圆圈：拖动它可以移动目标分布的这个分量。"),
            ],
        ),
        (
            "图表",
            [
                ("损失", "判别器和生成器每一步的损失；竖直虚线标出检测器第一次触发的位置。"),
                (
                    "判别器准确率",
                    "判别器对真实样本和生成样本判断正确的比例；0.5 处的虚线是随机水平，此时判别器已无法区分二者。",
                ),
                ("梯度范数（对数）", "双方梯度大小的对数刻度：下降几个数量级说明这一方已停止学习。"),
                ("捕获模式（比例）", "至少得到一个高质量样本的目标模式所占的比例（VEEGAN/PacGAN 的定义）。"),
                ("高质量", "落在最近模式中心 3 个标准差以内的生成样本所占的比例。"),
                (
                    "JS（比特）",
                    "在网格上计算的真实样本与生成样本之间的 Jensen-Shannon 散度：0 比特表示相同，1 比特表示完全不重叠。",
                ),
                ("MMD", "最大均值差异，两组样本之间的一种距离，二者一致时为 0。"),
            ],
        ),
        (
            "周围",
            [
                (
                    "状态栏",
                    "步数、判别器对真实和生成样本的平均输出、捕获的模式数，以及每秒迭代数和帧数；短横线表示尚未测量。",
                ),
                ("黄色提示", "检测器（模式崩溃、模式跳跃、振荡、梯度消失、判别器随机水平）给出的文字结论。"),
            ],
        ),
    ],
}
TITLE = {"en": "What am I looking at?", "zh": "我在看什么？"}


def explanation_html(lang: str) -> str:
    parts = []
    for heading, rows in ITEMS.get(lang, ITEMS["en"]):
        items = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(text)}</li>" for name, text in rows)
        parts.append(f"<h3>{html.escape(heading)}</h3><ul>{items}</ul>")
    return "".join(parts)


class ExplainPanel(QtWidgets.QTextBrowser):
    """The explanations as a page; `retranslate()` (called by app.i18n) follows the language."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenExternalLinks(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.setHtml(explanation_html(language()))


def show_explain_panel(window) -> QtWidgets.QDockWidget:
    """The panel in a dock beside the plane (created once, then shown and raised)."""
    dock = getattr(window, "explain_dock", None)
    if dock is None:
        dock = QtWidgets.QDockWidget(TITLE["en"], window)
        dock.setObjectName("explain")
        dock.setWidget(ExplainPanel(dock))
        window.addDockWidget(QtCore.Qt.RightDockWidgetArea, dock)
        window.tabifyDockWidget(window.lessons_dock, dock)
        window.explain_dock = dock
    lang = language()
    dock.setProperty("_ganscope_en_title", TITLE["en"])  # where app.i18n keeps the English title
    dock.setWindowTitle(TITLE.get(lang, TITLE["en"]))
    dock.widget().retranslate()
    dock.show()
    dock.raise_()
    return dock
