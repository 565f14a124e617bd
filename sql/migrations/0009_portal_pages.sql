-- 0009: the public page functions, exactly as sql/PAGES.md describes
-- them.  All are security definer (the web role has no table rights),
-- stable, owned by gongkai_owner, search_path pinned, and read published
-- items only (先审后发: 000 网站管理办法 第二十三条).

create function portal.page_site(p_host text)
returns json
language sql stable security definer
set search_path = gongkai, pg_temp
as $$
    select json_build_object('site', site_json(s))
      from (select (site_for_host(p_host)).*) s
$$;

create function portal.page_home(p_host text)
returns json
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site   sites;
    v_scope  bigint[];
begin
    v_site := site_for_host(p_host);
    if v_site.id is null then
        return json_build_object('site', null);
    end if;
    v_scope := site_scope(v_site);

    return json_build_object(
        'site', site_json(v_site),
        'latest', (select coalesce(json_agg(item_row_json(r.item_id)
                                            order by r.item_at desc,
                                                     r.item_id desc),
                                   '[]')
                     from catalogue_rows(v_scope, null, null, null, null,
                                         true, 10) r),
        'categories', (
            with recursive clo (anc, des) as (
                select c.id, c.id from categories c
                union all
                select clo.anc, c.id
                  from clo join categories c on c.parent_id = clo.des
            ), cnt as (
                select clo.anc, sum(k.n) as n
                  from clo join item_counts k on k.category_id = clo.des
                 where k.organ_id = any(v_scope)
                 group by clo.anc
            )
            select coalesce(json_agg(json_build_object(
                                         'code', c.code, 'name', c.name,
                                         'count', coalesce(cnt.n, 0))
                                     order by c.sort, c.code), '[]')
              from categories c left join cnt on cnt.anc = c.id
             where c.parent_id is null),
        'organs', (
            select coalesce(json_agg(organ_json(o.id) order by o.unit_code),
                            '[]')
              from organs o
             where o.id = any(v_scope)
               and exists (select 1 from item_counts k
                            where k.organ_id = o.id and k.n > 0)),
        'total', (select coalesce(sum(k.n), 0) from item_counts k
                   where k.organ_id = any(v_scope)));
end
$$;

create function portal.page_catalogue(p_host text, p_category text,
                                      p_organ text, p_year integer,
                                      p_after text, p_before text)
returns json
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site     sites;
    v_scope    bigint[];
    v_organs   bigint[];
    v_cat      categories;
    v_cats     integer[];
    v_organ    organs;
    v_cursor   record;
    v_rows     bigint[];
    v_ats      timestamptz[];
    v_n        integer;
    v_next     text;
    v_prev     text;
