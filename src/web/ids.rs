//! Ids in paths: `/{tenant}/…/{id}` and `/{tenant}/…/{id}/…/{other}`. Anything that is not an
//! id is simply not found, so a malformed id answers 404 like an unknown one.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use uuid::Uuid;

use crate::error::AppError;

/// The one id in the path after the cooperative's.
pub struct PathId(pub Uuid);

/// The two ids in the path after the cooperative's, in order.
pub struct PathIds(pub Uuid, pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((_, id)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        Ok(PathId(parse(&id)?))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((_, first, second)) = Path::<(String, String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        Ok(PathIds(parse(&first)?, parse(&second)?))
    }
}

fn parse(raw: &str) -> Result<Uuid, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}
