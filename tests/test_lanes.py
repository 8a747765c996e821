"""core.lanes: a site's column pages read in a few lanes, the calling thread one of them.

No test sleeps: the lanes are made to overlap, or to take turns, with events and barriers.
"""

from __future__ import annotations

import threading

import pytest

from core.lanes import Stopped, map_in_lanes

WAIT = 10  # seconds: only reached when the lanes do not overlap as they must


def test_results_keep_the_items_order_whatever_finishes_first():
    others_done = threading.Event()
    finished = []
    lock = threading.Lock()

    def first_finishes_last(n):
        if n == 0:
            assert others_done.wait(WAIT)  # the other lanes read items 1-6 meanwhile
        else:
            with lock:
                finished.append(n)
                if len(finished) == 6:
                    others_done.set()
        return n * n

    assert map_in_lanes(first_finishes_last, range(7), 3) == [n * n for n in range(7)]


def test_at_most_width_items_run_at_once_and_the_caller_is_one_lane():
    both = threading.Barrier(2, timeout=WAIT)  # each item waits for one in the other lane
    running, peak, threads = [0], [0], set()
    lock = threading.Lock()

    def work(n):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            threads.add(threading.get_ident())
        both.wait()
        with lock:
            running[0] -= 1
        return n

    assert map_in_lanes(work, range(12), 2) == list(range(12))
    assert peak[0] == 2
    assert len(threads) == 2 and threading.get_ident() in threads


def test_one_item_or_width_one_runs_in_the_calling_thread_alone():
    seen = []
    map_in_lanes(lambda n: seen.append(threading.get_ident()), range(3), 1)
    map_in_lanes(lambda n: seen.append(threading.get_ident()), [0], 4)
    assert set(seen) == {threading.get_ident()}
    assert map_in_lanes(lambda n: n, [], 2) == []


def test_stop_is_asked_every_few_items_and_then_no_new_item_starts():
    started, asked = [], []

    def stop():
        asked.append(len(started))
        return len(asked) == 2  # the second time

    with pytest.raises(Stopped):
        map_in_lanes(started.append, range(100), 1, stop=stop, stop_every=10)
    assert asked == [10, 20]
    assert started == list(range(20))


def test_stop_is_asked_by_the_calling_thread_only():
    """In a helper thread a database query would open a connection of its own."""
    rounds = threading.Barrier(3, timeout=WAIT)  # the three lanes take one item each per round
    asked = []

    def stop():
        asked.append(threading.get_ident())
        return False

    def step(n):
        rounds.wait()
        return n

    assert map_in_lanes(step, range(30), 3, stop=stop) == list(range(30))
    assert len(asked) >= 2  # 30 items finished, asked each time 10 more had
    assert set(asked) == {threading.get_ident()}


def test_an_error_stops_the_lanes_and_reaches_the_caller():
    started = []

    def work(n):
        started.append(n)
        if n == 3:
            raise ValueError("page 3")
        return n

    with pytest.raises(ValueError, match="page 3"):
        map_in_lanes(work, range(50), 1)
    assert started == [0, 1, 2, 3]  # the rest was not read


def test_an_error_in_a_helper_lane_reaches_the_caller():
    caller = threading.get_ident()
    raised = threading.Event()

    def work(n):
        if threading.get_ident() == caller:
            assert raised.wait(WAIT)  # so that the helper lane takes an item
            return n
        raised.set()
        raise ValueError(f"page {n}")

    with pytest.raises(ValueError, match="page"):
        map_in_lanes(work, range(50), 2)
