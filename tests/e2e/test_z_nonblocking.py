"""The worker never blocks on PostgreSQL.  With one nginx worker, a
catalogue request stalled on a table lock must not stop that worker from
serving static files (and other pages) meanwhile."""

import concurrent.futures
import random
import threading
import time

import pytest

from conftest import http_request


STATIC_BODY = ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta "
               "charset=\"utf-8\"><title>静态测试页</title></head>"
               "<body><p>gongkai e2e static page</p></body></html>\n")


@pytest.fixture(scope="module")
def static_page(stack):
    """var/static/page.html, served at /static-test/page.html.  tools/bench
    may have written one already (an item page's bytes): keep it."""
    path = stack.static_dir / "page.html"
    if not path.exists():
        stack.static_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(STATIC_BODY, encoding="utf-8")
        tmp.chmod(0o644)
        tmp.rename(path)
    data = path.read_bytes()
    resp = http_request(stack, "/static-test/page.html")
    assert resp.status == 200, resp
    assert resp.body == data
    return data




def test_worker_serves_while_query_waits_on_lock(stack, demo, static_page):
    year = demo.value("select max(gen_year) from gongkai.items"
                      " where state = 'published'")
    warm, stalled = random.sample(range(2, 100000), 2)
    # warm up: the pool is connected and the statement prepared
    for _ in range(4):
        assert http_request(stack, "/catalogue?year=%d&page=%d"
                            % (year, warm)).status == 200
    # a page the cache (gongkai_cache) has not seen: it must be queried
    path = "/catalogue?year=%d&page=%d" % (year, stalled)

    result = {}

    def catalogue():
        try:
            result["resp"] = http_request(stack, path, timeout=30)
        except Exception as e:      # reported by the main thread
            result["error"] = e

    locker = stack.connect_db(autocommit=False)
    try:
        cur = locker.cursor()
        cur.execute("set local lock_timeout = '10s'")
        cur.execute("lock table gongkai.items in access exclusive mode")
        t = threading.Thread(target=catalogue, daemon=True)
        t.start()
        time.sleep(0.7)
        assert t.is_alive(), ("the catalogue request finished while items "
                              "was locked: %r" % result)

        # the stalled statement is really waiting in PostgreSQL
        waiting = demo.value(
            "select count(*) from pg_locks where not granted"
            " and relation = 'gongkai.items'::regclass")
        assert waiting >= 1, "no backend waits on the lock"

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            futs = [pool.submit(http_request, stack,
                                "/static-test/page.html", timeout=5)
                    for _ in range(20)]
            statics = [f.result() for f in futs]
        for resp in statics:
            assert resp.status == 200, resp
            assert resp.body == static_page

        # a page that needs no lock on items is served by another
        # connection of the pool meanwhile
        other = http_request(stack, "/no-such-page", timeout=5)
        assert other.status == 404

        assert t.is_alive(), ("the catalogue request did not wait for "
                              "the lock: %r" % result)
    finally:
        locker.rollback()
        locker.close()

    t.join(15)
    assert not t.is_alive(), "the catalogue request never finished"
    assert "error" not in result, result.get("error")
    resp = result["resp"]
    assert resp.status == 200, resp
    assert resp.page.item_links() == \
        [r["index_no"] for r in demo.published(
            demo.scope_organ_ids(demo.portal_organ()["unit_code"]),
            year=year)[:20]]
