//! Secrets at rest: what would let someone log in (a staff member's second-factor secret) is
//! stored sealed with a key that lives outside the database — `SCHAKEL_SECRET_KEY`, or the file
//! `secret.key` in the data directory, made on first start and readable by its owner only —
//! so a dump of the database alone logs nobody in.
//!
//! Sealing is XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`) with a random nonce per
//! value: `v1.` followed by the nonce and the ciphertext in URL-safe base64. A value altered
//! in the database, or sealed with another key, does not open.
//!
//! What need only be recognised, never read back (a resident's sign-in code), is kept as a
//! digest keyed with a key derived from the same one: SHA-256 over that key, the purpose and
//! the value.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::db;
use crate::tenancy;

const PREFIX: &str = "v1.";
const NONCE_LEN: usize = 24;
/// The key file's name in the data directory.
pub const KEY_FILE: &str = "secret.key";

/// Seals and opens secrets with the installation's key.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    digest_key: [u8; 32],
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    pub fn from_key(key: [u8; 32]) -> SecretBox {
        let digest_key = Sha256::new()
            .chain_update(b"schakel digest key\0")
            .chain_update(key)
            .finalize()
            .into();
        SecretBox {
            cipher: XChaCha20Poly1305::new(Key::from_slice(&key)),
            digest_key,
        }
    }

    /// A keyed digest of `value` for `purpose`: without the key, a stored digest neither gives
    /// the value back nor can be checked against guesses.
    pub fn digest(&self, purpose: &str, value: &str) -> Vec<u8> {
        Sha256::new()
            .chain_update(self.digest_key)
            .chain_update(purpose.as_bytes())
            .chain_update([0])
            .chain_update(value.as_bytes())
            .finalize()
            .to_vec()
    }

    /// The key from `explicit` (64 hexadecimal digits, `SCHAKEL_SECRET_KEY`), else from
    /// `<data_dir>/secret.key`, which is made (mode 0600) when it does not exist yet.
    pub fn load(explicit: Option<&str>, data_dir: &Path) -> anyhow::Result<SecretBox> {
        if let Some(hex) = explicit {
            return Ok(SecretBox::from_key(parse_key(hex).ok_or_else(|| {
                anyhow::anyhow!("SCHAKEL_SECRET_KEY must be 64 hexadecimal digits (32 bytes)")
            })?));
        }
        let path = data_dir.join(KEY_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let key = parse_key(text.trim())
                .ok_or_else(|| anyhow::anyhow!("{} does not hold 64 hexadecimal digits", path.display()))?;
            return Ok(SecretBox::from_key(key));
        }
        std::fs::create_dir_all(data_dir)?;
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let mut file = open_private(&path)?;
        writeln!(file, "{hex}")?;
        tracing::info!(
            "made a new secret key in {}; keep it with the backups",
            path.display()
        );
        Ok(SecretBox::from_key(key.into()))
    }

    pub fn seal(&self, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .expect("sealing in memory does not fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The secret, or none when the value is not sealed, was altered or has another key.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
        if bytes.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plain = self.cipher.decrypt(XNonce::from_slice(nonce), ciphertext).ok()?;
        String::from_utf8(plain).ok()
    }

    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(PREFIX)
    }
}

fn parse_key(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Seals the second-factor secrets stored before secrets were sealed, in every cooperative;
/// how many it sealed. Runs at start, as the schema owner.
pub async fn seal_stored(owner: &PgPool, secrets: &SecretBox) -> anyhow::Result<usize> {
    let mut sealed = 0;
    for tenant in tenancy::list(owner).await? {
        let mut tx = db::tenant_tx(owner, tenant.id).await?;
        let plain = sqlx::query!(
            r#"SELECT id, totp_secret AS "totp_secret!" FROM users
               WHERE tenant_id = $1 AND totp_secret IS NOT NULL AND totp_secret NOT LIKE 'v1.%'"#,
            tx.tenant_id()
        )
        .fetch_all(&mut *tx)
        .await?;
        for user in plain {
            sqlx::query!(
                "UPDATE users SET totp_secret = $3 WHERE tenant_id = $1 AND id = $2",
                tx.tenant_id(),
                user.id,
                secrets.seal(&user.totp_secret)
            )
            .execute(&mut *tx)
            .await?;
            sealed += 1;
        }
        tx.commit().await?;
    }
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_unaltered() {
        let secrets = SecretBox::from_key([7; 32]);
        let sealed = secrets.seal("JBSWY3DPEHPK3PXP");
        assert!(SecretBox::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(sealed, secrets.seal("JBSWY3DPEHPK3PXP"), "a new nonce every time");
        assert_eq!(secrets.open(&sealed).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(SecretBox::from_key([8; 32]).open(&sealed), None, "another key");
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            secrets.open(&String::from_utf8(altered).unwrap()),
            None,
            "altered"
        );
        assert_eq!(secrets.open("JBSWY3DPEHPK3PXP"), None, "not sealed");
    }

    #[test]
    fn a_digest_depends_on_the_key_the_purpose_and_the_value() {
        let secrets = SecretBox::from_key([7; 32]);
        let digest = secrets.digest("code", "ABCD-EFGH");
        assert_eq!(digest.len(), 32);
        assert_eq!(digest, secrets.digest("code", "ABCD-EFGH"));
        assert_ne!(digest, secrets.digest("code", "ABCD-EFGJ"));
        assert_ne!(digest, secrets.digest("link", "ABCD-EFGH"));
        assert_ne!(digest, SecretBox::from_key([8; 32]).digest("code", "ABCD-EFGH"));
    }

    #[test]
    fn the_key_file_is_made_once_readable_by_its_owner_only_and_read_again() {
        let dir = std::env::temp_dir().join(format!("schakel-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = SecretBox::load(None, &dir).unwrap();
        let sealed = first.seal("geheim");
        let again = SecretBox::load(None, &dir).unwrap();
        assert_eq!(again.open(&sealed).as_deref(), Some("geheim"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(SecretBox::load(Some("abc"), &dir).is_err());
        let explicit = SecretBox::load(Some(&"0f".repeat(32)), &dir).unwrap();
        assert_eq!(explicit.open(&sealed), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