begin
    v_site := site_for_host(p_host);
    if v_site.id is null then
        return json_build_object('site', null);
    end if;
    v_scope := site_scope(v_site);
    v_organs := v_scope;

    if p_category is not null then
        select * into v_cat from categories where code = p_category;
        if not found then
            return json_build_object('site', site_json(v_site),
                                     'not_found', true);
        end if;
        v_cats := category_subtree(v_cat.id);
    end if;

    if p_organ is not null then
        select * into v_organ from organs where unit_code = p_organ;
        if not found or not v_organ.id = any(v_scope) then
            return json_build_object('site', site_json(v_site),
                                     'not_found', true);
        end if;
        v_organs := array[v_organ.id];
    end if;

    -- the page: 21 rows tell whether there is one more page that way
    if p_before is not null then
        v_cursor := cursor_parse(p_before);
        select array_agg(r.item_id order by r.item_at desc, r.item_id desc),
               array_agg(r.item_at order by r.item_at desc, r.item_id desc)
          into v_rows, v_ats
          from catalogue_rows(v_organs, v_cats, p_year, v_cursor.at,
                              v_cursor.id, v_cursor.at is null, 21) r;
        v_n := coalesce(cardinality(v_rows), 0);
        if v_cursor.at is not null and v_n = 21 then
            v_rows := v_rows[2:21];
            v_ats := v_ats[2:21];
            v_n := 20;
            v_prev := cursor_text(v_ats[1], v_rows[1]);
        elsif v_cursor.at is null and v_n = 21 then
            v_rows := v_rows[1:20];
            v_ats := v_ats[1:20];
            v_n := 20;
        end if;
        if v_n > 0 and exists (select 1
                                 from catalogue_rows(v_organs, v_cats,
                                                     p_year, v_ats[v_n],
                                                     v_rows[v_n], true, 1))
        then
            v_next := cursor_text(v_ats[v_n], v_rows[v_n]);
        end if;
    else
        v_cursor := cursor_parse(p_after);
        select array_agg(r.item_id order by r.item_at desc, r.item_id desc),
               array_agg(r.item_at order by r.item_at desc, r.item_id desc)
          into v_rows, v_ats
          from catalogue_rows(v_organs, v_cats, p_year, v_cursor.at,
                              v_cursor.id, true, 21) r;
        v_n := coalesce(cardinality(v_rows), 0);
        if v_n = 21 then
            v_rows := v_rows[1:20];
            v_ats := v_ats[1:20];
            v_n := 20;
            v_next := cursor_text(v_ats[20], v_rows[20]);
        end if;
        if v_cursor.at is not null and v_n > 0
           and exists (select 1
                         from catalogue_rows(v_organs, v_cats, p_year,
                                             v_ats[1], v_rows[1], false, 1))
        then
            v_prev := cursor_text(v_ats[1], v_rows[1]);
        end if;
    end if;

    return json_build_object(
        'site', site_json(v_site),
        'not_found', false,
        'filter', json_build_object(
            'category', case when v_cat.id is not null then
                            json_build_object('code', v_cat.code,
                                              'name', v_cat.name) end,
            'organ', case when v_organ.id is not null then
                         organ_json(v_organ.id) end,
            'year', p_year),
        'category_tree', (
            with recursive tree (id, code, name, depth, path) as (
                select c.id, c.code, c.name, 0,
                       array[lpad(c.sort::text, 10, '0') || c.code]
                  from categories c where c.parent_id is null
                union all
                select c.id, c.code, c.name, t.depth + 1,
                       t.path || (lpad(c.sort::text, 10, '0') || c.code)
                  from categories c join tree t on c.parent_id = t.id
            ), clo (anc, des) as (
                select c.id, c.id from categories c
                union all
                select clo.anc, c.id
                  from clo join categories c on c.parent_id = clo.des
            ), cnt as (
                select clo.anc, sum(k.n) as n
                  from clo join item_counts k on k.category_id = clo.des
                 where k.organ_id = any(v_organs)
                   and (p_year is null or k.year = p_year)
                 group by clo.anc
            )
            select coalesce(json_agg(json_build_object(
                                'code', t.code, 'name', t.name,
                                'depth', t.depth,
                                'count', coalesce(cnt.n, 0))
                            order by t.path), '[]')
              from tree t left join cnt on cnt.anc = t.id),
        'organs', (
            select coalesce(json_agg(json_build_object(
                                'unit_code', o.unit_code, 'name', o.name,
                                'short_name', o.short_name,
                                'count', coalesce((
                                    select sum(k.n) from item_counts k
                                     where k.organ_id = o.id
                                       and (v_cats is null
                                            or k.category_id = any(v_cats))
                                       and (p_year is null
                                            or k.year = p_year)), 0))
                            order by o.unit_code), '[]')
              from organs o
             where o.id = any(v_scope)
               and exists (select 1 from item_counts k
                            where k.organ_id = o.id and k.n > 0)),
        'years', (
            select coalesce(json_agg(json_build_object('year', y.year,
                                                       'count', y.n)
                                     order by y.year desc), '[]')
              from (select k.year, sum(k.n) as n
                      from item_counts k
                     where k.organ_id = any(v_organs)
                       and (v_cats is null or k.category_id = any(v_cats))
                     group by k.year
                    having sum(k.n) > 0) y),
        'total', (select coalesce(sum(k.n), 0) from item_counts k
                   where k.organ_id = any(v_organs)
                     and (v_cats is null or k.category_id = any(v_cats))
                     and (p_year is null or k.year = p_year)),
        'items', (select coalesce(json_agg(item_row_json(u.id)
                                           order by u.ord), '[]')
                    from unnest(v_rows) with ordinality u (id, ord)),
        'next', v_next,
        'prev', v_prev);
