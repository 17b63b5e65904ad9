"""The interface in Chinese: menus, buttons, labels, group and panel titles, chart titles.

The widgets are built with their English text; `apply_language` walks the window and swaps each
visible text for its translation, remembering the English so switching back is exact. A string
with no entry stays English (numbers, file names, units).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

ZH = {
    "&File": "文件(&F)",
    "&Run": "运行(&R)",
    "&View": "视图(&V)",
    "&Help": "帮助(&H)",
    "&New run": "新的训练(&N)",
    "&Open session…": "打开会话(&O)…",
    "&Save session…": "保存会话(&S)…",
    "Recent sessions": "最近的会话",
    "&Import points…": "导入点集(&I)…",
    "&Quit": "退出(&Q)",
    "Record animation…": "录制动画…",
    "Stop recording and save": "停止录制并保存",
    "&About ganscope": "关于 ganscope(&A)",
    "Play / pause": "播放 / 暂停",
    "Step D only": "只训练判别器一步",
    "Step G only": "只训练生成器一步",
    "Undo drawing stroke": "撤销上一笔",
    "Sweep…": "参数扫描…",
    "Auto-range": "自动缩放",
    "Lessons": "课程",
    "Controls": "控制",
    "Sweep": "参数扫描",
    "Training": "训练",
    "Players": "双方",
    "Objective": "目标函数",
    "Target": "目标分布",
    "Layers": "图层",
    "Models (changes rebuild that player)": "模型（修改会重建对应一方）",
    "Play": "播放",
    "Step": "单步",
    "Step D": "判别器单步",
    "Step G": "生成器单步",
    "Reset all": "全部重置",
    "Reset D": "重置判别器",
    "Reset G": "重置生成器",
    "Freeze D": "冻结判别器",
    "Freeze G": "冻结生成器",
    "Pause": "暂停",
    "✎ Draw target": "✎ 绘制目标",
    "■ Stop recording": "■ 停止录制",
    "Save session &as…": "会话另存为(&A)…",
    "What am I looking at?": "我在看什么？",
    "Keyboard shortcuts": "键盘快捷键",
    "Open the lessons": "打开课程",
    "Speed": "速度",
    "Seed": "随机种子",
    "● Record…": "● 录制…",
    "D learning rate": "判别器学习率",
    "G learning rate": "生成器学习率",
    "Adam beta1 (D)": "Adam beta1（判别器）",
    "Adam beta1 (G)": "Adam beta1（生成器）",
    "Adam beta2 (D)": "Adam beta2（判别器）",
    "Adam beta2 (G)": "Adam beta2（生成器）",
    "Batch size": "批大小",
    "Loss": "损失",
    "GP weight (WGAN-GP)": "梯度惩罚权重（WGAN-GP）",
    "R1 weight": "R1 权重",
    "R2 weight": "R2 权重",
    "Instance noise": "实例噪声",
    "Unrolled steps": "展开步数",
    "PacGAN packing": "PacGAN 打包数",
    "G hidden layers": "生成器隐藏层数",
    "D hidden layers": "判别器隐藏层数",
    "G width": "生成器宽度",
    "D width": "判别器宽度",
    "G activation": "生成器激活函数",
    "D activation": "判别器激活函数",
    "Noise": "噪声",
    "Noise dimension": "噪声维数",
    "G initial weights": "生成器初始权重",
    "D initial weights": "判别器初始权重",
    "Preset": "预设",
    "Ring modes": "圆环模式数",
    "Ring radius": "圆环半径",
    "Grid size": "网格大小",
    "Grid spacing": "网格间距",
    "Mode sigma": "模式标准差",
    "Mixture components (x, y, sigma, weight)": "混合分量（x, y, 标准差, 权重）",
    "Add component": "添加分量",
    "Remove selected": "删除所选",
    "Draw target": "绘制目标",
    "Import points…": "导入点集…",
    "Brush radius": "笔刷半径",
    "Eraser": "橡皮擦",
    "Undo stroke": "撤销一笔",
    "Clear drawing": "清除绘图",
    "Save points…": "保存点集…",
    "Decision surface": "决策曲面",
    "Decision boundary": "决策边界",
    "Generated density": "生成样本密度",
    "Real samples": "真实样本",
    "Generated samples": "生成样本",
    "Gradient arrows": "梯度箭头",
    "Generator manifold": "生成器流形",
    "Trails": "轨迹",
    "Run sweep": "开始扫描",
    "Cancel": "取消",
    "Train": "训练",
    "Show": "显示",
    "to": "到",
    "Learning rates are spaced geometrically; other fields evenly.": "学习率按几何级数取值，其他参数均匀取值。",
    "D accuracy": "判别器准确率",
    "Gradient norm (log)": "梯度范数（对数）",
    "Sample quality": "样本质量",
    "step": "步数",
    "chance": "随机水平",
    "Arjovsky-Bottou experiment…": "Arjovsky-Bottou 实验…",
    "Run on the current G": "用当前生成器运行",
    "real": "真实",
    "generated": "生成",
    "D loss": "判别器损失",
    "G loss": "生成器损失",
    "on real": "真实样本",
    "on fake": "生成样本",
    "G": "生成器",
    "D": "判别器",
    "modes captured (share)": "捕获模式（比例）",
    "high quality": "高质量",
    "JS (bits)": "JS（比特）",
    "MMD": "MMD",
    "frozen": "已冻结",
    "modes": "模式",
    " steps": " 步",
    " units": " 个单元",
    " samples": " 个样本",
    " layers": " 层",
    " dims": " 维",
    " modes": " 个模式",
    " per side": " 每边",
    " frames/s": " 帧/秒",
    " iterations": " 次迭代",
    "Updates": "更新方式",
    "Regulariser": "正则项",
    "Dirac-GAN plane": "Dirac-GAN 平面",
    # the game-spectrum panel (app/spectrum_view.py)
    "G normalisation": "生成器归一化",
    "D maxout pieces": "判别器 maxout 分段数",
    "Game spectrum": "博弈谱",
    "Compute now": "立即计算",
    "Every": "每隔",
    "steps": "步",
    "Leading eigenvalues of the game's Jacobian": "博弈雅可比矩阵的主特征值",
    "Re λ (damping)": "Re λ（阻尼）",
    "Im λ (rotation)": "Im λ（旋转）",
    "Largest |Im| / |Re| over the run": "训练过程中最大的 |Im| / |Re|",
    "largest |Im| / |Re|": "最大 |Im| / |Re|",
    "(0: no rotation, drawn at 0.01)": "（0：无旋转，画在 0.01）",
    "spectral radius": "谱半径",
    "outside the stable disc": "稳定圆盘外",
    "(Arnoldi not fully converged)": "（Arnoldi 未完全收敛）",
    "The spectrum could not be computed": "无法计算谱",
    "No spectrum yet: press Compute now, or train until the next one is due.": "尚无谱：请按“立即计算”，或继续训练到下一次计算。",
    "Green: the edge of |1 + hλ| < 1, where simultaneous gradient steps of size h converge; "
    "orange points lie outside it. Exact for plain simultaneous SGD; for Adam and alternating "
    "steps a first-order guide.": "绿色：|1 + hλ| < 1 的边界，步长为 h 的同时梯度下降在其内收敛；橙色的点在其外。"
    "对普通同时 SGD 严格成立；对 Adam 和交替更新只是一阶近似。",
}
_ORIGINAL = "_ganscope_en"  # the English text, kept on each object the first time it is translated


def translate(text: str, lang: str) -> str:
    return ZH.get(text, text) if lang == "zh" else text


def apply_language(window: QtWidgets.QMainWindow, lang: str) -> None:
    """Every menu, action, button, label, group box, dock and chart title in `lang` ('en' or 'zh')."""
    from .i18n_messages import set_language

    set_language(lang)  # messages made from now on (status bar, banners, panel notes)
    _qt_translations(lang)
    objs = [window, *window.findChildren(QtCore.QObject)]
    for o in objs:
        for kind, get, set_ in _accessors(o):
            en = o.property(f"{_ORIGINAL}_{kind}")
            if en is None:
                en = get()
                if not isinstance(en, str) or en not in ZH:
                    continue
                o.setProperty(f"{_ORIGINAL}_{kind}", en)
            set_(translate(en, lang))
    for o in objs:
        if callable(getattr(o, "retranslate", None)):
            o.retranslate()  # panels whose notes are made from numbers (Dirac, Arjovsky-Bottou)
    charts = getattr(window, "charts", None)
    if charts is not None:
        charts.set_titles(lambda t: translate(t, lang))
    for view in (getattr(window, "plane", None), charts):
        if view is not None:
            relabel_legends(view, lambda t: translate(t, lang))


_QT_TRANSLATOR: list = []  # Qt's own Chinese, while installed


def _qt_translations(lang: str) -> None:
    """Qt's own texts (standard buttons such as Save / Discard / Cancel, file dialogs, text-field
    menus) from the translations that ship with Qt, installed while the language is Chinese."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        return
    while _QT_TRANSLATOR:
        app.removeTranslator(_QT_TRANSLATOR.pop())
    if lang == "zh":
        translator = QtCore.QTranslator(app)
        path = QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load("qtbase_zh_CN", path):  # absent from a trimmed Qt: Qt's texts stay English
            app.installTranslator(translator)
            _QT_TRANSLATOR.append(translator)


def relabel_legends(widget, translate) -> None:
    """Legend entries through `translate`, remembering each one's English text."""
    import pyqtgraph as pg

    for item in widget.scene().items():
        if isinstance(item, pg.LegendItem):
            for _sample, label in item.items:
                en = getattr(label, "_ganscope_en", None) or label.text
                label._ganscope_en = en
                label.setText(translate(en))


def _accessors(o):
    if isinstance(o, QtGui.QAction):
        yield "text", o.text, o.setText
    elif isinstance(o, QtWidgets.QMenu):
        yield "title", o.title, o.setTitle
    elif isinstance(o, QtWidgets.QGroupBox):
        yield "title", o.title, o.setTitle
    elif isinstance(o, QtWidgets.QDockWidget):
        yield "title", o.windowTitle, o.setWindowTitle
    elif isinstance(o, (QtWidgets.QAbstractButton, QtWidgets.QLabel)):
        yield "text", o.text, o.setText
    elif isinstance(o, (QtWidgets.QSpinBox, QtWidgets.QDoubleSpinBox)):
        yield "suffix", o.suffix, o.setSuffix  # units: "128 units" reads "128 个单元"
