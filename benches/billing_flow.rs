//! The billing flow end to end: 1,000 generated orders of three lines each, every order a
//! new customer, billed by `billing::flow::Flow` against an in-process sandbox over
//! loopback HTTP. Per order the flow sends CreateContact, CreateSimpleFolder,
//! CreateProject, three CreateProjectItem and CreateInvoicesFromItems, after one
//! QuickLogin for the run.
//!
//! The sandbox runs on a runtime of its own whose threads are named `sandbox`, and the
//! flow on a current-thread runtime on the benchmark's thread, so the client's CPU time is
//! the on-CPU time of every other thread (from `/proc/self/task/*/schedstat`). Each
//! measured run gets a fresh sandbox and journal, which are set up outside the timing.
//!
//! Run with `cargo bench -p atollon --features billing,sandbox --bench billing_flow`.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use atollon::billing::config::Config;
use atollon::billing::flow::{prepare, Flow, PreparedOrder};
use atollon::billing::journal::Journal;
use atollon::billing::model::ParseOptions;
use atollon::sandbox::{Clock, Sandbox, SandboxConfig};
use atollon::Client;
use atollon_client::Credentials;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ORDERS: usize = 1_000;
const LINES_PER_ORDER: usize = 3;

/// Thread name of the sandbox runtime's threads, to tell its CPU time from the client's.
const SANDBOX_THREAD: &str = "sandbox";

/// The user of the example configuration, which the sandbox's default instance has.
const USER: &str = "integration";
const PASSWORD: &str = "integration";

fn package_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Formats an amount in cents as a decimal string with two places.
fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Builds a canonical order file with `orders` orders of [`LINES_PER_ORDER`] product
/// lines at 21 % VAT, each order by a different customer.
fn order_file(orders: usize) -> String {
    let mut list = Vec::with_capacity(orders);
    for index in 0..orders {
        let mut lines = Vec::new();
        let mut total_cents = 0;
        for line in 0..LINES_PER_ORDER {
            let quantity = line as i64 + 1;
            let unit_cents = 1_000 + (index as i64 % 50) * 10 + line as i64 * 250;
            let net_cents = quantity * unit_cents;
            // Half up, which for a positive amount is half away from zero.
            let tax_cents = (net_cents * 21 + 50) / 100;
            total_cents += net_cents + tax_cents;
            lines.push(serde_json::json!({
                "kind": "product",
                "sku": format!("SKU-{}", line + 1),
                "name": format!("Product {}", line + 1),
                "quantity": quantity.to_string(),
                "net_total": money(net_cents),
                "tax_total": money(tax_cents),
                "vat_rate": "21",
            }));
        }
        list.push(serde_json::json!({
            "platform": "benchmark",
            "shop": "shop.example",
            "id": format!("{}", 10_000 + index),
            "number": format!("2024-{}", 10_000 + index),
            "created": "2024-05-01T10:00:00",
            "currency": "CZK",
            "customer": {
                "id": format!("C{index}"),
                "email": format!("buyer{index}@example.invalid"),
                "first_name": "Ada",
                "last_name": format!("Example{index}"),
                "phones": [format!("+420 000 {:03} {:03}", index / 1000, index % 1000)],
                "address": {
                    "street": "1 Example Street", "city": "Exampleville", "zip": "000 00",
                    "region": null, "country": "Czechia", "country_code": "CZ"
                }
            },
            "lines": lines,
            "total": money(total_cents),
        }));
    }
    serde_json::json!({ "format": "atollon-orders", "version": 1, "orders": list }).to_string()
}

/// On-CPU time of this process's live threads, split into the sandbox's and the rest.
fn thread_cpu_times() -> (Duration, Duration) {
    let mut sandbox = Duration::ZERO;
    let mut client = Duration::ZERO;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return (sandbox, client);
    };
    for task in tasks.flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let on_cpu = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(Duration::ZERO, Duration::from_nanos);
        if name.trim() == SANDBOX_THREAD {
            sandbox += on_cpu;
        } else {
            client += on_cpu;
        }
    }
    (sandbox, client)
}

