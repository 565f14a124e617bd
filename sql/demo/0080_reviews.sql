-- Demo items in the review chain (先审后发), made through the chain's own
-- functions (sql/migrations/0018) by the demo users of 0070_users.sql, so
-- every record is what the admin pages would have written: for the
-- Dehong government office, an item waiting at each step (one with
-- screening hits, one referred to the higher authority, one of an exempt
-- kind), one sent back, a plain draft past its deadline and one due soon,
-- one scheduled, one changed after publication (two versions) and one
-- withdrawn; for the finance bureau, one at the unit head and one at the
-- leader.
--
-- Loaded once: an item is skipped when its organ already has an item with
-- that title.  Without the demo users (0070) the file does nothing.

-- this file goes through the chain: no import declaration (tools/load-demo)
set local gongkai.import = '';

create function pg_temp.demo_user(p_organ text, p_role text)
returns bigint
language sql stable
as $$
    select u.id from gongkai.users u
      join gongkai.organs o on o.id = u.organ_id
      join gongkai.user_roles r on r.user_id = u.id and r.role = p_role
     where o.unit_code = p_organ and u.active
     order by u.id limit 1
$$;

-- A date n working days before today (Beijing time).
create function pg_temp.working_days_ago(p_n integer)
returns date
language sql stable
as $$
    select max(d::date)
      from generate_series(gongkai.today_cn() - 3 * p_n - 30,
                           gongkai.today_cn(), interval '1 day') d
     where gongkai.working_days_between(d::date, gongkai.today_cn()) = p_n
$$;

-- Creates one demo item and takes it to p_stage:
--   draft, returned, unit_head, secrecy, referred, leader, scheduled,
--   published, changed, withdrawn, not_public
create function pg_temp.demo_item(p_organ text, p_stage text, p_form jsonb,
                                  p_opinion text default 'proactive',
                                  p_ground text default null,
                                  p_hits jsonb default '[]')
returns void
language plpgsql
as $$
declare
    d     bigint := pg_temp.demo_user(p_organ, 'drafter');
    uh    bigint := pg_temp.demo_user(p_organ, 'unit_head');
    sr    bigint := pg_temp.demo_user(p_organ, 'secrecy_reviewer');
    ld    bigint := pg_temp.demo_user(p_organ, 'leader');
    v_id  bigint;
    v_ex  boolean;
    v_ack boolean := jsonb_array_length(p_hits) > 0;
