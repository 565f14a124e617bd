-- 0031: internal helpers of the search page (schema gongkai, not
-- executable by the web role): query parsing, the ranked and bounded row
-- finder, and highlighting as segments.  See 0030 for the index.
--
-- Query: the text is split at blanks into terms; every term must occur
-- (AND), and inside a term the characters must be adjacent (a phrase).
-- Operators, quotes, backslashes and brackets are only characters: they
-- are separators, dropped like in the index, so 鹤政办发【2009】07号 finds
-- 鹤政办发〔2009〕07号 and "a & b" is the two terms a and b.
--
-- Ranking (relevance = the most important field the query occurs in,
-- then the date):
--   level 0  the title (信息名称) matches
--   level 1  else 文号 or 索引号 match
--   level 2  else the item matches at all (summary, keywords, body, or
--            terms spread over several fields)
-- and within a level the newest publication first (published_at desc,
-- id desc).  A match in the title is never ranked below one elsewhere.
--
-- Bounded work at a million items, whatever the query (search_rows):
-- a common query is answered from the newest items (a short walk finds
-- the page, the total is estimated: 约 N 条); a rare one from the GIN
-- indexes (exact total); one with many matches that are not among the
-- newest items (a year, say) bucket by bucket through the time-qualified
-- grams of 0030.  Counts are exact up to search_cap(); past it the page
-- says 超过 1000 条, and at most the first 1000 results (50 pages) are
-- offered, like web search engines do.

-- results counted exactly, and offered, up to this many
create function search_cap()
returns integer
language sql immutable parallel safe
as $$ select 1000 $$;

-- results per page
create function search_page_size()
returns integer
language sql immutable parallel safe
as $$ select 20 $$;

-- The normalised terms of a query, in order, without repeats; empty
-- when nothing searchable is left.
create function search_terms(p_q text)
returns text[]
language sql immutable parallel safe
set search_path = gongkai, pg_temp
as $$
    select coalesce(array_agg(t.units order by t.first), '{}')
      from (select search_norm(w.word) as units, min(w.n) as first
              from regexp_split_to_table(coalesce(p_q, ''),
                                         '[\s\u00a0\u3000]+')
                   with ordinality w (word, n)
             group by 1) t
     where t.units <> ''
$$;

-- The tsquery of normalised terms: the phrase of each term's bigrams,
-- a prefix query for a one-unit term, all terms ANDed.  Null when no
-- term gives a lexeme.  With p_bucket, the bigrams are qualified by that
-- publication bucket (0030); one-unit terms stay plain.
create function search_tsquery(p_terms text[], p_bucket bigint default null)
returns tsquery
language plpgsql immutable parallel safe
set search_path = gongkai, pg_temp
set client_min_messages = warning
as $$
declare
    v_term   text;
    v_grams  text;
    v_one    tsquery;
    v_query  tsquery;
