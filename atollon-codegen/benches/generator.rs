//! Generator benchmarks: the whole Atollon contract from text to formatted source, each
//! stage on its own, and the largest corpus file that generates. Synthetic inputs of 1x,
//! 10x and 100x the contract's `item.wsdl` show how each stage grows with the input.
//!
//! Every document is preloaded into a `MemoryResolver`, so no file I/O is measured. Run
//! with `cargo bench -p atollon-codegen --no-default-features --bench generator`.

use std::cell::OnceCell;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use atollon_codegen::{stages, Generator, MemoryResolver};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

/// The contract files, in the order the root package's build script passes them.
const CONTRACT: &[&str] = &[
    "main.wsdl",
    "project.wsdl",
    "item.wsdl",
    "invoice.wsdl",
    "features.wsdl",
    "web.wsdl",
];

/// The largest corpus file that the generator accepts. The largest corpus file overall,
/// `node-soap/test/wsdl/rpcexample.wsdl`, is rejected because it is rpc/encoded.
const LARGEST_ACCEPTED_CORPUS_FILE: &str = "xsdata/tests/fixtures/calculator/services.wsdl";

/// Copies of `item.wsdl` in the synthetic inputs.
const SYNTHETIC_COPIES: &[usize] = &[1, 10, 100];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn generator() -> Generator {
    Generator::new().secret_fields(["session", "password"])
}

/// Builds a resolver with `files` loaded under their file names, and returns it with the
/// entry names.
fn resolver_for(files: &[(String, String)]) -> (MemoryResolver, Vec<String>) {
    let mut resolver = MemoryResolver::new();
    for (name, text) in files {
        resolver.insert(name.clone(), text.clone());
    }
    let entries = files.iter().map(|(name, _)| name.clone()).collect();
    (resolver, entries)
}

fn contract_files() -> Vec<(String, String)> {
    let wsdl = manifest_dir().join("../wsdl");
    CONTRACT
        .iter()
        .map(|file| ((*file).to_owned(), read(&wsdl.join(file))))
        .collect()
}

fn corpus_file() -> Vec<(String, String)> {
    let path = manifest_dir()
        .join("tests/fixtures/corpus")
        .join(LARGEST_ACCEPTED_CORPUS_FILE);
    vec![("services.wsdl".to_owned(), read(&path))]
}

/// Builds one WSDL document that contains `copies` copies of `item.wsdl`: every schema
/// component, message, port type, binding and service, each copy with its global names
/// suffixed by the copy's number, so the copies resolve independently of each other.
fn synthetic_item_wsdl(item_wsdl: &str, copies: usize) -> String {
    let schema_start = item_wsdl
        .find("<xs:schema")
        .expect("item.wsdl has a schema");
    let schema_body_start = schema_start
        + item_wsdl[schema_start..]
            .find('>')
            .expect("the schema start tag ends")
        + 1;
    let schema_end = item_wsdl.find("</xs:schema>").expect("the schema ends");
    let types_end = item_wsdl.find("</wsdl:types>").expect("the types end") + "</wsdl:types>".len();
    let definitions_end = item_wsdl
        .find("</wsdl:definitions>")
        .expect("the definitions end");

    let schema_body = &item_wsdl[schema_body_start..schema_end];
    let definitions_body = &item_wsdl[types_end..definitions_end];

    let mut out = String::with_capacity(item_wsdl.len() * copies);
    out.push_str(&item_wsdl[..schema_body_start]);
    for copy in 0..copies {
        out.push_str(&rename_item_globals(schema_body, copy));
    }
    out.push_str("</xs:schema>\n  </wsdl:types>\n");
    for copy in 0..copies {
        out.push_str(&rename_item_globals(definitions_body, copy));
    }
    out.push_str("</wsdl:definitions>\n");
    out
}

/// Suffixes every global name of `item.wsdl` with `copy`. The operation and element names
/// are replaced as substrings, which also renames their `Request` and `Response` messages.
fn rename_item_globals(text: &str, copy: usize) -> String {
    text.replace("CreateProjectItem", &format!("CreateProjectItem{copy}"))
        .replace("CreateFolderItem", &format!("CreateFolderItem{copy}"))
        .replace("ItemPortType", &format!("Item{copy}PortType"))
        .replace("ItemBinding", &format!("Item{copy}Binding"))
        .replace("ItemService", &format!("Item{copy}Service"))
        .replace("\"ItemPort\"", &format!("\"Item{copy}Port\""))
        .replace("name=\"Item\"", &format!("name=\"Item{copy}\""))
        .replace("\"tns:Item\"", &format!("\"tns:Item{copy}\""))
}

