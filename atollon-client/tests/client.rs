//! `Client::call` against a real HTTP server on 127.0.0.1, well-behaved and not.

mod common;

use std::time::Duration;

use atollon_client::envelope::EnvelopeError;
use atollon_client::xml::{DecodeError, EncodeError, Name};
use atollon_client::{Client, ClientBuilder, Error, FaultCode, Operation, Outcome, SoapVersion};
use common::*;
use rust_decimal::Decimal;

fn client_for(server: &TestServer) -> Client {
    build(ClientBuilder::new().endpoint(server.url()))
}

fn build(builder: ClientBuilder) -> Client {
    match builder.build() {
        Ok(client) => client,
        Err(error) => panic!("client does not build: {error}"),
    }
}

async fn call_check(client: &Client) -> Result<CheckResponse, Error> {
    client
        .call(&CHECK_WORKFLOW_QUEUE, None, &write_check, read_check)
        .await
}

/// Leaks an operation so that it has the `'static` lifetime `call` takes.
fn leak_operation(operation: Operation) -> &'static Operation {
    Box::leak(Box::new(operation))
}

#[tokio::test]
async fn call_success_reads_response() {
    let server = TestServer::start(|_| Reply::xml(&check_response("OK", "0.012"))).await;
    let response = call_check(&client_for(&server)).await;
    let expected = CheckResponse {
        result: "OK".to_owned(),
        time: Decimal::new(12, 3),
    };
    assert_eq!(response.ok(), Some(expected));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/soap");
}

#[tokio::test]
async fn request_envelope_on_the_wire() {
    let server = TestServer::start(|_| Reply::xml(&check_response("OK", "0.012"))).await;
    let response = call_check(&client_for(&server)).await;
    assert!(response.is_ok(), "call failed: {response:?}");

    let requests = server.requests();
    let request = &requests[0];
    assert_eq!(
        request.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    assert_eq!(request.header("soapaction"), Some("\"\""));
    let expected = concat!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
        r#"xmlns:wsdl="http://atollon.com/enterprise/wsdl">"#,
        "<soapenv:Header/><soapenv:Body><wsdl:CheckWorkflowQueue>",
        "<server>acme</server><session>6A941A9BC9EBEFAF585A4B936AA958755B1C85E2BD04</session>",
        "</wsdl:CheckWorkflowQueue></soapenv:Body></soapenv:Envelope>",
    );
    assert_eq!(request.body, expected);
}

#[tokio::test]
async fn soap11_action_quoted() {
    let server = TestServer::start(|_| Reply::xml(&check_response("OK", "1"))).await;
    let operation = leak_operation(Operation {
        soap_action: "http://atollon.com/enterprise/wsdl/CheckWorkflowQueue",
        ..CHECK_WORKFLOW_QUEUE
    });
    let response = client_for(&server)
        .call(operation, None, &write_check, read_check)
        .await;
    assert!(response.is_ok(), "call failed: {response:?}");
    let requests = server.requests();
    assert_eq!(
        requests[0].header("soapaction"),
        Some("\"http://atollon.com/enterprise/wsdl/CheckWorkflowQueue\"")
    );
}

#[tokio::test]
async fn soap12_headers_on_the_wire() {
    let body = concat!(
        r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>"#,
        r#"<a:CheckWorkflowQueueResponse xmlns:a="http://atollon.com/enterprise/wsdl">"#,
        "<result>OK</result><time>0.5</time></a:CheckWorkflowQueueResponse></env:Body></env:Envelope>",
    );
    let server = TestServer::start(move |_| Reply::Respond {
        status: 200,
        content_type: Some("application/soap+xml; charset=utf-8"),
        body: body.as_bytes().to_vec(),
    })
    .await;
    let client = client_for(&server);
    let response = client
        .call(&CHECK_WORKFLOW_QUEUE_12, None, &write_check, read_check)
        .await;
    assert_eq!(
        response.ok().map(|response| response.time),
        Some(Decimal::new(5, 1))
    );

    let requests = server.requests();
    let request = &requests[0];
    assert_eq!(
        request.header("content-type"),
        Some("application/soap+xml; charset=utf-8; action=\"http://atollon.com/enterprise/wsdl/CheckWorkflowQueue\"")
    );
    assert_eq!(request.header("soapaction"), None);
    assert!(
        request.body.starts_with(
            r#"<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope""#
        ),
        "body: {}",
        request.body
    );
}