begin
    if d is null or uh is null or sr is null or ld is null then
        raise notice '0080: demo users of % missing, skipped', p_organ;
        return;
    end if;
    if exists (select 1 from gongkai.items i
                 join gongkai.organs o on o.id = i.organ_id
                where o.unit_code = p_organ
                  and i.title = p_form ->> 'title')
    then
        return;
    end if;

    v_id := gongkai.item_create(d, null, p_form);
    if p_stage = 'draft' then
        return;
    end if;

    perform gongkai.item_submit(d, null, v_id, p_opinion, p_ground,
                                p_form ->> 'opinion_note', p_hits);
    if p_stage = 'unit_head' then
        return;
    end if;
    if p_stage = 'returned' then
        perform gongkai.item_review(uh, null, v_id, null, 'reject',
            '附件中的统计口径与正文不一致，请核对后重新提交。', null, false,
            null, null, null);
        return;
    end if;

    perform gongkai.item_review(uh, null, v_id, null, 'approve',
                                '内容属实，同意公开。', null, false, null,
                                null, null);
    v_ex := exists (select 1 from gongkai.review_rounds
                     where item_id = v_id and secrecy_skip is not null);
    if p_stage = 'secrecy' then
        return;
    end if;

    if not v_ex then
        if p_stage = 'referred' then
            perform gongkai.item_review(sr, null, v_id, null, 'refer',
                '涉及边境管理事项，本机关无法确定是否涉密，报请上级审查。',
                '《中华人民共和国保守国家秘密法》第二十条', v_ack,
                '德宏州国家保密局', gongkai.today_cn() - 1, null);
            return;
        end if;
        perform gongkai.item_review(sr, null, v_id, null, 'open',
            '经审查，信息不涉及国家秘密、商业秘密和个人隐私。',
            '《中华人民共和国保守国家秘密法》《中华人民共和国政府信息公开条例》'
            '第十四、十五条', v_ack, null, null, null);
    end if;
    if p_stage = 'leader' then
        return;
    end if;

    perform gongkai.item_review(ld, null, v_id, null, 'approve', '同意发布。',
        null, false, null, null,
        case when p_stage = 'scheduled'
             then (gongkai.today_cn() + 5 + time '09:00')
                  at time zone 'Asia/Shanghai' end);
    if p_stage in ('scheduled', 'published', 'not_public') then
        return;
    end if;

    if p_stage = 'changed' then
        perform gongkai.item_change_start(d, null, v_id, null);
        perform gongkai.item_save(d, null, v_id,
                                  p_form || (p_form -> 'change'));
        perform gongkai.item_submit(d, null, v_id, 'proactive', null, null,
                                    '[]');
        perform gongkai.item_review(uh, null, v_id, null, 'approve',
                                    '同意修改。', null, false, null, null,
                                    null);
        perform gongkai.item_review(sr, null, v_id, null, 'open',
                                    '修改内容不涉密。', '《政府信息公开条例》第十四条',
                                    false, null, null, null);
        perform gongkai.item_review(ld, null, v_id, null, 'approve',
                                    '同意。', null, false, null, null, null);
    elsif p_stage = 'withdrawn' then
        perform gongkai.item_withdraw_start(d, null, v_id, 'withdrawn',
            '活动已取消，原通知不再执行，予以撤回。');
        perform gongkai.item_review(uh, null, v_id, null, 'approve',
                                    '同意撤回。', null, false, null, null,
                                    null);
        perform gongkai.item_review(ld, null, v_id, null, 'approve',
                                    '同意撤回。', null, false, null, null,
                                    null);
    end if;
end
$$;

do $$
declare
    dh   text := '11533100000000101D';   -- 德宏州人民政府办公室
    czj  text := '11533100000000102D';   -- 德宏州财政局
    old  text := to_char(pg_temp.working_days_ago(25), 'YYYY-MM-DD');
    soon text := to_char(pg_temp.working_days_ago(13), 'YYYY-MM-DD');
    new  text := to_char(pg_temp.working_days_ago(3), 'YYYY-MM-DD');
