//! The HTTP side through raw requests: bad input of every kind, the body size limit, the
//! served WSDL files, unknown paths, and random bodies.

mod sandbox_common;

use atollon::sandbox::SandboxConfig;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sandbox_common::{config, login, start, start_with};

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// Status, content type and body of one HTTP response.
struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

async fn post(url: &str, body: impl Into<reqwest::Body>) -> Reply {
    let client = reqwest::Client::new();
    let response = client
        .post(url)
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", "\"\"")
        .body(body)
        .send()
        .await;
    read(url, response).await
}

async fn get(url: &str) -> Reply {
    read(url, reqwest::get(url).await).await
}

async fn read(url: &str, response: Result<reqwest::Response, reqwest::Error>) -> Reply {
    let response = match response {
        Ok(response) => response,
        Err(error) => panic!("{url}: no response: {error}"),
    };
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("Content-Type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = match response.text().await {
        Ok(body) => body,
        Err(error) => panic!("{url}: unreadable body: {error}"),
    };
    Reply {
        status,
        content_type,
        body,
    }
}

/// Wraps operation XML in a SOAP 1.1 envelope with Atollon's namespace prefix `wsdl`.
fn envelope(operation: &str) -> String {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:wsdl="http://atollon.com/enterprise/wsdl"><soapenv:Header/><soapenv:Body>{operation}</soapenv:Body></soapenv:Envelope>"#
    )
}

/// Reads `faultcode` and `faultstring` of a SOAP 1.1 Fault.
fn fault_of(reply: &Reply) -> (String, String) {
    let document = match roxmltree::Document::parse(&reply.body) {
        Ok(document) => document,
        Err(error) => panic!("the response is not XML ({error}): {}", reply.body),
    };
    let text = |name: &str| {
        document
            .descendants()
            .find(|node| node.has_tag_name(name))
            .and_then(|node| node.text())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("the response has no {name}: {}", reply.body))
    };
    (text("faultcode"), text("faultstring"))
}

#[tokio::test]
async fn bad_input_gets_client_fault() {
    let sandbox = start().await;
    let url = sandbox.soap_url();
    let cases = [
        (
            "not XML",
            "hello".to_owned(),
            "the request is not a SOAP envelope: the body is not well-formed XML",
        ),
        ("empty body", String::new(), "the request is not a SOAP envelope: the body is empty"),
        (
            "not an envelope",
            "<order><id>7</id></order>".to_owned(),
            "the request is not a SOAP envelope: the root element is order, not a SOAP 1.1 or \
             SOAP 1.2 Envelope",
        ),
        (
            "a DTD",
            format!(
                "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>{}",
                envelope("<wsdl:CheckWorkflowQueue><server>acme</server><session>&a;</session></wsdl:CheckWorkflowQueue>")
            ),
            "the request is not a SOAP envelope: the document contains a DTD, which is rejected \
             so that no entity is expanded",
        ),
        (
            "an empty Body",
            envelope(""),
            "the SOAP 1.1 Body contains no element",
        ),
        // Nested far deeper than any SOAP message: parsing it recursively would overflow
        // the stack, so it is rejected before parsing.
        (
            "nested 10,000 levels deep",
            envelope(&format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000))),
            "the request is not a SOAP envelope: elements are nested more than 256 levels deep",
        ),
        (
            "a served request after the deep one",
            envelope("<wsdl:CheckWorkflowQueue><server>acme</server><session>x</session></wsdl:CheckWorkflowQueue>"),
            "",
        ),
    ];
    for (case, body, expected) in cases {
        let reply = post(&url, body).await;
        if expected.is_empty() {
            // The server still answers after the bad requests.
            assert_eq!(reply.status, 200, "{case}");
            continue;
        }
        assert_eq!(reply.status, 500, "{case}");
        assert!(
            reply.content_type.starts_with("text/xml"),
            "{case}: {}",
            reply.content_type
        );
        let (code, reason) = fault_of(&reply);
        assert_eq!(code, "soapenv:Client", "{case}");
        assert!(reason.starts_with(expected), "{case}: {reason}");
    }
}

