-- 0061: the site registry and its domain rules (issue 6; DOMAIN.md §5,
-- NATIONAL.md "Sites").
--
-- A site has, beside 0003's name, kind, organ and portal: its site
-- identification code (网站标识码), its host organ (主办单位, seed 000
-- 网站管理办法 第五条: "州政府门户网站由州政府办公室主办"), its ICP and
-- public-security filing numbers (备案号, 第六条(四)), and the dates of
-- its life cycle (0062).  A domain has its ASCII form (what a request's
-- Host carries: punycode for .政务) and its Unicode form, and a role:
--
--   primary  the one English domain (www.<place>.gov.cn for a portal,
--            <dept>.<place>.gov.cn for a department site)
--   chinese  the optional .政务 domain (at most one)
--   alias    another English domain served as it is
--   former   a domain the site had before an approved change: it answers
--            301 to the same path on the primary domain (000 第六条(四):
--            域名转接), and stays reserved (no transfer of domains)
--
-- The rules are functions returning the broken rule as a Chinese
-- sentence (null when all is well), so that the admin forms (0064) show
-- the same words the triggers raise.  The triggers raise GKA22 (invalid
-- input, sql/ADMIN.md) whoever writes, the owner and the demo included.
-- The module applies the same rules at the door
-- (ngx_module/ngx_http_gongkai_domain.c).

insert into settings (key, value, note) values
    ('site.closure_notice_days', '30',
     '网站关闭后原地址显示关停公告的天数（国办函〔2018〕55号：不少于30天）')
on conflict (key) do nothing;

-- ------------------------------------------------------------ the columns

alter table sites
    add column code           text,
    add column host_organ_id  bigint references organs (id),
    add column icp_no         text,
    add column psb_no         text,
    add column opened_at      timestamptz,
    add column closed_at      timestamptz,
    add column notice_until   timestamptz,
    add column successor_id   bigint references sites (id),
    add column close_reason   text;

create unique index sites_code on sites (code) where code is not null;

alter table sites
    add constraint sites_closed_dates
        check ((state = 'closed') = (closed_at is not null)
               and (closed_at is null) = (notice_until is null)
               and notice_until >= closed_at + interval '30 days'),
    add constraint sites_successor
        check (successor_id is distinct from id);

-- the sites of the demo data were open before this system
update sites set opened_at = created_at where opened_at is null
   and state = 'active';

alter table site_domains
    add column unicode   text,
    add column role      text,
    add column added_at  timestamptz not null default now(),
    add column retired_at timestamptz;

update site_domains
   set role = case when is_primary then 'primary'
                   when domain like '%.xn--zfr164b' then 'chinese'
                   else 'alias' end,
       unicode = idna_to_unicode(domain);

alter table site_domains
    alter column unicode set not null,
    alter column role set not null,
    add constraint site_domains_role
        check (role in ('primary', 'chinese', 'alias', 'former')),
    add constraint site_domains_primary_role
        check (is_primary = (role = 'primary')),
    add constraint site_domains_former
        check ((role = 'former') = (retired_at is not null));

create unique index site_domains_one_chinese on site_domains (site_id)
    where role = 'chinese';

-- ------------------------------------------------------------- the rules

-- The ASCII and Unicode forms of a typed domain, and the first general
-- rule it breaks (DOMAIN.md §5; labels: RFC 1035 and RFC 5890): .gov.cn
-- or .政务 only; letters, digits and hyphens (and, in a .政务 domain,
-- Chinese characters); no label empty, beginning or ending with a
-- hyphen, or longer than 63 characters, 253 in all (ASCII form).
create function domain_forms(p_input text, out ascii text,
                             out unicode text, out problem text)
language plpgsql immutable
set search_path = gongkai, pg_temp
as $$
declare
    v       text := domain_normalise(p_input);
    v_bad   text;
    v_lab   text;
    v_asc   text;
    v_gov   boolean;
