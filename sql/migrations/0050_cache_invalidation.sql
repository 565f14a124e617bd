-- 0050: invalidating the module's page cache (gongkai_cache, README.md)
-- by NOTIFY, sent when the change commits and only if it commits, so
-- that a change is visible to citizens as soon as it is made (within a
-- second).
--
-- What changed is collected during the transaction (cache_queue) and
-- sent at commit, as one notification on channel gongkai_cache:
--
--     <seq> <what> [<what> ...]
--
-- <seq> numbers the committed transactions that changed public content
-- (cache_epoch.n; taken at commit, so the numbers arrive in order), and
-- each <what> is one of
--     <domain>       the pages served under that host name are stale (a
--                    site_domains.domain: the module files a page under
--                    the normalised Host it was asked for, which is one
--                    of its site's domains);
--     *              every page of every site is stale;
--     *@<epoch>      every page is stale after that time (Unix seconds):
--                    a scheduled publication, change or withdrawal
--                    (review_rounds.publish_at) takes effect then, when
--                    the next page that shows items runs publish_due().
-- A cache that was not listening for a while compares the last number
-- it saw with cache_epoch.n (portal.cache_state()): if they differ it
-- missed something and counts everything as stale; if not, nothing
-- changed meanwhile and what it holds is still good.
--
-- Which sites show an item (sql/PAGES.md "scope"): a portal shows the
-- items of its organ and of every organ below it, a department site only
-- its own organ's.  So a change to an item of organ O concerns the
-- department site of O and the portal of O and of each organ above O,
-- under every domain of theirs.  A change to a site or its domains (rare,
-- approved by the competent authority) concerns every site: a site's name
-- and domain are shown by its department sites, and its announcements
-- (公示, site_announcements, issue 6) by the portals above it.
--
-- Hook for later issues: whatever a cached page shows must be queued
-- when it changes.  A table of organ-owned public content calls
-- cache_notify_organs(array of organ ids) from a statement-level trigger
-- (as guides do below), a change that concerns every site calls
-- cache_notify_all().  Tables made by later migrations:
--   * site_announcements (issue 6, 0062): an announcement is written in
--     the same transaction as the change of its site (site_request_apply),
--     which notifies everything; a migration after 0066 should still give
--     it a trigger calling cache_notify_all(), for announcements written
--     alone;
--   * the annual reports (年度报告, 0070-0073): their pages (/reports) are
--     not cached (their routes do not ask the cache) and no cached page
--     shows them; a route that starts caching them needs, in a migration
--     after 0073, a trigger on the publication of a report calling
--     cache_notify_organs(array[the report's organ]).

-- ------------------------------------------------ the notification queue

create table cache_epoch (
    id  boolean primary key default true check (id),
    n   bigint not null default 0
);

insert into cache_epoch default values;

-- one row per transaction with something queued, for the commit trigger
create unlogged table cache_pending (
    xid  xid8 primary key
);

-- Queue one <what> for the notification of this transaction.  The list
-- is a transaction-local setting: a rolled back subtransaction takes its
-- part back with it, like its row in cache_pending.
create function cache_queue(p_what text)
returns void
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_list  text := current_setting('gongkai.cache_queue', true);
begin
    if v_list is null or v_list = '' then
        insert into cache_pending (xid) values (pg_current_xact_id());
        v_list := p_what;
    elsif position(' ' || p_what || ' ' in ' ' || v_list || ' ') > 0 then
        return;
    else
        v_list := v_list || ' ' || p_what;
    end if;
    perform set_config('gongkai.cache_queue', v_list, true);
end
$$;

-- At commit (a deferred constraint trigger runs just before it): number
-- the transaction and notify.  The row lock on cache_epoch orders the
-- numbers as the commits; it is held only from here to the commit.
-- Security definer: at commit the current role is whoever connected
-- (the web role, when a public page published what was due).
create function cache_pending_commit()
returns trigger
language plpgsql security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_list  text := current_setting('gongkai.cache_queue', true);
    v_n     bigint;
begin
    delete from cache_pending where xid = new.xid;
    if v_list is null or v_list = '' then
        return null;
    end if;
    -- more than 64 things: everything (and the next due time)
    if array_length(string_to_array(v_list, ' '), 1) > 64 then
        select '*' || coalesce(' ' || string_agg(t, ' '), '') into v_list
          from unnest(string_to_array(v_list, ' ')) t
         where t like '*@%';
    end if;
    update cache_epoch set n = n + 1 returning n into v_n;
    perform pg_notify('gongkai_cache', v_n || ' ' || v_list);
    perform set_config('gongkai.cache_queue', '', true);
    return null;
end
$$;

create constraint trigger cache_pending_commit
    after insert on cache_pending
    deferrable initially deferred
    for each row execute function cache_pending_commit();

-- The sites that show the items of these organs.
create function cache_sites_of_organs(p_organs bigint[])
returns bigint[]
language sql stable
set search_path = gongkai, pg_temp
as $$
    with recursive up (id) as (
        select unnest(p_organs)
        union
        select o.parent_id from organs o join up on o.id = up.id
         where o.parent_id is not null
    )
    select array_agg(s.id order by s.id)
      from sites s
     where (s.kind = 'portal' and s.organ_id in (select id from up))
        or (s.kind = 'department' and s.organ_id = any(p_organs))
$$;

create function cache_notify_all()
returns void
language sql volatile
set search_path = gongkai, pg_temp
as $$
    select cache_queue('*')
$$;

-- every domain of these sites, whatever its role
create function cache_notify_sites(p_sites bigint[])
returns void
language plpgsql volatile
set search_path = gongkai, pg_temp
as $$
declare
    v_domain  text;
begin
    for v_domain in
        select domain from site_domains
         where site_id = any(coalesce(p_sites, '{}'))
         order by domain
    loop
        perform cache_queue(v_domain);
    end loop;
end
$$;

create function cache_notify_organs(p_organs bigint[])
returns void
language sql volatile
set search_path = gongkai, pg_temp
as $$
    select cache_notify_sites(cache_sites_of_organs(p_organs))
     where cardinality(p_organs) > 0
$$;

-- ------------------------------------------------------------ items

-- The states a citizen can see something of: the item itself, the
-- withdrawal notice, the 410 of a removed item (0017).
create function cache_visible_state(p_state text)
returns boolean
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select p_state in ('published', 'withdrawn', 'removed')
$$;

-- Statement level, so that a bulk load (tools/gen-items) notifies once.
create function items_cache_notify()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_organs  bigint[];
begin
    if tg_op = 'INSERT' then
        select array_agg(distinct organ_id) into v_organs
          from new_rows where cache_visible_state(state);
    elsif tg_op = 'DELETE' then
        select array_agg(distinct organ_id) into v_organs
          from old_rows where cache_visible_state(state);
    else
        select array_agg(distinct organ_id) into v_organs
          from (select organ_id from new_rows
                 where cache_visible_state(state)
                union
                select organ_id from old_rows
                 where cache_visible_state(state)) x;
    end if;
    perform cache_notify_organs(v_organs);
    return null;
end
$$;

create trigger items_cache_notify_insert
    after insert on items
    referencing new table as new_rows
    for each statement execute function items_cache_notify();

create trigger items_cache_notify_update
    after update on items
    referencing old table as old_rows new table as new_rows
    for each statement execute function items_cache_notify();

create trigger items_cache_notify_delete
    after delete on items
    referencing old table as old_rows
    for each statement execute function items_cache_notify();

-- attachments are public with their item (an approved change applies
-- them in the item's own transaction; a direct write notifies here)
create function attachments_cache_notify()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_organs  bigint[];
begin
    if tg_op = 'INSERT' then
        select array_agg(distinct i.organ_id) into v_organs
          from new_rows a join items i on i.id = a.item_id
         where cache_visible_state(i.state);
    elsif tg_op = 'DELETE' then
        select array_agg(distinct i.organ_id) into v_organs
          from old_rows a join items i on i.id = a.item_id
         where cache_visible_state(i.state);
    else
        select array_agg(distinct i.organ_id) into v_organs
          from (select item_id from new_rows
                union select item_id from old_rows) a
          join items i on i.id = a.item_id
         where cache_visible_state(i.state);
    end if;
    perform cache_notify_organs(v_organs);
    return null;
end
$$;

create trigger attachments_cache_notify_insert
    after insert on attachments
    referencing new table as new_rows
    for each statement execute function attachments_cache_notify();

create trigger attachments_cache_notify_update
    after update on attachments
    referencing old table as old_rows new table as new_rows
    for each statement execute function attachments_cache_notify();

create trigger attachments_cache_notify_delete
    after delete on attachments
    referencing old table as old_rows
    for each statement execute function attachments_cache_notify();

-- A truncate leaves no rows to look at.
create function cache_notify_all_trigger()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    perform cache_notify_all();
    return null;
end
$$;

create trigger items_cache_notify_truncate
    after truncate on items
    for each statement execute function cache_notify_all_trigger();

create trigger attachments_cache_notify_truncate
    after truncate on attachments
    for each statement execute function cache_notify_all_trigger();

-- ------------------------------------------------------------ sites

-- Sites and their domains: everything (see the head of this file).
create trigger sites_cache_notify
    after insert or update or delete on sites
    for each statement execute function cache_notify_all_trigger();

create trigger site_domains_cache_notify
    after insert or update or delete on site_domains
    for each statement execute function cache_notify_all_trigger();

-- ------------------------------------- organs, categories, guides

-- Organ names are on every item row and the categories on every
-- catalogue page: rare changes, all sites.
create trigger organs_cache_notify
    after insert or update or delete on organs
    for each statement execute function cache_notify_all_trigger();

create trigger categories_cache_notify
    after insert or update or delete on categories
    for each statement execute function cache_notify_all_trigger();

-- an organ's guide (条例第12条) is shown by the sites that show its items
create function guides_cache_notify()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_organs  bigint[];
begin
    if tg_op = 'INSERT' then
        select array_agg(organ_id) into v_organs from new_rows;
    elsif tg_op = 'DELETE' then
        select array_agg(organ_id) into v_organs from old_rows;
    else
        select array_agg(distinct organ_id) into v_organs
          from (select organ_id from new_rows
                union select organ_id from old_rows) x;
    end if;
    perform cache_notify_organs(v_organs);
    return null;
end
$$;

create trigger guides_cache_notify_insert
    after insert on guides
    referencing new table as new_rows
    for each statement execute function guides_cache_notify();

create trigger guides_cache_notify_update
    after update on guides
    referencing old table as old_rows new table as new_rows
    for each statement execute function guides_cache_notify();

create trigger guides_cache_notify_delete
    after delete on guides
    referencing old table as old_rows
    for each statement execute function guides_cache_notify();

-- ---------------------------------------------- scheduled publication

-- The next time an approved round takes effect by itself (publish_due()),
-- or null.  One probe of the partial index review_rounds_due.
create function cache_next_due()
returns timestamptz
language sql stable
set search_path = gongkai, pg_temp
as $$
    select min(publish_at) from review_rounds
     where outcome = 'approved' and applied_at is null
       and publish_at > now()
$$;

-- Whenever rounds change, queue the next due time (rounded up to the
-- second): pages cached before it stop being fresh then, and the first
-- page to show items publishes what is due.  A round already due (its
-- time was moved into the past) makes everything stale at once.
create function review_rounds_cache_notify()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_due  timestamptz := cache_next_due();
begin
    if exists (select 1 from review_rounds
                where outcome = 'approved' and applied_at is null
                  and publish_at <= now())
    then
        perform cache_notify_all();
    end if;
    if v_due is not null then
        perform cache_queue('*@' || ceil(extract(epoch from v_due))::bigint);
    end if;
    return null;
end
$$;

create trigger review_rounds_cache_notify
    after insert or update on review_rounds
    for each statement execute function review_rounds_cache_notify();

-- ---------------------------------------------- for the module

-- What a cache needs when its LISTEN connection (re)starts: the next due
-- time (Unix seconds, or null) and the number of the last notification
-- sent (cache_epoch.n).
create function portal.cache_state(out due bigint, out seq bigint)
language sql stable security definer
set search_path = gongkai, pg_temp
as $$
    select ceil(extract(epoch from cache_next_due()))::bigint,
           (select n from cache_epoch)
$$;

grant execute on function portal.cache_state() to gongkai_web;
