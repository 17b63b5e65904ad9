"""The Compare window: runs in lockstep, linked planes, a chart row per run, edits in one run or all."""

import pytest
import torch

from ganscope.app.compare_window import CompareWindow, open_remedies
from ganscope.core.compare import REMEDIES, REMEDY_LABELS, CompareGroup
from ganscope.core.engine import GanEngine
from tests.test_compare import TINY


@pytest.fixture
def compare_window(qtbot, small_cfg):
    other = small_cfg.copy()
    other.objective.loss = "lsgan"
    win = CompareWindow(CompareGroup([("ns", small_cfg), ("lsgan", other)]), stop_at=20)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def flat(m):
    return torch.cat([p.detach().flatten() for p in m.parameters()])


def test_runs_train_in_lockstep_to_the_end_and_show_the_table(qtbot, compare_window, small_cfg):
    w = compare_window
    w.play_button.click()
    qtbot.waitUntil(lambda: "lsgan" in w.table.toPlainText(), timeout=30000)
    assert [e.step_count for e in w.group.engines] == [20, 20]
    assert not w.play_button.isChecked() and w.play_button.text() == "Play"
    alone = GanEngine(small_cfg)
    alone.step(20)
    assert torch.equal(flat(alone.G), flat(w.group.engines[0].G))  # exactly the run trained alone
    qtbot.waitUntil(lambda: all(p.frames_drawn > 0 and p.fake.data["x"].size for p in w.planes), timeout=10000)
    for row in w.charts.curves:  # a chart row per run, with the run's history
        x, _y = row["d_loss"].getData()
        assert x is not None and x[-1] == 20
    assert w.step_label.text() == "step 20 of 20"
    lines = w.table.toPlainText().splitlines()
    assert lines[2].startswith("ns") and lines[3].startswith("lsgan")


def test_zoom_and_pan_are_linked(qtbot, compare_window):
    w = compare_window
    w.planes[0].setRange(xRange=(-0.5, 0.5), yRange=(-0.4, 0.4), padding=0)
    qtbot.waitUntil(lambda: abs(w.planes[1].viewRange()[0][0] + 0.5) < 1e-6, timeout=5000)
    w.planes[1].getViewBox().translateBy(x=1.0)
    assert w.planes[0].viewRange()[0] == pytest.approx([0.5, 1.5])


def test_a_setting_changes_in_one_run_or_in_all(qtbot, compare_window):
    w = compare_window
    w.field.setCurrentText("d_opt.lr")
    w.target.setCurrentIndex(2)  # the second run only
    w.value.setText("1e-5")
    w._apply_clicked()
    qtbot.waitUntil(lambda: w.group.engines[1].cfg.d_opt.lr == 1e-5, timeout=10000)
    assert w.group.engines[0].cfg.d_opt.lr != 1e-5
    assert w.group.engines[1].opt_d.param_groups[0]["lr"] == 1e-5
    ticket = w.change("g_opt.lr", 2e-5)
    qtbot.waitUntil(lambda: w.runner.done(ticket), timeout=10000)
    assert [e.cfg.g_opt.lr for e in w.group.engines] == [2e-5, 2e-5]
    ticket = w.change("d_opt.lr", "-3")
    qtbot.waitUntil(lambda: "d_opt.lr" in w.message.text() and "range" in w.message.text(), timeout=10000)


def test_compare_the_remedies_opens_four_runs_that_play(qtbot):
    win = open_remedies(None, steps=10, overrides=TINY)
    qtbot.addWidget(win)
    try:
        assert win.labels == [REMEDY_LABELS[p] for p in REMEDIES] == ["GAN", "WGAN-GP", "PacGAN2", "Unrolled"]
        assert [e.cfg.objective.loss for e in win.group.engines] == [
            "nonsaturating",
            "wgan-gp",
            "nonsaturating",
            "minimax",
        ]
        qtbot.waitUntil(lambda: "Unrolled" in win.table.toPlainText(), timeout=60000)
        assert [e.step_count for e in win.group.engines] == [10] * 4
        assert len(win.charts.curves) == 4 and len(win.planes) == 4
    finally:
        win.close()


def test_the_lessons_panel_compares_the_remedies_in_one_click(qtbot, window):
    p = window.lessons
    names = [s.name for s in p.scenarios]
    for name in names:  # offered beside lesson 5 and its three remedies only
        p.list.setCurrentRow(names.index(name))
        assert p.remedies_button.isVisibleTo(p) == (name in REMEDIES)
    p.list.setCurrentRow(names.index("lesson-5-collapse"))
    p.remedies_button.click()  # the full recipe: opens and plays; closed again at once here
    assert p.compare_window.labels == ["GAN", "WGAN-GP", "PacGAN2", "Unrolled"]
    assert p.compare_window.runner.stop_at == 3000 and not window.worker.playing
    win = p.compare_remedies(steps=5, overrides=TINY)  # the same, small and short, to its end
    assert win in window.timeline.compare_windows and len(window.timeline.compare_windows) == 1
    qtbot.waitUntil(lambda: "PacGAN2" in win.table.toPlainText(), timeout=60000)
    assert [e.step_count for e in win.group.engines] == [5] * 4
