"""The training side's frame clock (core.play.FramePacer), on simulated time: frames come
`1 / interval` a second, and a stall of training (the game's spectrum) costs none of them."""

from ganscope.core.play import CATCH_UP_GAP, CATCH_UP_S, FramePacer

INTERVAL = 1 / 30


def frames_sent(stall_at: float, stall_s: float, seconds: float = 3.0, chunk_s: float = 0.01) -> list[float]:
    """Times at which frames go out: training in chunks of `chunk_s`, a frame sent after the first
    chunk that ends at or past the due time, as the training process does, with one stall."""
    pacer, now, sent = FramePacer(), 0.0, []
    pacer.sent(now, INTERVAL)
    sent.append(now)
    while now < seconds:
        now += chunk_s
        if stall_at <= now < stall_at + chunk_s:
            now += stall_s
        if now >= pacer.due:
            pacer.sent(now, INTERVAL)
            sent.append(now)
    return sent


def test_a_steady_clock_absorbs_the_chunks_overshoot():
    sent = frames_sent(stall_at=99, stall_s=0)  # no stall
    assert abs(len(sent) / 3.0 - 30) <= 0.5  # 30 a second, not 30 minus the chunks' overshoot (25)


def test_frames_missed_in_a_short_stall_are_made_up():
    stall = 0.2  # 6 frames' worth
    sent = frames_sent(stall_at=1.0, stall_s=stall)
    assert abs(len(sent) / 3.0 - 30) <= 0.5  # the old clock restarted after the stall: 28 a second
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    assert min(gaps) >= CATCH_UP_GAP * INTERVAL - 1e-9  # made up, never in a burst the window cannot draw


def test_after_a_long_stall_the_clock_starts_over():
    stall = CATCH_UP_S + 0.5
    sent = frames_sent(stall_at=1.0, stall_s=stall)
    after = [t for t in sent if t > 1.0 + stall]
    gaps = [b - a for a, b in zip(after, after[1:])]
    assert min(gaps) >= INTERVAL - 0.011  # no catching up of half a second of frames: on the clock again
    assert len(sent) < 3.0 * 30 - 10  # those frames are lost


def test_offer_publishes_a_change_when_due_and_every_change_while_paused():
    pacer, published = FramePacer(), []
    publish = lambda: published.append(1)  # noqa: E731
    pacer.offer(False, True, publish, 60.0)
    assert published == []  # nothing changed: nothing to show
    pacer.offer(True, True, publish, 60.0)  # the first frame is due at once
    pacer.offer(True, True, publish, 60.0)  # the next one not for a minute
    assert len(published) == 1
    pacer.offer(True, False, publish, 60.0)  # paused: each command's frame at once
    pacer.offer(True, False, publish, 60.0)
    assert len(published) == 3
