//! `ServerRequest`: reading request envelopes and writing responses and Faults.

mod common;

use atollon_client::envelope::{parse_document, Envelope, DEFAULT_MAX_BODY_BYTES};
use atollon_client::xml::{Children, DecodeError, EncodeError, Name, XmlWriter};
use atollon_client::{
    ClientBuilder, Fault, FaultCode, ServerFault, ServerRequest, ServerResponse, SoapVersion,
};
use common::*;
use rust_decimal::Decimal;

const CHECK_REQUEST: &str = concat!(
    r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
    r#"xmlns:wsdl="http://atollon.com/enterprise/wsdl"><soapenv:Header/><soapenv:Body>"#,
    "<wsdl:CheckWorkflowQueue><server>yourserver</server><session>yoursessionstring</session>",
    "</wsdl:CheckWorkflowQueue></soapenv:Body></soapenv:Envelope>",
);

fn soap11_request(body: &str) -> ServerRequest {
    ServerRequest::new(
        body.as_bytes().to_vec(),
        Some("\"\"".to_owned()),
        Some("text/xml; charset=utf-8".to_owned()),
    )
}

/// Reads the Fault out of a response the server wrote.
fn fault_of(response: &ServerResponse) -> Fault {
    let document = match parse_document(response.body.as_bytes(), DEFAULT_MAX_BODY_BYTES) {
        Ok(document) => document,
        Err(error) => panic!(
            "the Fault envelope does not parse: {error}\n{}",
            response.body
        ),
    };
    let fault = Envelope::from_document(&document)
        .ok()
        .and_then(|envelope| envelope.fault());
    match fault {
        Some(fault) => fault,
        None => panic!("the response holds no Fault: {}", response.body),
    }
}

/// Decodes the body as CheckWorkflowQueue and returns (server, session).
fn decode_check(request: &ServerRequest) -> Result<(String, String), ServerFault> {
    request.decode_body(|element, context| {
        if !context.name_matches(element, CHECK_WORKFLOW_QUEUE.request) {
            return Err(ServerFault::client(format!(
                "unknown operation {}",
                element.tag_name().name()
            )));
        }
        let mut fields = Children::new(element, context);
        let server: String = fields.required(Name::new(None, "server"))?;
        let session: String = fields.required(Name::new(None, "session"))?;
        Ok((server, session))
    })
}

#[test]
fn decode_body_reads_operation() {
    let request = soap11_request(CHECK_REQUEST);
    assert_eq!(request.version(), SoapVersion::Soap11);
    assert_eq!(request.soap_action().as_deref(), Some(""));
    let decoded = decode_check(&request);
    assert_eq!(
        decoded,
        Ok(("yourserver".to_owned(), "yoursessionstring".to_owned()))
    );
}

#[test]
fn decode_error_becomes_client_fault() {
    let request = soap11_request(&CHECK_REQUEST.replace("<server>yourserver</server>", ""));
    let fault = decode_check(&request).err();
    assert_eq!(
        fault,
        Some(ServerFault::client(
            "invalid request: missing required element `Envelope/Body/CheckWorkflowQueue/server`"
        ))
    );
}

#[test]
fn non_xml_gets_client_fault() {
    let request = soap11_request("this is not XML");
    let Some(fault) = decode_check(&request).err() else {
        panic!("non-XML input was accepted");
    };
    assert_eq!(fault.code, FaultCode::Client);
    assert!(
        fault
            .message
            .starts_with("the request is not a SOAP envelope: the body is not well-formed XML"),
        "{}",
        fault.message
    );

    let response = request.fault(fault);
    assert_eq!(response.status, 500);
    assert_eq!(response.content_type, "text/xml; charset=utf-8");
    let parsed = fault_of(&response);
    assert_eq!(parsed.code, "soapenv:Client");
    assert_eq!(parsed.kind, Some(FaultCode::Client));
    assert!(
        parsed.reason.contains("not well-formed XML"),
        "{}",
        parsed.reason
    );
}

#[test]
fn other_document_gets_client_fault() {
    let fault = decode_check(&soap11_request("<order><id>1</id></order>")).err();
    assert_eq!(
        fault,
        Some(ServerFault::client(
            "the request is not a SOAP envelope: the root element is order, not a SOAP 1.1 or SOAP 1.2 Envelope"
        ))
    );
}

#[test]
fn empty_body_gets_client_fault() {
    let request = soap11_request(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body> </soapenv:Body></soapenv:Envelope>"#,
    );
    let fault = decode_check(&request).err();
    assert_eq!(
        fault,
        Some(ServerFault::client("the SOAP 1.1 Body contains no element"))
    );
}

