-- 0017: the public pages after the review chain (sql/PAGES.md):
--   * a scheduled item appears at its time without anybody acting: the
--     functions that list or show items first call publish_due(), so
--     they are volatile now (same arguments, same JSON);
--   * the item page shows the last change's date and note (004 第十九条:
--     changes are approved and visible as such);
--   * a withdrawn item's URL shows a withdrawal notice (title, index
--     number, dates, reason; no body, no attachments), a removed one
--     answers 410 ("gone");
--   * attachments of a change not yet approved, or removed by an approved
--     change, are never served.

-- page_home and page_catalogue keep their bodies (0009) under new names
-- in schema gongkai, not executable by the web role; the portal
-- functions publish what is due, then call them.
alter function portal.page_home(text) rename to page_home_published;
alter function portal.page_home_published(text) set schema gongkai;
alter function gongkai.page_home_published(text) security invoker;
revoke all on function gongkai.page_home_published(text)
    from public, gongkai_web;

alter function portal.page_catalogue(text, text, text, integer, text, text)
    rename to page_catalogue_published;
alter function portal.page_catalogue_published(text, text, text, integer,
                                               text, text)
    set schema gongkai;
alter function gongkai.page_catalogue_published(text, text, text, integer,
                                                text, text)
    security invoker;
revoke all on function gongkai.page_catalogue_published(text, text, text,
                                                        integer, text, text)
    from public, gongkai_web;

create function portal.page_home(p_host text)
returns json
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
begin
    perform publish_due();
    return page_home_published(p_host);
end
$$;

create function portal.page_catalogue(p_host text, p_category text,
                                      p_organ text, p_year integer,
                                      p_after text, p_before text)
returns json
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
begin
    perform publish_due();
    return page_catalogue_published(p_host, p_category, p_organ, p_year,
                                    p_after, p_before);
end
$$;

drop function portal.page_item(text, text);

create function portal.page_item(p_host text, p_index_no text)
returns json
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site  sites;
    v_item  items;
begin
    perform publish_due();

    v_site := site_for_host(p_host);
    if v_site.id is null then
        return json_build_object('site', null);
    end if;

    select * into v_item
      from items i
     where i.index_no = p_index_no
       and i.state in ('published', 'withdrawn', 'removed')
       and i.organ_id = any(site_scope(v_site));

    if not found then
        return json_build_object('site', site_json(v_site),
                                 'not_found', true, 'item', null);
    end if;

    if v_item.state = 'removed' then
        return json_build_object('site', site_json(v_site),
                                 'not_found', false, 'gone', true,
                                 'item', null, 'withdrawn', null);
    end if;

    if v_item.state = 'withdrawn' then
        return json_build_object(
            'site', site_json(v_site),
            'not_found', false,
            'gone', false,
            'item', null,
            'withdrawn', json_build_object(
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
                'reason', v_item.withdraw_reason));
    end if;

    return json_build_object(
        'site', site_json(v_site),
        'not_found', false,
        'gone', false,
        'withdrawn', null,
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
            'attachments', public_attachments_json(v_item.id)));
end
$$;

create or replace function portal.attachment(p_host text, p_index_no text,
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
        on a.no = p_no and not a.pending and a.removed_at is null;
end
$$;

grant execute on function portal.page_home(text),
    portal.page_catalogue(text, text, text, integer, text, text),
    portal.page_item(text, text)
    to gongkai_web;
