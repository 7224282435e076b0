-- The views latest_offers and deadlines as a file held them before the schema step
-- m_views_agree_with_pages: the upgrade test rebuilds such a file and runs init on it.

CREATE VIEW [deadlines] AS 
SELECT kind, datetime(due_utc, 'localtime') AS due, due_utc, company, role, title, "table", row_id
FROM (
SELECT 'recruiter_reply' AS kind,
       datetime((CASE WHEN k.first_contacted_at GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR k.first_contacted_at GLOB '*[Zz]'
        THEN datetime(k.first_contacted_at) ELSE datetime(k.first_contacted_at, 'utc') END), '+24 hours') AS due_utc,
       c.name AS company, NULL AS role,
       'Reply to ' || k.name AS title,
       'contacts' AS "table", k.id AS row_id
FROM contacts k JOIN companies c ON c.id = k.company_id
WHERE coalesce(k.first_contacted_at, '') != '' AND coalesce(k.replied_at, '') = ''
UNION ALL
SELECT 'interview', (CASE WHEN i.scheduled_at GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR i.scheduled_at GLOB '*[Zz]'
        THEN datetime(i.scheduled_at) ELSE datetime(i.scheduled_at, 'utc') END), c.name, a.role,
       'Interview round ' || i.round || coalesce(': ' || replace(i.stage, '_', ' '), ''),
       'interviews', i.id
FROM interviews i JOIN applications a ON a.id = i.application_id
JOIN companies c ON c.id = a.company_id
WHERE coalesce(i.scheduled_at, '') != '' AND i.outcome != 'cancelled'
  AND (CASE WHEN i.scheduled_at GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR i.scheduled_at GLOB '*[Zz]'
        THEN datetime(i.scheduled_at) ELSE datetime(i.scheduled_at, 'utc') END) > datetime('now')
UNION ALL
SELECT 'thank_you', datetime((CASE WHEN i.scheduled_at GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR i.scheduled_at GLOB '*[Zz]'
        THEN datetime(i.scheduled_at) ELSE datetime(i.scheduled_at, 'utc') END), '+24 hours'), c.name, a.role,
       'Send a thank-you note for round ' || i.round,
       'interviews', i.id
FROM interviews i JOIN applications a ON a.id = i.application_id
JOIN companies c ON c.id = a.company_id
WHERE coalesce(i.scheduled_at, '') != '' AND i.outcome != 'cancelled'
  AND coalesce(i.thank_you_sent_at, '') = ''
  AND (CASE WHEN i.scheduled_at GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR i.scheduled_at GLOB '*[Zz]'
        THEN datetime(i.scheduled_at) ELSE datetime(i.scheduled_at, 'utc') END) <= datetime('now')
UNION ALL
SELECT 'offer_decision',
       CASE WHEN length(trim(o.decision_deadline)) = 10
            THEN datetime(trim(o.decision_deadline) || ' 23:59:59', 'utc')
            ELSE (CASE WHEN o.decision_deadline GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR o.decision_deadline GLOB '*[Zz]'
        THEN datetime(o.decision_deadline) ELSE datetime(o.decision_deadline, 'utc') END) END,
       c.name, a.role, 'Decide on the offer (revision ' || o.revision || ')',
       'offers', o.id
FROM offers o JOIN applications a ON a.id = o.application_id
JOIN companies c ON c.id = a.company_id
WHERE coalesce(o.decision_deadline, '') != '' AND o.status IN ('pending', 'negotiating')
  AND o.revision = (SELECT max(revision) FROM offers o2 WHERE o2.application_id = o.application_id)
UNION ALL
SELECT 'follow_up', datetime(substr(a.follow_up_on, 1, 10) || ' 23:59:59', 'utc'), c.name, a.role,
       'Follow up on the application', 'applications', a.id
FROM applications a JOIN companies c ON c.id = a.company_id
WHERE coalesce(a.follow_up_on, '') != ''
  AND a.status NOT IN ('accepted', 'declined', 'rejected', 'withdrawn')
UNION ALL
SELECT 'feedback_request',
       datetime(date(substr(a.rejected_on, 1, 10), '+2 days') || ' 23:59:59', 'utc'), c.name, a.role,
       'Thank them and ask for feedback', 'applications', a.id
FROM applications a JOIN companies c ON c.id = a.company_id
WHERE coalesce(a.rejected_on, '') != '' AND coalesce(a.feedback_requested_at, '') = ''
)
WHERE due_utc IS NOT NULL
ORDER BY due_utc, kind, row_id;

CREATE VIEW [latest_offers] AS 
SELECT
    o.id AS offer_id,
    o.application_id,
    c.name AS company,
    a.role,
    o.revision,
    o.is_final,
    o.status,
    o.received_on,
    o.decision_deadline,
    o.currency,
    o.base_salary,
    o.bonus_target,
    o.signing_bonus,
    o.equity_total,
    o.equity_discount_pct,
    o.vesting_years,
    o.vesting_cliff_months,
    o.retirement_match_pct,
    o.pto_days,
    o.remote,
    o.commute_minutes,
    o.location,
    o.title,
    o.base_salary * coalesce(o.retirement_match_pct, 0) / 100.0 AS retirement_match,
    o.equity_total * (1 - coalesce(o.equity_discount_pct, 0) / 100.0) AS equity_effective,
    CASE WHEN o.base_salary IS NULL THEN NULL ELSE
        o.base_salary + coalesce(o.bonus_target, 0) + coalesce(o.signing_bonus, 0)
        + o.base_salary * coalesce(o.retirement_match_pct, 0) / 100.0
        + CASE
        WHEN o.equity_total IS NULL THEN 0
        WHEN 12 * 1 < o.vesting_cliff_months THEN 0
        ELSE o.equity_total * (1 - coalesce(o.equity_discount_pct, 0) / 100.0)
             * min(1, o.vesting_years) / o.vesting_years
    END
    END AS first_year_comp,
    CASE WHEN o.base_salary IS NULL THEN NULL ELSE
        o.base_salary + coalesce(o.bonus_target, 0)
        + o.base_salary * coalesce(o.retirement_match_pct, 0) / 100.0
        + (coalesce(o.signing_bonus, 0) + CASE
        WHEN o.equity_total IS NULL THEN 0
        WHEN 12 * 4 < o.vesting_cliff_months THEN 0
        ELSE o.equity_total * (1 - coalesce(o.equity_discount_pct, 0) / 100.0)
             * min(4, o.vesting_years) / o.vesting_years
    END) / 4.0
    END AS annual_comp_4y
FROM offers o
JOIN applications a ON a.id = o.application_id
JOIN companies c ON c.id = a.company_id
WHERE o.revision = (SELECT max(revision) FROM offers o2 WHERE o2.application_id = o.application_id);