#[test]
fn empty_request_gets_client_fault() {
    let fault = decode_check(&soap11_request("")).err();
    assert_eq!(
        fault,
        Some(ServerFault::client(
            "the request is not a SOAP envelope: the body is empty"
        ))
    );
}

#[test]
fn dtd_gets_client_fault() {
    let body = format!(r#"<!DOCTYPE x [<!ENTITY e "boom">]>{CHECK_REQUEST}"#);
    let fault = decode_check(&soap11_request(&body)).err();
    assert_eq!(
        fault,
        Some(ServerFault::client(
            "the request is not a SOAP envelope: the document contains a DTD, which is rejected so that no entity is expanded"
        ))
    );
}

#[test]
fn oversized_body_gets_client_fault() {
    let request = soap11_request(CHECK_REQUEST).with_max_body_size(100);
    let fault = decode_check(&request).err();
    let expected = format!(
        "the request is not a SOAP envelope: the body of {} bytes exceeds the limit of 100 bytes",
        CHECK_REQUEST.len()
    );
    assert_eq!(fault, Some(ServerFault::client(expected)));
}

const SOAP12_REQUEST: &str = concat!(
    r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>"#,
    r#"<w:CheckWorkflowQueue xmlns:w="http://atollon.com/enterprise/wsdl">"#,
    "<server>acme</server><session>s</session></w:CheckWorkflowQueue></env:Body></env:Envelope>",
);

#[test]
fn soap12_request_and_sender_fault() {
    let request = ServerRequest::new(
        SOAP12_REQUEST,
        None,
        Some(r#"application/soap+xml; charset=utf-8; action="urn:check""#.to_owned()),
    );
    assert_eq!(request.version(), SoapVersion::Soap12);
    assert_eq!(request.soap_action().as_deref(), Some("urn:check"));
    assert_eq!(
        decode_check(&request),
        Ok(("acme".to_owned(), "s".to_owned()))
    );

    let response = request.fault(ServerFault::client("bad <id> & more").with_detail("<id>7</id>"));
    assert_eq!(response.status, 400);
    assert_eq!(response.content_type, "application/soap+xml; charset=utf-8");
    let fault = fault_of(&response);
    assert_eq!(fault.version, SoapVersion::Soap12);
    assert_eq!(fault.code, "soapenv:Sender");
    assert_eq!(fault.kind, Some(FaultCode::Client));
    assert_eq!(fault.reason, "bad <id> & more");
    assert_eq!(fault.detail.as_deref(), Some("<id>7</id>"));
    assert!(
        response.body.contains(r#"<soapenv:Text xml:lang="en">"#),
        "{}",
        response.body
    );
}

#[test]
fn soap12_receiver_fault_is_500() {
    let request = ServerRequest::new(
        SOAP12_REQUEST,
        None,
        Some("application/soap+xml".to_owned()),
    );
    let response = request.fault(ServerFault::server("database unavailable"));
    assert_eq!(response.status, 500);
    let fault = fault_of(&response);
    assert_eq!(fault.code, "soapenv:Receiver");
    assert_eq!(fault.kind, Some(FaultCode::Server));
}

#[test]
fn version_from_envelope_without_content_type() {
    let request = ServerRequest::new(SOAP12_REQUEST, None, None);
    assert_eq!(request.version(), SoapVersion::Soap12);
    let request = ServerRequest::new(
        CHECK_REQUEST,
        None,
        Some("application/octet-stream".to_owned()),
    );
    assert_eq!(request.version(), SoapVersion::Soap11);
}

#[test]
fn version_mismatch_fault() {
    let request = ServerRequest::new(SOAP12_REQUEST, None, Some("text/xml".to_owned()));
    let fault = decode_check(&request).err();
    assert_eq!(
        fault,
        Some(ServerFault::new(
            FaultCode::VersionMismatch,
            "the envelope is SOAP 1.2 but the content type \"text/xml\" requires SOAP 1.1"
        ))
    );
}

#[test]
fn must_understand_header_fault() {
    let body = CHECK_REQUEST.replace(
        "<soapenv:Header/>",
        r#"<soapenv:Header><t:Tx xmlns:t="urn:tx" soapenv:mustUnderstand="1">9</t:Tx></soapenv:Header>"#,
    );
    let fault = decode_check(&soap11_request(&body)).err();
    assert_eq!(
        fault,
        Some(ServerFault::new(
            FaultCode::MustUnderstand,
            "the header block {urn:tx}Tx is marked mustUnderstand but is not supported"
        ))
    );
    let optional = CHECK_REQUEST.replace(
        "<soapenv:Header/>",
        r#"<soapenv:Header><t:Tx xmlns:t="urn:tx" soapenv:mustUnderstand="0">9</t:Tx></soapenv:Header>"#,
    );
    assert!(decode_check(&soap11_request(&optional)).is_ok());
}

fn write_check_response(writer: &mut XmlWriter) -> Result<(), EncodeError> {
    writer.start(CHECK_WORKFLOW_QUEUE.response)?;
    writer.element(Name::new(None, "result"), &"OK".to_owned())?;
    writer.element(Name::new(None, "time"), &Decimal::new(12, 3))?;
    writer.end()
}

#[test]
fn respond_like_atollon() {
    let request = soap11_request(CHECK_REQUEST);
    let response = request.respond(&CHECK_WORKFLOW_QUEUE, &write_check_response);
    assert_eq!(response.status, 200);
    assert_eq!(response.content_type, "text/xml; charset=utf-8");
    let expected = concat!(
        r#"<ns0:Envelope xmlns:ns0="http://schemas.xmlsoap.org/soap/envelope/" "#,
        r#"xmlns:ns1="http://atollon.com/enterprise/wsdl"><ns0:Body>"#,
        "<ns1:CheckWorkflowQueueResponse><result>OK</result><time>0.012</time>",
        "</ns1:CheckWorkflowQueueResponse></ns0:Body></ns0:Envelope>",
    );
    assert_eq!(response.body, expected);
}

#[test]
fn respond_encode_error_is_server_fault() {
    let request = soap11_request(CHECK_REQUEST);
    let write = |writer: &mut XmlWriter| {
        writer.start(CHECK_WORKFLOW_QUEUE.response)?;
        writer.element(Name::new(None, "result"), &"bad\u{0}".to_owned())?;
        writer.end()
    };
    let response = request.respond(&CHECK_WORKFLOW_QUEUE, &write);
    assert_eq!(response.status, 500);
    let fault = fault_of(&response);
    assert_eq!(fault.code, "soapenv:Server");
    assert!(
        fault.reason.starts_with("CheckWorkflowQueue: failed to encode the response: `Envelope/Body/CheckWorkflowQueueResponse/result`"),
        "{}",
        fault.reason
    );
}

#[test]
fn fault_message_escaped() {
    let response = soap11_request(CHECK_REQUEST).fault(ServerFault::client("a < b & c\u{1}"));
    let fault = fault_of(&response);
    assert_eq!(fault.reason, "a < b & c\u{fffd}");
}

#[test]
fn decode_error_conversion() {
    let fault = ServerFault::from(DecodeError::Missing {
        path: "CreateContact/PERSON".to_owned(),
    });
    assert_eq!(fault.code, FaultCode::Client);
    assert_eq!(
        fault.message,
        "invalid request: missing required element `CreateContact/PERSON`"
    );
}

#[test]
fn request_debug_hides_body() {
    let request = soap11_request(&CHECK_REQUEST.replace("yoursessionstring", TOKEN));
    let debug = format!("{request:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("body_bytes"), "{debug}");
}

/// The client and the server side of this crate, talking over HTTP.
#[tokio::test]
async fn client_server_round_trip() {
    let server = TestServer::start(|recorded| {
        let request = ServerRequest::new(
            recorded.body.clone().into_bytes(),
            recorded.header("soapaction").map(str::to_owned),
            recorded.header("content-type").map(str::to_owned),
        );
        let response = match decode_check(&request) {
            Ok((server, session)) if server == "acme" && session == TOKEN => {
                request.respond(&CHECK_WORKFLOW_QUEUE, &write_check_response)
            }
            Ok(_) => request.fault(ServerFault::client("unknown session")),
            Err(fault) => request.fault(fault),
        };
        Reply::Respond {
            status: response.status,
            content_type: Some(response.content_type),
            body: response.body.into_bytes(),
        }
    })
    .await;
    let client = match ClientBuilder::new().endpoint(server.url()).build() {
        Ok(client) => client,
        Err(error) => panic!("client does not build: {error}"),
    };

    let response = client
        .call(&CHECK_WORKFLOW_QUEUE, None, &write_check, read_check)
        .await;
    let expected = CheckResponse {
        result: "OK".to_owned(),
        time: Decimal::new(12, 3),
    };
    assert_eq!(response.ok(), Some(expected));

    let wrong_session = |writer: &mut XmlWriter| write_check_with(writer, "acme", "0000");
    let error = client
        .call(&CHECK_WORKFLOW_QUEUE, None, &wrong_session, read_check)
        .await
        .err();
    assert!(
        matches!(
            &error,
            Some(atollon_client::Error::Fault { status: 500, fault, .. })
                if fault.reason == "unknown session" && fault.kind == Some(FaultCode::Client)
        ),
        "expected a Client Fault, got {error:?}"
    );
}
