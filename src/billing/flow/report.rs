//! The result of billing one order, as `atollon invoice --json` prints it, and the summary
//! table printed without `--json`.

use serde::Serialize;
use std::fmt::{self, Write as _};

use crate::billing::error::FileError;
use crate::billing::journal::MatchedBy;
use crate::billing::model::Warning;

/// State of an order after a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderStatus {
    /// This run completed the order's steps: it is invoiced.
    Invoiced,
    /// An earlier run invoiced the order, and this run sent nothing for it.
    AlreadyInvoiced,
    /// The order renews a subscription whose recurring billing rule exists in Atollon,
    /// which bills it; the order itself is not invoiced.
    RenewalSkipped,
    /// A step failed: Atollon rejected it, or it could not be sent. A later run sends it
    /// again.
    Failed,
    /// A step was sent and no response came, so Atollon may have stored it. It is not sent
    /// again until `atollon journal resolve` settles it.
    InDoubt,
    /// Not sent: the order shares its customer with an order whose contact or folder step
    /// is in doubt, and billing it could create a second contact.
    Blocked,
    /// The order could not be read or mapped to Atollon's requests.
    Invalid,
}

impl OrderStatus {
    /// Returns the status as the summary table shows it.
    pub fn as_text(self) -> &'static str {
        match self {
            OrderStatus::Invoiced => "invoiced",
            OrderStatus::AlreadyInvoiced => "already invoiced",
            OrderStatus::RenewalSkipped => "renewal skipped",
            OrderStatus::Failed => "failed",
            OrderStatus::InDoubt => "in doubt",
            OrderStatus::Blocked => "blocked",
            OrderStatus::Invalid => "invalid",
        }
    }

    /// Returns whether the order needs nothing more: invoiced now or before, or billed by
    /// a recurring rule.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            OrderStatus::Invoiced | OrderStatus::AlreadyInvoiced | OrderStatus::RenewalSkipped
        )
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_text())
    }
}

/// Whether the order's customer was new or found in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CustomerOrigin {
    /// The order created the contact (in this run or an earlier one).
    New,
    /// The contact of an earlier order was reused.
    Returning {
        /// The key that found the customer, when this run looked it up.
        matched_by: Option<MatchedBy>,
    },
}

/// The Atollon ids an order's steps created or reused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AtollonIds {
    /// Contact.
    pub contact: Option<i64>,
    /// Customer folder.
    pub folder: Option<i64>,
    /// Deal (project).
    pub project: Option<i64>,
    /// Billing items, in line order.
    pub items: Vec<i64>,
    /// Invoice.
    pub invoice: Option<i64>,
    /// Recurring billing rules of subscription lines.
    pub folder_items: Vec<i64>,
    /// The new-phone-number marketing trigger.
    pub trigger: Option<i64>,
}

/// Reason an order stopped, with what a person should check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The journal step, such as `project`, or `login` for QuickLogin; `None` for an order
    /// that could not be read or mapped.
    pub step: Option<String>,
    /// Description of the failure.
    pub message: String,
    /// For a step in doubt: what to look for in Atollon.
    pub check: Option<String>,
    /// For a step in doubt: the command that settles it.
    pub resolve: Option<String>,
}

impl Problem {
    /// Builds a problem without check and resolve hints.
    pub fn new(step: Option<String>, message: impl Into<String>) -> Self {
        Problem {
            step,
            message: message.into(),
            check: None,
            resolve: None,
        }
    }
}

/// A renewal order that the recurring rule of its subscription bills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenewalInfo {
    /// The subscription id the order renews.
    pub subscription: String,
    /// The order that created the recurring rule.
    pub rule_order: String,
    /// Atollon id of the recurring rule.
    pub folder_item: i64,
}

/// The result of one order, one JSON object of `atollon invoice --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderReport {
    /// Journal key `platform/shop/order_id`, or for an order that could not be read the
    /// order id or its position in the file.
    pub order: String,
    /// The shop's order number, when known.
    pub number: Option<String>,
    /// File the order came from.
    pub file: String,
    /// State of the order.
    pub status: OrderStatus,
    /// New or returning customer, once the contact step is settled.
    pub customer: Option<CustomerOrigin>,
    /// Atollon ids of the order's objects.
    pub ids: AtollonIds,
    /// Invoice number, once the invoice step is done. Several invoices are listed
    /// separated by ", ".
    pub invoice_number: Option<String>,
    /// Warnings of reading and mapping, such as a reconciliation difference.
    pub warnings: Vec<Warning>,
    /// Reason the order stopped, for failed, in-doubt, blocked and invalid orders.
    pub problem: Option<Problem>,
    /// For a skipped renewal: the subscription and its rule.
    pub renewal: Option<RenewalInfo>,
    /// Number of requests this run sent for the order, QuickLogin not counted.
    pub requests_sent: usize,
}

