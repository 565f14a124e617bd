-- 0051: the public pages' small helpers in PL/pgSQL, for speed only.
--
-- These helpers (0002, 0008, 0016) were SQL functions with "set
-- search_path": such a function is never inlined, and PostgreSQL parses
-- and plans its query again in every transaction that calls it, so the
-- page functions spent most of their time planning (portal.page_item
-- about 2 ms for a handful of index lookups).  A PL/pgSQL function keeps
-- its plans for the life of the connection, and the module's connections
-- live long.  Same arguments, same results, same volatility.
-- site_for_host, site_primary_domain and site_json are given new bodies
-- by 0061 and 0063 (issue 6), which come after this file: they are left
-- to those (and would gain the same way).

create or replace function organ_json(p_organ_id bigint)
returns json
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
begin
    return (select json_build_object('unit_code', unit_code, 'name', name,
                                     'short_name', short_name)
              from organs where id = p_organ_id);
end
$$;

create or replace function organ_subtree(p_id bigint)
returns bigint[]
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
begin
    return (with recursive t (id) as (
                select p_id
                union
                select o.id from organs o join t on o.parent_id = t.id
            )
            select array_agg(id) from t);
end
$$;

create or replace function category_subtree(p_id integer)
returns integer[]
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
begin
    return (with recursive t (id) as (
                select p_id
                union
                select c.id from categories c join t on c.parent_id = t.id
            )
            select array_agg(id) from t);
end
$$;

create or replace function site_scope(p_site sites)
returns bigint[]
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
begin
    if p_site.kind = 'portal' then
        return organ_subtree(p_site.organ_id);
    elsif p_site.kind is not null then
        return array[p_site.organ_id];
    end if;
    return null;
end
$$;

create or replace function item_row_json(p_item_id bigint)
returns json
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
begin
    return (select json_build_object(
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
             where i.id = p_item_id and i.state = 'published');
end
$$;

create or replace function public_attachments_json(p_item bigint)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
begin
    return (select coalesce(jsonb_agg(jsonb_build_object(
                                'no', a.no, 'file_name', a.file_name,
                                'content_type', a.content_type,
                                'size', a.size)
                            order by a.no), '[]')
              from attachments a
             where a.item_id = p_item and not a.pending
               and a.removed_at is null);
end
$$;