end
$$;

create function portal.page_item(p_host text, p_index_no text)
returns json
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site  sites;
    v_item  items;
begin
    v_site := site_for_host(p_host);
    if v_site.id is null then
        return json_build_object('site', null);
    end if;

    select * into v_item
      from items i
     where i.index_no = p_index_no
       and i.state = 'published'
       and i.organ_id = any(site_scope(v_site));

    if not found then
        return json_build_object('site', site_json(v_site),
                                 'not_found', true, 'item', null);
    end if;

    return json_build_object(
        'site', site_json(v_site),
        'not_found', false,
        'item', json_build_object(
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
            'keywords', v_item.keywords,
            'validity', v_item.validity,
            'organ', organ_json(v_item.organ_id),
            'category', (select json_build_object('code', c.code,
                                                  'name', c.name)
                           from categories c
                          where c.id = v_item.category_id),
            'body_html', v_item.body_html,
            'attachments', (select coalesce(json_agg(json_build_object(
                                       'no', a.no,
                                       'file_name', a.file_name,
                                       'content_type', a.content_type,
                                       'size', a.size)
                                   order by a.no), '[]')
                              from attachments a
                             where a.item_id = v_item.id)));
end
$$;

create function portal.page_guide(p_host text, p_organ text)
returns json
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site   sites;
    v_scope  bigint[];
    v_organ  bigint;
    v_guide  guides;
begin
    v_site := site_for_host(p_host);
    if v_site.id is null then
        return json_build_object('site', null);
    end if;
    v_scope := site_scope(v_site);

    if p_organ is null then
        v_organ := v_site.organ_id;
    else
        select o.id into v_organ from organs o
         where o.unit_code = p_organ and o.id = any(v_scope);
    end if;

    select * into v_guide from guides g where g.organ_id = v_organ;

    return json_build_object(
        'site', site_json(v_site),
        'not_found', v_guide.organ_id is null,
        'organ', organ_json(v_organ),
        'organs', (select coalesce(json_agg(organ_json(o.id)
                                            order by o.unit_code), '[]')
                     from organs o
                    where o.id = any(v_scope)
                      and exists (select 1 from guides g
                                   where g.organ_id = o.id)),
        'guide', case when v_guide.organ_id is not null then
            json_build_object(
                'office_name', v_guide.office_name,
                'address', v_guide.address,
                'postcode', v_guide.postcode,
                'office_hours', v_guide.office_hours,
                'phone', v_guide.phone,
                'fax', v_guide.fax,
                'email', v_guide.email,
                'website', v_guide.website,
                'classification', v_guide.classification,
                'arrangement', v_guide.arrangement,
                'obtaining', v_guide.obtaining,
                'applying', v_guide.applying,
                'remedies', v_guide.remedies,
                'updated_on', to_char(v_guide.updated_on, 'YYYY-MM-DD'))
        end);
end
$$;

create function portal.attachment(p_host text, p_index_no text,
                                  p_no integer)
returns table (site json, file_name text, content_type text, data bytea)
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site  sites;
begin
    v_site := site_for_host(p_host);
    if v_site.id is null then
        return query select null::json, null::text, null::text,
                            null::bytea;
        return;
    end if;

    return query
    select site_json(v_site), a.file_name, a.content_type, a.data
      from (select 1) one
      left join (attachments a
                 join items i on i.id = a.item_id
                             and i.state = 'published'
                             and i.index_no = p_index_no
                             and i.organ_id = any(site_scope(v_site)))
        on a.no = p_no;
end
$$;
