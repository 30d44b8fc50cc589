//! Reading order files and mapping their orders, before anything is sent.

use std::path::PathBuf;

use crate::billing::config::Config;
use crate::billing::error::FileError;
use crate::billing::mapping::{plan_order, OrderPlan};
use crate::billing::model::ParseOptions;
use crate::billing::{read_file, Format};

use super::report::{AtollonIds, OrderReport, OrderStatus, Problem};

/// An order ready to bill: its requests' values and the file it came from.
#[derive(Debug, Clone)]
pub struct PlannedOrder {
    /// The values of the order's requests.
    pub plan: OrderPlan,
    /// File the order came from.
    pub file: PathBuf,
}

/// One order of a batch: planned, or the report of why it cannot be billed.
#[derive(Debug, Clone)]
pub enum PreparedOrder {
    /// Read and mapped.
    Planned(Box<PlannedOrder>),
    /// Not readable or not mappable; the report has status [`OrderStatus::Invalid`].
    Invalid(Box<OrderReport>),
}

/// The orders of every file of a run, in file order, and the files that could not be read.
#[derive(Debug)]
pub struct Batch {
    /// Every order found.
    pub orders: Vec<PreparedOrder>,
    /// Files that are unreadable, not valid JSON or XML, or of no known format.
    pub file_errors: Vec<FileError>,
}

impl Batch {
    /// Returns the planned orders.
    pub fn planned(&self) -> impl Iterator<Item = &PlannedOrder> {
        self.orders.iter().filter_map(|order| match order {
            PreparedOrder::Planned(planned) => Some(planned.as_ref()),
            PreparedOrder::Invalid(_) => None,
        })
    }
}

/// Reads `files` (with `format`, or recognising each by content when `None`) and maps
/// every order. A bad file or order is kept as an error and does not stop the others.
pub fn prepare(
    files: &[PathBuf],
    format: Option<Format>,
    options: &ParseOptions,
    config: &Config,
) -> Batch {
    let mut batch = Batch {
        orders: Vec::new(),
        file_errors: Vec::new(),
    };
    for file in files {
        let parsed = match read_file(file, format, options) {
            Ok(parsed) => parsed,
            Err(error) => {
                tracing::error!(file = %file.display(), error = %error, "order file not read");
                batch.file_errors.push(error);
                continue;
            }
        };
        for order in parsed.orders {
            let order = match order {
                Ok(order) => order,
                Err(error) => {
                    tracing::error!(file = %file.display(), error = %error, "order not read");
                    let order = match &error.order_id {
                        Some(id) => format!("order {id}"),
                        None => format!("order number {} in the file", error.order_index),
                    };
                    batch
                        .orders
                        .push(invalid(order, None, file, error.to_string()));
                    continue;
                }
            };
            match plan_order(&order, config) {
                Ok(plan) => batch
                    .orders
                    .push(PreparedOrder::Planned(Box::new(PlannedOrder {
                        plan,
                        file: file.clone(),
                    }))),
                Err(error) => {
                    tracing::error!(order = %order.key, error = %error, "order not mapped");
                    batch.orders.push(invalid(
                        order.key.to_string(),
                        Some(order.number.clone()),
                        file,
                        error.to_string(),
                    ));
                }
            }
        }
    }
    batch
}

fn invalid(
    order: String,
    number: Option<String>,
    file: &std::path::Path,
    message: String,
) -> PreparedOrder {
    PreparedOrder::Invalid(Box::new(OrderReport {
        order,
        number,
        file: file.display().to_string(),
        status: OrderStatus::Invalid,
        customer: None,
        ids: AtollonIds::default(),
        invoice_number: None,
        warnings: Vec::new(),
        problem: Some(Problem::new(None, message)),
        renewal: None,
        requests_sent: 0,
    }))
}