fn synthetic_files(copies: usize) -> Vec<(String, String)> {
    let item_wsdl = read(&manifest_dir().join("../wsdl/item.wsdl"));
    vec![(
        "synthetic.wsdl".to_owned(),
        synthetic_item_wsdl(&item_wsdl, copies),
    )]
}

fn total_bytes(files: &[(String, String)]) -> u64 {
    files.iter().map(|(_, text)| text.len() as u64).sum()
}

/// Benchmarks the whole run and each stage on its own for one input. A stage that consumes
/// its input gets it from a batched setup, which criterion leaves out of the timing.
fn bench_stages(c: &mut Criterion, group_name: &str, files: &[(String, String)], samples: usize) {
    let (resolver, entries) = resolver_for(files);
    let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
    let generator = generator();
    // Built on first use, so that a run filtered to other benchmarks does not build it.
    let named = OnceCell::new();

    let mut group = c.benchmark_group(group_name);
    group.sample_size(samples);
    group.throughput(Throughput::Bytes(total_bytes(files)));
    group.bench_function("generate", |b| {
        b.iter(|| {
            generator
                .generate(&resolver, black_box(&entries))
                .expect("the input generates")
        })
    });
    group.bench_function("load", |b| {
        b.iter(|| stages::load(&resolver, black_box(&entries)))
    });
    group.bench_function("resolve", |b| {
        b.iter_batched(
            || stages::load(&resolver, &entries),
            |loaded| stages::resolve(loaded).expect("the input resolves"),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("name", |b| {
        b.iter_batched(
            || resolved(&resolver, &entries),
            stages::name,
            BatchSize::LargeInput,
        )
    });
    group.bench_function("emit", |b| {
        let named = named.get_or_init(|| stages::name(resolved(&resolver, &entries)));
        b.iter(|| stages::emit(black_box(named), &generator).expect("the input emits"))
    });
    group.bench_function("format", |b| {
        let named = named.get_or_init(|| stages::name(resolved(&resolver, &entries)));
        b.iter_batched(
            || stages::emit(named, &generator).expect("the input emits"),
            |emitted| stages::format(emitted).expect("the output parses as Rust"),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn resolved(resolver: &MemoryResolver, entries: &[&str]) -> stages::Resolved {
    stages::resolve(stages::load(resolver, entries)).expect("the input resolves")
}

fn contract(c: &mut Criterion) {
    bench_stages(c, "generator/contract", &contract_files(), 30);
}

fn corpus(c: &mut Criterion) {
    bench_stages(c, "generator/corpus-largest", &corpus_file(), 50);
}

/// Runs every stage on 1x, 10x and 100x copies of `item.wsdl`, with the input size as
/// throughput, so a stage that grows linearly shows the same bytes per second at each size.
fn synthetic(c: &mut Criterion) {
    let inputs: Vec<(usize, Vec<(String, String)>)> = SYNTHETIC_COPIES
        .iter()
        .map(|&copies| (copies, synthetic_files(copies)))
        .collect();
    let generator = generator();
    let mut group = c.benchmark_group("generator/synthetic");
    group.sample_size(10);
    for (copies, files) in &inputs {
        let (resolver, entries) = resolver_for(files);
        let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
        // Each stage's result is checked with `expect` inside the measured routine.
        group.throughput(Throughput::Bytes(total_bytes(files)));
        group.bench_with_input(BenchmarkId::new("load", copies), copies, |b, _| {
            b.iter(|| stages::load(&resolver, &entries))
        });
        group.bench_with_input(BenchmarkId::new("resolve", copies), copies, |b, _| {
            b.iter_batched(
                || stages::load(&resolver, &entries),
                |loaded| stages::resolve(loaded).expect("the input resolves"),
                BatchSize::PerIteration,
            )
        });
        group.bench_with_input(BenchmarkId::new("name", copies), copies, |b, _| {
            b.iter_batched(
                || resolved(&resolver, &entries),
                stages::name,
                BatchSize::PerIteration,
            )
        });
        let named = OnceCell::new();
        group.bench_with_input(BenchmarkId::new("emit", copies), copies, |b, _| {
            let named = named.get_or_init(|| stages::name(resolved(&resolver, &entries)));
            b.iter(|| stages::emit(named, &generator).expect("the input emits"))
        });
        group.bench_with_input(BenchmarkId::new("format", copies), copies, |b, _| {
            let named = named.get_or_init(|| stages::name(resolved(&resolver, &entries)));
            b.iter_batched(
                || stages::emit(named, &generator).expect("the input emits"),
                |emitted| stages::format(emitted).expect("the output parses as Rust"),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, contract, corpus, synthetic);
criterion_main!(benches);
