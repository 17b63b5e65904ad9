"""The headless rate from the trainer's CPU time (core.speed_meter)."""

from ganscope.core.speed_meter import CpuRate


def test_the_rate_is_iterations_per_cpu_second_over_a_sliding_window():
    r = CpuRate(window=2.0)
    assert r.rate() == 0.0  # nothing trained yet
    r.add(100, 0.5, now=10.0)
    r.add(300, 0.5, now=11.0)
    assert r.rate() == 400 / 1.0
    r.add(50, 0.5, now=12.5)  # the span at 10.0 has left the window
    assert r.rate() == 350 / 1.0
    r.add(0, 0.3, now=12.6)  # no iterations: nothing to learn from
    assert r.rate() == 350 / 1.0


def test_begin_and_end_count_this_threads_cpu_time():
    r = CpuRate()
    r.begin(steps=7)
    total = sum(i * i for i in range(200_000))  # some CPU work on this thread
    r.end(steps=57)
    assert total > 0 and r.rate() > 0
    spans = list(r._spans)
    assert len(spans) == 1 and spans[0][1] == 50
    r.end(steps=99)  # an end without a begin adds nothing
    assert len(r._spans) == 1
