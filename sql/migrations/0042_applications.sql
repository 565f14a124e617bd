-- 0042: the cases of disclosure on request (一事一案、一案一卷, 工作规程
-- 第十四条) and everything recorded about them.  The flow (条例 第三十至
-- 三十五条, 工作规程 第六至十三条, DOMAIN.md §3):
--
--   received ──补正──> correcting ──补正材料到达──> received (clock restarts)
--   received ──受理──> processing
--   correcting ──逾期不补正──> closed (6.1)
--   received | processing ──reply delivered──> closed (its outcome)
--
-- A reply (答复书, or 不予处理告知书 for the outcomes of group 5) is drafted
-- by an application officer, passes the secrecy review and the approval,
-- becomes a numbered document and is delivered; only then can the case
-- close, with the reply's outcome.  The triggers below refuse every
-- other change of stage, whoever writes.
--
-- The applicant's personal data live in their own table, applicants,
-- which no portal function ever reads and only application officers of
-- the handling organ (and system administrators) are shown.  No personal
-- data goes into audit_log.detail (the audit page is open to every role).

-- ------------------------------------------------------------- the case

create sequence applications_tracking_seq;

create table applications (
    id               bigint generated always as identity primary key,
    -- the number the applicant tracks the case by: YS<year>-<serial>
    tracking_no      text not null unique
                     check (tracking_no ~ '^YS[0-9]{4}-[0-9]{6,}$'),
    -- SHA-256 of the secret query code (online applications; staff may
    -- issue one for the others); never the code itself
    query_hash       bytea check (octet_length(query_hash) = 32),
    -- SHA-256 of the online form's token: the same form posted twice is
    -- one case
    form_hash        bytea unique check (octet_length(form_hash) = 32),
    -- the organ applied to (被申请机关) and the one whose officers handle
    -- the case (desk_of)
    organ_id         bigint not null references organs (id),
    desk_organ_id    bigint not null references organs (id),
    channel          text not null references apply_channels (code),
    applicant_kind   text not null references applicant_kinds (code),
    by_agent         boolean not null default false,
    -- what is asked for (条例 第二十九条)
    description      text not null
                     check (btrim(description) <> ''
                            and length(description) <= 4000),
    doc_ref          text check (length(doc_ref) <= 200),
    purpose          text check (length(purpose) <= 1000),
    wanted_form      text not null check (wanted_form in ('paper',
                                                          'electronic')),
    delivery         text not null check (delivery in ('pickup', 'post',
                                                       'email', 'fax')),
    -- when the system recorded it, and the legal receipt date (第三十一条:
    -- in person that day, by post the day signed for, online and by fax
    -- or email the day both sides confirmed)
    received_at      timestamptz not null default now(),
    receipt_date     date not null,
    registered_by    bigint references users (id),
    registered_note  text check (length(registered_note) <= 1000),
    -- where the case stands; the reply clock starts the day after
    -- clock_start (the receipt date, or the day a correction arrived)
    stage            text not null default 'received'
                     check (stage in ('received', 'correcting',
                                      'processing', 'closed')),
    clock_start      date not null,
    accepted_on      date,
    -- closing: exactly one national outcome leaf
    outcome          text references apply_outcomes (code),
    closed_at        timestamptz,
    closed_by        bigint references users (id),
    close_note       text check (length(close_note) <= 2000),
    updated_at       timestamptz not null default now(),
    check (receipt_date >= date '2000-01-01'),
    check (clock_start >= receipt_date),
    check ((stage = 'closed')
           = (outcome is not null and closed_at is not null)),
    check ((channel = 'website') = (registered_by is null)),
    check (accepted_on is null or accepted_on >= receipt_date)
);

-- The applicant's status page: wrong query codes in a row, and a pause
-- after too many (settings apply.status_lock_after, _minutes).
create table case_status_throttle (
    case_id       bigint primary key references applications (id),
    failures      integer not null default 0 check (failures >= 0),
    locked_until  timestamptz
);

create index applications_desk_stage on applications (desk_organ_id, stage,
                                                      receipt_date);
create index applications_organ_receipt on applications (organ_id,
                                                         receipt_date);
create index applications_closed on applications (organ_id, closed_at)
    where closed_at is not null;

