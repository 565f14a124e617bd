-- Demo staff accounts (issue 3): one user per role in two Dehong organs —
-- the prefecture government office (办公室, which runs the portal) and the
-- finance bureau (财政局, which has a department site) — and one system
-- administrator.  Every demo account has the password below;
-- sql/demo/LOGINS lists them (tools/stack prints it after `make run`).
--
-- Loading twice changes nothing: a missing user is created (its bcrypt
-- hash made here, cost 10), an existing one keeps its password, its
-- failure count and its state; missing roles are added.

create temporary table demo_users (
    login text, name text, organ text, role text
) on commit drop;

insert into demo_users values
    ('dh.sysadmin', '赵海波', '11533100000000101D', 'system_admin'),
    ('dh.drafter', '杨晓琳', '11533100000000101D', 'drafter'),
    ('dh.unithead', '刀建国', '11533100000000101D', 'unit_head'),
    ('dh.secrecy', '线美玲', '11533100000000101D', 'secrecy_reviewer'),
    ('dh.leader', '岳文华', '11533100000000101D', 'leader'),
    ('dh.applications', '排春燕', '11533100000000101D',
        'application_officer'),
    ('dh.siteadmin', '李俊杰', '11533100000000101D', 'site_admin'),
    ('czj.drafter', '何丽娟', '11533100000000102D', 'drafter'),
    ('czj.unithead', '孟国庆', '11533100000000102D', 'unit_head'),
    ('czj.secrecy', '方玉兰', '11533100000000102D', 'secrecy_reviewer'),
    ('czj.leader', '张卫东', '11533100000000102D', 'leader'),
    ('czj.applications', '尹思敏', '11533100000000102D',
        'application_officer'),
    ('czj.siteadmin', '段志勇', '11533100000000102D', 'site_admin');

insert into users (organ_id, login, name, password_hash)
select o.id, v.login, v.name, password_hash('gongkai-demo-2025')
  from demo_users v join organs o on o.unit_code = v.organ
 where not exists (select 1 from users u where u.login = v.login);

insert into user_roles (user_id, role)
select u.id, v.role
  from demo_users v join users u on u.login = v.login
on conflict do nothing;
