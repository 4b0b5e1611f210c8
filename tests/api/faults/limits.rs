//! Bodies over the limits.

use crate::common::{TestApp, is_error_page, raw_exchange};

#[tokio::test]
async fn a_form_over_the_body_limit_gets_the_413_page_whether_announced_or_not() {
    let app = TestApp::spawn().await;
    // Announced: refused before a byte of it is read.
    let head = format!(
        "POST /demo/residents HTTP/1.1\r\nHost: {}\r\nAccept-Language: nl\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3000000\r\n\r\n",
        app.address
    );
    let (status, page) = raw_exchange(app.address, &head, b"").await;
    assert_eq!(status, 413, "{page}");
    assert!(is_error_page(&page, "Te groot om te versturen"), "{page}");
    assert!(page.contains("een formulier tot 2 MB"), "{page}");

    // Sent in chunks without a length: refused once it passes the limit.
    let head = format!(
        "POST /demo/residents HTTP/1.1\r\nHost: {}\r\nAccept-Language: en\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.address
    );
    let size = 2 * 1024 * 1024 + 1;
    let mut chunk = format!("{size:x}\r\n").into_bytes();
    chunk.extend(std::iter::repeat_n(b'a', size));
    let (status, page) = raw_exchange(app.address, &head, &chunk).await;
    assert_eq!(status, 413, "{page}");
    assert!(is_error_page(&page, "Too large to send"), "{page}");
}