#[tokio::test]
async fn unknown_operation_named() {
    let sandbox = start().await;
    let url = sandbox.soap_url();
    let implemented = "QuickLogin, CreateContact, ListContactList, CreateSimpleFolder, \
                       CreateProject, CreateProjectItem, CreateFolderItem, \
                       CreateInvoicesFromItems, CheckWorkflowQueue, CreateMarketingTriggers";
    let cases = [
        (
            "<wsdl:DeleteEverything><server>acme</server></wsdl:DeleteEverything>",
            "{http://atollon.com/enterprise/wsdl}DeleteEverything",
        ),
        // The right name in no namespace is not Atollon's operation.
        (
            "<QuickLogin><server>acme</server></QuickLogin>",
            "QuickLogin",
        ),
    ];
    for (operation, name) in cases {
        let reply = post(&url, envelope(operation)).await;
        assert_eq!(reply.status, 500, "{name}");
        let (code, reason) = fault_of(&reply);
        assert_eq!(code, "soapenv:Client", "{name}");
        assert_eq!(
            reason,
            format!(
                "unknown operation {name}: the sandbox implements {implemented} in namespace \
                 http://atollon.com/enterprise/wsdl"
            )
        );
    }
}

#[tokio::test]
async fn invalid_request_element_named() {
    let sandbox = start().await;
    let url = sandbox.soap_url();
    let cases = [
        (
            "<wsdl:ListContactList><server>acme</server><session>X</session></wsdl:ListContactList>",
            "invalid request: missing required element `Envelope/Body/ListContactList/list`",
        ),
        (
            "<wsdl:QuickLogin><server>acme</server><user>demo</user></wsdl:QuickLogin>",
            "invalid request: missing required element `Envelope/Body/QuickLogin/password`",
        ),
        (
            "<wsdl:CreateInvoicesFromItems><server>acme</server><session>X</session><project>abc</project></wsdl:CreateInvoicesFromItems>",
            "invalid request: invalid value \"abc\" at `Envelope/Body/CreateInvoicesFromItems/project`",
        ),
    ];
    for (operation, expected) in cases {
        let reply = post(&url, envelope(operation)).await;
        assert_eq!(reply.status, 500, "{operation}");
        let (code, reason) = fault_of(&reply);
        assert_eq!(code, "soapenv:Client", "{operation}");
        assert!(reason.starts_with(expected), "{reason}");
    }
}

#[tokio::test]
async fn soap12_envelope_as_text_xml() {
    let sandbox = start().await;
    let body = r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><w:CheckWorkflowQueue xmlns:w="http://atollon.com/enterprise/wsdl"><server>acme</server><session>X</session></w:CheckWorkflowQueue></e:Body></e:Envelope>"#;
    let reply = post(&sandbox.soap_url(), body).await;
    assert_eq!(reply.status, 500);
    let (code, reason) = fault_of(&reply);
    assert_eq!(code, "soapenv:VersionMismatch");
    assert!(reason.starts_with("the envelope is SOAP 1.2"), "{reason}");
}