begin
    foreach v_term in array coalesce(p_terms, '{}') loop
        if char_length(v_term) = 1 then
            -- a unit is never a quote or a backslash (both separators)
            v_one := to_tsquery('pg_catalog.simple',
                                '''' || v_term || ''':*');
        else
            -- "a ab bc c" without the unigrams at both ends
            v_grams := regexp_replace(search_grams(v_term),
                                      '^\S+ | \S+$', '', 'g');
            if p_bucket is not null then
                v_grams := regexp_replace(v_grams, '(\S+)',
                                          '\1x' || p_bucket::text, 'g');
            end if;
            v_one := phraseto_tsquery('pg_catalog.simple', v_grams);
        end if;

        if numnode(v_one) > 0 then
            v_query := case when v_query is null then v_one
                            else v_query && v_one end;
        end if;
    end loop;

    return v_query;
end
$$;

-- A regular expression that finds the terms in original (unnormalised)
-- text: the units of a term with any separators between them; ASCII
-- letters in either case and full-width.  Longest terms first.  Null for
-- no terms.
create function search_hit_regex(p_terms text[])
returns text
language sql immutable parallel safe
set search_path = gongkai, pg_temp
as $$
    select '(?:' || string_agg(t.re, '|' order by t.len desc, t.re) || ')'
      from (select char_length(term) as len,
                   (select string_agg(
                        case when u ~ '^[a-z]$' then
                                 '[' || u || upper(u)
                                 || chr(ascii(u) + 65248)
                                 || chr(ascii(upper(u)) + 65248) || ']'
                             when u ~ '^[0-9]$' then
                                 '[' || u || chr(ascii(u) + 65248) || ']'
                             else u end,
                        search_sep() || '*' order by n)
                      from unnest(string_to_array(term, null))
                           with ordinality c (u, n)) as re
              from unnest(p_terms) term) t
     where t.re is not null
$$;

-- A text as highlight segments [{"text", "hit"}], hits found by p_re.
-- [] for null or empty text; one plain segment when p_re is null.
create function search_parts(p_text text, p_re text)
returns json
language sql immutable parallel safe
set search_path = gongkai, pg_temp
as $$
    select case
        when p_text is null or p_text = '' then '[]'::json
        when p_re is null then
            json_build_array(json_build_object('text', p_text,
                                               'hit', false))
        else (
            select coalesce(json_agg(json_build_object('text', x.t,
                                                       'hit', x.hit)
                                     order by x.o), '[]')
              from (select s.t, false as hit, s.n * 2 - 1 as o
                      from unnest(regexp_split_to_array(p_text, p_re))
                           with ordinality s (t, n)
                     where s.t <> ''
                    union all
                    select m.a[1], true, m.n * 2
                      from regexp_matches(p_text, p_re, 'g')
                           with ordinality m (a, n)) x)
    end
$$;

-- The summary line of a result: a window of about 120 characters of the
-- summary around its first hit; when the summary has none, of the body
-- text around its first hit; else the start of the summary (or body).
-- Returned as segments, with "…" where the window cuts the text.
create function search_snippet(p_summary text, p_body_html text,
                               p_re text)
returns json
language plpgsql immutable parallel safe
set search_path = gongkai, pg_temp
as $$
declare
    v_src    text;
    v_body   text;
    v_pos    integer := 0;
    v_start  integer;
    v_width  constant integer := 120;
    v_parts  json;
begin
    v_src := btrim(regexp_replace(p_summary, '\s+', ' ', 'g'));
    if v_src = '' then
        v_src := null;
    end if;

    if v_src is not null and p_re is not null then
        v_pos := regexp_instr(v_src, p_re);
    end if;

    if v_pos = 0 and (v_src is null or p_re is not null) then
        v_body := btrim(regexp_replace(
                            search_html_text(left(p_body_html, 65536)),
                            '\s+', ' ', 'g'));
        if p_re is not null and v_body <> '' then
            v_pos := regexp_instr(v_body, p_re);
        end if;
        if v_pos > 0 or (v_src is null and v_body <> '') then
            v_src := v_body;
        end if;
    end if;

    if v_src is null then
        return '[]'::json;
    end if;

    v_start := greatest(1, v_pos - 30);
    v_parts := search_parts(substr(v_src, v_start, v_width), p_re);

    if v_start > 1 then
        v_parts := (select json_agg(e) from (
                        select json_build_object('text', '…', 'hit', false)
                            as e
                        union all
                        select e from json_array_elements(v_parts) e) x);
    end if;
    if char_length(v_src) >= v_start + v_width then
        v_parts := (select json_agg(e) from (
                        select e from json_array_elements(v_parts) e
                        union all
                        select json_build_object('text', '…', 'hit', false))
                    x);
    end if;

    return v_parts;
end
$$;

-- Up to p_cap + 1 published items of ranking level p_level (see above)
-- in the filter that match p_find, in no particular order, through the
-- level's GIN index; p_query (the plain query) excludes the levels
-- before.  p_find is p_query itself, or for levels 0 and 1 its
-- time-qualified form for a range of buckets.  Sequential and plain
-- index scans are disabled, so the plan is a bitmap scan of the GIN
-- index whatever the estimates say, and JIT is off (the disabled paths'
-- costs would otherwise make every probe compile).
create function search_probe(p_level integer, p_query tsquery,
                             p_find tsquery, p_organs bigint[],
                             p_cats integer[], p_year integer,
                             p_cap integer)
returns table (item_id bigint, item_at timestamptz)
language plpgsql stable
set search_path = gongkai, pg_temp
set jit = off
set enable_seqscan = off
set enable_indexscan = off
as $$
begin
    if p_level = 0 then
        return query
        select i.id, i.published_at
          from items i
         where i.state = 'published'
           and i.search_title @@ p_find
           and i.organ_id = any(p_organs)
           and (p_cats is null or i.category_id = any(p_cats))
           and (p_year is null or i.gen_year = p_year)
         limit p_cap + 1;

    elsif p_level = 1 then
        return query
        select i.id, i.published_at
          from items i
         where i.state = 'published'
           and i.search_ref @@ p_find
           and not i.search_title @@ p_query
           and i.organ_id = any(p_organs)
           and (p_cats is null or i.category_id = any(p_cats))
           and (p_year is null or i.gen_year = p_year)
         limit p_cap + 1;

    else
        return query
        select i.id, i.published_at
          from items i
         where i.state = 'published'
           and search_all(i.search_title, i.search_ref, i.search_text)
               @@ p_find
           and not i.search_title @@ p_query
           and not i.search_ref @@ p_query
           and i.organ_id = any(p_organs)
           and (p_cats is null or i.category_id = any(p_cats))
           and (p_year is null or i.gen_year = p_year)
         limit p_cap + 1;
    end if;
end
$$;

-- One batch of a walk over a broad filter: the next p_limit published
-- items strictly older than the cursor (from the newest when it is
-- null), newest first, read in the order of items_pub_time (sorts,
-- bitmap and sequential scans are disabled), with their ranking levels
-- (null: no match).  A single term is a phrase, which never spans two
-- fields, so the text vector alone decides level 2; several terms may
-- be found in different fields, so all vectors together decide.
create function search_walk_batch(p_query tsquery, p_multi boolean,
                                  p_organs bigint[], p_cats integer[],
                                  p_year integer, p_at timestamptz,
                                  p_id bigint, p_limit integer,
                                  out ids bigint[], out ats timestamptz[],
                                  out lvls integer[])
language sql stable
set search_path = gongkai, pg_temp
set jit = off
set enable_seqscan = off
set enable_bitmapscan = off
set enable_sort = off
as $$
    select array_agg(x.id order by x.n),
           array_agg(x.published_at order by x.n),
           array_agg(x.lvl order by x.n)
      from (select i.id, i.published_at,
                   case when i.search_title @@ p_query then 0
                        when i.search_ref @@ p_query then 1
                        when p_multi
                             and (i.search_title || i.search_ref
                                  || i.search_text) @@ p_query then 2
                        when not p_multi
                             and i.search_text @@ p_query then 2
                   end as lvl,
                   row_number() over (order by i.published_at desc,
                                               i.id desc) as n
              from items i
             where i.state = 'published'
               and (i.published_at, i.id)
                   < (coalesce(p_at, 'infinity'),
                      coalesce(p_id, 9223372036854775807))
               and i.organ_id = any(p_organs)
               and (p_cats is null or i.category_id = any(p_cats))
               and (p_year is null or i.gen_year = p_year)
             order by i.published_at desc, i.id desc
             limit p_limit) x
$$;

-- Walks the published items of the filter newest first, from the newest
-- or from strictly before the cursor (p_at, p_id), and tests each
-- against the query: every matching item with its level, in order.  A
-- broad filter is read straight from items_pub_time, a narrow one through
-- catalogue_rows (like the catalogue: one short scan per organ, category
-- and year).  Stops when p_want items of level p_level were found, when
-- p_budget items were examined (null: no budget), or at the end
-- (exhausted).  n_any counts the matches among the examined items.
create function search_walk(p_query tsquery, p_organs bigint[],
                            p_cats integer[], p_year integer,
                            p_level integer, p_want integer,
                            p_budget integer, p_at timestamptz,
                            p_id bigint,
                            out ids bigint[], out ats timestamptz[],
                            out lvls integer[], out examined integer,
                            out n_any integer, out exhausted boolean)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_at      timestamptz := p_at;
    v_id      bigint := p_id;
    v_batch   integer := 64;
    v_ask     integer;
    v_got     integer;
    v_found   integer := 0;
    v_cut     integer;
    v_take    integer;
    v_n       integer;
    v_ids     bigint[];
    v_ats     timestamptz[];
    v_lvl     integer[];
    v_mids    bigint[];
    v_mats    timestamptz[];
    v_mlvl    integer[];
    v_narrow  boolean;
    v_multi   boolean;
begin
    ids := '{}';
    ats := '{}';
    lvls := '{}';
    examined := 0;
    n_any := 0;
    exhausted := false;
    v_multi := p_query::text ~ ' & ';

    -- catalogue_rows' rule: few (organ, category, year) triples, or
    -- under 5% of all published items
    select count(*) <= 64
           or coalesce(sum(c.n), 0) * 20
              < (select coalesce(sum(k.n), 0) from item_counts k)
      into v_narrow
      from item_counts c
     where c.organ_id = any(p_organs)
       and (p_cats is null or c.category_id = any(p_cats))
       and (p_year is null or c.year = p_year)
       and c.n > 0;

    <<walk>>
    loop
        v_ask := case when p_budget is null then v_batch
                      else least(v_batch, p_budget - examined) end;
        exit walk when v_ask <= 0;

        if not v_narrow then
            select b.ids, b.ats, b.lvls into v_ids, v_ats, v_lvl
              from search_walk_batch(p_query, v_multi, p_organs, p_cats,
                                     p_year, v_at, v_id, v_ask) b;
        else
            select array_agg(r.item_id order by r.item_at desc,
                                                r.item_id desc),
                   array_agg(r.item_at order by r.item_at desc,
                                                r.item_id desc)
              into v_ids, v_ats
              from catalogue_rows(p_organs, p_cats, p_year, v_at, v_id,
                                  true, v_ask) r;

            select array_agg(case
                       when i.search_title @@ p_query then 0
                       when i.search_ref @@ p_query then 1
                       when v_multi
                            and (i.search_title || i.search_ref
                                 || i.search_text) @@ p_query then 2
                       when not v_multi
                            and i.search_text @@ p_query then 2
                   end order by u.n)
              into v_lvl
              from unnest(v_ids) with ordinality u (id, n)
              join items i on i.id = u.id;
        end if;
        v_got := coalesce(cardinality(v_ids), 0);

        -- where to stop in this batch: at the wanted level-p_level item
        select u.n into v_cut
          from (select x.n, row_number() over (order by x.n) as rn
                  from unnest(v_lvl) with ordinality x (lvl, n)
                 where x.lvl = p_level) u
         where u.rn = p_want - v_found;
        v_take := coalesce(v_cut, v_got);

        select coalesce(array_agg(b.id order by b.n), '{}'),
               coalesce(array_agg(b.at order by b.n), '{}'),
               coalesce(array_agg(b.lvl order by b.n), '{}'),
               count(*) filter (where b.lvl = p_level)
          into v_mids, v_mats, v_mlvl, v_n
          from unnest(v_ids, v_ats, v_lvl) with ordinality b (id, at, lvl, n)
         where b.n <= v_take and b.lvl is not null;

        examined := examined + v_take;
        n_any := n_any + cardinality(v_mids);
        ids := ids || v_mids;
        ats := ats || v_mats;
        lvls := lvls || v_mlvl;
        v_found := v_found + v_n;

        exit walk when v_cut is not null;

        if v_got < v_ask then
            exhausted := true;
            exit walk;
        end if;

        v_at := v_ats[v_got];
        v_id := v_ids[v_got];
        v_batch := least(v_batch * 2, 1024);
    end loop;
end
$$;

-- The items of level p_level of a walk, in order.
create function search_walk_level(p_ids bigint[], p_lvls integer[],
                                  p_level integer)
returns bigint[]
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select coalesce(array_agg(u.id order by u.n), '{}')
      from unnest(p_ids, p_lvls) with ordinality u (id, lvl, n)
     where u.lvl = p_level
$$;

-- The time-qualified form of a query (0030) for the buckets p_lo ..
-- p_hi: the OR of the query qualified by each bucket.  p_template is
-- search_tsquery(terms, 0)::text, whose qualified lexemes all end in
-- "x0'"; one-character terms stay plain prefix queries.
create function search_range_query(p_template text, p_lo bigint,
                                   p_hi bigint)
returns tsquery
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select string_agg('(' || replace(p_template, 'x0''',
                                     'x' || b::text || '''') || ')',
                      ' | ' order by b desc)::tsquery
      from generate_series(p_lo, p_hi) b
$$;

-- The newest p_want items of level p_level (0 or 1) in the filter,
-- newest first, and their count n, exact up to p_count and else only
-- known to be more.  Reads publication buckets newest first with the
-- time-qualified grams (0030), several buckets per probe: the range
-- widens while it holds few matches and narrows while it holds more
-- than the cap.  A single bucket with more than the cap is dense:
-- walking it newest first finds its rows at once.  The cost follows the
-- matches read and the number of probes, not the number of newer items
-- that do not match.
create function search_buckets(p_level integer, p_query tsquery,
                               p_template text, p_organs bigint[],
                               p_cats integer[], p_year integer,
                               p_want integer, p_count integer,
                               out ids bigint[], out n integer)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_cap     constant integer := search_cap();
    v_width   integer := 1;
    v_max     integer;
    v_newest  timestamptz;
    v_oldest  timestamptz;
    v_hi      bigint;
    v_lo      bigint;
    v_first   bigint;
    v_ids     bigint[];
    v_n       integer;
    v_walk    record;
begin
    ids := '{}';
    n := 0;

    select r.item_at into v_newest
      from catalogue_rows(p_organs, p_cats, p_year, null, null, true, 1) r;
    select r.item_at into v_oldest
      from catalogue_rows(p_organs, p_cats, p_year, '-infinity', 0, false,
                          1) r;
    if v_newest is null then
        return;
    end if;

    v_hi := search_bucket(v_newest);
    v_first := search_bucket(v_oldest);

    -- A probe of several buckets costs about as much as reading every
    -- posting of its grams in them, matching or not: the range may
    -- widen only while it spans a few thousand items.
    select greatest(1, least(32, 4000 * (v_hi - v_first + 1)
                                 / greatest(coalesce(sum(k.n), 0), 1)))
      into v_max
      from item_counts k
     where k.organ_id = any(p_organs)
       and (p_cats is null or k.category_id = any(p_cats))
       and (p_year is null or k.year = p_year);

    while v_hi >= v_first
          and (cardinality(ids) < p_want or n <= p_count)
    loop
        v_lo := greatest(v_hi - v_width + 1, v_first);

        select array_agg(p.item_id order by p.item_at desc,
                                            p.item_id desc),
               count(*)
          into v_ids, v_n
          from search_probe(p_level, p_query,
                            search_range_query(p_template, v_lo, v_hi),
                            p_organs, p_cats, p_year, v_cap) p;

        if v_n > v_cap and v_hi > v_lo then
            -- too many to sort: the newer half first
            v_width := (v_hi - v_lo + 1) / 2;
            continue;
        end if;

        if v_n > v_cap then
            -- one dense bucket: more than the cap, and its newest rows
            -- are found by walking it from its upper edge
            n := n + v_n;
            if cardinality(ids) < p_want then
                v_walk := search_walk(p_query, p_organs, p_cats, p_year,
                                      p_level, p_want - cardinality(ids),
                                      null,
                                      to_timestamp((v_hi + 1)::double precision
                                                   * search_bucket_width()),
                                      0);
                ids := ids || search_walk_level(v_walk.ids, v_walk.lvls,
                                                p_level);
            end if;
            exit;
        end if;

        n := n + v_n;
        if v_n > 0 and cardinality(ids) < p_want then
            ids := ids || v_ids[1:p_want - cardinality(ids)];
        end if;

        if v_n < v_cap / 4 then
            v_width := least(v_width * 2, v_max);
        end if;
        v_hi := v_lo - 1;
    end loop;
end
$$;

-- n rounded to two significant digits (an estimate shown as 约 n 条)
create function search_round(p_n numeric)
returns integer
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case when p_n < 100 then round(p_n)::integer
                else round(p_n, 2 - length(round(p_n)::bigint::text))::integer
           end
$$;

-- The ranked matches from position p_offset + 1 to p_offset + p_limit:
-- ids and levels in order, whether there are more, and the total with
-- its kind: exact, capped (more than search_cap(), shown 超过) or
-- approximate (estimated, shown 约).  Rows beyond search_cap() are never
-- offered.  p_terms are the query's normalised terms (search_terms).
--
-- 1. A walk over the newest items of the filter, with a budget of 20
--    items per row needed (at least 400), tests every item.  If it saw the whole
--    filter, everything is exact.  If it found the page's rows in the
--    title, the query is common: those are the page, and the total is
--    estimated from the share of matches among the examined items.
-- 2. Otherwise, level by level: the level's newest rows are taken from
--    the walk when it has enough of them (they are the newest); a probe
--    of the level's GIN index counts the level up to the cap and, when
--    there are no more, gives its rows.  Past the cap the matches are
--    many but not among the newest items: titles and numbers are then
--    read bucket by bucket with the time-qualified grams
--    (search_buckets), the rest by a walk without budget.
-- 3. Levels whose rows are not needed are only counted, by the probe,
--    unless the walk's share of matches says there are many: then the
--    total is estimated.
-- search_rows estimates a total only from a walk of at least this many
-- items: a shorter walk stopped early on a run of new matches.
create function search_sample_min()
returns integer
language sql immutable
as $$ select 400 $$;

create function search_rows(p_terms text[], p_organs bigint[],
                            p_cats integer[], p_year integer,
                            p_offset integer, p_limit integer,
                            out ids bigint[], out levels integer[],
                            out more boolean, out total integer,
                            out capped boolean, out approximate boolean)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_cap       constant integer := search_cap();
    v_need      integer := least(p_offset + p_limit + 1, search_cap());
    v_query     tsquery;
    v_template  text;
    v_walk      record;
    v_filter    bigint;
    v_est       numeric;
    v_level     integer;
    v_rem       integer;
    v_ids       bigint[];
    v_n         integer;
    v_all       bigint[] := '{}';
    v_lvls      integer[] := '{}';
begin
    ids := '{}';
    levels := '{}';
    more := false;
    total := 0;
    capped := false;
    approximate := false;

    v_query := search_tsquery(p_terms);
    if v_query is null or p_organs is null or cardinality(p_organs) = 0
       or v_need <= p_offset
    then
        return;
    end if;

    -- time-qualified search needs a term of two or more units
    if exists (select 1 from unnest(p_terms) t where char_length(t) > 1)
    then
        v_template := search_tsquery(p_terms, 0)::text;
    end if;

    v_walk := search_walk(v_query, p_organs, p_cats, p_year, 0, v_need,
                          least(greatest(v_need * 20, 400), 20000),
                          null, null);

    if v_walk.exhausted then
        -- every item of the filter was tested
        select coalesce(array_agg(u.id order by u.lvl, u.at desc,
                                  u.id desc), '{}'),
               coalesce(array_agg(u.lvl order by u.lvl, u.at desc,
                                  u.id desc), '{}')
          into v_all, v_lvls
          from unnest(v_walk.ids, v_walk.ats, v_walk.lvls) u (id, at, lvl);
        total := cardinality(v_all);

    else
        select coalesce(sum(k.n), 0) into v_filter
          from item_counts k
         where k.organ_id = any(p_organs)
           and (p_cats is null or k.category_id = any(p_cats))
           and (p_year is null or k.year = p_year);
        -- the share of matches among the newest items says how many
        -- there are only if those items are a fair sample: a walk that
        -- stopped early on a run of new matches (a batch published the
        -- same day) would count the whole filter as matching
        if v_walk.examined >= search_sample_min() then
            v_est := v_walk.n_any::numeric / v_walk.examined * v_filter;
        else
            v_est := 0;
        end if;

        <<levels>>
        for v_level in 0 .. 2 loop
            v_rem := v_need - cardinality(v_all);
            v_ids := search_walk_level(v_walk.ids, v_walk.lvls, v_level);

            if v_rem > 0 and cardinality(v_ids) >= v_rem then
                -- the newest rows of this level are in the walk
                v_all := v_all || v_ids[1:v_rem];
                v_lvls := v_lvls || array_fill(v_level, array[v_rem]);
                v_rem := 0;
            end if;

            if v_rem <= 0 and v_est > 2 * v_cap then
                -- the rest is only counted, and there are many
                approximate := true;
                total := greatest(search_round(v_est), cardinality(v_all));
                exit levels;
            end if;

            select array_agg(p.item_id order by p.item_at desc,
                                                p.item_id desc),
                   count(*)
              into v_ids, v_n
              from search_probe(v_level, v_query, v_query, p_organs,
                                p_cats, p_year, v_cap) p;

            if v_n > v_cap and v_rem > 0 then
                -- many matches, but not among the newest items
                if v_level < 2 and v_template is not null then
                    select b.ids into v_ids
                      from search_buckets(v_level, v_query, v_template,
                                          p_organs, p_cats, p_year,
                                          v_rem, 0) b;
                else
                    v_walk := search_walk(v_query, p_organs, p_cats, p_year,
                                          v_level, v_rem, null, null, null);
                    v_ids := search_walk_level(v_walk.ids, v_walk.lvls,
                                               v_level);
                end if;
            end if;

            if v_rem > 0 and coalesce(cardinality(v_ids), 0) > 0 then
                v_ids := v_ids[1:v_rem];
                v_all := v_all || v_ids;
                v_lvls := v_lvls || array_fill(v_level,
                                               array[cardinality(v_ids)]);
            end if;

            if v_n > v_cap then
                capped := true;
                exit levels;
            end if;

            total := total + v_n;

            -- past the cap further levels change nothing
            exit levels when total > v_cap;
        end loop;
    end if;

    if not approximate and (capped or total > v_cap) then
        capped := true;
        total := v_cap;
    end if;

    more := cardinality(v_all) > p_offset + p_limit
            and p_offset + p_limit < v_cap;
    ids := coalesce(v_all[p_offset + 1:p_offset + p_limit], '{}');
    levels := coalesce(v_lvls[p_offset + 1:p_offset + p_limit], '{}');
end
$$;
