//! The desk's one search box: what was typed, and the residents it finds.

use time::Date;

use crate::db::TenantTx;
use crate::intake::residents::ResidentSummary;
use crate::intake::values::{Bsn, parse_postcode};
use crate::web::forms::parse_date;

/// What one search box can mean.
#[derive(Debug, PartialEq, Eq)]
pub enum Query {
    Bsn(String),
    DateOfBirth(Date),
    Postcode {
        postcode: String,
        house_number: Option<String>,
    },
    Name(Vec<String>),
}

impl Query {
    pub fn parse(raw: &str) -> Option<Query> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        if let Some(bsn) = Bsn::parse(raw) {
            return Some(Query::Bsn(bsn.as_str().to_owned()));
        }
        if raw.chars().next().is_some_and(|c| c.is_ascii_digit())
            && let Some(date) = parse_date(raw)
        {
            return Some(Query::DateOfBirth(date));
        }
        // "3931ab", "3931 AB 12", "3931AB12a"
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(start) = compact.get(..6)
            && let Some(postcode) = parse_postcode(start)
        {
            let rest = compact[6..].to_owned();
            return Some(Query::Postcode {
                postcode,
                house_number: (!rest.is_empty())
                    .then(|| rest.trim_end_matches(|c: char| c.is_alphabetic()).to_owned()),
            });
        }
        let words: Vec<String> = crate::intake::search_words(raw);
        (!words.is_empty()).then_some(Query::Name(words))
    }
}

pub const PAGE_SIZE: i64 = 25;

/// Residents matching the query, a page at a time (one more row than a page tells whether
/// there is a next). Every form of query is one index range or equality scan.
pub async fn search(tx: &mut TenantTx, query: &Query, page: i64) -> sqlx::Result<Vec<ResidentSummary>> {
    let offset = (page - 1) * PAGE_SIZE;
    let limit = PAGE_SIZE + 1;
    match query {
        Query::Bsn(bsn) => {
            sqlx::query_as!(
            ResidentSummary,
            "SELECT id, first_names, initials, surname_prefix, surname, date_of_birth, street, house_number,
                        house_number_addition, postcode, place
                 FROM residents WHERE tenant_id = $1 AND bsn = $2",
            tx.tenant_id(),
            bsn
        )
            .fetch_all(&mut **tx)
            .await
        }
        Query::DateOfBirth(date) => {
            sqlx::query_as!(
            ResidentSummary,
            "SELECT id, first_names, initials, surname_prefix, surname, date_of_birth, street, house_number,
                        house_number_addition, postcode, place
                 FROM residents WHERE tenant_id = $1 AND date_of_birth = $2
                 ORDER BY search_surname, id LIMIT $3 OFFSET $4",
            tx.tenant_id(),
            date,
            limit,
            offset
        )
            .fetch_all(&mut **tx)
            .await
        }
        Query::Postcode {
            postcode,
            house_number,
        } => {
            sqlx::query_as!(
            ResidentSummary,
            "SELECT id, first_names, initials, surname_prefix, surname, date_of_birth, street, house_number,
                        house_number_addition, postcode, place
                 FROM residents
                 WHERE tenant_id = $1 AND postcode = $2 AND ($3::text IS NULL OR house_number = $3)
                 ORDER BY house_number, search_surname, id LIMIT $4 OFFSET $5",
            tx.tenant_id(),
            postcode,
            house_number.as_deref(),
            limit,
            offset
        )
            .fetch_all(&mut **tx)
            .await
        }
        Query::Name(words) => search_by_name(tx, words, offset, limit).await,
    }
}

/// The word of a name search that picks the candidates: the longest, as the rarest.
fn longest_word(words: &[String]) -> &str {
    words.iter().fold(&words[0], |best, w| {
        if w.chars().count() > best.chars().count() {
            w
        } else {
            best
        }
    })
}

/// A word with the house number typed after it ("dorpsstraat12"): a street's last word and
/// the house number are one word of their own in `resident_search_terms`, one short range of
/// the index where a common street and a common number would each be thousands of residents.
fn street_with_number(words: &[String]) -> Option<String> {
    words
        .windows(2)
        .find(|pair| {
            !pair[0].starts_with(|c: char| c.is_ascii_digit())
                && pair[1].starts_with(|c: char| c.is_ascii_digit())
        })
        .map(|pair| pair.concat())
}