begin
    if v is null or v = '' then
        problem := '请填写域名。';
        return;
    end if;

    if v ~ '^[\x01-\x7f]*$' then
        ascii := v;
        unicode := idna_to_unicode(v);
        if unicode is null then
            problem := '域名“' || v || '”中的 xn-- 标签不是有效的'
                       || '国际化域名编码。';
            return;
        end if;
    else
        unicode := v;
    end if;

    -- the repertoire: LDH and the CJK ideographs (basic and extension A)
    v_bad := substring(unicode from '[^a-z0-9.\-\u3400-\u4dbf\u4e00-\u9fff]');
    if v_bad is not null and ascii is not null and unicode <> v then
        problem := '域名“' || v || '”中的 xn-- 标签编码了不允许的字符：'
                   || '中文域名只能使用汉字、英文字母、数字和连字符。';
        return;
    elsif v_bad is not null then
        problem := '域名含有不允许的字符“'
                   || case when v_bad ~ '[[:cntrl:][:space:]]'
                           then 'U+' || upper(lpad(to_hex(ascii(v_bad)), 4,
                                                   '0'))
                           else v_bad end
                   || '”：只能使用英文字母、数字、连字符（-）和汉字，各级'
                   || '之间用点（.）分隔。';
        return;
    end if;

    if unicode ~ '(^|\.)(\.|$)' then
        problem := '域名中有空的一级（连续的点，或以点开头）。';
        return;
    end if;

    if unicode in ('gov.cn', '政务') then
        problem := '域名在 .gov.cn 或 .政务 之前至少还要有一级名称。';
        return;
    end if;

    if unicode !~ '\.(gov\.cn|政务)$' then
        problem := '政府网站的域名只能以 .gov.cn（英文域名）或 .政务'
                   || '（中文域名）结尾，“' || unicode || '”不符合。';
        return;
    end if;

    v_gov := unicode ~ '\.gov\.cn$';

    foreach v_lab in array string_to_array(unicode, '.') loop
        if v_gov and v_lab !~ '^[a-z0-9-]+$' then
            problem := '英文域名（.gov.cn）只能使用英文字母、数字和'
                       || '连字符，“' || v_lab || '”不符合；中文名称请'
                       || '使用 .政务 域名。';
            return;
        end if;
        if v_lab ~ '^-|-$' then
            problem := '域名的一级“' || v_lab || '”不能以连字符开头或'
                       || '结尾。';
            return;
        end if;
        if v_lab ~ '^[a-z0-9]{2}--' then
            problem := '域名的一级“' || v_lab || '”第3、4位不能都是'
                       || '连字符（这是国际化域名编码的保留形式）。';
            return;
        end if;
        v_asc := case when v_lab ~ '^[\x01-\x7f]*$' then v_lab
                      else 'xn--' || punycode_encode(v_lab) end;
        if length(v_asc) > 63 then
            problem := '域名的一级“' || v_lab || '”太长：每一级最多63'
                       || '个字符（中文按编码后的长度计算，这一级是 '
                       || length(v_asc) || ' 个）。';
            return;
        end if;
    end loop;

    ascii := idna_to_ascii(unicode);
    if length(ascii) > 253 then
        problem := '域名太长：最多253个字符（按编码后的长度计算，这个域名'
                   || '是 ' || length(ascii) || ' 个）。';
        return;
    end if;
end
$$;

-- <place>.gov.cn of a portal's primary domain www.<place>.gov.cn: the
-- zone its department sites live in (003 第十四条: ○○○.□□□.gov.cn).
create function site_zone(p_site_id bigint)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select regexp_replace(domain, '^www\.', '')
      from site_domains
     where site_id = p_site_id and role = 'primary'
$$;

-- Which site holds a domain (any role, the former ones included).
create function domain_holder(p_ascii text)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select s.name
      from site_domains d join sites s on s.id = d.site_id
     where d.domain = p_ascii
$$;

-- The first rule a domain (its ASCII form, general rules passed) breaks
-- in its role for a site of this kind and portal (DOMAIN.md §5,
-- 国办发〔2017〕47号): a portal's primary domain is www.<place>.gov.cn; a
-- department site's is <dept>.<place>.gov.cn under its own portal's
-- <place>.gov.cn; a portal's alias is its bare <place>.gov.cn, a
-- department's another <x>.<place>.gov.cn; the Chinese domain ends in
-- .政务.  Uniqueness is checked by the callers (domain_holder).
create function site_domain_problem(p_ascii text, p_role text,
                                    p_kind text, p_parent_id bigint,
                                    p_primary text)
returns text
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_cn    boolean := p_ascii like '%.xn--zfr164b';
    v_zone  text;
    v_lab   constant text := '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
