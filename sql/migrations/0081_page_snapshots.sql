-- 0081: what the public pages show of a site and of an item, kept ready
-- in three tables, for speed only (issue 7: an uncached item page at 0.3
-- x pgbench -S).
--
-- Building the "site" member (site_json: the site, its primary domain,
-- its organ, its portal and the portal's domain, its host organ) and the
-- item page's "item" member (the item, its organ and category, its public
-- attachments) took most of portal.page_item's time: some ten function
-- calls and as many lookups for every page, and json_build_object looking
-- up each argument's type on every call.  Both change only when an
-- administrator changes something, so they are built then, by triggers,
-- with the functions that built them before (renamed *_compute):
--
--     site_pages   each site's "site" member and scope (what site_json and
--                  site_scope return, for every page function);
--     site_hosts   the same for each host name that is served (an active
--                  site's domain that is not a former one: site_for_host);
--     item_pages   each published, withdrawn or removed item's index
--                  number, organ, state and what its page shows.
--
-- portal.page_item answers with one statement: one probe of site_hosts
-- and one of item_pages (most of what is left of its time is starting the
-- executor, once per statement).  The snapshots are written from the
-- tables they copy, by triggers in the same transaction as the change, so
-- a page never sees one without the other.  site_json and site_scope fall
-- back to computing when a site has no row (never, unless someone
-- disabled the triggers).  tests/sql/test_page_snapshots.py compares
-- every snapshot with what it copies after each kind of change.
--
-- Triggers (statement-level, with transition tables where rows matter):
--     sites, site_domains, organs        site_pages and site_hosts rebuilt
--                                        (a few dozen rows)
--     items                              item_pages of the rows written
--     attachments                        item_pages of their items
--     organs, categories                 item_pages of their items

-- --------------------------------------------------------------- sites

alter function site_json(sites) rename to site_json_compute;
alter function site_scope(sites) rename to site_scope_compute;

create table site_pages (
    site_id  bigint primary key,    -- sites.id (no foreign key: rebuilt
                                    -- whole, see site_pages_rebuild)
    json     json not null,         -- site_json_compute(site)
    scope    bigint[] not null      -- site_scope_compute(site)
);

comment on table site_pages is
    'each site''s "site" member and scope, as site_json_compute and '
    'site_scope_compute give them (0081); rebuilt by triggers';

create table site_hosts (
    domain   text primary key,      -- a served site_domains.domain
    site_id  bigint not null,
    json     json not null,
    scope    bigint[] not null
);

comment on table site_hosts is
    'the host names site_for_host serves, with their site''s '
    'site_pages row (0081); rebuilt by triggers';

-- Rebuilt whole: there are a few dozen sites, and an organ's new name may
-- show on any site (a portal's department sites show the portal's).  The
-- lock serialises two transactions rebuilding at once (each sees the
-- other's rows only after the lock is granted, in READ COMMITTED).
create function site_pages_rebuild()
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    lock table site_pages in share row exclusive mode;
    delete from site_pages;
    delete from site_hosts;

    insert into site_pages (site_id, json, scope)
    select s.id, site_json_compute(s), coalesce(site_scope_compute(s), '{}')
      from sites s;

    -- site_for_host's conditions
    insert into site_hosts (domain, site_id, json, scope)
    select d.domain, p.site_id, p.json, p.scope
      from site_domains d
      join sites s on s.id = d.site_id
      join site_pages p on p.site_id = s.id
     where d.role <> 'former' and s.state = 'active';
end
$$;

create function site_pages_refresh()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    perform site_pages_rebuild();
    return null;
end
$$;

create trigger sites_site_pages
    after insert or update or delete or truncate on sites
    for each statement execute function site_pages_refresh();

create trigger site_domains_site_pages
    after insert or update or delete or truncate on site_domains
    for each statement execute function site_pages_refresh();

create trigger organs_site_pages
    after insert or update or delete or truncate on organs
    for each statement execute function site_pages_refresh();

select site_pages_rebuild();

create function site_json(p_site sites)
returns json
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_json  json;
begin
    if p_site.id is null then
        return null;
    end if;
    select p.json into v_json from site_pages p where p.site_id = p_site.id;
    if not found then
        return site_json_compute(p_site);
    end if;
    return v_json;
end
$$;

create function site_scope(p_site sites)
returns bigint[]
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_scope  bigint[];
begin
    if p_site.id is null then
        return null;
    end if;
    select p.scope into v_scope from site_pages p where p.site_id = p_site.id;
    if not found then
        return site_scope_compute(p_site);
    end if;
    return v_scope;
end
$$;

-- --------------------------------------------------------------- items

-- What an item's public page shows of it: the "item" member of a
-- published item's page, the "withdrawn" member of a withdrawn one's
-- (sql/PAGES.md), null in any other state (the bodies are 0017's).
create function item_page_compute(p_item bigint)
returns json
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_item  record;
begin
    -- not "select *": the search columns are large and not shown
    select i.id, i.state, i.index_no, i.title, i.summary, i.doc_no,
           i.generated_on, i.published_at, i.changed_at, i.change_note,
           i.keywords, i.validity, i.organ_id, i.category_id, i.body_html,
           i.withdrawn_at, i.withdraw_reason
      into v_item
      from items i where i.id = p_item;
    if not found then
        return null;
    end if;

    if v_item.state = 'withdrawn' then
        return json_build_object(
            'index_no', v_item.index_no,
            'title', v_item.title,
            'doc_no', v_item.doc_no,
            'organ', organ_json(v_item.organ_id),
            'generated_on', to_char(v_item.generated_on, 'YYYY-MM-DD'),
            'published_on', to_char(v_item.published_at
                                    at time zone 'Asia/Shanghai',
                                    'YYYY-MM-DD'),
            'withdrawn_on', to_char(v_item.withdrawn_at
                                    at time zone 'Asia/Shanghai',
                                    'YYYY-MM-DD'),
            'reason', v_item.withdraw_reason);
    end if;

    if v_item.state <> 'published' then
        return null;
    end if;

    return json_build_object(
        'index_no', v_item.index_no,
        'title', v_item.title,
        'summary', v_item.summary,
        'doc_no', v_item.doc_no,
        'generated_on', to_char(v_item.generated_on, 'YYYY-MM-DD'),
        'published_on', to_char(v_item.published_at
                                at time zone 'Asia/Shanghai',
                                'YYYY-MM-DD'),
        'published_at', to_char(v_item.published_at
                                at time zone 'Asia/Shanghai',
                                'YYYY-MM-DD HH24:MI'),
        'changed_on', to_char(v_item.changed_at
                              at time zone 'Asia/Shanghai',
                              'YYYY-MM-DD'),
        'changed_at', to_char(v_item.changed_at
                              at time zone 'Asia/Shanghai',
                              'YYYY-MM-DD HH24:MI'),
        'change_note', v_item.change_note,
        'keywords', v_item.keywords,
        'validity', v_item.validity,
        'organ', organ_json(v_item.organ_id),
        'category', (select json_build_object('code', c.code,
                                              'name', c.name)
                       from categories c
                      where c.id = v_item.category_id),
        'body_html', v_item.body_html,
        'attachments', public_attachments_json(v_item.id));
end
$$;

create table item_pages (
    item_id   bigint primary key references items (id) on delete cascade,
    index_no  text not null unique,
    organ_id  bigint not null,
    state     text not null
              check (state in ('published', 'withdrawn', 'removed')),
    json      json                  -- item_page_compute(item_id); null
                                    -- when removed (the page says 410)
);

comment on table item_pages is
    'index number, organ and state of each item a public page answers '
    'for, and what its page shows, as item_page_compute gives it (0081); '
    'kept by triggers';

-- The snapshots of these items made again (or dropped: an item in none
-- of the states above has none).
--
-- The items' rows are locked first, as an UPDATE of the item would: a
-- snapshot is computed from what is committed when its statement starts,
-- so two transactions changing one item by different tables (an
-- attachment here, the item's title there) must not compute at the same
-- time, or the one that writes last would write what it saw before the
-- other committed.  Waiting for the other's lock, the next statement
-- sees it (READ COMMITTED).  Items are locked in id order, as many at
-- once as an organ's new name concerns.
create function item_pages_refresh(p_items bigint[])
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if p_items is null or cardinality(p_items) = 0 then
        return;
    end if;

    perform 1 from items i
      where i.id = any (p_items)
      order by i.id
        for no key update;

    delete from item_pages p
     where p.item_id = any (p_items)
       and not exists (select 1 from items i
                        where i.id = p.item_id
                          and i.state in ('published', 'withdrawn',
                                          'removed'));

    insert into item_pages as p (item_id, index_no, organ_id, state, json)
    select i.id, i.index_no, i.organ_id, i.state, item_page_compute(i.id)
      from items i
     where i.id = any (p_items)
       and i.state in ('published', 'withdrawn', 'removed')
    on conflict (item_id) do update
       set index_no = excluded.index_no, organ_id = excluded.organ_id,
           state = excluded.state, json = excluded.json;
end
$$;

-- The rows written are locked by their own statement (see
-- item_pages_refresh).
create function items_item_pages()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    -- from the transition table itself: gen-items inserts a million rows
    -- in one statement
    delete from item_pages p
     using new_rows n
     where p.item_id = n.id
       and n.state not in ('published', 'withdrawn', 'removed');

    insert into item_pages as p (item_id, index_no, organ_id, state, json)
    select n.id, n.index_no, n.organ_id, n.state, item_page_compute(n.id)
      from new_rows n
     where n.state in ('published', 'withdrawn', 'removed')
    on conflict (item_id) do update
       set index_no = excluded.index_no, organ_id = excluded.organ_id,
           state = excluded.state, json = excluded.json;
    return null;
end
$$;

create trigger items_item_pages_insert
    after insert on items
    referencing new table as new_rows
    for each statement execute function items_item_pages();

create trigger items_item_pages_update
    after update on items
    referencing new table as new_rows
    for each statement execute function items_item_pages();

create function attachments_item_pages()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if tg_op = 'INSERT' then
        perform item_pages_refresh(array(select distinct item_id
                                           from new_rows));
    elsif tg_op = 'DELETE' then
        perform item_pages_refresh(array(select distinct item_id
                                           from old_rows));
    else
        perform item_pages_refresh(array(select item_id from new_rows
                                         union
                                         select item_id from old_rows));
    end if;
    return null;
end
$$;

create trigger attachments_item_pages_insert
    after insert on attachments
    referencing new table as new_rows
    for each statement execute function attachments_item_pages();

create trigger attachments_item_pages_update
    after update on attachments
    referencing old table as old_rows new table as new_rows
    for each statement execute function attachments_item_pages();

create trigger attachments_item_pages_delete
    after delete on attachments
    referencing old table as old_rows
    for each statement execute function attachments_item_pages();

-- An organ's or a category's code or name shows on its items' pages.
-- Rare (an administrator's change); at a million items it rewrites the
-- snapshots of that organ's or category's items.  The rows are compared
-- as the jsonb of what shows (organ_json's fields; a category's code and
-- name), so other columns changing rewrite nothing.
create function names_item_pages()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_shown  text[] := case tg_table_name
                           when 'organs'
                           then array['unit_code', 'name', 'short_name']
                           else array['code', 'name']
                       end;
    v_ids    bigint[];
begin
    select array_agg(n.id) into v_ids
      from new_rows n
      join old_rows o on o.id = n.id
     where (select jsonb_object_agg(k, to_jsonb(n) -> k)
              from unnest(v_shown) k)
           is distinct from
           (select jsonb_object_agg(k, to_jsonb(o) -> k)
              from unnest(v_shown) k);

    if v_ids is null then
        return null;
    end if;

    if tg_table_name = 'organs' then
        perform item_pages_refresh(array(
            select i.id from items i
             where i.organ_id = any (v_ids)
               and i.state in ('published', 'withdrawn')));
    else
        perform item_pages_refresh(array(
            select i.id from items i
             where i.category_id = any (v_ids)
               and i.state = 'published'));
    end if;
    return null;
end
$$;

create trigger organs_item_pages
    after update on organs
    referencing old table as old_rows new table as new_rows
    for each statement execute function names_item_pages();

create trigger categories_item_pages
    after update on categories
    referencing old table as old_rows new table as new_rows
    for each statement execute function names_item_pages();

insert into item_pages (item_id, index_no, organ_id, state, json)
select i.id, i.index_no, i.organ_id, i.state, item_page_compute(i.id)
  from items i
 where i.state in ('published', 'withdrawn', 'removed');

-- ------------------------------------------------------------ the page

-- Same arguments and result as 0017's, from the snapshots in one
-- statement.  Whether a scheduled round is due (publish_due()'s first
-- test) is asked in the same statement; when one is, it is applied and
-- the page read again.
create or replace function portal.page_item(p_host text, p_index_no text)
returns json
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site   json;
    v_state  text;
    v_page   json;
    v_due    boolean;
    v_found  boolean;
begin
    for v_pass in 1 .. 2 loop
        select h.json, p.state, p.json,
               exists (select 1 from review_rounds
                        where outcome = 'approved' and applied_at is null
                          and publish_at <= now())
          into v_site, v_state, v_page, v_due
          from site_hosts h
          left join item_pages p
                 on p.index_no = p_index_no and p.organ_id = any (h.scope)
         where h.domain = p_host;
        v_found := found;
        exit when not v_due or v_pass = 2;
        perform publish_due();
    end loop;

    if not v_found then
        return json_build_object('site', null);
    end if;

    if v_state is null then
        return json_build_object('site', v_site,
                                 'not_found', true, 'item', null);
    end if;

    if v_state = 'removed' then
        return json_build_object('site', v_site,
                                 'not_found', false, 'gone', true,
                                 'item', null, 'withdrawn', null);
    end if;

    if v_state = 'withdrawn' then
        return json_build_object('site', v_site,
                                 'not_found', false, 'gone', false,
                                 'item', null, 'withdrawn', v_page);
    end if;

    return json_build_object('site', v_site,
                             'not_found', false, 'gone', false,
                             'withdrawn', null, 'item', v_page);
end
$$;