#[tokio::test]
async fn endpoint_override_wins() {
    let default_server = TestServer::start(|_| Reply::xml(&check_response("OK", "1"))).await;
    let override_server = TestServer::start(|_| Reply::xml(&check_response("OK", "2"))).await;
    let default_url: &'static str = Box::leak(default_server.url().into_boxed_str());
    let operation = leak_operation(Operation {
        default_endpoint: default_url,
        ..CHECK_WORKFLOW_QUEUE
    });

    let overridden = client_for(&override_server);
    let response = overridden
        .call(operation, None, &write_check, read_check)
        .await;
    assert_eq!(
        response.ok().map(|response| response.time),
        Some(Decimal::from(2))
    );
    assert_eq!(override_server.requests().len(), 1);
    assert_eq!(default_server.requests().len(), 0);

    let plain = build(ClientBuilder::new());
    let response = plain.call(operation, None, &write_check, read_check).await;
    assert_eq!(
        response.ok().map(|response| response.time),
        Some(Decimal::from(1))
    );
    assert_eq!(default_server.requests().len(), 1);
}

const SOAP11_FAULT: &str = concat!(
    r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>"#,
    "<soapenv:Fault><faultcode>soapenv:Server</faultcode>",
    "<faultstring>Invalid session 6A941A9BC9EBEFAF585A4B936AA958755B1C85E2BD04</faultstring>",
    "<detail><reason>expired</reason></detail>",
    "</soapenv:Fault></soapenv:Body></soapenv:Envelope>",
);

#[tokio::test]
async fn soap11_fault_with_500() {
    let server = TestServer::start(|_| Reply::with_status(500, SOAP11_FAULT)).await;
    let error = call_check(&client_for(&server)).await.err();
    let Some(Error::Fault {
        operation,
        status,
        fault,
    }) = &error
    else {
        panic!("expected a Fault, got {error:?}");
    };
    assert_eq!(*operation, "CheckWorkflowQueue");
    assert_eq!(*status, 500);
    assert_eq!(fault.version, SoapVersion::Soap11);
    assert_eq!(fault.code, "soapenv:Server");
    assert_eq!(fault.kind, Some(FaultCode::Server));
    assert_eq!(fault.reason, "Invalid session ***");
    assert_eq!(fault.detail.as_deref(), Some("<reason>expired</reason>"));

    let Some(error) = error else { unreachable!() };
    assert_eq!(error.outcome(), Outcome::Failed);
    let message = error.to_string();
    assert!(
        message.starts_with("CheckWorkflowQueue: "),
        "message: {message}"
    );
    assert!(!message.contains(TOKEN), "message: {message}");
}

#[tokio::test]
async fn soap11_fault_with_200() {
    let server = TestServer::start(|_| Reply::xml(SOAP11_FAULT)).await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(&error, Some(Error::Fault { status: 200, fault, .. }) if fault.code == "soapenv:Server"),
        "expected a Fault with status 200, got {error:?}"
    );
}

const SOAP12_FAULT: &str = concat!(
    r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="urn:app">"#,
    "<env:Body><env:Fault>",
    "<env:Code><env:Value>env:Sender</env:Value>",
    "<env:Subcode><env:Value>a:UnknownProject</env:Value></env:Subcode></env:Code>",
    r#"<env:Reason><env:Text xml:lang="en">Project 139704101 not found</env:Text></env:Reason>"#,
    "<env:Detail><a:project>139704101</a:project></env:Detail>",
    "</env:Fault></env:Body></env:Envelope>",
);

#[tokio::test]
async fn soap12_fault_with_400_and_500() {
    for status in [400, 500] {
        let server = TestServer::start(move |_| Reply::Respond {
            status,
            content_type: Some("application/soap+xml; charset=utf-8"),
            body: SOAP12_FAULT.as_bytes().to_vec(),
        })
        .await;
        let client = client_for(&server);
        let error = client
            .call(&CHECK_WORKFLOW_QUEUE_12, None, &write_check, read_check)
            .await
            .err();
        let Some(Error::Fault {
            status: received,
            fault,
            ..
        }) = &error
        else {
            panic!("expected a Fault for HTTP {status}, got {error:?}");
        };
        assert_eq!(*received, status);
        assert_eq!(fault.version, SoapVersion::Soap12);
        assert_eq!(fault.code, "env:Sender");
        assert_eq!(fault.kind, Some(FaultCode::Client));
        assert_eq!(fault.subcodes, vec!["a:UnknownProject".to_owned()]);
        assert_eq!(fault.reason, "Project 139704101 not found");
        assert_eq!(
            fault.detail.as_deref(),
            Some("<a:project>139704101</a:project>")
        );
    }
}

