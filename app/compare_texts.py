"""The Compare window's and the timeline's words, in each language (as app.lessons_panel's UI_TEXT).

Most of their texts carry numbers (steps, modes, run names), so each is a template per language,
filled when shown; `retranslate()` on both widgets redraws them when the language changes (called
by app.i18n.apply_language). Field names (d_opt.lr), loss names, run names and units (it/s) stay
as they are in every language: they are what the config files and the command line use.
"""

from __future__ import annotations

import re

from .i18n_messages import pick

TEXTS = {
    # the Compare window
    "title": {"en": "Compare: {runs}", "zh": "比较：{runs}"},
    "play": {"en": "Play", "zh": "播放"},
    "pause": {"en": "Pause", "zh": "暂停"},
    "step": {"en": "step {n:,}", "zh": "第 {n:,} 步"},
    "step_of": {"en": "step {n:,} of {stop:,}", "zh": "第 {n:,} 步，共 {stop:,} 步"},
    "change": {"en": "Change", "zh": "修改"},
    "in": {"en": "in", "zh": "于"},
    "to": {"en": "to", "zh": "改为"},
    "all_runs": {"en": "All runs", "zh": "全部运行"},
    "value_hint": {"en": "value, e.g. 1e-4", "zh": "数值，例如 1e-4"},
    "apply": {"en": "Apply", "zh": "应用"},
    "type_value": {"en": "Type a value to apply, e.g. 1e-4.", "zh": "请输入要应用的数值，例如 1e-4。"},
    "applied_all": {"en": "{path} = {value} in all runs", "zh": "全部运行：{path} = {value}"},
    "applied_one": {"en": "{path} = {value} in {who}", "zh": "{who}：{path} = {value}"},
    "modes": {"en": "modes {k:.0f}/{n}", "zh": "模式 {k:.0f}/{n}"},
    "diverged": {"en": "(diverged)", "zh": "（已发散）"},
    "chart_loss": {"en": "{run}: Loss", "zh": "{run}：损失"},
    "chart_acc": {"en": "D accuracy", "zh": "判别器准确率"},
    "chart_quality": {"en": "Modes (share) / high quality", "zh": "模式（比例）/ 高质量"},
    "table_hint": {
        "en": "The results table appears when the runs stop (or press Pause).",
        "zh": "运行停止（或按暂停）时在这里显示结果表。",
    },
    # the results table's words (core.compare_table.format_table)
    "run": {"en": "run", "zh": "运行"},
    "loss": {"en": "loss", "zh": "损失"},
    "modes_col": {"en": "modes", "zh": "模式"},
    "high quality": {"en": "high quality", "zh": "高质量"},
    "JS (bits)": {"en": "JS (bits)", "zh": "JS（比特）"},
    "detectors fired (step)": {"en": "detectors fired (step)", "zh": "触发的检测器（步数）"},
    "it/s": {"en": "it/s", "zh": "it/s"},
    "none": {"en": "none", "zh": "无"},
    # the timeline
    "timeline": {"en": "Timeline", "zh": "时间线"},
    "live": {"en": "live", "zh": "实时"},
    "live_step": {"en": "live: step {n:,}", "zh": "实时：第 {n:,} 步"},
    "showing": {"en": "showing step {n:,} (training is at {now:,})", "zh": "显示第 {n:,} 步（训练已到第 {now:,} 步）"},
    "slider_tip": {
        "en": "Drag back to see the run at a kept step; training goes on meanwhile",
        "zh": "向回拖动，查看保存下来的某一步；训练同时继续",
    },
    "live_button": {"en": "Live", "zh": "实时"},
    "live_tip": {"en": "Back to the running training", "zh": "回到正在进行的训练"},
    "branch_button": {"en": "Branch from here…", "zh": "从这里分支…"},
    "branch_tip": {
        "en": "Continue from the step shown with other settings, beside the original, in a Compare window",
        "zh": "从显示的这一步以其他设置继续，并在比较窗口中与原始运行并排显示",
    },
    "branch_title": {"en": "Branch from here", "zh": "从这里分支"},
    "branch_prompt": {
        "en": "Continue from this step with (FIELD=VALUE; ...):",
        "zh": "从这一步继续，并修改（字段=值; ...）：",
    },
    "cannot_branch": {"en": "Cannot branch", "zh": "无法分支"},
    "branched": {"en": "Branched from step {at:,}{note}", "zh": "已从第 {at:,} 步分支{note}"},
    "branched_label": {"en": "branched from step {at:,}{note}", "zh": "已从第 {at:,} 步分支{note}"},
    "nearest": {
        "en": " (the nearest full state kept before step {asked:,})",
        "zh": "（第 {asked:,} 步之前保存的最近完整状态）",
    },
    "no_state": {
        "en": "no full state is kept at or before step {step:,}; branch from a later step",
        "zh": "第 {step:,} 步及之前没有保存完整状态；请从更晚的一步分支",
    },
    "original": {"en": "original from step {n}", "zh": "原始运行（自第 {n} 步）"},
}
_ORIGINAL = re.compile(r"original from step ([\d,]+)\Z")  # a branch's original: its saved label


def words(key: str, **values) -> str:
    """TEXTS[key] in the app's language, filled with `values`."""
    return pick(TEXTS[key], **values)


def table_word(text: str) -> str:
    """A results-table word (header, 'none', a detector's name) in the app's language."""
    from .lessons_panel import DETECTOR_NAMES

    if text in DETECTOR_NAMES:
        return pick(DETECTOR_NAMES[text])
    return words("modes_col") if text == "modes" else words(text) if text in TEXTS else text


def run_label(label: str) -> str:
    """A run's name as shown: names are kept in English in sessions; a branch's original reads
    'original from step N' there and in the app's language here."""
    m = _ORIGINAL.match(label)
    return words("original", n=m.group(1)) if m else label