begin
    if p_role = 'former' then
        return null;
    end if;

    if p_role = 'chinese' then
        if not v_cn then
            return '中文域名应以 .政务 结尾（如 德宏州人民政府.政务）。';
        end if;
        return null;
    end if;

    if v_cn then
        return '.政务 中文域名请填在“中文域名”一栏；网站的主域名和别名'
               || '应为 .gov.cn 英文域名。';
    end if;

    if p_kind = 'portal' then
        if p_role = 'primary' then
            if p_ascii !~ ('^www\.' || v_lab || '\.gov\.cn$') then
                return '门户网站的域名应为 www.<地名>.gov.cn 的形式（如 '
                       || 'www.dh.gov.cn），“' || p_ascii || '”不符合。';
            end if;
        elsif p_primary is null
              or p_ascii <> regexp_replace(p_primary, '^www\.', '')
        then
            return '门户网站的别名只能是主域名去掉 www. 的形式'
                   || coalesce('（' || regexp_replace(p_primary, '^www\.',
                                                     '') || '）', '')
                   || '。';
        end if;
        return null;
    end if;

    v_zone := site_zone(p_parent_id);
    if v_zone is null then
        return '部门网站须属于一个已登记域名的门户网站。';
    end if;

    if p_ascii !~ ('^' || v_lab || '\.' || replace(v_zone, '.', '\.') || '$')
       or p_ascii like 'www.%'
    then
        return '部门网站的域名应为所属门户网站下的 <部门简称>.' || v_zone
               || ' 的形式（如 czj.' || v_zone || '），“' || p_ascii
               || '”不符合。';
    end if;
    return null;
end
$$;

-- 网站标识码 (NATIONAL.md "Sites"): 10 characters, a 6-digit
-- administrative-division code and a 4-digit serial (5331000001), or
-- "bm" and 8 digits for central departments.  A department site carries
-- its portal's division code.
create function site_code_problem(p_code text, p_kind text,
                                  p_parent_id bigint, p_site_id bigint)
returns text
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_portal  text;
    v_holder  text;
begin
    if p_code is null or p_code = '' then
        return '请填写网站标识码。';
    end if;

    if p_code !~ '^([0-9]{10}|bm[0-9]{8})$' then
        return '网站标识码应为10位：6位行政区划代码加4位顺序号（如 '
               || '5331000001），国务院部门为 bm 加8位数字。';
    end if;

    if p_code ~ '^[0-9]' then
        if left(p_code, 2) not in ('11', '12', '13', '14', '15', '21', '22',
                                   '23', '31', '32', '33', '34', '35', '36',
                                   '37', '41', '42', '43', '44', '45', '46',
                                   '50', '51', '52', '53', '54', '61', '62',
                                   '63', '64', '65')
        then
            return '网站标识码的前两位“' || left(p_code, 2)
                   || '”不是有效的省级行政区划代码。';
        end if;
        if right(p_code, 4) = '0000' then
            return '网站标识码的后4位顺序号不能是0000。';
        end if;
    end if;

    if p_kind = 'department' then
        select code into v_portal from sites where id = p_parent_id;
        if v_portal ~ '^[0-9]{10}$' and left(p_code, 6) <> left(v_portal, 6)
        then
            return '部门网站的网站标识码应以所属门户网站的行政区划代码 '
                   || left(v_portal, 6) || ' 开头。';
        end if;
    end if;

    select name into v_holder from sites
     where code = p_code and id is distinct from p_site_id;
    if v_holder is not null then
        return '网站标识码 ' || p_code || ' 已由“' || v_holder || '”使用。';
    end if;

    return null;
end
$$;

-- ICP备案号 (工业和信息化部): 滇ICP备05001458号, maybe with the site's
-- serial "-1".
create function icp_problem(p_icp text)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case
        when p_icp is null or p_icp = '' then '请填写ICP备案号。'
        when p_icp !~ ('^[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀'
                       || '黔贵滇云藏陕甘陇青宁新]ICP备[0-9]{4,10}号'
                       || '(-[0-9]{1,4})?$')
        then 'ICP备案号的格式应为“省份简称ICP备+数字+号”，如 '
             || '滇ICP备05001458号 或 滇ICP备05001458号-1。'
    end
$$;

-- 公安机关互联网站安全管理服务平台的备案号: 滇公网安备 53310202000001号
-- (a 14-digit number).
create function psb_problem(p_psb text)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case
        when p_psb is null or p_psb = '' then '请填写公安备案号。'
        when p_psb !~ ('^[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀'
                       || '黔贵滇云藏陕甘陇青宁新]公网安备 ?[0-9]{14}号$')
        then '公安备案号的格式应为“省份简称公网安备+14位数字+号”，如 '
             || '滇公网安备 53310202000001号。'
    end
$$;

-- ------------------------------------------------------------ the triggers

