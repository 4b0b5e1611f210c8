//! Case tasks on the assignee's start page until they are done.

use time::Duration;

use crate::common::TestApp;
use crate::common::pages::{field_error, nl};
use crate::common::records::today;
use crate::common::users::User;

use super::{anders, give_lead, insert_case};

#[tokio::test]
async fn a_case_task_is_on_the_assignees_start_page_until_it_is_done() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Taken", "normal", 5).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let today = today(&app).await;
    let (late, soon) = (today - Duration::days(3), today + Duration::days(7));
    let tasks = format!("/demo/cases/{case}/tasks");

    let (status, body) = team
        .send(
            &tasks,
            &[
                ("title", ""),
                ("assignee", &team.id.to_string()),
                ("due_on", &soon.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "task-title").as_deref(),
        Some("Beschrijf de taak.")
    );
    for (title, who, due) in [
        ("Verslag naar de huisarts", &team.id, soon),
        ("Huisarts terugbellen", &team.id, late),
        ("Buurvrouw spreken", &anna.id, soon),
    ] {
        let (status, body) = team
            .send(
                &tasks,
                &[
                    ("title", title),
                    ("assignee", &who.to_string()),
                    ("due_on", &due.to_string()),
                ],
            )
            .await;
        assert_eq!(status, 303, "{body}");
    }

    let my_tasks = |page: &str| -> String {
        let start = page
            .find("id=\"my-tasks\"")
            .expect("the task list on the start page");
        let rest = &page[start..];
        rest[..rest.find("</section>").unwrap()].to_owned()
    };
    let (_, start) = team.page("/demo/").await;
    let list = my_tasks(&start);
    assert!(!list.contains("Buurvrouw spreken"), "only the user's own tasks");
    let overdue = list.find("Huisarts terugbellen").unwrap();
    let upcoming = list.find("Verslag naar de huisarts").unwrap();
    assert!(overdue < upcoming, "the overdue task first");
    assert!(list.contains(&format!("te laat, was {}", nl(late))));
    assert!(list.contains(&format!("uiterlijk {}", nl(soon))));
    assert!(list.contains(&format!("/demo/cases/{case}#tasks")));
    assert!(
        list.contains("Huisarts terugbellen — Taken</a>"),
        "the task names the resident it is about: {list}"
    );
    let (_, start) = anna.page("/demo/").await;
    assert!(my_tasks(&start).contains("Buurvrouw spreken"));

    let task: String = sqlx::query_scalar("SELECT id::text FROM tasks WHERE title = 'Huisarts terugbellen'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let (status, _) = team.send(&format!("{tasks}/{task}/done"), &[]).await;
    assert_eq!(status, 303);
    let (_, start) = team.page("/demo/").await;
    let list = my_tasks(&start);
    assert!(!list.contains("Huisarts terugbellen") && list.contains("Verslag naar de huisarts"));
    let done_by: Option<String> = sqlx::query_scalar("SELECT done_by::text FROM tasks WHERE id = $1::uuid")
        .bind(&task)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(done_by.as_deref(), Some(team.id.to_string().as_str()));
    let (status, _) = team.send(&format!("{tasks}/{task}/done"), &[]).await;
    assert_eq!(status, 404, "a task is finished once");
}