-- The applicant (条例 第二十九条; 工作规程 第三至五条): a citizen or a
-- legal person / other organisation, possibly through an agent.
create table applicants (
    case_id          bigint primary key references applications (id),
    name             text not null
                     check (btrim(name) <> '' and length(name) <= 100),
    -- a citizen
    id_type          text check (id_type in ('resident_id', 'passport',
                                             'hk_macao', 'taiwan',
                                             'foreign_pr', 'other')),
    id_number        text check (length(id_number) <= 40),
    work_unit        text check (length(work_unit) <= 200),
    -- an organisation
    credit_code      text check (credit_code_valid(credit_code)),
    legal_rep        text check (length(legal_rep) <= 100),
    contact_person   text check (length(contact_person) <= 100),
    -- both
    address          text check (length(address) <= 300),
    postcode         text check (postcode ~ '^[0-9]{6}$'),
    phone            text check (length(phone) <= 40),
    email            text check (length(email) <= 200),
    fax              text check (length(fax) <= 40),
    -- an agent (委托代理人)
    agent_name       text check (length(agent_name) <= 100),
    agent_id_number  text check (length(agent_id_number) <= 40),
    agent_phone      text check (length(agent_phone) <= 40),
    -- who this is, for 第三十五条 (the same applicant over a window):
    -- "id:<type>:<number>" or "uscc:<code>", else the name
    identity_key     text not null check (length(identity_key) <= 200),
    check (id_type is distinct from 'resident_id'
           or resident_id_valid(id_number))
);

create index applicants_identity on applicants (identity_key);

-- One correction notice per case (条例 第三十条 "一次性告知"), within 7
-- working days of receipt, with a deadline; the corrected application's
-- arrival restarts the clock.
create table case_corrections (
    id           bigint generated always as identity primary key,
    case_id      bigint not null unique references applications (id),
    items        text not null
                 check (btrim(items) <> '' and length(items) <= 4000),
    notice_on    date not null,
    due_on       date not null,
    received_on  date,
    received_note text check (length(received_note) <= 2000),
    created_by   bigint not null references users (id),
    created_at   timestamptz not null default now(),
    check (due_on > notice_on),
    check (received_on is null or received_on >= notice_on)
);

-- Consultations that stop the clock: third parties (条例 第三十二条, 15
-- working days) and co-producing organs (第三十四条).  The pause covers
-- the days after sent_on up to answered_on; an open one stops the
-- clock until it is answered.
create table case_consultations (
    id           bigint generated always as identity primary key,
    case_id      bigint not null references applications (id),
    kind         text not null check (kind in ('third_party', 'organ')),
    party        text not null
                 check (btrim(party) <> '' and length(party) <= 200),
    sent_on      date not null,
    due_on       date not null,
    answered_on  date,
    answer       text check (answer in ('agree', 'disagree', 'no_answer')),
    note         text check (length(note) <= 2000),
    created_by   bigint not null references users (id),
    created_at   timestamptz not null default now(),
    check ((answered_on is null) = (answer is null)),
    check (answered_on is null or answered_on >= sent_on)
);

create index case_consultations_case on case_consultations (case_id);

-- One extension of at most 20 working days (第三十三条), requested by an
-- application officer, approved (or refused) by the head of the
-- disclosure office — in this system a unit head (股室负责人) of the
-- handling organ.
create table case_extensions (
    id            bigint generated always as identity primary key,
    case_id       bigint not null references applications (id),
    days          integer not null check (days between 1 and 20),
    reason        text not null
                  check (btrim(reason) <> '' and length(reason) <= 2000),
    requested_by  bigint not null references users (id),
    requested_at  timestamptz not null default now(),
    decision      text check (decision in ('approved', 'refused')),
    decided_by    bigint references users (id),
    decided_on    date,
    decided_at    timestamptz,
    decision_note text check (length(decision_note) <= 2000),
    check ((decision is null) = (decided_by is null)),
    check ((decision is null) = (decided_on is null)),
    check (decided_by is distinct from requested_by)
);

-- at most one request pending or approved
create unique index case_extensions_one on case_extensions (case_id)
    where decision is distinct from 'refused';

-- Assignments to departments (处理单, 工作规程 第七、八条), each answered
-- within 5 working days with one of five answers and, for 免予公开 and
-- 部分公开, the legal ground.
create table case_assignments (
    id            bigint generated always as identity primary key,
    case_id       bigint not null references applications (id),
    unit          text not null
                  check (btrim(unit) <> '' and length(unit) <= 200),
    note          text check (length(note) <= 2000),
    assigned_on   date not null,
    due_on        date not null,
    answer        text check (answer in ('open', 'partial', 'exempt',
                                         'not_ours', 'not_exist')),
    ground        text references withhold_grounds (code),
    answer_note   text check (length(answer_note) <= 4000),
    answered_on   date,
    created_by    bigint not null references users (id),
    created_at    timestamptz not null default now(),
    answered_by   bigint references users (id),
    check ((answer is null) = (answered_on is null)),
    check (answer is null or answer not in ('partial', 'exempt')
           or ground is not null),
    check (answered_on is null or answered_on >= assigned_on)
);