#[tokio::test]
async fn result_not_ok_fails() {
    let server =
        TestServer::start(|_| Reply::xml(&check_response("ERROR: queue locked", "0.001"))).await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(
            &error,
            Some(Error::NotOk { operation: "CheckWorkflowQueue", result }) if result == "ERROR: queue locked"
        ),
        "expected NotOk, got {error:?}"
    );
    assert_eq!(error.map(|error| error.outcome()), Some(Outcome::Failed));
}

#[tokio::test]
async fn result_check_can_be_disabled() {
    let server = TestServer::start(|_| Reply::xml(&check_response("ERROR", "0.001"))).await;
    let client = build(
        ClientBuilder::new()
            .endpoint(server.url())
            .check_result(false),
    );
    let response = call_check(&client).await;
    assert_eq!(
        response.ok().map(|response| response.result),
        Some("ERROR".to_owned())
    );
}

fn iterity_response(result: &str) -> String {
    format!(
        concat!(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">"#,
            "<soapenv:Header/><soapenv:Body>",
            r#"<atollon:CheckWorkflowQueueResponse xmlns:atollon="http://iterity.com/enterprise/wsdl">"#,
            "<result>{}</result><time>0.01314497</time>",
            "</atollon:CheckWorkflowQueueResponse></soapenv:Body></soapenv:Envelope>",
        ),
        result
    )
}

#[tokio::test]
async fn iterity_namespace_accepted() {
    let server = TestServer::start(|_| Reply::xml(&iterity_response("OK"))).await;
    let response = call_check(&client_for(&server)).await;
    assert_eq!(
        response.ok().map(|response| response.time),
        Some(Decimal::new(1_314_497, 8))
    );

    let server = TestServer::start(|_| Reply::xml(&iterity_response("DENIED"))).await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(&error, Some(Error::NotOk { result, .. }) if result == "DENIED"),
        "expected NotOk through the namespace alias, got {error:?}"
    );
}

const HTML_PAGE: &str = "<html><body><h1>Maintenance</h1></body></html>";

#[tokio::test]
async fn html_page_with_200() {
    let server = TestServer::start(|_| Reply::Respond {
        status: 200,
        content_type: Some("text/html; charset=utf-8"),
        body: HTML_PAGE.as_bytes().to_vec(),
    })
    .await;
    let error = call_check(&client_for(&server)).await.err();
    let Some(Error::UnexpectedContentType {
        content_type,
        expected,
        body_excerpt,
        ..
    }) = &error
    else {
        panic!("expected UnexpectedContentType, got {error:?}");
    };
    assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"));
    assert_eq!(*expected, "text/xml");
    assert_eq!(body_excerpt, HTML_PAGE);
    assert_eq!(error.map(|error| error.outcome()), Some(Outcome::Unknown));
}

#[tokio::test]
async fn html_page_labelled_xml() {
    let server = TestServer::start(|_| Reply::xml(HTML_PAGE)).await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(
            &error,
            Some(Error::InvalidEnvelope { source: EnvelopeError::NotEnvelope { found }, .. }) if found == "html"
        ),
        "expected InvalidEnvelope(NotEnvelope), got {error:?}"
    );
}

#[tokio::test]
async fn gateway_error_page() {
    let server = TestServer::start(|_| Reply::Respond {
        status: 502,
        content_type: Some("text/html"),
        body: b"<html><body>Bad Gateway</body></html>".to_vec(),
    })
    .await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(
            &error,
            Some(Error::HttpStatus { status: 502, body_excerpt, .. })
                if body_excerpt == "<html><body>Bad Gateway</body></html>"
        ),
        "expected HttpStatus 502, got {error:?}"
    );
    assert_eq!(error.map(|error| error.outcome()), Some(Outcome::Unknown));
}

