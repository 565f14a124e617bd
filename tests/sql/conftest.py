"""Fixtures for the database tests (tests/sql).

The database comes from the libpq environment: PGHOST, PGPORT, PGDATABASE,
and PGUSER for the owner or a superuser (the stack uses postgres).  The
privilege tests connect explicitly as gongkai_web.  An unreachable database
is a failure, never a skip.  Tests that write run inside a transaction
that is rolled back.
"""

import os

import psycopg2
import psycopg2.extras
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _connect(**kw):
    for var in ("PGHOST", "PGDATABASE"):
        if not os.environ.get(var):
            pytest.fail("%s is not set: source var/env first" % var)
    try:
        return psycopg2.connect("", **kw)
    except psycopg2.OperationalError as e:
        pytest.fail("database unreachable: %s" % e)


@pytest.fixture(scope="session")
def admin_conn():
    """Connection as PGUSER (superuser or owner), autocommit off."""
    conn = _connect()
    yield conn
    conn.close()


@pytest.fixture
def db(admin_conn):
    """A cursor in a transaction rolled back after the test."""
    cur = admin_conn.cursor()
    yield cur
    admin_conn.rollback()
    cur.close()


@pytest.fixture
def owner(admin_conn):
    """Like db, acting as gongkai_owner (as the application's writers do)."""
    cur = admin_conn.cursor()
    cur.execute("set local role gongkai_owner")
    cur.execute("set local search_path = gongkai, pg_temp")
    yield cur
    admin_conn.rollback()
    cur.close()


@pytest.fixture
def web():
    """A cursor connected as gongkai_web, what nginx uses."""
    conn = _connect(user="gongkai_web")
    cur = conn.cursor()
    yield cur
    conn.rollback()
    conn.close()
