//! Envelope benchmarks: writing two requests and reading two responses with the generated
//! code, each in one criterion group with its baselines. Run with
//! `cargo bench -p atollon --no-default-features --bench envelopes`.
//!
//! The measured routines are `#[inline(never)]`, so that callgrind can count the
//! instructions of each one on its own.

mod documents;
mod requests;
mod responses;

use std::hint::black_box;
use std::path::PathBuf;

use atollon::atollon_client::xml::ReadContext;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// `ITEM`s in the large ListContactList response.
const LIST_ITEMS: usize = 10_000;

fn write_create_project_item(c: &mut Criterion) {
    let request = requests::create_project_item();
    let serde_request = requests::serde_create_project_item(&request);
    let mut buffer = String::with_capacity(2048);
    requests::hand_written_create_project_item(&mut buffer, &request);
    requests::check_outputs(
        &requests::generated_create_project_item(&request),
        &buffer,
        &requests::serde_write(&serde_request),
    );

    let mut group = c.benchmark_group("write/CreateProjectItem");
    group.throughput(Throughput::Bytes(buffer.len() as u64));
    group.bench_function("generated", |b| {
        b.iter(|| requests::generated_create_project_item(black_box(&request)))
    });
    group.bench_function("hand-written", |b| {
        b.iter(|| {
            buffer.clear();
            requests::hand_written_create_project_item(&mut buffer, black_box(&request));
            buffer.len()
        })
    });
    group.bench_function("quick-xml-serde", |b| {
        b.iter(|| requests::serde_write(black_box(&serde_request)))
    });
    group.finish();
}

fn write_create_contact(c: &mut Criterion) {
    let request = requests::create_contact();
    let serde_request = requests::serde_create_contact(&request);
    let mut buffer = String::with_capacity(2048);
    requests::hand_written_create_contact(&mut buffer, &request);
    requests::check_outputs(
        &requests::generated_create_contact(&request),
        &buffer,
        &requests::serde_write(&serde_request),
    );

    let mut group = c.benchmark_group("write/CreateContact");
    group.throughput(Throughput::Bytes(buffer.len() as u64));
    group.bench_function("generated", |b| {
        b.iter(|| requests::generated_create_contact(black_box(&request)))
    });
    group.bench_function("hand-written", |b| {
        b.iter(|| {
            buffer.clear();
            requests::hand_written_create_contact(&mut buffer, black_box(&request));
            buffer.len()
        })
    });
    group.bench_function("quick-xml-serde", |b| {
        b.iter(|| requests::serde_write(black_box(&serde_request)))
    });
    group.finish();
}

fn read_create_project_response(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/examples/CreateProject.response.xml");
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let ctx = ReadContext::default();
    responses::check_create_project(
        &responses::generated_create_project(&bytes, &ctx),
        &responses::serde_create_project(&bytes),
    );

    let mut group = c.benchmark_group("read/CreateProjectResponse");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("roxmltree-only", |b| {
        b.iter(|| responses::roxmltree_only(black_box(&bytes)))
    });
    group.bench_function("generated", |b| {
        b.iter(|| responses::generated_create_project(black_box(&bytes), &ctx))
    });
    group.bench_function("quick-xml-serde", |b| {
        b.iter(|| responses::serde_create_project(black_box(&bytes)))
    });
    group.finish();
}

fn read_list_contact_list_response(c: &mut Criterion) {
    let bytes = documents::list_contact_list_response(LIST_ITEMS).into_bytes();
    let ctx = ReadContext::default();
    responses::check_list_contact_list(
        &responses::generated_list_contact_list(&bytes, &ctx),
        &responses::serde_list_contact_list(&bytes),
        LIST_ITEMS,
    );

    let mut group = c.benchmark_group("read/ListContactListResponse-10000");
    group.sample_size(30);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("roxmltree-only", |b| {
        b.iter(|| responses::roxmltree_only(black_box(&bytes)))
    });
    group.bench_function("generated", |b| {
        b.iter(|| responses::generated_list_contact_list(black_box(&bytes), &ctx))
    });
    group.bench_function("quick-xml-serde", |b| {
        b.iter(|| responses::serde_list_contact_list(black_box(&bytes)))
    });
    group.finish();
}

criterion_group!(
    benches,
    write_create_project_item,
    write_create_contact,
    read_create_project_response,
    read_list_contact_list_response
);
criterion_main!(benches);
