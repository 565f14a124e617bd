-- 0008: internal helpers of the portal functions (schema gongkai, not
-- executable by the web role): site lookup, scope, JSON shapes, keyset
-- cursors and the catalogue row finder.

-- The active site registered for a normalised host, or no row.
create function site_for_host(p_host text)
returns sites
language sql stable
set search_path = gongkai, pg_temp
as $$
    select s.*
      from site_domains d
      join sites s on s.id = d.site_id
     where d.domain = p_host and s.state = 'active'
$$;

create function site_primary_domain(p_site_id bigint)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select domain from site_domains
     where site_id = p_site_id
     order by is_primary desc, domain
     limit 1
$$;

-- ORGAN (sql/PAGES.md)
create function organ_json(p_organ_id bigint)
returns json
language sql stable
set search_path = gongkai, pg_temp
as $$
    select json_build_object('unit_code', unit_code, 'name', name,
                             'short_name', short_name)
      from organs where id = p_organ_id
$$;

-- the "site" member (sql/PAGES.md)
create function site_json(p_site sites)
returns json
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case when p_site.id is null then null else
        json_build_object(
            'name', p_site.name,
            'kind', p_site.kind,
            'domain', site_primary_domain(p_site.id),
            'organ', organ_json(p_site.organ_id),
            'portal', (select json_build_object(
                                  'name', p.name,
                                  'domain', site_primary_domain(p.id))
                         from sites p where p.id = p_site.parent_id))
    end
$$;

-- A site's scope (sql/PAGES.md): a portal shows its organ and every organ
-- below it, a department site only its own organ.
create function site_scope(p_site sites)
returns bigint[]
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case p_site.kind
               when 'portal' then organ_subtree(p_site.organ_id)
               else array[p_site.organ_id]
           end
$$;

-- ITEMROW (sql/PAGES.md) of a published item
create function item_row_json(p_item_id bigint)
returns json
language sql stable
set search_path = gongkai, pg_temp
as $$
    select json_build_object(
               'index_no', i.index_no,
               'title', i.title,
               'doc_no', i.doc_no,
               'generated_on', to_char(i.generated_on, 'YYYY-MM-DD'),
               'published_on', to_char(i.published_at
                                       at time zone 'Asia/Shanghai',
                                       'YYYY-MM-DD'),
               'organ_name', o.name,
               'category_name', c.name)
      from items i
      join organs o on o.id = i.organ_id
      join categories c on c.id = i.category_id
     where i.id = p_item_id and i.state = 'published'
$$;

-- Keyset cursor: <publication epoch microseconds>.<item id>
create function cursor_text(p_at timestamptz, p_id bigint)
returns text
language sql immutable strict
set search_path = gongkai, pg_temp
as $$
    select (extract(epoch from p_at) * 1000000)::bigint::text
           || '.' || p_id::text
$$;

-- Parses a cursor; any malformed or out-of-range value gives nulls.
create function cursor_parse(p_cursor text, out at timestamptz,
                             out id bigint)
language plpgsql immutable
set search_path = gongkai, pg_temp
as $$
declare
    v_us  numeric;
    v_id  numeric;
begin
    if p_cursor is null or p_cursor !~ '^[0-9]{1,18}\.[0-9]{1,19}$' then
        return;
    end if;
    v_us := split_part(p_cursor, '.', 1)::numeric;
    v_id := split_part(p_cursor, '.', 2)::numeric;
    -- 0 .. year 5000 in microseconds; ids are positive bigints
    if v_us > 95617584000000000 or v_id < 1
       or v_id > 9223372036854775807
    then
        return;
    end if;
    at := timestamptz 'epoch' + v_us::bigint * interval '1 microsecond';
    id := v_id::bigint;
end
$$;

-- The published items of the given organs, categories (null = any) and
-- generation year (null = any), strictly older (p_older) or newer than
-- the cursor (null = from the newest), at most p_limit, always returned
-- newest first.  See 0007 for the two access paths.
create function catalogue_rows(p_organs bigint[], p_cats integer[],
                               p_year integer, p_at timestamptz,
                               p_id bigint, p_older boolean,
                               p_limit integer)
returns table (item_id bigint, item_at timestamptz)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_triples  bigint;
    v_match    numeric;
    v_all      numeric;
    v_merge    boolean;
    v_at       timestamptz := p_at;
    v_id       bigint := p_id;
begin
    if v_at is null or v_id is null then
        -- from the newest: a sentinel after every item keeps one plan shape
        p_older := true;
        v_at := timestamptz 'infinity';
        v_id := 9223372036854775807;
    end if;

    if p_organs is null or cardinality(p_organs) = 0 then
        return;
    end if;

    select count(*), coalesce(sum(c.n), 0) into v_triples, v_match
      from item_counts c
     where c.organ_id = any(p_organs)
       and (p_cats is null or c.category_id = any(p_cats))
       and (p_year is null or c.year = p_year)
       and c.n > 0;

    if v_match = 0 then
        return;
    end if;

    select coalesce(sum(c.n), 0) into v_all from item_counts c;

    -- merge per triple when there are few triples or the filter is
    -- selective (under 5% of all published items)
    v_merge := v_triples <= 64 or v_match * 20 < v_all;

    if v_merge and p_older then
        return query
        select r.id, r.published_at
          from item_counts t
          cross join lateral (
                select i.id, i.published_at
                  from items i
                 where i.state = 'published'
                   and i.organ_id = t.organ_id
                   and i.category_id = t.category_id
                   and i.gen_year = t.year
                   and (i.published_at, i.id) < (v_at, v_id)
                 order by i.published_at desc, i.id desc
                 limit p_limit) r
         where t.organ_id = any(p_organs)
           and (p_cats is null or t.category_id = any(p_cats))
           and (p_year is null or t.year = p_year)
           and t.n > 0
         order by r.published_at desc, r.id desc
         limit p_limit;

    elsif v_merge then
        return query
        select x.id, x.published_at
          from (select r.id, r.published_at
                  from item_counts t
                  cross join lateral (
                        select i.id, i.published_at
                          from items i
                         where i.state = 'published'
                           and i.organ_id = t.organ_id
                           and i.category_id = t.category_id
                           and i.gen_year = t.year
                           and (i.published_at, i.id) > (v_at, v_id)
                         order by i.published_at, i.id
                         limit p_limit) r
                 where t.organ_id = any(p_organs)
                   and (p_cats is null or t.category_id = any(p_cats))
                   and (p_year is null or t.year = p_year)
                   and t.n > 0
                 order by r.published_at, r.id
                 limit p_limit) x
         order by x.published_at desc, x.id desc;

    elsif p_older then
        return query
        select i.id, i.published_at
          from items i
         where i.state = 'published'
           and i.organ_id = any(p_organs)
           and (p_cats is null or i.category_id = any(p_cats))
           and (p_year is null or i.gen_year = p_year)
           and (i.published_at, i.id) < (v_at, v_id)
         order by i.published_at desc, i.id desc
         limit p_limit;

    else
        return query
        select x.id, x.published_at
          from (select i.id, i.published_at
                  from items i
                 where i.state = 'published'
                   and i.organ_id = any(p_organs)
                   and (p_cats is null or i.category_id = any(p_cats))
                   and (p_year is null or i.gen_year = p_year)
                   and (i.published_at, i.id) > (v_at, v_id)
                 order by i.published_at, i.id
                 limit p_limit) x
         order by x.published_at desc, x.id desc;
    end if;
end
$$;
