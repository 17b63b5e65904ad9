"""The papers' layer options are in the Models group and rebuild the players they change."""

from ganscope.core.models import Maxout
from tests.app.conftest import wait_ticket


def test_the_models_group_switches_on_the_papers_layers(qtbot, window):
    panel = window.panel
    panel.fields["discriminator.maxout"].setValue(5)
    panel.fields["generator.norm"].setCurrentText("batch")
    wait_ticket(qtbot, window, window.worker.submit(lambda e: None))
    e = window.engine
    assert e.cfg.discriminator.maxout == 5 and e.cfg.generator.norm == "batch"
    assert any(isinstance(m, Maxout) and m.pieces == 5 for m in e.D.modules())
    assert any(type(m).__name__ == "BatchNorm1d" for m in e.G.modules())
    wait_ticket(qtbot, window, window.do_action("step"))
    assert window.engine.step_count == 1 and window.engine.status == "ok"
