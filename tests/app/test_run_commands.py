"""The UI's commands with tickets (app.run_commands), shared by the single view and the Compare window."""

import threading

from ganscope.app.run_commands import RunCommands


def test_commands_run_in_order_a_failing_one_is_reported_and_tickets_count_once_finished():
    subject, errors, wake = [], [], threading.Event()
    commands = RunCommands(lambda: subject, wake, errors.append)
    first = commands.submit(lambda s: s.append(1))
    bad = commands.submit(lambda s: s.missing())
    last = commands.submit(lambda s: s.append(3), live=("update", "d_opt.lr", 0.1))
    assert wake.is_set() and commands.issued == last == 3 and commands.waiting()
    assert not commands.done(first)  # queued is not done
    assert commands.run_waiting() == last
    assert subject == [1, 3] and len(errors) == 1 and isinstance(errors[0], AttributeError)
    assert not commands.done(bad)  # run, but its frame is not offered yet
    commands.finish(last)
    assert commands.done(first) and commands.done(bad) and commands.done(last) and not commands.waiting()
    assert commands.run_waiting() is None


def test_the_relay_takes_live_edits_with_their_ticket_and_the_subject_may_be_replaced():
    box = {"subject": []}
    commands = RunCommands(lambda: box["subject"], threading.Event())
    ticket = commands.submit(lambda s: s.append("x"), live=("freeze", "G"))
    item = commands.take()
    assert item[0] == ticket and item[2] == ("freeze", "G") and commands.take() is None
    box["subject"] = replaced = []  # a new run (a preset, a loaded session) takes the old one's place
    assert commands.run(item[1]) and replaced == ["x"]
