//! Password hashing with argon2id. Hashing is slow on purpose, so it runs off the async threads.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 12;

/// A password that meets the rules; the only thing [`hash`] accepts.
pub struct NewPassword(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password must be at least {MIN_LENGTH} characters long")]
    TooShort,
}

impl NewPassword {
    pub fn parse(password: &str) -> Result<NewPassword, PasswordError> {
        if password.chars().count() < MIN_LENGTH {
            return Err(PasswordError::TooShort);
        }
        Ok(NewPassword(password.to_owned()))
    }
}

fn argon2() -> Argon2<'static> {
    // OWASP's recommended argon2id parameters (19 MiB, 2 iterations).
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

pub async fn hash(password: NewPassword) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password.0)).await?
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?
        .to_string())
}

/// A hash of a random password, verified against when the user does not exist so that a
/// wrong email costs as much time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut random = [0u8; 32];
    argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut random);
    hash_blocking(&base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        random,
    ))
    .expect("hashing a random password works")
});

/// Checks `password` against `stored`, or against a dummy hash when there is no user.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed =
            PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let matches = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(exists && matches)
    })
    .await?
}

/// Computes the dummy hash ahead of the first login attempt.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("elf-tekens!").err(),
            Some(PasswordError::TooShort)
        );
        assert!(NewPassword::parse("twaalf-tekens").is_ok());
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let hashed = hash(NewPassword::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), Some(hashed.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse battery".into(), Some(hashed)).await.unwrap());
        assert!(!verify("correct horse battery".into(), None).await.unwrap());
    }
}