#[tokio::test]
async fn not_found_status_failed() {
    let server = TestServer::start(|_| Reply::Respond {
        status: 404,
        content_type: Some("text/plain"),
        body: b"no such path".to_vec(),
    })
    .await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(&error, Some(Error::HttpStatus { status: 404, body_excerpt, .. }) if body_excerpt == "no such path"),
        "expected HttpStatus 404, got {error:?}"
    );
    assert_eq!(error.map(|error| error.outcome()), Some(Outcome::Failed));
}

#[tokio::test]
async fn http_status_excerpt_capped() {
    // 600 copies of "é" are 1200 bytes, so the excerpt keeps 256 of them (512 bytes).
    let page = "é".repeat(600);
    let server = TestServer::start(move |_| Reply::Respond {
        status: 503,
        content_type: Some("text/plain; charset=utf-8"),
        body: page.as_bytes().to_vec(),
    })
    .await;
    let error = call_check(&client_for(&server)).await.err();
    let Some(Error::HttpStatus { body_excerpt, .. }) = &error else {
        panic!("expected HttpStatus, got {error:?}");
    };
    assert_eq!(body_excerpt.len(), 512);
    assert_eq!(body_excerpt.chars().count(), 256);
}

#[tokio::test]
async fn empty_body_rejected() {
    let server = TestServer::start(|_| Reply::xml("")).await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(
            &error,
            Some(Error::InvalidEnvelope {
                source: EnvelopeError::Empty,
                status: 200,
                ..
            })
        ),
        "expected InvalidEnvelope(Empty), got {error:?}"
    );
}

#[tokio::test]
async fn empty_soap_body_rejected() {
    let server = TestServer::start(|_| Reply::xml(&soap11_response(""))).await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(
            &error,
            Some(Error::InvalidEnvelope {
                source: EnvelopeError::EmptyBody {
                    version: SoapVersion::Soap11
                },
                ..
            })
        ),
        "expected InvalidEnvelope(EmptyBody), got {error:?}"
    );
}

#[tokio::test]
async fn truncated_xml_rejected() {
    let full = check_response("OK", "0.012");
    let cut = full[..full.len() / 2].to_owned();
    let server = TestServer::start(move |_| Reply::xml(&cut)).await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(
            &error,
            Some(Error::InvalidEnvelope {
                source: EnvelopeError::Xml(_),
                ..
            })
        ),
        "expected InvalidEnvelope(Xml), got {error:?}"
    );
    assert_eq!(error.map(|error| error.outcome()), Some(Outcome::Unknown));
}

#[tokio::test]
async fn truncated_http_body_outcome_unknown() {
    let server = TestServer::start(|_| Reply::Truncated {
        declared: 1000,
        body: check_response("OK", "0.012").as_bytes()[..40].to_vec(),
    })
    .await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(&error, Some(Error::OutcomeUnknown { .. })),
        "expected OutcomeUnknown, got {error:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn wrong_content_type_rejected() {
    let server = TestServer::start(|_| Reply::Respond {
        status: 200,
        content_type: Some("application/json"),
        body: br#"{"result":"OK"}"#.to_vec(),
    })
    .await;
    let error = call_check(&client_for(&server)).await.err();
    let Some(Error::UnexpectedContentType {
        content_type,
        body_excerpt,
        ..
    }) = &error
    else {
        panic!("expected UnexpectedContentType, got {error:?}");
    };
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(body_excerpt, r#"{"result":"OK"}"#);
}

#[tokio::test]
async fn missing_content_type_rejected() {
    let server = TestServer::start(|_| Reply::Respond {
        status: 200,
        content_type: None,
        body: check_response("OK", "1").into_bytes(),
    })
    .await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(
            &error,
            Some(Error::UnexpectedContentType {
                content_type: None,
                ..
            })
        ),
        "expected UnexpectedContentType without a content type, got {error:?}"
    );
}

#[tokio::test]
async fn slow_server_times_out() {
    let server = TestServer::start(|_| {
        Reply::Delay(
            Duration::from_secs(5),
            Box::new(Reply::xml(&check_response("OK", "5"))),
        )
    })
    .await;
    let client = build(
        ClientBuilder::new()
            .endpoint(server.url())
            .timeout(Duration::from_millis(200)),
    );
    let error = call_check(&client).await.err();
    assert!(
        matches!(&error, Some(Error::Timeout { timeout, .. }) if *timeout == Duration::from_millis(200)),
        "expected Timeout, got {error:?}"
    );
    assert_eq!(error.map(|error| error.outcome()), Some(Outcome::Unknown));
    assert_eq!(
        server.requests().len(),
        1,
        "a timed-out request must not be sent again"
    );
}

