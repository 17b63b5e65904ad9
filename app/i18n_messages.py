"""Messages made while the app runs (status bar, banners, errors, panel notes), in Chinese.

Unlike the fixed interface texts in app.i18n, these carry numbers, names and paths. Each entry is a
pattern over the English message and a Chinese template for its parts; the engine's own messages
(core stays English-only and Qt-free) are translated here too. A message with no pattern stays in
English, as do the config validator's explanations, which quote field names that are English
everywhere (in the config files, the CLI and the panel's tooltips).
"""

from __future__ import annotations

import re

_LANG = ["en"]  # the app's language, set by apply_language (one main window per app)

# Whole fixed phrases.
PHRASES = {
    "Cannot import points": "无法导入点集",
    "the disk is full": "磁盘已满",
    "frames were over budget": "帧曾超出预算",
    "training fell behind": "训练曾低于目标",
    "the name is too long": "文件名过长",
    "Cannot open session": "无法打开会话",
    "Cannot record": "无法录制",
    "Animation not saved": "动画未保存",
    "Recording stopped": "录制已停止",
    "Nothing to save": "没有可保存的内容",
    "Cannot save points": "无法保存点集",
    "Draw or import a target first.": "请先绘制或导入目标分布。",
    "Recording cancelled; nothing written": "录制已取消，没有写入任何文件",
    "Drawing off": "绘图已关闭",
    "Drawing: drag on the plane to paint the target; the GAN trains on it as soon as a stroke ends": "绘图：在平面上拖动以绘制目标分布；每画完一笔，GAN 立即在其上训练",
    "Start recording": "开始录制",
    # dialogs
    "Unsaved changes": "未保存的更改",
    "Recover autosaved run": "恢复自动保存的运行",
    "closing": "关闭",
    "opening a sweep cell": "打开扫描单元",
    "opening another session": "打开另一个会话",
    "starting a new run": "开始新的运行",
    "resetting the run": "重置运行",
    "Replace file?": "替换文件？",
    "Recording": "录制",
    "A recording is running. Save it before closing?": "正在录制。关闭之前保存吗？",
    "Encoding the animation…": "正在编码动画…",
    "Cancel": "取消",
    "Save animation as": "动画另存为",
    "Import points": "导入点集",
    "Open session": "打开会话",
    "Save session": "保存会话",
    "Save points": "保存点集",
    "new target": "新的目标分布",
    "takes effect at the next reset": "在下次重置时生效",
    "rebuilt generator (weights start afresh)": "已重建生成器（权重重新初始化）",
    "rebuilt discriminator (weights start afresh)": "已重建判别器（权重重新初始化）",
    # Dirac-GAN plane explanations
    "Plain GAN: circles the equilibrium; with simultaneous steps it spirals slowly away.": "普通 GAN：围绕平衡点打转；同时更新时会缓慢地螺旋远离。",
    "Non-saturating GAN: the same circling near the equilibrium.": "非饱和 GAN：在平衡点附近同样打转。",
    "WGAN: a pure rotation. Simultaneous steps spiral out, alternating ones circle for ever.": "WGAN：纯粹的旋转。同时更新向外螺旋，交替更新永远绕圈。",
    "WGAN-GP: the penalty pulls |psi| towards 1, not towards 0: it does not settle at the equilibrium.": "WGAN-GP：惩罚项把 |psi| 拉向 1 而不是 0：它不会停在平衡点。",
    "R1 penalty on real data: the spiral turns inwards and converges.": "真实数据上的 R1 惩罚：螺旋向内收敛。",
    "Instance noise: blurring both distributions damps the rotation; it converges.": "实例噪声：模糊两个分布抑制了旋转，最终收敛。",
}