#[tokio::test]
async fn oversize_body_gets_413() {
    let sandbox = start_with(SandboxConfig {
        max_body_bytes: 16 * 1024,
        ..config()
    })
    .await;
    // 32 KiB is twice the limit.
    let padding = " ".repeat(32 * 1024);
    let body = envelope(&format!(
        "<wsdl:CheckWorkflowQueue><server>acme</server><session>X</session>{padding}</wsdl:CheckWorkflowQueue>"
    ));
    let reply = post(&sandbox.soap_url(), body).await;
    assert_eq!(reply.status, 413);
    let (code, reason) = fault_of(&reply);
    assert_eq!(code, "soapenv:Client");
    assert_eq!(reason, "the request body exceeds the limit of 16384 bytes");

    // A body under the limit is served.
    let reply = post(
        &sandbox.soap_url(),
        envelope("<wsdl:CheckWorkflowQueue><server>acme</server><session>X</session></wsdl:CheckWorkflowQueue>"),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .body
            .contains("<result>ERROR: unknown session</result>"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn oversize_chunked_body_gets_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let sandbox = start_with(SandboxConfig {
        max_body_bytes: 16 * 1024,
        ..config()
    })
    .await;
    // A chunked body has no Content-Length, so the limit applies while it streams in.
    let mut stream = match tokio::net::TcpStream::connect(sandbox.local_addr()).await {
        Ok(stream) => stream,
        Err(error) => panic!("cannot connect to the sandbox: {error}"),
    };
    let chunk = "x".repeat(8 * 1024);
    let mut request = String::from(
        "POST /soap HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    // Four chunks of 8 KiB, 32 KiB in all.
    for _ in 0..4 {
        request.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    request.push_str("0\r\n\r\n");
    if let Err(error) = stream.write_all(request.as_bytes()).await {
        panic!("cannot send the request: {error}");
    }
    let mut response = Vec::new();
    if let Err(error) = stream.read_to_end(&mut response).await {
        panic!("cannot read the response: {error}");
    }
    let response = String::from_utf8_lossy(&response);
    assert!(
        response.starts_with("HTTP/1.1 413 "),
        "unexpected response: {response}"
    );
    assert!(
        response.contains("the request body exceeds the limit of 16384 bytes"),
        "{response}"
    );
}

#[tokio::test]
async fn wsdl_served_with_own_address() {
    let sandbox = start().await;
    for name in ["main", "project", "item", "invoice", "features", "web"] {
        let reply = get(&format!("{}/{name}.wsdl", sandbox.url())).await;
        assert_eq!(reply.status, 200, "{name}.wsdl");
        assert!(reply.content_type.starts_with("text/xml"), "{name}.wsdl");
        let document = match roxmltree::Document::parse(&reply.body) {
            Ok(document) => document,
            Err(error) => panic!("{name}.wsdl is not XML: {error}"),
        };
        let locations: Vec<&str> = document
            .descendants()
            .filter(|node| {
                node.tag_name().name() == "address"
                    && node.tag_name().namespace() == Some("http://schemas.xmlsoap.org/wsdl/soap/")
            })
            .filter_map(|node| node.attribute("location"))
            .collect();
        assert_eq!(locations, [sandbox.soap_url()], "{name}.wsdl");
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "definitions", "{name}.wsdl");
    }
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let sandbox = start().await;
    let reply = get(&format!("{}/billing.wsdl", sandbox.url())).await;
    assert_eq!(reply.status, 404);
    assert!(reply.body.contains("GET /main.wsdl"), "{}", reply.body);

    let reply = get(&format!("{}/admin", sandbox.url())).await;
    assert_eq!(reply.status, 404);

    let reply = get(&sandbox.soap_url()).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.body, "the SOAP endpoint takes POST requests\n");
}

#[tokio::test]
async fn published_request_answered() {
    // The published CheckWorkflowQueue request, with a real session, byte for byte in form.
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let body = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsdl="http://atollon.com/enterprise/wsdl">
  <soapenv:Header/>
  <soapenv:Body>
    <wsdl:CheckWorkflowQueue>
      <server>acme</server>
      <session>{}</session>
    </wsdl:CheckWorkflowQueue>
  </soapenv:Body>
</soapenv:Envelope>"#,
        api.session.expose()
    );
    let reply = post(&sandbox.soap_url(), body).await;
    assert_eq!(reply.status, 200);
    let document = match roxmltree::Document::parse(&reply.body) {
        Ok(document) => document,
        Err(error) => panic!("not XML ({error}): {}", reply.body),
    };
    let response = document.descendants().find(|node| {
        node.has_tag_name((
            "http://atollon.com/enterprise/wsdl",
            "CheckWorkflowQueueResponse",
        ))
    });
    let Some(response) = response else {
        panic!("no CheckWorkflowQueueResponse: {}", reply.body);
    };
    let children: Vec<&str> = response
        .children()
        .filter(|node| node.is_element())
        .map(|node| node.tag_name().name())
        .collect();
    assert_eq!(children, ["result", "time"]);
    assert!(reply.body.contains("<result>OK</result>"), "{}", reply.body);
}

/// Bodies for the property test: random bytes, and a valid request cut or changed at a
/// random place.
fn request_bodies() -> impl Strategy<Value = Vec<u8>> {
    let valid = envelope(
        "<wsdl:CreateProjectItem><server>acme</server><session>ABCDEF</session><ITEM><amount>1234</amount><billingStatus>3</billingStatus><name>A</name><project>139665101</project></ITEM></wsdl:CreateProjectItem>",
    )
    .into_bytes();
    let cut_valid = valid.clone();
    let changed_valid = valid.clone();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..2048),
        (0..valid.len()).prop_map(move |length| cut_valid[..length].to_vec()),
        (0..valid.len(), any::<u8>()).prop_map(move |(index, byte)| {
            let mut body = changed_valid.clone();
            body[index] = byte;
            body
        }),
        "[<>/a-zA-Z:=\"& ]{0,200}".prop_map(|text| envelope(&text).into_bytes()),
    ]
}

#[test]
fn random_bodies_never_crash() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic!("no tokio runtime: {error}"),
    };
    let sandbox = runtime.block_on(start());
    let url = sandbox.soap_url();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&request_bodies(), |body| {
        let reply = runtime.block_on(post(&url, body));
        prop_assert!(
            [200, 500].contains(&reply.status),
            "unexpected status {}: {}",
            reply.status,
            reply.body
        );
        prop_assert!(
            reply.body.contains("Envelope"),
            "not an envelope: {}",
            reply.body
        );
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }

    // The sandbox still serves a proper request after all of them.
    let api = runtime.block_on(login(&sandbox));
    assert_eq!(api.session.expose().len(), 44);
}
