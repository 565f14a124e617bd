"""add_working_days / working_days_between against the real calendars.

Expected dates are computed by hand from the State Council's notices.
"""

import datetime

import pytest

D = datetime.date


def add(db, start, n):
    db.execute("select gongkai.add_working_days(%s, %s)", (start, n))
    return db.fetchone()[0]


def between(db, a, b):
    db.execute("select gongkai.working_days_between(%s, %s)", (a, b))
    return db.fetchone()[0]


def test_calendars_loaded(db):
    db.execute("select count(distinct extract(year from day)) "
               "from gongkai.holidays where day < '2027-01-01'")
    assert db.fetchone()[0] == 13


def test_twenty_days_across_national_day_2025(db):
    # From Fri 2025-09-26; the receipt day is not counted.
    # 09-27 Sat off; 09-28 Sun make-up day = 1; 09-29 = 2; 09-30 = 3;
    # 10-01..10-08 holiday; 10-09 = 4; 10-10 = 5; 10-11 Sat make-up = 6;
    # 10-13..17 = 7..11; 10-20..24 = 12..16; 10-27 = 17, 10-28 = 18,
    # 10-29 = 19, 10-30 = 20.
    assert add(db, D(2025, 9, 26), 20) == D(2025, 10, 30)
    assert add(db, D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert add(db, D(2025, 9, 26), 3) == D(2025, 9, 30)
    assert add(db, D(2025, 9, 26), 4) == D(2025, 10, 9)
    assert add(db, D(2025, 9, 26), 6) == D(2025, 10, 11)
    assert add(db, D(2025, 9, 26), 7) == D(2025, 10, 13)
    assert between(db, D(2025, 9, 26), D(2025, 10, 30)) == 20


def test_spring_festival_2025(db):
    # 2025-01-26 Sun make-up day; 01-28..02-04 off; 02-08 Sat make-up.
    # From Fri 01-24: 01-26 = 1, 01-27 = 2, 02-05 = 3, 02-06 = 4,
    # 02-07 = 5, 02-08 = 6, 02-10 = 7.
    assert add(db, D(2025, 1, 24), 2) == D(2025, 1, 27)
    assert add(db, D(2025, 1, 24), 3) == D(2025, 2, 5)
    assert add(db, D(2025, 1, 24), 6) == D(2025, 2, 8)
    assert add(db, D(2025, 1, 24), 7) == D(2025, 2, 10)


def test_plain_weeks_and_edges(db):
    # 2025-03-07 is a Friday with no holiday near: 15 working days = 3 weeks
    assert add(db, D(2025, 3, 7), 15) == D(2025, 3, 28)
    assert add(db, D(2025, 3, 7), 0) == D(2025, 3, 7)
    # a start on a rest day: Sat 03-08 + 1 = Mon 03-10
    assert add(db, D(2025, 3, 8), 1) == D(2025, 3, 10)
    assert between(db, D(2025, 3, 7), D(2025, 3, 7)) == 0
    assert between(db, D(2025, 3, 28), D(2025, 3, 7)) == -15


def test_negative_n_is_refused(db):
    import psycopg2
    with pytest.raises(psycopg2.Error):
        add(db, D(2025, 3, 7), -1)


def test_roundtrip_over_a_year(db):
    start = D(2025, 9, 26)
    for n in (1, 5, 20, 40, 100, 250):
        end = add(db, start, n)
        assert between(db, start, end) == n
        db.execute("select gongkai.is_working_day(%s)", (end,))
        assert db.fetchone()[0] is True
