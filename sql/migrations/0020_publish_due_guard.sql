-- 0020: publish_due (0016) applies each due round in its own
-- subtransaction: a round that cannot be applied (its approval record no
-- longer complete, which only tampering with the owner's rights can
-- cause) is left as it is, with a warning in the server log, instead of
-- failing every public page that calls publish_due.  (0015-0019 were
-- merged into main before this change; the number is outside the
-- review chain's range 0015-0019 for that reason.)

create or replace function publish_due()
returns integer
language plpgsql volatile
set search_path = gongkai, pg_temp
as $$
declare
    v_id    bigint;
    v_item  bigint;
    v_kind  text;
    v_n     integer := 0;
begin
    if not exists (select 1 from review_rounds
                    where outcome = 'approved' and applied_at is null
                      and publish_at <= now())
    then
        return 0;
    end if;
    if pg_is_in_recovery()
       or current_setting('transaction_read_only') = 'on'
    then
        return 0;
    end if;

    for v_id, v_item, v_kind in
        select id, item_id, kind from review_rounds
         where outcome = 'approved' and applied_at is null
           and publish_at <= now()
         order by publish_at, id
         for update skip locked
    loop
        begin
            perform round_apply(v_id);
            perform audit(null, null,
                          case v_kind when 'publish' then 'item.publish'
                                      else 'item.change' end,
                          v_item, null,
                          jsonb_build_object('round', v_id,
                                             'scheduled', true));
            v_n := v_n + 1;
        exception when others then
            raise warning 'publish_due: round % of item % not applied: %',
                v_id, v_item, sqlerrm;
        end;
    end loop;
    return v_n;
end
$$;
