"""core.lanes: a site's column pages read in a few lanes, the calling thread one of them."""

from __future__ import annotations

import threading
import time

import pytest

from core.lanes import Stopped, map_in_lanes


def test_results_keep_the_items_order_whatever_finishes_first():
    def slow_first(n):
        time.sleep(0.02 if n == 0 else 0)
        return n * n

    assert map_in_lanes(slow_first, range(7), 3) == [n * n for n in range(7)]


def test_at_most_width_items_run_at_once_and_the_caller_is_one_lane():
    running, peak, threads = [0], [0], set()
    lock = threading.Lock()

    def work(n):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            threads.add(threading.get_ident())
        time.sleep(0.01)
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


def test_stop_is_asked_by_the_caller_every_few_items_and_then_no_new_item_starts():
    started, asked = [], []

    def work(n):
        started.append(n)
        time.sleep(0.001)

    def stop():
        asked.append((len(started), threading.get_ident()))
        return len(asked) == 2  # the second time

    with pytest.raises(Stopped):
        map_in_lanes(work, range(100), 2, stop=stop, stop_every=10)
    assert len(asked) == 2
    assert {ident for _, ident in asked} == {threading.get_ident()}  # never in a helper thread
    assert asked[0][0] >= 10 and asked[1][0] >= 20  # after 10 more items finished each time
    assert len(started) <= asked[1][0] + 1  # only the other lane's next item may have begun


def test_an_error_stops_the_lanes_and_reaches_the_caller():
    started = []

    def work(n):
        started.append(n)
        if n == 3:
            raise ValueError("page 3")
        time.sleep(0.001)
        return n

    with pytest.raises(ValueError, match="page 3"):
        map_in_lanes(work, range(50), 2)
    assert len(started) < 10  # the rest was not read
