"""Pool saturation: far more concurrent page requests than connections
in the pool all succeed (they queue, they are not refused)."""

import concurrent.futures
import re

from conftest import http_request, item_path, query


def test_pool_saturation(stack, demo, published):
    conf = open(stack.env["GONGKAI_NGINX_CONF"], encoding="utf-8").read()
    m = re.search(r"^\s*gongkai_db_pool\s+(\d+)\s*;", conf, re.M)
    assert m, "no gongkai_db_pool in the running configuration"
    pool_size = int(m.group(1))
    assert pool_size < 40

    years = [r["gen_year"] for r in demo.rows(
        "select distinct gen_year from gongkai.items"
        " where state = 'published'")]
    paths = []
    for i in range(20):
        paths.append("/catalogue" + query(year=years[i % len(years)]))
        r = published[i % len(published)]
        paths.append(item_path(r["index_no"]))
    titles = {item_path(r["index_no"]): r["title"] for r in published}

    for _ in range(2):
        with concurrent.futures.ThreadPoolExecutor(40) as pool:
            futs = {pool.submit(http_request, stack, p, timeout=20): p
                    for p in paths}
            for f in concurrent.futures.as_completed(futs):
                resp = f.result()
                assert resp.status == 200, "%r" % resp
                p = futs[f]
                if p in titles:
                    assert resp.page.contains_text(titles[p])
