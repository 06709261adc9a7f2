"""Deadlines per second: ossdesk's BusinessCalendar against pandas' CustomBusinessHour.

Run: ``python benchmarks/bench_calendar.py [--n 100000] [--pandas-sample 2000] [--seed 7]``

The calendar is a Berlin split shift (Mon-Fri 08:00-12:00 and 13:00-17:30) closed on Berlin's public
holidays. Inputs are random starts over 2025-2026 and whole-hour durations of 1 to 40 hours (pandas adds
whole hours only). Measured:

* ``BusinessCalendar.add``, one aware datetime at a time, over all inputs;
* ``BusinessCalendar.add_many`` over all inputs at once (epoch seconds in and out), on a fresh calendar
  (the first call lays out the years) and then warm;
* pandas ``Timestamp + CustomBusinessHour(n)`` one at a time, on naive local times with the offsets built
  beforehand, over a sample only (it is slow), extrapolated to all inputs.

Answers are checked identical on the common sample (and scalar against bulk on everything) before any
figure is printed. Figures only: nothing here passes or fails on speed.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from pandas.tseries.offsets import CustomBusinessHour

from ossdesk.domain.calendar import BusinessCalendar

TZ = "Europe/Berlin"
HOURS = (("08:00", "12:00"), ("13:00", "17:30"))
WEEKLY = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), HOURS)
FIRST = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
LAST = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())


def make_calendar() -> BusinessCalendar:
    return BusinessCalendar.from_country(TZ, WEEKLY, "DE", subdiv="BE", years=range(2024, 2030))


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    """The fastest of ``runs`` timings of ``work``, and its last result."""
    best = float("inf")
    result: object = None
    for _ in range(runs):
        began = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="inputs (default 100,000)")
    parser.add_argument(
        "--pandas-sample", type=int, default=2_000, help="inputs timed with pandas (default 2,000)"
    )
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    n, sample = options.n, min(options.pandas_sample, options.n)

    rng = np.random.default_rng(options.seed)
    starts = rng.integers(FIRST, LAST, size=n, dtype=np.int64)
    hours = rng.integers(1, 41, size=n, dtype=np.int64)
    durations = hours * 3600
    zone = ZoneInfo(TZ)
    aware_starts = [datetime.fromtimestamp(int(s), UTC) for s in starts]
    spans = [timedelta(hours=int(h)) for h in hours]

    # add_many, cold: a fresh calendar whose first call lays out the years it needs.
    cold_calendar = make_calendar()
    began = time.perf_counter()
    cold_calendar.add_many(starts, durations)
    cold = time.perf_counter() - began

    calendar = make_calendar()
    calendar.add_many(starts, durations)  # warm-up: lay out the years once
    bulk_time, bulk_result = best_of(5, lambda: calendar.add_many(starts, durations))
    bulk = np.asarray(bulk_result)
    elapsed_time, elapsed_result = best_of(5, lambda: calendar.elapsed_many(starts, bulk))

    add = calendar.add
    scalar_time, scalar_result = best_of(
        2, lambda: [add(start, span) for start, span in zip(aware_starts, spans, strict=True)]
    )
    scalar = np.array([int(deadline.timestamp()) for deadline in scalar_result], dtype=np.int64)  # type: ignore[attr-defined]

    base = CustomBusinessHour(
        n=1,
        weekmask="Mon Tue Wed Thu Fri",
        holidays=[day.isoformat() for day in calendar.holidays],
        start=[opening for opening, _ in HOURS],
        end=[closing for _, closing in HOURS],
    )
    offsets = {int(h): base * int(h) for h in np.unique(hours)}
    naive = [pd.Timestamp(start.astimezone(zone).replace(tzinfo=None)) for start in aware_starts[:sample]]
    sample_offsets = [offsets[int(h)] for h in hours[:sample]]
    pandas_time, pandas_result = best_of(
        1, lambda: [ts + offset for ts, offset in zip(naive, sample_offsets, strict=True)]
    )
    from_pandas = np.array(
        [int(ts.to_pydatetime().replace(tzinfo=zone).timestamp()) for ts in pandas_result],  # type: ignore[attr-defined]
        dtype=np.int64,
    )

    assert np.array_equal(scalar, bulk), "add and add_many disagree"
    assert np.array_equal(from_pandas, bulk[:sample]), "ossdesk and pandas disagree on the sample"
    assert np.array_equal(np.asarray(elapsed_result), durations), "elapsed_many does not undo add_many"

    pandas_per_call = pandas_time / sample
    rows = [
        ("pandas CustomBusinessHour, one at a time", sample, pandas_time, pandas_per_call),
        ("BusinessCalendar.add, one at a time", n, scalar_time, scalar_time / n),
        ("BusinessCalendar.add_many, cold (lays out years)", n, cold, cold / n),
        ("BusinessCalendar.add_many, warm", n, bulk_time, bulk_time / n),
        ("BusinessCalendar.elapsed_many, warm", n, elapsed_time, elapsed_time / n),
    ]
    print(f"Business-hour deadlines: {n:,} inputs, Berlin split shift, {len(calendar.holidays)} holidays")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"Answers identical: add vs add_many on all {n:,}; pandas vs ossdesk on the first {sample:,}.")
    print()
    print(f"{'method':<50} {'inputs':>9} {'time s':>9} {'per call':>11} {'per second':>14} {'vs pandas':>10}")
    for name, count, seconds, per_call in rows:
        print(
            f"{name:<50} {count:>9,} {seconds:>9.4f} {per_call * 1e6:>9.3f}us"
            f" {1 / per_call:>14,.0f} {pandas_per_call / per_call:>9.1f}x"
        )
    print()
    print(
        f"pandas was timed on {sample:,} inputs only; for all {n:,} it would take about"
        f" {pandas_per_call * n:.1f} s (extrapolated)."
    )


if __name__ == "__main__":
    main()
