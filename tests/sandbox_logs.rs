//! The sandbox's log lines for a bad request: operation and session number, never the
//! session token.
//!
//! This test has a binary of its own, because tracing caches per call site whether any
//! subscriber is interested, and tests on other threads without a subscriber could race
//! that cache against this test's thread-local subscriber.

mod sandbox_common;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use sandbox_common::{login, start};

/// A log sink for the test's own tracing subscriber.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

#[tokio::test]
async fn bad_request_logged_without_token() {
    // A current-thread runtime runs the sandbox's tasks on this thread, so the
    // thread's default subscriber receives their events.
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = start().await;
    let api = login(&sandbox).await;
    let token = api.session.expose().to_owned();
    // CreateContact without its PERSON or COMPANY.
    let body = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsdl="http://atollon.com/enterprise/wsdl"><soapenv:Body><wsdl:CreateContact><server>acme</server><session>{token}</session></wsdl:CreateContact></soapenv:Body></soapenv:Envelope>"#
    );
    let response = reqwest::Client::new()
        .post(sandbox.soap_url())
        .header("Content-Type", "text/xml; charset=utf-8")
        .body(body)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => panic!("no response: {error}"),
    };
    assert_eq!(response.status().as_u16(), 500);
    let text = match response.text().await {
        Ok(text) => text,
        Err(error) => panic!("unreadable body: {error}"),
    };
    assert!(text.contains("invalid request: "), "{text}");
    assert!(
        !text.contains(&token),
        "the Fault repeats the token: {text}"
    );

    let logs = logs.text();
    let line = logs
        .lines()
        .find(|line| line.contains("SOAP request answered with a Fault"))
        .unwrap_or_else(|| panic!("no log line for the bad request in:\n{logs}"));
    assert!(line.contains("operation=\"CreateContact\""), "{line}");
    assert!(line.contains("session=1"), "{line}");
    assert!(line.contains("status=500"), "{line}");
    assert!(!logs.contains(&token), "the token reached the log:\n{logs}");
}
