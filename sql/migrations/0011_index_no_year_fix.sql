-- 0011: items_assign_index_no compared the generated column gen_year,
-- which is not yet computed in a BEFORE trigger, so every update of an
-- item with an index number was refused.  Compare the generation year
-- itself.  (0004 is left unchanged: applied migrations never change.)

create or replace function items_assign_index_no()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_serial  integer;
    v_unit    text;
    v_code    text;
begin
    if tg_op = 'INSERT' then
        if new.index_no is not null then
            raise exception 'index numbers are assigned by the system'
                using errcode = 'check_violation';
        end if;
    else
        if old.index_no is not null then
            if new.index_no is distinct from old.index_no then
                raise exception 'index number % is immutable', old.index_no
                    using errcode = 'check_violation';
            end if;
            if new.organ_id is distinct from old.organ_id
               or new.category_id is distinct from old.category_id
               or extract(year from new.generated_on)
                  is distinct from extract(year from old.generated_on)
            then
                raise exception 'item % has index number %: its organ, '
                    'category and generation year cannot change',
                    old.id, old.index_no
                    using errcode = 'check_violation';
            end if;
        elsif new.index_no is not null then
            raise exception 'index numbers are assigned by the system'
                using errcode = 'check_violation';
        end if;
        new.updated_at := now();
    end if;

    if new.state = 'published' then
        if new.published_at is null then
            new.published_at := now();
        end if;

        if new.index_no is null
           and new.organ_id is not null and new.category_id is not null
           and new.generated_on is not null
        then
            insert into index_serials as s
                   (organ_id, category_id, year, last_serial)
            values (new.organ_id, new.category_id,
                    extract(year from new.generated_on), 1)
            on conflict (organ_id, category_id, year)
            do update set last_serial = s.last_serial + 1
            returning last_serial into v_serial;

            select unit_code into strict v_unit
              from organs where id = new.organ_id;
            select code into strict v_code
              from categories where id = new.category_id;

            new.index_no := v_unit || '-' || v_code || '-'
                || to_char(extract(year from new.generated_on), 'FM0000')
                || '-' || to_char(v_serial, 'FM00000');
        end if;
    end if;

    return new;
end
$$;