/// Peak resident set size of the process in MiB (`VmHWM`), if `/proc` has it.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Totals over the measured runs, printed after the group.
#[derive(Default)]
struct RunTotals {
    runs: u32,
    wall: Duration,
    client_cpu: Duration,
    sandbox_cpu: Duration,
}

fn billing_flow(c: &mut Criterion) {
    let sandbox_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(SANDBOX_THREAD)
        .enable_all()
        .build()
        .expect("the sandbox runtime starts");
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the client runtime starts");

    let directory = tempfile::tempdir().expect("a temporary directory");
    let orders_path = directory.path().join("orders.json");
    std::fs::write(&orders_path, order_file(ORDERS)).expect("the order file is written");
    let config = Config::load(&package_file("atollon.example.toml"))
        .expect("the example configuration loads");
    let prepare_started = Instant::now();
    let batch = prepare(
        std::slice::from_ref(&orders_path),
        None,
        &ParseOptions::default(),
        &config,
    );
    let prepare_time = prepare_started.elapsed();
    assert!(batch.file_errors.is_empty(), "{:?}", batch.file_errors);
    let planned = batch
        .orders
        .iter()
        .filter(|order| matches!(order, PreparedOrder::Planned(_)))
        .count();
    assert_eq!(planned, ORDERS, "every generated order maps");

    let totals = RefCell::new(RunTotals::default());
    let journal_number = RefCell::new(0_u32);
    let run_once = |orders: Vec<PreparedOrder>| -> Duration {
        let sandbox = sandbox_runtime
            .block_on(Sandbox::start(SandboxConfig {
                clock: Clock::Fixed("2024-06-15T12:00:00".to_owned()),
                ..SandboxConfig::default()
            }))
            .expect("the sandbox starts");
        let mut number = journal_number.borrow_mut();
        *number += 1;
        let journal = Journal::open(&directory.path().join(format!("journal-{number}.sqlite")))
            .expect("the journal opens");
        let client = Client::builder()
            .endpoint(sandbox.soap_url())
            .connect_retries(0)
            .build()
            .expect("the client builds");
        let flow = Arc::new(Flow::new(
            client,
            Credentials::new("acme", USER, PASSWORD),
            journal,
        ));

        let (sandbox_before, client_before) = thread_cpu_times();
        let started = Instant::now();
        let reports = client_runtime.block_on(flow.run(orders, None));
        let wall = started.elapsed();
        let (sandbox_after, client_after) = thread_cpu_times();

        let settled = reports.iter().filter(|r| r.status.is_settled()).count();
        assert_eq!(
            settled,
            ORDERS,
            "every order is invoiced: {:?}",
            reports.first()
        );
        let mut totals = totals.borrow_mut();
        totals.runs += 1;
        totals.wall += wall;
        totals.client_cpu += client_after.saturating_sub(client_before);
        totals.sandbox_cpu += sandbox_after.saturating_sub(sandbox_before);
        sandbox_runtime.block_on(sandbox.shutdown());
        wall
    };

    let mut group = c.benchmark_group("billing-flow");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ORDERS as u64));
    group.bench_function("1000-orders-3-lines", |b| {
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| run_once(batch.orders.clone()))
                .sum()
        })
    });
    group.finish();

    let totals = totals.borrow();
    let orders_billed = f64::from(totals.runs) * ORDERS as f64;
    println!(
        "billing-flow: {} runs of {ORDERS} orders; prepare (read and map) {:.1} ms",
        totals.runs,
        prepare_time.as_secs_f64() * 1000.0
    );
    println!(
        "billing-flow: {:.0} orders/s over all runs; CPU per order: client {:.0} µs, \
         sandbox {:.0} µs",
        orders_billed / totals.wall.as_secs_f64(),
        totals.client_cpu.as_secs_f64() * 1e6 / orders_billed,
        totals.sandbox_cpu.as_secs_f64() * 1e6 / orders_billed,
    );
    if let Some(peak) = peak_rss_mib() {
        println!("billing-flow: peak RSS of the process (client and sandbox) {peak:.1} MiB");
    }
}

criterion_group!(benches, billing_flow);
criterion_main!(benches);
