//! What `Client::call` writes to `tracing`: a span per call, envelopes at TRACE only, and
//! never a session token or password.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use atollon_client::xml::{
    Children, DecodeError, EncodeError, Name, ReadContext, Secret, XmlWriter,
};
use atollon_client::{md5_hex, Client, ClientBuilder, Error, Operation, Session, SoapVersion};
use common::*;
use tracing::Level;

/// A log sink shared between the subscriber and the test.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn contents(&self) -> String {
        match self.0.lock() {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(poisoned) => String::from_utf8_lossy(&poisoned.into_inner()).into_owned(),
        }
    }
}

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut buffer) => buffer.extend_from_slice(bytes),
            Err(poisoned) => poisoned.into_inner().extend_from_slice(bytes),
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs a subscriber for the current thread that writes everything up to `level`
/// into the returned buffer. The tests use tokio's current-thread runtime, so the client
/// and the test server run on this thread too.
fn capture(level: Level) -> (LogBuffer, tracing::subscriber::DefaultGuard) {
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (buffer, guard)
}

const PASSWORD_MD5: &str = "5f4dcc3b5aa765d61d8327deb882cf99";

static QUICK_LOGIN: Operation = Operation {
    name: "QuickLogin",
    soap_action: "",
    version: SoapVersion::Soap11,
    request: Name::new(Some(ATOLLON), "QuickLogin"),
    response: Name::new(Some(ATOLLON), "QuickLoginResponse"),
    default_endpoint: "http://127.0.0.1:9/soap",
};

fn write_quick_login(writer: &mut XmlWriter, user: &str) -> Result<(), EncodeError> {
    writer.start(QUICK_LOGIN.request)?;
    writer.element(Name::new(None, "server"), &"acme".to_owned())?;
    writer.element(Name::new(None, "user"), &user.to_owned())?;
    writer.element(Name::new(None, "password"), &md5_hex("password"))?;
    writer.end()
}

fn read_quick_login(
    body: roxmltree::Node<'_, '_>,
    context: &ReadContext,
) -> Result<Secret, DecodeError> {
    let mut body_children = Children::new(body, context);
    let Some(response) = body_children.take(QUICK_LOGIN.response) else {
        return Err(body_children.missing(QUICK_LOGIN.response));
    };
    Children::new(response, context).required(Name::new(None, "session"))
}

/// Responds to QuickLogin for `jack` with the token, to QuickLogin for anyone else with a
/// `result` that echoes the password digest, and every other request with a Fault that
/// echoes the session token, as a careless server might.
fn login_then_fault(request: &Recorded) -> Reply {
    if request.body.contains("<user>jack</user>") {
        return Reply::xml(&soap11_response(&format!(
            "<ns1:QuickLoginResponse><result>OK</result><time>0.1</time>\
             <session>{TOKEN}</session></ns1:QuickLoginResponse>"
        )));
    }
    if request.body.contains("QuickLogin") {
        return Reply::xml(&soap11_response(&format!(
            "<ns1:QuickLoginResponse><result>password {PASSWORD_MD5} rejected</result>\
             <time>0.1</time></ns1:QuickLoginResponse>"
        )));
    }
    Reply::with_status(
        500,
        &format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
               <faultcode>s:Client</faultcode><faultstring>Invalid session {TOKEN}</faultstring>
               <detail><session>{TOKEN}</session><hint>session {TOKEN} expired</hint></detail>
               </s:Fault></s:Body></s:Envelope>"#
        ),
    )
}

