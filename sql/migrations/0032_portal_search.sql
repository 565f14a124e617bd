-- 0032: portal.page_search, the search page (sql/PAGES.md), granted to
-- the web role like the other portal functions (0010).  Security
-- definer, search_path pinned, published items only (先审后发: 000
-- 网站管理办法 第二十三条), within the site's scope.  Like the other
-- pages that list items (0017) it first publishes what is due, so it is
-- volatile: a scheduled item is found from its time on.

create function portal.page_search(p_host text, p_q text,
                                   p_category text, p_organ text,
                                   p_year integer, p_page integer)
returns json
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
set client_min_messages = warning
set jit = off
as $$
declare
    v_site      sites;
    v_scope     bigint[];
    v_organs    bigint[];
    v_cat       categories;
    v_cats      integer[];
    v_organ     organs;
    v_q         text;
    v_too_long  boolean := false;
    v_terms     text[];
    v_query     tsquery;
    v_re        text;
    v_size      constant integer := search_page_size();
    v_page      integer;
    v_pages     integer := 0;
    v_ids       bigint[] := '{}';
    v_levels    integer[] := '{}';
    v_total     integer := 0;
    v_capped    boolean := false;
    v_approx    boolean := false;
    v_more      boolean := false;
begin
    perform publish_due();

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

    -- the query: blanks at both ends do not count; at most 100
    -- characters (the module passes at most 101)
    v_q := nullif(regexp_replace(p_q, '^[\s\u00a0\u3000]+|[\s\u00a0\u3000]+$',
                                 '', 'g'), '');
    if char_length(v_q) > 100 then
        v_too_long := true;
    elsif v_q is not null then
        v_terms := search_terms(v_q);
        v_query := search_tsquery(v_terms);
        v_re := search_hit_regex(v_terms);
    end if;

    v_page := least(greatest(coalesce(p_page, 1), 1),
                    search_cap() / v_size);

    if v_query is not null then
        select r.ids, r.levels, r.more, r.total, r.capped, r.approximate
          into v_ids, v_levels, v_more, v_total, v_capped, v_approx
          from search_rows(v_terms, v_organs, v_cats, p_year,
                           (v_page - 1) * v_size, v_size) r;
        if not v_approx then
            v_pages := ceil(v_total::numeric / v_size)::integer;
        end if;
    end if;

    return json_build_object(
        'site', site_json(v_site),
        'not_found', false,
        'query', json_build_object(
            'q', left(v_q, 100),
            'searched', v_query is not null,
            'too_long', v_too_long,
            'unsearchable', v_q is not null and not v_too_long
                            and v_query is null,
            'max_length', 100),
        'filter', json_build_object(
            'category', case when v_cat.id is not null then
                            json_build_object('code', v_cat.code,
                                              'name', v_cat.name) end,
            'organ', case when v_organ.id is not null then
                         organ_json(v_organ.id) end,
            'year', p_year),
        'categories', (
            with recursive tree (id, code, name, depth, path) as (
                select c.id, c.code, c.name, 0,
                       array[lpad(c.sort::text, 10, '0') || c.code]
                  from categories c where c.parent_id is null
                union all
                select c.id, c.code, c.name, t.depth + 1,
                       t.path || (lpad(c.sort::text, 10, '0') || c.code)
                  from categories c join tree t on c.parent_id = t.id
            )
            select coalesce(json_agg(json_build_object(
                                'code', t.code, 'name', t.name,
                                'depth', t.depth,
                                -- indented by depth for a <select>
                                'label', repeat(U&'\3000', t.depth) || t.name,
                                'selected', (t.id = v_cat.id) is true)
                            order by t.path), '[]')
              from tree t),
        'organs', (
            select coalesce(json_agg(json_build_object(
                                'unit_code', o.unit_code, 'name', o.name,
                                'short_name', o.short_name,
                                'selected', (o.id = v_organ.id) is true)
                            order by o.unit_code), '[]')
              from organs o
             where o.id = any(v_scope)
               and exists (select 1 from item_counts k
                            where k.organ_id = o.id and k.n > 0)),
        'years', (
            select coalesce(json_agg(json_build_object(
                                'year', y.year,
                                'label', y.year || '年',
                                'selected', (y.year = p_year) is true)
                            order by y.year desc), '[]')
              from (select k.year
                      from item_counts k
                     where k.organ_id = any(v_scope)
                     group by k.year
                    having sum(k.n) > 0) y),
        'total', v_total,
        'total_exact', not v_capped and not v_approx,
        'total_capped', v_capped,
        'total_approximate', v_approx,
        'no_results', v_query is not null and v_total = 0,
        'page', v_page,
        'pages', case when v_pages > 0 then v_pages end,
        'first', (v_page - 1) * v_size + 1,
        'last', (v_page - 1) * v_size + coalesce(cardinality(v_ids), 0),
        'prev_page', case when v_page > 1 then v_page - 1 end,
        'next_page', case when v_more then v_page + 1 end,
        'items', (
            select coalesce(json_agg(json_build_object(
                       'index_no', i.index_no,
                       'title', i.title,
                       'doc_no', i.doc_no,
                       'generated_on', to_char(i.generated_on,
                                               'YYYY-MM-DD'),
                       'published_on', to_char(i.published_at
                                               at time zone 'Asia/Shanghai',
                                               'YYYY-MM-DD'),
                       'organ_name', o.name,
                       'category_name', c.name,
                       'match', (array['title', 'number', 'text'])
                                [u.level + 1],
                       'title_parts', search_parts(i.title, v_re),
                       'doc_no_parts', search_parts(i.doc_no, v_re),
                       'summary_parts', search_snippet(i.summary,
                                                       i.body_html, v_re))
                   order by u.ord), '[]')
              from unnest(v_ids, v_levels)
                   with ordinality u (id, level, ord)
              join items i on i.id = u.id and i.state = 'published'
              join organs o on o.id = i.organ_id
              join categories c on c.id = i.category_id));
end
$$;

revoke all on function portal.page_search(text, text, text, text, integer,
                                          integer) from public;
grant execute on function portal.page_search(text, text, text, text,
                                             integer, integer)
    to gongkai_web;
