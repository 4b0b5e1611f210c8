//! Who looked at a resident's file: the desk prints every view and change of it — the
//! cooperative's own staff by name, a member organisation's staff by their organisation —
//! and nobody else reaches the list.

use crate::api::referrals::{REPORT, World};
use crate::common::users::User;

#[tokio::test]
async fn the_desk_prints_who_looked_at_a_file_naming_member_staff_by_their_organisation() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    assert_eq!(lead.status(&w.case_path()).await, 200);
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    assert_eq!(lid.status(&format!("/demo/referrals/{referral}")).await, 200);
    for step in ["accept", "start"] {
        assert_eq!(
            lid.submit(&format!("/demo/referrals/{referral}/{step}"), &[])
                .await
                .status,
            303
        );
    }
    assert_eq!(
        lid.submit(&format!("/demo/referrals/{referral}/finish"), REPORT)
            .await
            .status,
        303
    );

    let desk = w.login("balie@demo.test").await;
    let path = format!("/demo/residents/{}/inzage", w.resident);
    let (_, resident) = desk.page(&format!("/demo/residents/{}", w.resident)).await;
    assert!(resident.contains("id=\"file-views-link\""));
    let (status, page) = desk.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Tom Teamlid"), "the lead by name: {page}");
    assert!(
        page.contains("Zorgcirkel Testdorp"),
        "the member's staff by organisation"
    );
    assert!(!page.contains("Lars Lidorganisatie"), "not by their own name");
    assert!(page.contains("medewerker lidorganisatie"), "in their role");

    // Reading the list is on the trail too; the team, a member and another cooperative do not
    // reach it.
    let mut db = w.app.owner_connection().await;
    let read: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE resident_id = $1 AND details ? 'who_looked'",
    )
    .bind(w.resident)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(read, 1);
    assert_eq!(lead.status(&path).await, 403);
    assert_eq!(lid.status(&path).await, 403);
    let (_, resident) = lead.page(&format!("/demo/residents/{}", w.resident)).await;
    assert!(!resident.contains("id=\"file-views-link\""));
    let stranger = User::login(&w.app, "demo2", "balie@demo.test").await;
    assert_eq!(
        stranger
            .status(&format!("/demo2/residents/{}/inzage", w.resident))
            .await,
        404
    );
}