#[tokio::test]
async fn trace_logs_hide_secrets() {
    let (logs, _guard) = capture(Level::TRACE);
    let server = TestServer::start(login_then_fault).await;
    let client = match ClientBuilder::new().endpoint(server.url()).build() {
        Ok(client) => client,
        Err(error) => panic!("client does not build: {error}"),
    };

    let login_jack = |writer: &mut XmlWriter| write_quick_login(writer, "jack");
    let token = client
        .call(&QUICK_LOGIN, None, &login_jack, read_quick_login)
        .await;
    let session = match token {
        Ok(token) => Session::new("acme", token),
        Err(error) => panic!("QuickLogin failed: {error}"),
    };
    assert_eq!(session.token().expose(), TOKEN);

    let write = |writer: &mut XmlWriter| {
        write_check_with(writer, session.server(), session.token().expose())
    };
    let error = client
        .call(&CHECK_WORKFLOW_QUEUE, None, &write, read_check)
        .await
        .err();
    let Some(fault) = error else {
        panic!("the Fault was not reported");
    };
    assert!(
        matches!(fault, Error::Fault { .. }),
        "expected a Fault, got {fault:?}"
    );

    let login_jill = |writer: &mut XmlWriter| write_quick_login(writer, "jill");
    let error = client
        .call(&QUICK_LOGIN, None, &login_jill, read_quick_login)
        .await
        .err();
    let Some(not_ok) = error else {
        panic!("the rejected login was not reported");
    };
    assert!(
        matches!(&not_ok, Error::NotOk { result, .. } if result == "password *** rejected"),
        "expected NotOk with the digest masked, got {not_ok:?}"
    );

    let text = logs.contents();
    assert!(
        !text.contains(TOKEN),
        "the session token reached the log:\n{text}"
    );
    assert!(
        !text.contains(PASSWORD_MD5),
        "the password digest reached the log:\n{text}"
    );
    assert!(
        text.contains("<password>***</password>"),
        "request envelope not logged:\n{text}"
    );
    assert!(
        text.contains("<session>***</session>"),
        "response envelope not logged:\n{text}"
    );
    assert!(
        text.contains("<server>acme</server>"),
        "request envelope not logged:\n{text}"
    );
    assert!(
        text.contains("Invalid session ***"),
        "Fault not logged redacted:\n{text}"
    );
    assert!(
        text.contains("password *** rejected"),
        "result not logged redacted:\n{text}"
    );
    assert!(
        text.contains("soap_call{operation=\"QuickLogin\""),
        "no call span:\n{text}"
    );
    assert!(text.contains("outcome=\"failed\""), "no outcome:\n{text}");

    for error in [&fault, &not_ok] {
        for rendered in [error.to_string(), format!("{error:?}")] {
            assert!(
                !rendered.contains(TOKEN),
                "the error shows the token: {rendered}"
            );
            assert!(
                !rendered.contains(PASSWORD_MD5),
                "the error shows the password: {rendered}"
            );
        }
    }
    assert!(!format!("{session:?}").contains(TOKEN));
}

#[tokio::test]
async fn envelopes_only_at_trace() {
    let (logs, _guard) = capture(Level::DEBUG);
    let server = TestServer::start(|_| Reply::xml(&check_response("OK", "0.012"))).await;
    let client = match Client::builder().endpoint(server.url()).build() {
        Ok(client) => client,
        Err(error) => panic!("client does not build: {error}"),
    };
    let response = client
        .call(&CHECK_WORKFLOW_QUEUE, None, &write_check, read_check)
        .await;
    assert!(response.is_ok(), "call failed: {response:?}");

    let text = logs.contents();
    assert!(
        text.contains("SOAP call succeeded"),
        "no call event:\n{text}"
    );
    assert!(text.contains("duration_ms="), "no duration:\n{text}");
    assert!(
        text.contains(&format!("host={}", server.addr)),
        "no host:\n{text}"
    );
    assert!(
        !text.contains("SOAP envelope"),
        "envelope logged below TRACE:\n{text}"
    );
    assert!(
        !text.contains("<server>"),
        "envelope logged below TRACE:\n{text}"
    );
}

#[tokio::test]
async fn logged_envelope_capped() {
    let (logs, _guard) = capture(Level::TRACE);
    // A 20 000-byte `note`, which the reader skips, makes the response far larger than
    // the 8 KiB log cap.
    let padding = "n".repeat(20_000);
    let body = soap11_response(&format!(
        "<ns1:CheckWorkflowQueueResponse><result>OK</result><time>1</time>\
         <note>{padding}</note></ns1:CheckWorkflowQueueResponse>"
    ));
    let total = body.len();
    let server = TestServer::start(move |_| Reply::xml(&body)).await;
    let client = match Client::builder().endpoint(server.url()).build() {
        Ok(client) => client,
        Err(error) => panic!("client does not build: {error}"),
    };
    let response = client
        .call(&CHECK_WORKFLOW_QUEUE, None, &write_check, read_check)
        .await;
    assert!(response.is_ok(), "call failed: {response:?}");

    let text = logs.contents();
    assert!(
        text.contains(&format!("[cut at 8192 of {total} bytes]")),
        "response envelope not capped:\n{}",
        &text[..text.len().min(2000)]
    );
    assert!(
        !text.contains(&padding[..9000]),
        "more than 8 KiB of the envelope was logged"
    );
}