begin
    perform pg_temp.demo_item(dh, 'draft', jsonb_build_object(
        'title', '德宏州人民政府办公室关于做好今冬明春森林草原防火工作的通知',
        'generated_on', old, 'category_id',
        (select id::text from gongkai.categories where code = '0202'),
        'doc_no', '德政办发〔2026〕88号', 'keywords', '森林草原防火',
        'summary', '部署今冬明春森林草原防火工作。',
        'body_html', '<p>各县（市）人民政府，州直各部门：</p>'
                     '<p>为切实做好今冬明春森林草原防火工作，现将有关事项通知如下。</p>'));

    perform pg_temp.demo_item(dh, 'draft', jsonb_build_object(
        'title', '德宏州2026年第三季度政务公开工作通报',
        'generated_on', soon, 'category_id',
        (select id::text from gongkai.categories where code = '10'),
        'keywords', '政务公开 通报',
        'body_html', '<p>现将2026年第三季度全州政务公开工作情况通报如下。</p>'));

    perform pg_temp.demo_item(dh, 'returned', jsonb_build_object(
        'title', '德宏州2026年1—9月政府信息公开申请办理情况',
        'generated_on', new, 'category_id',
        (select id::text from gongkai.categories where code = '09'),
        'keywords', '依申请公开 统计',
        'body_html', '<p>2026年1—9月，全州共受理政府信息公开申请。</p>'));

    perform pg_temp.demo_item(dh, 'unit_head', jsonb_build_object(
        'title', '德宏州人民政府办公室关于开展2026年度政务公开第三方评估的公告',
        'generated_on', new, 'category_id',
        (select id::text from gongkai.categories where code = '10'),
        'keywords', '政务公开 第三方评估',
        'body_html', '<p>为客观评价全州政务公开工作，现开展第三方评估。</p>'));

    perform pg_temp.demo_item(dh, 'secrecy', jsonb_build_object(
        'title', '德宏州2026年度政务公开培训班报名通知',
        'generated_on', soon, 'category_id',
        (select id::text from gongkai.categories where code = '10'),
        'keywords', '培训 报名',
        'body_html', '<p>请各单位于11月30日前报名。联系人：张晓明，联系电话：'
                     '13888886666，电子邮箱：zhangxm@example.com。</p>'),
        'proactive', null,
        '[{"kind": "mobile", "field": "body", "match": "13888886666",
           "before": "联系人：张晓明，联系电话：", "after": "，电子邮箱：zhang",
           "blocking": false},
          {"kind": "email", "field": "body", "match": "zhangxm@example.com",
           "before": "13888886666，电子邮箱：", "after": "。",
           "blocking": false}]');

    perform pg_temp.demo_item(dh, 'referred', jsonb_build_object(
        'title', '德宏州边境管理区通行证办理有关事项的公告',
        'generated_on', soon, 'category_id',
        (select id::text from gongkai.categories where code = '13'),
        'keywords', '边境管理 通行证',
        'body_html', '<p>现将边境管理区通行证办理有关事项公告如下。</p>'));

    perform pg_temp.demo_item(dh, 'leader', jsonb_build_object(
        'title', '德宏州人民政府办公室关于印发德宏州政务服务“好差评”实施办法的通知',
        'generated_on', new, 'category_id',
        (select id::text from gongkai.categories where code = '0202'),
        'doc_no', '德政办发〔2026〕91号', 'kind', 'law',
        'keywords', '政务服务 好差评',
        'body_html', '<p>《德宏州政务服务“好差评”实施办法》已经州人民政府同意，'
                     '现印发给你们，请认真贯彻执行。</p>'));

    perform pg_temp.demo_item(dh, 'scheduled', jsonb_build_object(
        'title', '德宏州2027年元旦春节期间值班安排',
        'generated_on', new, 'category_id',
        (select id::text from gongkai.categories where code = '10'),
        'keywords', '值班 元旦 春节',
        'body_html', '<p>2027年元旦、春节期间，州人民政府办公室值班安排如下。</p>'));

    perform pg_temp.demo_item(dh, 'changed', jsonb_build_object(
        'title', '德宏州人民政府办公室2026年政务公开工作联系方式',
        'generated_on', old, 'category_id',
        (select id::text from gongkai.categories where code = '0101'),
        'keywords', '政务公开 联系方式',
        'body_html', '<p>办公地址：德宏州芒市勐焕路1号。</p>'
                     '<p>办公电话：0692-2121000。</p>',
        'change', jsonb_build_object(
            'body_html', '<p>办公地址：德宏州芒市勐焕路1号。</p>'
                         '<p>办公电话：0692-2121001。</p>',
            'change_note', '办公电话变更为0692-2121001。')));

    perform pg_temp.demo_item(dh, 'withdrawn', jsonb_build_object(
        'title', '关于举办2026年政务新媒体运营培训的通知',
        'generated_on', old, 'category_id',
        (select id::text from gongkai.categories where code = '10'),
        'keywords', '政务新媒体 培训',
        'body_html', '<p>定于12月举办全州政务新媒体运营培训。</p>'));

    perform pg_temp.demo_item(czj, 'unit_head', jsonb_build_object(
        'title', '德宏州财政局关于2027年州级部门预算编制有关事项的通知',
        'generated_on', new, 'category_id',
        (select id::text from gongkai.categories where code = '0403'),
        'keywords', '部门预算 编制',
        'body_html', '<p>现就2027年州级部门预算编制有关事项通知如下。</p>'));

    perform pg_temp.demo_item(czj, 'leader', jsonb_build_object(
        'title', '德宏州财政局2026年政府采购意向公开（第四批）',
        'generated_on', soon, 'category_id',
        (select id::text from gongkai.categories where code = '05'),
        'keywords', '政府采购 采购意向',
        'body_html', '<p>为便于供应商及时了解政府采购信息，现将采购意向公开如下。</p>'));
end
$$;