# (pattern over the English message, Chinese template); groups are reused by number.
PATTERNS = [
    (
        r"Training diverged at step (\d+): (.+) became NaN or infinite\. The weights from step (\d+) are kept\. "
        r"Lower the learning rates, then reset or continue\.",
        "训练在第 {0} 步发散：{1} 变为 NaN 或无穷大。已保留第 {2} 步的权重。请降低学习率，然后重置或继续。",
    ),
    (r"Opened (.+)", "已打开 {0}"),
    # the status bar's rates and the frame budget's detail (app.frame_budget.rate_text), part by part
    (r"(\d+) it/s \((\d+)% of headless\)", "{0} 次迭代/秒（无界面速度的 {1}%）"),
    (r"(\d+) it/s", "{0} 次迭代/秒"),
    (r"(\d+) fps", "{0} 帧/秒"),
    (
        r"(\d+)² surface every (\d+) frames, ([\d,]+) points, ~(\d+) fps \((.+)\)",
        "曲面 {0}²（每 {1} 帧重算），{2} 个点，约 {3} 帧/秒（{4}）",
    ),
    (r"(\d+)² surface, ([\d,]+) points, ~(\d+) fps \((.+)\)", "曲面 {0}²，{1} 个点，约 {2} 帧/秒（{3}）"),
    (
        r"Could not write the session to (.+) \((.+)\); the session was written to (.+) instead\. "
        r"The run stays open here, unsaved\.",
        "无法将会话写入 {0}（{1}）；会话已改为写入 {2}。运行仍在此处打开，尚未保存。",
    ),
    (
        r"Could not write the session to (.+) \((.+)\); nor could the session be written to any fallback folder "
        r"\((.+)\)\. The run stays open here, unsaved\.",
        "无法将会话写入 {0}（{1}），也无法写入任何备用文件夹（{2}）。运行仍在此处打开，尚未保存：请释放空间或换一个文件夹后再保存。",
    ),
    (r"The current run has unsaved changes\. Save them before (.+)\?", "当前运行有未保存的更改。{0}之前要保存吗？"),
    (
        r"ganscope did not close normally last time\. Recover the run autosaved at (.+) \(step (.+)\)\?",
        "ganscope 上次没有正常关闭。要恢复 {0} 自动保存的运行（第 {1} 步）吗？",
    ),
    (r"(.+) already exists\. Replace it when recording stops\?", "{0} 已存在。录制停止时替换它吗？"),
    (r"Saved (\d+) frames to (.+)", "已保存 {0} 帧到 {1}"),
    (r"(.+) = (.+): (.+)", "{0} = {1}：{2}"),
    (r"new (\w+) optimiser for ([GD]) \(its state starts afresh\)", "{1} 换用新的 {0} 优化器（状态重新开始）"),
    (
        r"the training process ended unexpectedly; training goes on in the app from step (\d+) "
        r"\(the steps since the last pause are lost\)",
        "训练进程意外结束；训练在应用内从第 {0} 步继续（自上次暂停以来的步数已丢失）",
    ),
    (r"training stays in the app's process: (.+)", "训练留在应用进程内进行：{0}"),
    (r"Training (\d+) runs at once…", "正在同时训练 {0} 个运行…"),
    (r"Sweep not run: (.+)", "未运行扫描：{0}"),
    (
        r"(Cancelled at|Done:) (\d+) steps × (\d+) runs in ([\d.]+) s \(([\d,]+) GAN-iterations/s\)\. "
        r"Marks: ! collapsed, ~ partial, X diverged\. Click a cell to open that run\.",
        "{5}：{1} 步 × {2} 个运行，用时 {3} 秒（每秒 {4} 次 GAN 迭代）。标记：! 崩溃，~ 部分覆盖，X 发散。"
        "点击单元格打开该运行。",
    ),
    (
        r"(.+)  Distance from the equilibrium: start ([\d.e+-]+), end ([\d.e+-]+)\.",
        "{0}  与平衡点的距离：起点 {1}，终点 {2}。",
    ),
    (
        r"After ([\d,]+) D iterations \(D right (\d+)% of the time\) G's minimax gradient fell ([\d.-]+) orders of "
        r"magnitude; the non-saturating one changed by ([+\d.-]+)\.",
        "判别器训练 {0} 次后（判别正确率 {1}%），生成器的极小极大梯度下降了 {2} 个数量级；"
        "非饱和损失的梯度变化了 {3} 个数量级。",
    ),
    (r"(.+?): (.+)", "{0}：{1}"),  # last: "title: text" banners, each part translated on its own
]
_COMPILED = [(re.compile(p + r"\Z", re.S), t) for p, t in PATTERNS]
_CANCELLED = {"Cancelled at": "已取消", "Done:": "完成"}


def set_language(lang: str) -> None:
    _LANG[0] = lang


def language() -> str:
    """The app's language ("en" or "zh"), as set_language left it (Help's pages read it)."""
    return _LANG[0]


def pick(entry: dict, *args, **values) -> str:
    """A bilingual table entry ({"en": ..., "zh": ...}) in the app's language (English where it has
    none), filled with `args` / `values`: the one lookup the windows' text tables share."""
    return entry.get(language(), entry["en"]).format(*args, **values)


def message(text: str, lang: str | None = None) -> str:
    """`text` in the app's language (or `lang`); parts with no translation stay as they are."""
    lang = lang or _LANG[0]
    if lang != "zh" or not text:
        return text
    return _zh(text, top=True)


def _zh(text: str, top: bool) -> str:
    if text in PHRASES:
        return PHRASES[text]
    # Inside a message only whole patterns apply, never the catch-all "title: text" (last), which
    # would split a path or a validator's explanation at its own colon.
    for pattern, template in _COMPILED if top else _COMPILED[:-1]:
        m = pattern.match(text)
        if m:
            parts = [_zh(g, top=False) for g in m.groups()]
            if template.startswith("{5}"):  # the sweep's summary names how it ended
                parts.append(_CANCELLED[m.group(1)])
            return template.format(*parts)
    return text
