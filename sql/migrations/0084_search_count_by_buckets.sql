-- 0084: search_rows (0031) counts a level whose rows the walk already
-- found among the newest items with search_buckets instead of one probe
-- of the whole GIN index.
--
-- A GIN bitmap scan reads every posting of its grams before the LIMIT
-- applies, so counting a common title word up to the cap cost as much
-- as its matches: at a million items, "财政" read tens of thousands of
-- postings for a count of "more than 1000" (perf: gingetbitmap and the
-- bitmap's sort), and the search's p50 grew eight times from 10,000
-- items.  When the walk found the level's rows among the newest items,
-- the matches are dense there, and search_buckets counts from the
-- newest bucket on and stops past the cap, reading about as many
-- postings as it counts.  Same results: exact up to the cap, "more"
-- past it.  A level whose rows are still needed, or a query without a
-- term of two characters (no time-qualified grams), is probed as before.

create or replace function search_rows(p_terms text[], p_organs bigint[],
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

            if v_rem <= 0 and v_level < 2 and v_template is not null then
                -- only counted, and the walk found this level's rows among
                -- the newest items: counted newest bucket first, up to the
                -- cap (0084)
                select b.n into v_n
                  from search_buckets(v_level, v_query, v_template,
                                      p_organs, p_cats, p_year, 0, v_cap) b;
                v_ids := '{}';
            else
                select array_agg(p.item_id order by p.item_at desc,
                                                    p.item_id desc),
                       count(*)
                  into v_ids, v_n
                  from search_probe(v_level, v_query, v_query, p_organs,
                                    p_cats, p_year, v_cap) p;
            end if;

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
