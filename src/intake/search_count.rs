//! How many residents a desk search finds, for "1–25 van 130". Counted up to a limit the desk
//! needs (past it, the search should be narrowed) so that a common name costs a short range
//! scan, as the search itself does.

use crate::db::TenantTx;
use crate::intake::residents::Query;

/// Past this many the page says "meer dan 200": nobody pages through more at the desk.
pub const COUNT_LIMIT: i64 = 200;

/// How many residents [`crate::intake::residents::search`] finds, up to [`COUNT_LIMIT`] + 1.
pub async fn count(tx: &mut TenantTx, query: &Query) -> sqlx::Result<i64> {
    let limit = COUNT_LIMIT + 1;
    match query {
        Query::Bsn(bsn) => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "count!" FROM residents WHERE tenant_id = $1 AND bsn = $2"#,
                tx.tenant_id(),
                bsn
            )
            .fetch_one(&mut **tx)
            .await
        }
        Query::DateOfBirth(date) => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "count!" FROM (
                       SELECT 1 FROM residents WHERE tenant_id = $1 AND date_of_birth = $2 LIMIT $3
                   ) AS counted"#,
                tx.tenant_id(),
                date,
                limit
            )
            .fetch_one(&mut **tx)
            .await
        }
        Query::Postcode {
            postcode,
            house_number,
        } => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "count!" FROM (
                       SELECT 1 FROM residents
                       WHERE tenant_id = $1 AND postcode = $2 AND ($3::text IS NULL OR house_number = $3)
                       LIMIT $4
                   ) AS counted"#,
                tx.tenant_id(),
                postcode,
                house_number.as_deref(),
                limit
            )
            .fetch_one(&mut **tx)
            .await
        }
        // The search's two parts, each its own range scan: surnames, then first names.
        Query::Name(words) => {
            sqlx::query_scalar!(
                r#"SELECT (SELECT count(*) FROM (
                               SELECT 1 FROM residents
                               WHERE tenant_id = $1
                                 AND search_surname >= search_text($2) AND search_surname < search_text($2) || chr(1114111)
                                 AND search_full_name LIKE ALL (ARRAY(SELECT '%' || search_text(w) || '%' FROM unnest($3::text[]) w))
                               LIMIT $4) AS by_surname)
                        + (SELECT count(*) FROM (
                               SELECT 1 FROM residents
                               WHERE tenant_id = $1
                                 AND search_first_names >= search_text($2) AND search_first_names < search_text($2) || chr(1114111)
                                 AND NOT (search_surname >= search_text($2) AND search_surname < search_text($2) || chr(1114111))
                                 AND search_full_name LIKE ALL (ARRAY(SELECT '%' || search_text(w) || '%' FROM unnest($3::text[]) w))
                               LIMIT $4) AS by_first_name) AS "count!""#,
                tx.tenant_id(),
                &words[0],
                words,
                limit
            )
            .fetch_one(&mut **tx)
            .await
        }
    }
}
