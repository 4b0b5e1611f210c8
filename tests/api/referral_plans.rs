//! The referral lists read their pages off their indexes under a generic plan (as sqlx's
//! prepared statements run on the web connections), on a data set big enough for PostgreSQL to
//! prefer a scan if it could.

use crate::common::{TestApp, generic_plan};

#[tokio::test]
async fn referral_queries_use_their_indexes_under_a_generic_plan() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    let tenant = app.tenant_id("demo").await;
    {
        let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
        let mut tx = schakel::db::tenant_tx(&owner, tenant).await.unwrap();
        let today = time::OffsetDateTime::now_utc().date();
        schakel::demo::generate::intake(
            &mut tx,
            5,
            3_000,
            6_000,
            3_000,
            today,
            &schakel::demo::generate::Progress::hidden(),
        )
        .await
        .unwrap();
        schakel::demo::generate::case_histories(
            &mut tx,
            5,
            1,
            today,
            &schakel::demo::generate::Progress::hidden(),
        )
        .await
        .unwrap();
        schakel::demo::generate::organisations(
            &mut tx,
            5,
            80,
            today,
            &schakel::demo::generate::Progress::hidden(),
        )
        .await
        .unwrap();
        // The member user works for the first organisation, and handles what it accepts.
        sqlx::query(
            "UPDATE users SET organisation_id = (SELECT id FROM organisations ORDER BY name LIMIT 1)
             WHERE email = 'lid@demo.test'",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        schakel::demo::generate::referrals(&mut tx, 5, 30_000, &schakel::demo::generate::Progress::hidden())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    sqlx::raw_sql("ANALYZE").execute(&mut db).await.unwrap();
    let (organisation, member): (String, String) =
        sqlx::query_as("SELECT organisation_id::text, id::text FROM users WHERE email = 'lid@demo.test'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    let case: String = sqlx::query_scalar(
        "SELECT case_id::text FROM referrals GROUP BY case_id ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();

    for (name, sql, args, indexes) in [
        (
            "new for the organisation",
            "SELECT id FROM referrals WHERE tenant_id = $1 AND organisation_id = $2 AND status = 'verstuurd'
               AND access_revoked_at IS NULL ORDER BY sent_at LIMIT $3",
            format!("'{tenant}', '{organisation}', 26"),
            &["referrals_organisation_status"][..],
        ),
        (
            "open offers for its services",
            "SELECT r.id FROM organisation_services os
             CROSS JOIN LATERAL (
                 SELECT r.id, r.sent_at FROM referrals r
                 WHERE r.tenant_id = os.tenant_id AND r.service_id = os.service_id
                   AND r.organisation_id IS NULL AND r.status = 'verstuurd'
                 ORDER BY r.sent_at, r.id LIMIT $3) r
             WHERE os.tenant_id = $1 AND os.organisation_id = $2 ORDER BY r.sent_at LIMIT $3",
            format!("'{tenant}', '{organisation}', 26"),
            // Each service's own range, not every open offer of the cooperative.
            &["Index Cond: ((tenant_id = os.tenant_id) AND (service_id = os.service_id))"],
        ),
        (
            "accepted by me",
            "SELECT r.id FROM referrals r WHERE r.tenant_id = $1 AND r.handled_by = $3 AND r.status = 'geaccepteerd'
               AND r.organisation_id = $2 AND r.access_revoked_at IS NULL ORDER BY r.sent_at, r.id LIMIT $4",
            format!("'{tenant}', '{organisation}', '{member}', 26"),
            // One person's share of the organisation's, or the organisation's in that state:
            // which is smaller depends on the data.
            &["referrals_handler", "referrals_organisation_status"],
        ),
        (
            "waiting for my report",
            "SELECT r.id FROM referrals r WHERE r.tenant_id = $1 AND r.handled_by = $3 AND r.status = 'gestart'
               AND r.organisation_id = $2 AND r.access_revoked_at IS NULL ORDER BY r.sent_at, r.id LIMIT $4",
            format!("'{tenant}', '{organisation}', '{member}', 26"),
            // One person's share of the organisation's, or the organisation's in that state:
            // which is smaller depends on the data.
            &["referrals_handler", "referrals_organisation_status"],
        ),
        (
            "overdue",
            "SELECT r.id FROM referrals r WHERE r.tenant_id = $1 AND r.status = 'verstuurd'
               AND r.answer_due_on < $2::date ORDER BY r.answer_due_on, r.id LIMIT $3",
            format!("'{tenant}', current_date, 51"),
            &["referrals_unanswered"],
        ),
        (
            "a case's referrals",
            "SELECT f.id FROM referrals f WHERE f.tenant_id = $1 AND f.case_id = $2 ORDER BY f.sent_at DESC LIMIT 100",
            format!("'{tenant}', '{case}'"),
            &["referrals_case"],
        ),
        (
            "cases with declined referrals",
            "SELECT f.case_id FROM referrals f WHERE f.tenant_id = $1 AND f.status = 'afgewezen'
             GROUP BY f.case_id HAVING count(*) >= $2",
            format!("'{tenant}', 2"),
            &["referrals_declined"],
        ),
    ] {
        let plan = generic_plan(&app, tenant, sql, &args).await;
        assert!(indexes.iter().any(|index| plan.contains(index)), "{name}:\n{plan}");
        assert!(!plan.contains("Seq Scan on referrals"), "{name}:\n{plan}");
    }
}