-- Domains (replaces 0003's check): normalised to the two forms, then
-- every rule above; a domain may be registered once, by one site, ever.
create or replace function site_domains_check()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    f        record;
    s        sites;
    v_prob   text;
    v_prim   text;
begin
    if tg_op = 'UPDATE' and new.domain = old.domain
       and new.role = old.role and new.site_id = old.site_id
       and new.unicode is not distinct from old.unicode
    then
        return new;
    end if;

    -- the ASCII column is the one that counts; it may be written in
    -- Unicode (德宏州人民政府.政务), the trigger converts it
    f := domain_forms(new.domain);
    if f.problem is not null then
        raise exception '%', f.problem using errcode = 'GKA22';
    end if;
    new.domain := f.ascii;
    new.unicode := f.unicode;

    -- the role: given, or from is_primary (0003's writers)
    if new.role is null then
        new.role := case when new.is_primary then 'primary'
                         when new.domain like '%.xn--zfr164b' then 'chinese'
                         else 'alias' end;
    end if;
    new.is_primary := new.role = 'primary';
    if new.role = 'former' then
        new.retired_at := coalesce(new.retired_at, now());
    else
        new.retired_at := null;
    end if;

    -- registered by another site: refused in words; by this one, left
    -- to the primary key (an "on conflict do nothing" of the demo data)
    if tg_op = 'INSERT' or new.domain <> old.domain then
        select x.name into v_prob
          from site_domains d join sites x on x.id = d.site_id
         where d.domain = new.domain and d.site_id <> new.site_id;
        if v_prob is not null then
            raise exception '域名 % 已由“%”登记使用（变更前的旧域名也保留），'
                            '不能重复登记。', new.unicode, v_prob
                using errcode = 'GKA22';
        end if;
    end if;

    select * into s from sites where id = new.site_id;
    select domain into v_prim from site_domains
     where site_id = new.site_id and role = 'primary'
       and domain is distinct from old.domain;
    v_prob := site_domain_problem(new.domain, new.role, s.kind, s.parent_id,
                                  coalesce(v_prim, case when new.is_primary
                                                        then new.domain end));
    if v_prob is not null then
        raise exception '%', v_prob using errcode = 'GKA22';
    end if;

    return new;
end
$$;

-- Sites: the identification code, the filing numbers, one site per
-- organ (seed 001 第五条, 国办发〔2017〕47号), the host organ, and a
-- department site under the portal of its own government.
create function sites_check()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_prob   text;
    v_porg   bigint;
begin
    new.name := btrim(new.name);
    if length(new.name) > 100 then
        raise exception '网站名称不能超过100个字。' using errcode = 'GKA22';
    end if;

    new.code := nullif(lower(btrim(new.code)), '');
    new.icp_no := nullif(btrim(new.icp_no), '');
    new.psb_no := nullif(btrim(new.psb_no), '');
    new.host_organ_id := coalesce(new.host_organ_id, new.organ_id);

    if new.code is not null
       and (tg_op = 'INSERT' or new.code is distinct from old.code
            or new.parent_id is distinct from old.parent_id)
    then
        v_prob := site_code_problem(new.code, new.kind, new.parent_id,
                                    new.id);
        if v_prob is not null then
            raise exception '%', v_prob using errcode = 'GKA22';
        end if;
    end if;

    if new.icp_no is not null then
        v_prob := icp_problem(new.icp_no);
        if v_prob is not null then
            raise exception '%', v_prob using errcode = 'GKA22';
        end if;
    end if;

    if new.psb_no is not null then
        v_prob := psb_problem(new.psb_no);
        if v_prob is not null then
            raise exception '%', v_prob using errcode = 'GKA22';
        end if;
    end if;

    -- one site per organ: the unique key on organ_id (the request
    -- functions of 0062 say it in words before they insert)

    if new.host_organ_id <> new.organ_id
       and not exists (select 1 from organs
                        where id = new.host_organ_id
                          and parent_id = new.organ_id)
    then
        raise exception '主办单位应为网站所属机关本身，或其下属的办公室等'
                        '机构。' using errcode = 'GKA22';
    end if;

    if new.kind = 'department' and new.parent_id is not null then
        select organ_id into v_porg from sites where id = new.parent_id;
        if not new.organ_id = any (organ_subtree(v_porg)) then
            raise exception '部门网站应属于其门户网站所在政府的部门。'
                using errcode = 'GKA22';
        end if;
    end if;

    return new;
end
$$;

create trigger sites_check
    before insert or update on sites
    for each row execute function sites_check();

-- ------------------------------------------------- the lookup by Host

-- The active site registered for a normalised host (0008), served on
-- its primary, Chinese and alias domains; a former domain is not served
-- (portal.host_status, 0063, answers it with a redirect).
create or replace function site_for_host(p_host text)
returns sites
language sql stable
set search_path = gongkai, pg_temp
as $$
    select s.*
      from site_domains d
      join sites s on s.id = d.site_id
     where d.domain = p_host and d.role <> 'former'
       and s.state = 'active'
$$;

-- The primary domain first (0008's rule, kept for the former domains).
create or replace function site_primary_domain(p_site_id bigint)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select domain from site_domains
     where site_id = p_site_id and role <> 'former'
     order by is_primary desc, domain
     limit 1
$$;
