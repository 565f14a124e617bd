-- 0064: links in item bodies are checked on save (issue 6 "Content
-- rules"; seed 000 网站管理办法 第十八条: 政府网站不得从事商业活动，不得与
-- 商业机构联合建网; 第二十八条: 不得与任何非法网站相链接; 001 第二十九条).
--
-- A link (a@href of the sanitised body) passes when it stays on the site
-- (a relative link, a fragment), is mailto: or tel:, or points to a
-- government domain (.gov.cn, .政务) or to a domain on the allow-list;
-- it is refused when its domain is on the deny-list (even under
-- .gov.cn), when it names a raw IP address or is malformed, and when it
-- points anywhere else ("commercial": a site that is not a government
-- one and that the competent authority has not allowed).  The host is
-- read as browsers read it (WHATWG URL): after "//", up to the first
-- "/", "\", "?" or "#", without the user information before the last
-- "@" and without the port.
--
-- The edit form's check (item_form_parse, 0018) gets the link rule: a
-- refused link is an error of the body field, shown on the form (and a
-- GKA22 for callers that do not re-render), so do_item_create and
-- do_item_save (0019) and item_create / item_save (0018) all apply it.

create table link_rules (
    id          integer generated always as identity primary key,
    domain      text not null unique
                check (domain = lower(domain) and domain ~ '^[a-z0-9.-]+$'
                       and domain !~ '(^|\.)(\.|$)'),
    rule        text not null check (rule in ('allow', 'deny')),
    note        text not null check (btrim(note) <> ''
                                     and length(note) <= 200),
    created_at  timestamptz not null default now()
);

comment on table link_rules is
    'Domains (and their sub-domains) item bodies may or may not link to.';

-- The central state media, to which government sites commonly link.
insert into link_rules (domain, rule, note) values
    ('people.com.cn', 'allow', '人民网（中央重点新闻网站）'),
    ('xinhuanet.com', 'allow', '新华网（中央重点新闻网站）'),
    ('news.cn', 'allow', '新华网（中央重点新闻网站）'),
    ('cctv.com', 'allow', '央视网（中央重点新闻网站）'),
    ('gmw.cn', 'allow', '光明网（中央重点新闻网站）');

-- The rule of the longest matching domain (a domain or one above it).
create function link_rule_for(p_host text)
returns link_rules
language sql stable
set search_path = gongkai, pg_temp
as $$
    select *
      from link_rules
     where p_host = domain or p_host like '%.' || domain
     order by length(domain) desc
     limit 1
$$;

-- A URL's character references decoded once, left to right, as a
-- browser reads an attribute (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;;
-- the sanitiser writes only the first ones, an import may have others).
create function html_unescape(p_text text)
returns text
language plpgsql immutable strict
set search_path = gongkai, pg_temp
as $$
declare
    pat     constant text := '&(#[xX][0-9a-fA-F]{1,6};?|#[0-9]{1,7};?'
                             || '|amp;|lt;|gt;|quot;|apos;)';
    v_rest  text := p_text;
    v_out   text := '';
    v_tok   text;
    v_pos   integer;
    n       bigint;
begin
    loop
        v_pos := regexp_instr(v_rest, pat);
        exit when v_pos = 0;
        v_tok := regexp_substr(v_rest, pat);
        n := case
                 when v_tok ~ '^&#[xX]' then
                     ('x' || lpad(rtrim(substr(v_tok, 4), ';'), 8, '0'))
                     ::bit(32)::bigint
                 when v_tok ~ '^&#' then
                     substring(v_tok from '[0-9]+')::bigint
                 when v_tok = '&amp;' then 38
                 when v_tok = '&lt;' then 60
                 when v_tok = '&gt;' then 62
                 when v_tok = '&quot;' then 34
                 else 39
             end;
        v_out := v_out || substr(v_rest, 1, v_pos - 1)
                 || case when n between 1 and 1114111
                              and n not between 55296 and 57343
                         then chr(n::integer) else U&'\FFFD' end;
        v_rest := substr(v_rest, v_pos + length(v_tok));
    end loop;
    return v_out || v_rest;
end
$$;