#[tokio::test]
async fn streamed_response_over_limit() {
    const LIMIT: usize = 64 * 1024;
    const TOTAL: usize = 64 * 1024 * 1024;
    let server = TestServer::start(|_| Reply::Stream { total: TOTAL }).await;
    let client = build(
        ClientBuilder::new()
            .endpoint(server.url())
            .max_response_size(LIMIT),
    );
    let error = call_check(&client).await.err();
    assert!(
        matches!(&error, Some(Error::ResponseTooLarge { limit: LIMIT, .. })),
        "expected ResponseTooLarge, got {error:?}"
    );
    assert!(
        server.streamed_bytes() < TOTAL,
        "the client read the whole {TOTAL}-byte body instead of stopping at the limit"
    );
}

#[tokio::test]
async fn declared_length_over_limit() {
    let server = TestServer::start(|_| Reply::Truncated {
        declared: 10_000_000,
        body: b"<x/>".to_vec(),
    })
    .await;
    let client = build(
        ClientBuilder::new()
            .endpoint(server.url())
            .max_response_size(1024),
    );
    let error = call_check(&client).await.err();
    assert!(
        matches!(&error, Some(Error::ResponseTooLarge { limit: 1024, .. })),
        "expected ResponseTooLarge from the declared length, got {error:?}"
    );
}

#[tokio::test]
async fn dtd_with_entities_rejected() {
    let body = concat!(
        r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">"#,
        r#"<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>"#,
        r#"<ns0:Envelope xmlns:ns0="http://schemas.xmlsoap.org/soap/envelope/"><ns0:Body>"#,
        "<result>&lol2;</result></ns0:Body></ns0:Envelope>",
    );
    let server = TestServer::start(move |_| Reply::xml(body)).await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(
            &error,
            Some(Error::InvalidEnvelope {
                source: EnvelopeError::DtdRejected,
                ..
            })
        ),
        "expected InvalidEnvelope(DtdRejected), got {error:?}"
    );
}

#[tokio::test]
async fn connection_refused_retried() {
    let url = refused_url().await;
    let client = build(
        ClientBuilder::new()
            .endpoint(url)
            .connect_retries(2)
            .retry_backoff(Duration::from_millis(10)),
    );
    let error = call_check(&client).await.err();
    assert!(
        matches!(&error, Some(Error::NotSent { attempts: 3, .. })),
        "expected NotSent after 3 attempts, got {error:?}"
    );
    assert_eq!(error.map(|error| error.outcome()), Some(Outcome::NotSent));
}

