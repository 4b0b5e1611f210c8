//! A user logged in through the login form, with their own cookies, CSRF token and id, and
//! what a request answered. Areas add the steps of their own pages in `impl User` blocks of
//! their test modules.

use uuid::Uuid;

use super::{TestApp, location};

/// A logged-in user with their own cookies, CSRF token and id.
pub struct User {
    pub app: TestApp,
    pub token: String,
    pub id: Uuid,
}

/// What a request answered: its status, where it redirects to, and its body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub body: String,
}

impl Answer {
    pub async fn of(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let location = location(&response).to_owned();
        let body = response.text().await.unwrap();
        Answer {
            status,
            location,
            body,
        }
    }
}

/// A file in a multipart form: (file name, content type the browser claims, content).
pub type Upload<'a> = (&'a str, &'a str, &'a [u8]);

impl User {
    /// Logs in as `email` of the cooperative `tenant` with a client of their own.
    pub async fn login(app: &TestApp, tenant: &str, email: &str) -> User {
        let client = app.other_client();
        client.login(tenant, email).await;
        let token = client.csrf_token(&format!("/{tenant}/")).await;
        let id = app.user_id(tenant, email).await.parse().unwrap();
        User {
            app: client,
            token,
            id,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.app.get(path).await
    }

    /// The status and the body of the page at `path`.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub async fn status(&self, path: &str) -> u16 {
        self.page(path).await.0
    }

    /// Posts a form with this user's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf_token", self.token.as_str())];
        form.extend_from_slice(fields);
        self.app.post_raw(path, &form).await
    }

    /// Posts a form; the status and the body of the answer.
    pub async fn send(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let response = self.post(path, fields).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Posts a form; its status, where it redirects to, and its body.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        Answer::of(self.post(path, fields).await).await
    }

    /// Posts a multipart form as it is (the CSRF token goes where the page puts it).
    pub async fn multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[Upload<'_>],
    ) -> (u16, String) {
        self.multipart_as(path, fields, "attachment", files).await
    }

    /// Posts a multipart form whose files are sent under `file_field`.
    pub async fn multipart_as(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        files: &[Upload<'_>],
    ) -> (u16, String) {
        let (content_type, body) = multipart_body(fields, file_field, files);
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

/// A multipart/form-data body built by hand, so that each file carries exactly the content
/// type a test claims for it.
fn multipart_body(fields: &[(&str, &str)], file_field: &str, files: &[Upload<'_>]) -> (String, Vec<u8>) {
    let boundary = "----schakel-test-boundary-5f2c9a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (filename, content_type, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