/// The word whose index range a name search reads: a street with its house number when some
/// resident has it, otherwise the longest word.
async fn leading_word(tx: &mut TenantTx, words: &[String]) -> sqlx::Result<String> {
    if let Some(street) = street_with_number(words) {
        let found = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT FROM resident_search_terms
                              WHERE tenant_id = $1 AND tier = 2
                                AND term >= search_text($2) AND term < search_text($2) || chr(1114111)) AS "found!""#,
            tx.tenant_id(),
            street
        )
        .fetch_one(&mut **tx)
        .await?;
        if found {
            return Ok(street);
        }
    }
    Ok(longest_word(words).to_owned())
}

/// The leading word and the other typed words. The leading word's range already holds every
/// candidate, so it is not checked again: a one-word search checks no other words at all.
async fn normalised(tx: &mut TenantTx, words: &[String]) -> sqlx::Result<(String, Vec<String>)> {
    let leading = leading_word(tx, words).await?;
    let mut others: Vec<String> = words.iter().filter(|w| **w != leading).cloned().collect();
    others.dedup();
    Ok((leading, others))
}

/// Past this many the page says "meer dan 200": nobody pages through more at the desk.
pub const COUNT_LIMIT: i64 = 200;

/// How many residents [`search`] finds, up to [`COUNT_LIMIT`] + 1, for "1–25 van 130": each
/// part one short range scan, as the search itself reads.
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
        // Both tiers, each resident once, as the search lists them.
        Query::Name(words) => {
            let (leading, words) = &normalised(tx, words).await?;
            let by_surname = match words.is_empty() {
                true => count_one_word(tx, leading, limit).await?,
                false => count_in_tier(tx, 1, leading, words, limit).await?,
            };
            // Past the limit the second tier changes nothing the page says.
            if by_surname >= limit {
                return Ok(by_surname);
            }
            let by_other_words = count_in_tier(tx, 2, leading, words, limit).await?;
            Ok(by_surname + by_other_words)
        }
    }
}