create index case_assignments_case on case_assignments (case_id);

-- Documents of the dossier, each with its organ-sequence number
-- (德政办公复〔2025〕12号) and the record of its delivery (送达签收).
-- The text is fixed when the document is issued.
create table case_documents (
    id            bigint generated always as identity primary key,
    case_id       bigint not null references applications (id),
    kind          text not null check (kind in ('acceptance', 'correction',
                                                'extension', 'reply',
                                                'refusal')),
    doc_no        text not null unique,
    abbr          text not null,
    word          text not null,
    year          integer not null,
    seq           integer not null check (seq >= 1),
    title         text not null,
    -- the salutation names the applicant: kept apart from the body so
    -- that the applicant's status page can show the body without it
    addressee     text not null,
    body          text not null,
    issuer        text not null,
    issued_on     date not null,
    issued_by     bigint references users (id),
    created_at    timestamptz not null default now(),
    sent_method   text check (sent_method in ('in_person', 'pickup', 'post',
                                              'email', 'fax')),
    sent_on       date,
    signed_by     text check (length(signed_by) <= 100),
    sent_note     text check (length(sent_note) <= 1000),
    sent_by       bigint references users (id),
    unique (abbr, word, year, seq),
    check ((sent_method is null) = (sent_on is null)),
    check ((sent_method is null) = (sent_by is null)),
    check (sent_on is null or sent_on >= issued_on)
);

create index case_documents_case on case_documents (case_id, id);

-- The last number given per handling organ, document word and year.
create table case_doc_numbers (
    organ_id  bigint not null references organs (id),
    word      text not null,
    year      integer not null,
    last      integer not null,
    primary key (organ_id, word, year)
);

-- Replies: draft, secrecy review, approval (seed 000 工作规程 第九至十一
-- 条).  state is derived from the steps.
create table case_replies (
    id           bigint generated always as identity primary key,
    case_id      bigint not null references applications (id),
    no           integer not null check (no >= 1),
    outcome      text not null references apply_outcomes (code),
    ground       text references withhold_grounds (code),
    body         text not null
                 check (btrim(body) <> '' and length(body) <= 8000),
    -- 不属于本机关: the organ that holds it and how to reach it (第三十六条)
    right_organ  text check (length(right_organ) <= 300),
    drafted_by   bigint not null references users (id),
    drafted_at   timestamptz not null default now(),
    state        text not null default 'secrecy'
                 check (state in ('secrecy', 'approval', 'approved',
                                  'returned')),
    document_id  bigint references case_documents (id),
    unique (case_id, no),
    check (document_id is null or state = 'approved')
);

create unique index case_replies_one_open on case_replies (case_id)
    where state in ('secrecy', 'approval');
create unique index case_replies_one_approved on case_replies (case_id)
    where state = 'approved';

create table case_reply_steps (
    id        bigint generated always as identity primary key,
    reply_id  bigint not null references case_replies (id),
    step      text not null check (step in ('secrecy', 'approval')),
    decision  text not null check (decision in ('approve', 'return')),
    actor_id  bigint not null references users (id),
    at        timestamptz not null default now(),
    reason    text check (length(reason) <= 2000),
    check (decision = 'approve' or btrim(coalesce(reason, '')) <> '')
);

create index case_reply_steps_reply on case_reply_steps (reply_id, id);

-- Administrative reconsideration and litigation arising from a case
-- (NATIONAL.md section 四): the route of a suit, and the result.
create table case_remedies (
    id          bigint generated always as identity primary key,
    case_id     bigint not null references applications (id),
    kind        text not null check (kind in ('reconsideration',
                                              'litigation')),
    route       text check (route in ('direct', 'after_reconsideration')),
    filed_on    date not null,
    body        text not null
                check (btrim(body) <> '' and length(body) <= 200),
    result      text not null default 'pending'
                check (result in ('upheld', 'corrected', 'other',
                                  'pending')),
    decided_on  date,
    note        text check (length(note) <= 2000),
    created_by  bigint not null references users (id),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    check ((kind = 'litigation') = (route is not null)),
    check ((result = 'pending') = (decided_on is null)),
    check (decided_on is null or decided_on >= filed_on)
);

create index case_remedies_case on case_remedies (case_id);