-- Why a link may not be in an item's body (null: it may).
create function link_problem(p_url text)
returns text
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_url    text := regexp_replace(btrim(html_unescape(p_url),
                                          E' \t\r\n\f\u00a0'),
                                    E'[\t\r\n]', '', 'g');
    v_auth   text;
    v_host   text;
    v_ascii  text;
    v_rule   link_rules;
begin
    -- on the site itself, or a mail address or telephone number
    if v_url !~* '^[a-z][a-z0-9+.-]*:' and v_url !~ '^[/\\]{2}' then
        return null;
    end if;
    if v_url ~* '^(mailto|tel):' then
        return null;
    end if;
    if v_url !~* '^(https?:)?[/\\]{2}' then
        return '链接“' || left(v_url, 100) || '”的类型不允许：正文中只能'
               || '使用 http、https、mailto 和 tel 链接。';
    end if;

    v_auth := substring(v_url from '^(?:[A-Za-z]+:)?[/\\]{2}([^/\\?#]*)');
    v_host := regexp_replace(v_auth, '^.*@', '');
    if v_host ~ '^\[' then
        return '链接“' || left(v_url, 100) || '”使用IP地址，不能确认是'
               || '哪个网站：请使用网站的域名。';
    end if;
    v_host := regexp_replace(v_host, ':[0-9]*$', '');
    v_host := regexp_replace(lower(v_host), '\.+$', '');

    if v_host = '' or v_host ~ '[%\s"<>^`{|}]' then
        return '链接“' || left(v_url, 100) || '”的地址无效。';
    end if;
    if v_host ~ '(^|\.)(0x[0-9a-f]*|[0-9]+)$' then
        return '链接“' || left(v_url, 100) || '”使用IP地址，不能确认是'
               || '哪个网站：请使用网站的域名。';
    end if;

    v_ascii := case when v_host ~ '^[\x01-\x7f]*$' then v_host
                    else idna_to_ascii(domain_normalise(v_host)) end;
    if v_ascii is null or v_ascii !~ '^[a-z0-9-]+(\.[a-z0-9-]+)*$' then
        return '链接“' || left(v_url, 100) || '”的地址无效。';
    end if;

    v_rule := link_rule_for(v_ascii);
    if v_rule.rule = 'deny' then
        return '正文不能链接到 ' || v_host || '：该网站已列入禁止链接的'
               || '名单（' || v_rule.note || '；网站管理办法第二十八条：'
               || '政府网站不得与非法网站相链接）。';
    end if;

    if v_ascii = 'gov.cn' or v_ascii like '%.gov.cn'
       or v_ascii like '%.xn--zfr164b'
    then
        return null;
    end if;

    if v_rule.rule = 'allow' then
        return null;
    end if;

    return '正文不能链接到 ' || v_host || '：它不是政府网站，也不在允许'
           || '链接的名单中（网站管理办法第十八条：政府网站不得从事商业'
           || '活动）。如确需链接，请联系网站管理员列入允许名单。';
end
$$;

-- The links of an HTML text (a@href values, as written).
create function html_links(p_html text)
returns setof text
language sql immutable strict
set search_path = gongkai, pg_temp
as $$
    select coalesce(m[2], m[3], m[4])
      from regexp_matches(p_html,
               '<a\s[^>]*?href\s*=\s*("([^"]*)"|''([^'']*)''|([^\s"''>]+))',
               'gi') m
$$;

-- The body's first refused links in one message (null: all pass).
create function body_links_problem(p_html text)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case count(*)
               when 0 then null
               when 1 then min(p)
               else min(p) || '（另有 ' || count(*) - 1
                    || ' 处链接也不符合规定）'
           end
      from (select distinct link_problem(l) as p
              from html_links(p_html) l) x
     where p is not null
$$;

-- The edit form's check (0018) with the link rule.  0018's function
-- keeps its body under a new name; every caller reaches this one.
alter function item_form_parse(jsonb, items)
    rename to item_form_parse_fields;

create function item_form_parse(p_form jsonb, p_fixed items,
                                out f item_fields, out errors jsonb)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v       record;
    v_prob  text;
begin
    v := item_form_parse_fields(p_form, p_fixed);
    f := v.f;
    errors := v.errors;
    if not errors ? 'body_html' then
        v_prob := body_links_problem(f.body_html);
        if v_prob is not null then
            errors := errors || jsonb_build_object('body_html', v_prob);
        end if;
    end if;
end
$$;