/// Counts orders per status, in the order of [`OrderStatus`].
pub fn count_statuses(reports: &[OrderReport]) -> Vec<(OrderStatus, usize)> {
    let all = [
        OrderStatus::Invoiced,
        OrderStatus::AlreadyInvoiced,
        OrderStatus::RenewalSkipped,
        OrderStatus::Failed,
        OrderStatus::InDoubt,
        OrderStatus::Blocked,
        OrderStatus::Invalid,
    ];
    all.into_iter()
        .map(|status| {
            let count = reports.iter().filter(|r| r.status == status).count();
            (status, count)
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

/// Writes the summary of a run: a table with one row per order, the totals, then the
/// orders in doubt with what to check, the failures and the warnings.
pub fn summary_text(reports: &[OrderReport], file_errors: &[FileError]) -> String {
    let mut out = String::new();
    let header = ["ORDER", "NUMBER", "STATUS", "INVOICE"];
    let rows: Vec<[String; 4]> = reports
        .iter()
        .map(|report| {
            [
                report.order.clone(),
                report.number.clone().unwrap_or_else(|| "-".to_owned()),
                report.status.as_text().to_owned(),
                invoice_cell(report),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut write_row = |cells: [&str; 4]| {
        let mut line = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if index + 1 == cells.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    if !rows.is_empty() {
        write_row(header);
        for row in &rows {
            write_row([&row[0], &row[1], &row[2], &row[3]]);
        }
        out.push('\n');
    }

    let counts: Vec<String> = count_statuses(reports)
        .into_iter()
        .map(|(status, count)| format!("{count} {status}"))
        .collect();
    let noun = if reports.len() == 1 {
        "order"
    } else {
        "orders"
    };
    let _ = write!(out, "{} {noun}", reports.len());
    if !counts.is_empty() {
        let _ = write!(out, ": {}", counts.join(", "));
    }
    out.push_str(".\n");

    section(
        &mut out,
        "In doubt (not sent again until resolved):",
        reports,
        |report| (report.status == OrderStatus::InDoubt).then(|| problem_lines(report)),
    );
    section(&mut out, "Failed, blocked or invalid:", reports, |report| {
        matches!(
            report.status,
            OrderStatus::Failed | OrderStatus::Blocked | OrderStatus::Invalid
        )
        .then(|| problem_lines(report))
    });
    if !file_errors.is_empty() {
        out.push_str("\nFiles not read (none of their orders is billed):\n");
        for error in file_errors {
            let _ = writeln!(out, "  {error}");
        }
    }
    section(&mut out, "Warnings:", reports, |report| {
        (!report.warnings.is_empty()).then(|| {
            report
                .warnings
                .iter()
                .map(|warning| warning.to_string())
                .collect()
        })
    });
    out
}

fn invoice_cell(report: &OrderReport) -> String {
    match (&report.invoice_number, report.ids.invoice, &report.renewal) {
        (Some(number), _, _) => number.clone(),
        (None, Some(id), _) => format!("id {id} (number not recorded)"),
        (None, None, Some(renewal)) => format!("billed by rule {}", renewal.folder_item),
        (None, None, None) => "-".to_owned(),
    }
}

fn problem_lines(report: &OrderReport) -> Vec<String> {
    let Some(problem) = &report.problem else {
        return Vec::new();
    };
    let mut lines = vec![match &problem.step {
        Some(step) => format!("step {step}: {}", problem.message),
        None => problem.message.clone(),
    }];
    if let Some(check) = &problem.check {
        lines.push(check.clone());
    }
    if let Some(resolve) = &problem.resolve {
        lines.push(resolve.clone());
    }
    lines
}

fn section(
    out: &mut String,
    title: &str,
    reports: &[OrderReport],
    lines_of: impl Fn(&OrderReport) -> Option<Vec<String>>,
) {
    let mut body = String::new();
    for report in reports {
        if let Some(lines) = lines_of(report) {
            let _ = writeln!(body, "  {}:", report.order);
            for line in lines {
                let _ = writeln!(body, "    {line}");
            }
        }
    }
    if !body.is_empty() {
        let _ = write!(out, "\n{title}\n{body}");
    }
}

/// Quotes a word for a POSIX shell command line when it contains characters other than
/// letters, digits and `/._-`.
pub fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