#[tokio::test]
async fn tls_handshake_failure_retried() {
    // A plain-HTTP server responds to the TLS ClientHello with bytes that are not TLS.
    let server = TestServer::start(|_| Reply::xml(&check_response("OK", "1"))).await;
    let client = build(
        ClientBuilder::new()
            .endpoint(format!("https://{}/soap", server.addr))
            .connect_retries(1)
            .retry_backoff(Duration::from_millis(10)),
    );
    let error = call_check(&client).await.err();
    assert!(
        matches!(&error, Some(Error::NotSent { attempts: 2, .. })),
        "expected NotSent after 2 attempts, got {error:?}"
    );
    assert_eq!(server.connections(), 2);
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn dropped_connection_outcome_unknown() {
    let server = TestServer::start(|_| Reply::Close).await;
    let error = call_check(&client_for(&server)).await.err();
    assert!(
        matches!(
            &error,
            Some(Error::OutcomeUnknown {
                operation: "CheckWorkflowQueue",
                ..
            })
        ),
        "expected OutcomeUnknown, got {error:?}"
    );
    assert_eq!(error.as_ref().map(Error::is_outcome_unknown), Some(true));
    assert_eq!(
        server.requests().len(),
        1,
        "a request whose response was lost must not be sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_limit_holds() {
    let server = TestServer::start(|_| {
        Reply::Delay(
            Duration::from_millis(50),
            Box::new(Reply::xml(&check_response("OK", "0.05"))),
        )
    })
    .await;
    let client = client_for(&server);
    assert_eq!(client.max_in_flight(), 2);

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        calls.spawn(async move { call_check(&client).await });
    }
    let mut succeeded = 0;
    while let Some(joined) = calls.join_next().await {
        match joined {
            Ok(Ok(_)) => succeeded += 1,
            Ok(Err(error)) => panic!("call failed: {error}"),
            Err(error) => panic!("call task failed: {error}"),
        }
    }
    assert_eq!(succeeded, 20);
    assert_eq!(server.requests().len(), 20);
    assert!(
        server.max_concurrency() <= 2,
        "the server saw {} requests at once",
        server.max_concurrency()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_limit_configurable() {
    let server = TestServer::start(|_| {
        Reply::Delay(
            Duration::from_millis(20),
            Box::new(Reply::xml(&check_response("OK", "0.02"))),
        )
    })
    .await;
    let client = build(ClientBuilder::new().endpoint(server.url()).max_in_flight(1));
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let client = client.clone();
        calls.spawn(async move { call_check(&client).await.is_ok() });
    }
    let results = calls.join_all().await;
    assert_eq!(results, vec![true; 5]);
    assert_eq!(server.max_concurrency(), 1);
}

#[tokio::test]
async fn decode_error_names_path() {
    let body = soap11_response(
        "<ns1:CheckWorkflowQueueResponse><result>OK</result></ns1:CheckWorkflowQueueResponse>",
    );
    let server = TestServer::start(move |_| Reply::xml(&body)).await;
    let error = call_check(&client_for(&server)).await.err();
    let Some(Error::Decode { operation, source }) = &error else {
        panic!("expected Decode, got {error:?}");
    };
    assert_eq!(*operation, "CheckWorkflowQueue");
    assert_eq!(
        *source,
        DecodeError::Missing {
            path: "Envelope/Body/CheckWorkflowQueueResponse/time".to_owned()
        }
    );
}

#[tokio::test]
async fn decode_error_invalid_value() {
    let server = TestServer::start(|_| Reply::xml(&check_response("OK", "soon"))).await;
    let error = call_check(&client_for(&server)).await.err();
    let Some(Error::Decode { source, .. }) = &error else {
        panic!("expected Decode, got {error:?}");
    };
    assert_eq!(
        source.path(),
        "Envelope/Body/CheckWorkflowQueueResponse/time"
    );
    assert!(matches!(source, DecodeError::Invalid { value, .. } if value == "soon"));
}

#[tokio::test]
async fn encode_error_sends_nothing() {
    let server = TestServer::start(|_| Reply::xml(&check_response("OK", "1"))).await;
    let write = |writer: &mut atollon_client::xml::XmlWriter| {
        write_check_with(writer, "acme", "bad\u{1}token")
    };
    let error = client_for(&server)
        .call(&CHECK_WORKFLOW_QUEUE, None, &write, read_check)
        .await
        .err();
    let Some(Error::Encode { operation, source }) = &error else {
        panic!("expected Encode, got {error:?}");
    };
    assert_eq!(*operation, "CheckWorkflowQueue");
    assert_eq!(
        *source,
        EncodeError::InvalidCharacter {
            path: "Envelope/Body/CheckWorkflowQueue/session".to_owned(),
            character: '\u{1}',
        }
    );
    assert_eq!(error.map(|error| error.outcome()), Some(Outcome::NotSent));
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn header_written_in_envelope() {
    let server = TestServer::start(|_| Reply::xml(&check_response("OK", "1"))).await;
    let header = |writer: &mut atollon_client::xml::XmlWriter| {
        writer.element(Name::new(Some("urn:trace"), "traceId"), &"t-1".to_owned())
    };
    let response = client_for(&server)
        .call(
            &CHECK_WORKFLOW_QUEUE,
            Some(&header),
            &write_check,
            read_check,
        )
        .await;
    assert!(response.is_ok(), "call failed: {response:?}");
    let requests = server.requests();
    assert!(
        requests[0]
            .body
            .contains(r#"<soapenv:Header><ns0:traceId xmlns:ns0="urn:trace">t-1</ns0:traceId></soapenv:Header>"#),
        "body: {}",
        requests[0].body
    );
}

#[test]
fn call_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let Ok(client) = Client::new() else {
        panic!("default client does not build");
    };
    let future = client.call(&CHECK_WORKFLOW_QUEUE, None, &write_check, read_check);
    assert_send(&future);
}
