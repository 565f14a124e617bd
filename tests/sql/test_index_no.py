"""Index numbers (索引号): assignment at publication, format, uniqueness,
never reused, immutable (seed 003 第五条, DOMAIN.md §1)."""

import re

import psycopg2
import pytest

ORGAN = "11230400000000101D"    # 鹤岗市人民政府办公室 (demo)
CANON = re.compile(r"^[0-9A-Z]{1,18}-[0-9A-Za-z]{1,8}-[0-9]{4}-[0-9]{5}$")


@pytest.fixture
def owner(owner):
    """These tests are about numbering, not about review: they write
    published and withdrawn items directly, as an import declared the way
    sql/migrations/0016 allows (test_review_chain.py covers the chain)."""
    owner.execute("set local gongkai.import = 'tests/sql/test_index_no'")
    return owner


def new_item(cur, title, state="draft", cat="0301", gen="2031-05-06"):
    cur.execute(
        "insert into items (title, generated_on, organ_id, category_id, "
        "state) select %s, %s, o.id, c.id, %s from organs o, categories c "
        "where o.unit_code = %s and c.code = %s returning id, index_no",
        (title, gen, state, ORGAN, cat))
    return cur.fetchone()


def index_no(cur, item_id):
    cur.execute("select index_no from items where id = %s", (item_id,))
    return cur.fetchone()[0]


def test_assigned_on_publication_in_canonical_form(owner):
    item, no = new_item(owner, "测试条目一")
    assert no is None
    owner.execute("update items set state = 'published' where id = %s",
                  (item,))
    no = index_no(owner, item)
    assert CANON.match(no)
    assert no.startswith(ORGAN + "-0301-2031-")
    owner.execute("select published_at is not null from items "
                  "where id = %s", (item,))
    assert owner.fetchone()[0]


def test_serials_follow_and_are_never_reused(owner):
    a, _ = new_item(owner, "测试条目A", "published")
    b, _ = new_item(owner, "测试条目B", "published")
    na, nb = index_no(owner, a), index_no(owner, b)
    assert int(nb.rsplit("-", 1)[1]) == int(na.rsplit("-", 1)[1]) + 1
    # withdraw and delete b: its serial is not handed out again
    owner.execute("update items set state = 'withdrawn' where id = %s", (b,))
    assert index_no(owner, b) == nb
    owner.execute("delete from items where id = %s", (b,))
    c, _ = new_item(owner, "测试条目C", "published")
    nc = index_no(owner, c)
    assert int(nc.rsplit("-", 1)[1]) == int(nb.rsplit("-", 1)[1]) + 1
    # another category or year starts its own series
    d, _ = new_item(owner, "测试条目D", "published", cat="0302")
    assert index_no(owner, d).startswith(ORGAN + "-0302-2031-")


def test_immutable_once_set(owner):
    a, _ = new_item(owner, "测试条目E", "published")
    no = index_no(owner, a)
    for sql, args in (
            ("update items set index_no = %s where id = %s",
             (no[:-1] + "9", a)),
            ("update items set index_no = null where id = %s", (a,)),
            ("update items set generated_on = '2032-01-01' where id = %s",
             (a,)),
            ("update items set category_id = (select id from categories "
             "where code = '0302') where id = %s", (a,))):
        owner.execute("savepoint s")
        with pytest.raises(psycopg2.Error):
            owner.execute(sql, args)
        owner.execute("rollback to savepoint s")
    # other corrections stay possible, the number does not move
    owner.execute("update items set title = '测试条目E(更正)', "
                  "generated_on = '2031-06-01' where id = %s", (a,))
    owner.execute("update items set state = 'withdrawn' where id = %s", (a,))
    owner.execute("update items set state = 'published' where id = %s", (a,))
    assert index_no(owner, a) == no


def test_caller_cannot_choose_a_number(owner):
    with pytest.raises(psycopg2.Error):
        owner.execute(
            "insert into items (title, index_no) values ('x', %s)",
            (ORGAN + "-0301-2031-00001",))


def test_published_needs_mandatory_fields(owner):
    for cols, vals in (("title, organ_id, category_id",
                        "'缺生成日期', o.id, c.id"),
                       ("title, generated_on, category_id",
                        "'缺发布机构', '2031-01-01', c.id"),
                       ("title, generated_on, organ_id",
                        "'缺分类', '2031-01-01', o.id"),
                       ("title, generated_on, organ_id, category_id",
                        "' ', '2031-01-01', o.id, c.id")):
        owner.execute("savepoint s")
        with pytest.raises(psycopg2.Error):
            owner.execute(
                "insert into items (%s, state) select %s, 'published' "
                "from organs o, categories c where o.unit_code = '%s' "
                "and c.code = '0301'" % (cols, vals, ORGAN))
        owner.execute("rollback to savepoint s")


def test_all_numbers_unique_and_canonical(db):
    db.execute("select index_no from gongkai.items where index_no is not null")
    nos = [r[0] for r in db.fetchall()]
    assert nos and len(nos) == len(set(nos))
    assert all(CANON.match(n) for n in nos)
    db.execute("select count(*) from gongkai.items "
               "where state in ('published', 'withdrawn') "
               "and index_no is null")
    assert db.fetchone()[0] == 0


def test_counts_follow_publication(owner):
    def total():
        owner.execute("select coalesce(sum(n), 0) from item_counts k "
                      "join organs o on o.id = k.organ_id "
                      "where o.unit_code = %s", (ORGAN,))
        return owner.fetchone()[0]
    before = total()
    a, _ = new_item(owner, "计数一", "published")
    new_item(owner, "计数二")
    assert total() == before + 1
    owner.execute("update items set state = 'withdrawn' where id = %s", (a,))
    assert total() == before
    owner.execute("select sum(n) from item_counts")
    s = owner.fetchone()[0]
    owner.execute("select count(*) from items where state = 'published'")
    assert owner.fetchone()[0] == s
