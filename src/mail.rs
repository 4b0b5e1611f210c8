//! Outgoing email, for invitations and password-reset links. Without SMTP configured nothing
//! is sent: administrators pass links on themselves, as the pages say.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Mailer {
    Disabled,
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
}

impl Mailer {
    /// `url` as `smtp://host:25`, `smtp://user:pass@host:587?tls=required` or
    /// `smtps://user:pass@host:465`; `from` as `Schakel <noreply@example.nl>`.
    pub fn smtp(url: &str, from: &str) -> anyhow::Result<Mailer> {
        Ok(Mailer::Smtp {
            transport: Box::new(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build()),
            from: from
                .parse()
                .map_err(|e| anyhow::anyhow!("SCHAKEL_MAIL_FROM is not an address: {e}"))?,
        })
    }

    pub fn is_enabled(&self) -> bool {
        matches!(self, Mailer::Smtp { .. })
    }

    /// Sends a plain-text message; Ok(false) when mail is not configured.
    pub async fn send(
        &self,
        to_name: &str,
        to_email: &str,
        subject: &str,
        body: String,
    ) -> anyhow::Result<bool> {
        let Mailer::Smtp { transport, from } = self else {
            return Ok(false);
        };
        let to = Mailbox::new(Some(to_name.to_owned()), to_email.parse()?);
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)?;
        transport.send(message).await?;
        Ok(true)
    }
}