/// Residents with a word starting with the leading word, and every other typed word the start
/// of one of their words (name, street, house number or postcode). Those whose surname has the
/// word come first (tier 1), then the others (tier 2), each by that word, surname and first
/// names. Each part is read in the order of `resident_search_terms_order` and stops at the page,
/// so a common name costs no more than a rare one: one range scan per part, and a count only
/// when a page spans both.
async fn search_by_name(
    tx: &mut TenantTx,
    words: &[String],
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ResidentSummary>> {
    let (leading, words) = &normalised(tx, words).await?;
    let mut found = name_matches(tx, 1, leading, words, limit, offset).await?;
    if found.len() as i64 == limit {
        return Ok(found);
    }
    // Where the second tier's page starts: past the first tier's matches, counted up to the
    // offset (a page that found none in the first tier lies past all of them).
    let by_surname = if found.is_empty() {
        count_in_tier(tx, 1, leading, words, offset).await?
    } else {
        offset + found.len() as i64
    };
    let others = name_matches(
        tx,
        2,
        leading,
        words,
        limit - found.len() as i64,
        (offset - by_surname).max(0),
    )
    .await?;
    found.extend(others);
    Ok(found)
}

/// A query over one tier of a name search: `$1` cooperative, `$2` tier, `$3` the leading word,
/// `$4` the other typed words ([`normalised`]). Each is put as `resident_search_terms` holds
/// words (`search_text`: lower case, accents off) once per query, in an InitPlan, not once per
/// candidate row. A resident matches once, under the first of their words in the tier the
/// leading word starts, not at all when an earlier tier matched them, and only when every typed
/// word starts one of their words. The list and its counts share these conditions, so the page
/// and its "1–25 van 130" cannot disagree.
macro_rules! in_tier {
    ($query:ident!($($out:path,)? $head:literal, $tail:literal $(, $arg:expr)* $(,)?)) => {
        sqlx::$query!(
            $($out,)?
            $head
                + r#" WHERE t.tenant_id = $1 AND t.tier = $2
                        AND t.term >= (SELECT search_text($3)) AND t.term < (SELECT search_text($3) || chr(1114111))
                        AND NOT EXISTS (SELECT FROM resident_search_terms e
                                        WHERE e.tenant_id = t.tenant_id AND e.resident_id = t.resident_id
                                          AND (e.tier < t.tier OR (e.tier = t.tier AND e.term < t.term))
                                          AND e.term >= (SELECT search_text($3)) AND e.term < (SELECT search_text($3) || chr(1114111)))
                        AND NOT EXISTS (SELECT FROM unnest((SELECT array(SELECT search_text(x) FROM unnest($4::text[]) x))) w
                                        WHERE NOT EXISTS (SELECT FROM resident_search_terms e
                                                          WHERE e.tenant_id = t.tenant_id AND e.resident_id = t.resident_id
                                                            AND e.term >= w AND e.term < w || chr(1114111))) "#
                + $tail
            $(, $arg)*
        )
    };
}

/// One tier of a name search, a page at a time, in the order of `resident_search_terms_order`.
async fn name_matches(
    tx: &mut TenantTx,
    tier: i16,
    leading: &str,
    words: &[String],
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ResidentSummary>> {
    in_tier!(query_as!(
        ResidentSummary,
        "SELECT r.id, r.first_names, r.initials, r.surname_prefix, r.surname, r.date_of_birth, r.street,
                r.house_number, r.house_number_addition, r.postcode, r.place
         FROM resident_search_terms t
         JOIN residents r ON r.tenant_id = t.tenant_id AND r.id = t.resident_id",
        "ORDER BY t.term, t.surname, t.first_names, t.resident_id LIMIT $5 OFFSET $6",
        tx.tenant_id(),
        tier,
        leading,
        words,
        limit,
        offset
    ))
    .fetch_all(&mut **tx)
    .await
}

/// How many residents the first tier of a one-word search matches, counted up to `limit`: the
/// residents among the first `2 × limit` words of the range, without a probe per word. Only
/// when the range is that long and holds fewer than `limit` residents (most residents having
/// the word twice) is it counted the long way.
async fn count_one_word(tx: &mut TenantTx, leading: &str, limit: i64) -> sqlx::Result<i64> {
    let range = sqlx::query!(
        r#"SELECT count(*) AS "words!", count(DISTINCT resident_id) AS "residents!"
           FROM (SELECT resident_id FROM resident_search_terms
                 WHERE tenant_id = $1 AND tier = 1
                   AND term >= (SELECT search_text($2)) AND term < (SELECT search_text($2) || chr(1114111))
                 LIMIT $3) AS range"#,
        tx.tenant_id(),
        leading,
        2 * limit
    )
    .fetch_one(&mut **tx)
    .await?;
    if range.residents >= limit {
        Ok(limit)
    } else if range.words < 2 * limit {
        Ok(range.residents)
    } else {
        count_in_tier(tx, 1, leading, &[], limit).await
    }
}

/// How many residents one tier of a name search matches, counted up to `limit`.
async fn count_in_tier(
    tx: &mut TenantTx,
    tier: i16,
    leading: &str,
    words: &[String],
    limit: i64,
) -> sqlx::Result<i64> {
    in_tier!(query_scalar!(
        r#"SELECT count(*) AS "count!" FROM (SELECT 1 FROM resident_search_terms t"#,
        "LIMIT $5) AS counted",
        tx.tenant_id(),
        tier,
        leading,
        words,
        limit
    ))
    .fetch_one(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_search_box_understands_what_is_typed() {
        assert_eq!(Query::parse("111222333"), Some(Query::Bsn("111222333".into())));
        assert_eq!(
            Query::parse("12-03-1957"),
            Some(Query::DateOfBirth(time::macros::date!(1957 - 03 - 12)))
        );
        assert_eq!(
            Query::parse("3931ab"),
            Some(Query::Postcode {
                postcode: "3931 AB".into(),
                house_number: None
            })
        );
        assert_eq!(
            Query::parse("3931 AB 12a"),
            Some(Query::Postcode {
                postcode: "3931 AB".into(),
                house_number: Some("12".into())
            })
        );
        assert_eq!(
            Query::parse("Jan  de Vries"),
            Some(Query::Name(vec!["jan".into(), "de".into(), "vries".into()]))
        );
        assert_eq!(Query::parse("  "), None);
        assert_eq!(
            Query::parse("Müller-Çelik, D'Ancona"),
            Some(Query::Name(vec![
                "müller".into(),
                "çelik".into(),
                "d".into(),
                "ancona".into()
            ]))
        );
        assert_eq!(Query::parse("3931"), Some(Query::Name(vec!["3931".into()])));
    }

    #[test]
    fn the_longest_word_or_a_street_with_its_number_leads_a_name_search() {
        let words = |typed: &str| crate::intake::search_words(typed);
        assert_eq!(longest_word(&words("jan de vries")), "vries");
        assert_eq!(longest_word(&words("de ab")), "de");
        assert_eq!(
            street_with_number(&words("Prins Bernhardlaan 12a")).as_deref(),
            Some("bernhardlaan12a")
        );
        assert_eq!(street_with_number(&words("3931 de vries")), None);
    }
}
