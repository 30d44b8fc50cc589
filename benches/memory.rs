//! Peak memory of reading a large response. It builds a ListContactList response envelope
//! of at least 50 MiB and reads it with the generated code as the client does. It prints
//! the process's peak resident set size (`VmHWM` in `/proc/self/status`, the value that
//! `/usr/bin/time -v` reports as "Maximum resident set size") after each step.
//!
//! `cargo bench -p atollon --no-default-features --bench memory` runs it. For the
//! benchmark page, run the built binary under `/usr/bin/time -v`, once as it is and once
//! with `--input-only`, which builds the response and stops before reading it: the
//! difference is what reading adds to holding the response in memory.

#[path = "envelopes/documents.rs"]
mod documents;

use std::time::Instant;

use atollon::atollon_client::envelope::{parse_document, Envelope};
use atollon::atollon_client::xml::{Children, Name, ReadContext, ATOLLON_NAMESPACE};
use atollon::main::ListContactListResponse;

const MIB: usize = 1024 * 1024;

/// Size of the response read.
const RESPONSE_BYTES: usize = 50 * MIB;

/// Peak resident set size of this process in KiB, if `/proc` is there (Linux).
fn peak_rss_kib() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn describe_peak(label: &str) {
    match peak_rss_kib() {
        Some(kib) => println!("{label}: peak RSS {:.1} MiB", kib as f64 / 1024.0),
        None => println!("{label}: peak RSS not available (no /proc/self/status)"),
    }
}

fn main() {
    // Cargo passes `--bench`, and every argument other than `--input-only` is ignored.
    let input_only = std::env::args().any(|arg| arg == "--input-only");

    let items = documents::items_for_size(RESPONSE_BYTES);
    let response = documents::list_contact_list_response(items).into_bytes();
    println!(
        "response: {} bytes ({:.2} MiB), {items} ITEMs",
        response.len(),
        response.len() as f64 / MIB as f64
    );
    describe_peak("after building the response");
    if input_only {
        return;
    }

    let started = Instant::now();
    // The limit is raised above the client's 32 MiB default, as a caller reading such a
    // response would configure it with `ClientBuilder::max_response_size`.
    let document = parse_document(&response, response.len()).expect("the response parses");
    describe_peak("after parsing the document with roxmltree");
    let envelope = Envelope::from_document(&document).expect("the response is an envelope");
    let ctx = ReadContext::default();
    let value: ListContactListResponse = Children::new(envelope.body, &ctx)
        .required(Name::new(
            Some(ATOLLON_NAMESPACE),
            "ListContactListResponse",
        ))
        .expect("the response element reads");
    let elapsed = started.elapsed();
    assert_eq!(value.item.len(), items, "every ITEM is read");
    println!(
        "read {} ITEMs in {:.0} ms",
        value.item.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    describe_peak("after reading");
    drop(value);
    drop(document);
}
