//! The eShop billing flow. Per order it creates the contact and customer folder of a new
//! customer, the deal, one billing item per line and the invoice. Subscription lines also
//! get a recurring billing rule, CheckWorkflowQueue runs when configured, and a returning
//! customer with a phone number not seen before gets a `new-phone-number` marketing
//! trigger.
//!
//! Every step goes through the [`Journal`]: it is marked sent before its request goes
//! out, and its outcome and id are recorded before the next step starts. A step that is
//! done is never sent again, so running the same orders again completes what was
//! interrupted and bills nothing twice. A step whose response never came
//! ([`Outcome::Unknown`]) is in doubt: the order stops there, and the step waits for
//! `atollon journal resolve`.
//!
//! Orders run concurrently. Orders that share a customer key (the shop's customer id,
//! e-mail, company id or VAT id) run one after the other in input order, so that two
//! orders of one new customer cannot both create a contact. The shared
//! [`Client`] keeps at most 2 requests in flight, Atollon's fair-use limit per session.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::path::{Path, PathBuf};
//! use std::sync::Arc;
//!
//! use atollon::atollon_client::Credentials;
//! use atollon::billing::config::Config;
//! use atollon::billing::flow::{prepare, Flow};
//! use atollon::billing::journal::Journal;
//! use atollon::billing::model::ParseOptions;
//! use atollon::Client;
//!
//! let config = Config::load(Path::new("atollon.toml"))?;
//! let files = [PathBuf::from("orders.json")];
//! let batch = prepare(&files, None, &ParseOptions::default(), &config);
//! let client = Client::builder().endpoint(config.atollon.endpoint.clone()).build()?;
//! let password = std::env::var("ATOLLON_PASSWORD")?;
//! let credentials = Credentials::new(&config.atollon.server, &config.atollon.user, &password);
//! let journal = Journal::open(Path::new("atollon-journal.sqlite"))?;
//! let flow = Arc::new(Flow::new(client, credentials, journal));
//! for report in flow.run(batch.orders, None).await {
//!     println!("{} {} {:?}", report.order, report.status, report.invoice_number);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Only one run uses a journal at a time: [`Journal::open`] takes a lock for the run, and
//! a second run on the same journal fails at start.

pub mod prepare;
pub mod report;
pub mod requests;

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use atollon_client::{Client, Credentials, Error, Outcome, Session};
use tokio::sync::{OnceCell, Semaphore};
use tokio::task::JoinSet;

use crate::billing::journal::{
    Journal, JournalError, Step, StepRecord, StepState, RESOLVED_REFERENCE, REUSED_REFERENCE,
};
use crate::billing::mapping::OrderPlan;
use crate::{features, invoice, item, main, project, web};

pub use prepare::{prepare, Batch, PlannedOrder, PreparedOrder};
pub use report::{
    count_statuses, shell_quote, summary_text, AtollonIds, CustomerOrigin, OrderReport,
    OrderStatus, Problem, RenewalInfo,
};

/// Default number of customers billed at once. The shared client sends at most 2 requests
/// at a time. With 4 orders under way, one order's journal writes and response handling
/// overlap the other orders' requests, and more orders would only wait for a slot.
pub const DEFAULT_CONCURRENT_ORDERS: usize = 4;

/// Called with each order's report as soon as the order is finished.
pub type Progress = Arc<dyn Fn(&OrderReport) + Send + Sync>;

/// A billing run: the clients of one Atollon instance, its credentials and the journal.
#[derive(Debug)]
pub struct Flow {
    main: main::MainClient,
    project: project::ProjectClient,
    item: item::ItemClient,
    invoice: invoice::InvoiceClient,
    features: features::FeaturesClient,
    web: web::WebClient,
    credentials: Credentials,
    /// The run's one QuickLogin, made when the first request needs it. A failed login is
    /// kept too, so that the other orders do not log in again with the same credentials.
    session: OnceCell<Result<Session, String>>,
    journal: Mutex<Journal>,
    journal_path: PathBuf,
    concurrency: usize,
    /// One permit per request the client has in flight. A step is marked sent only when
    /// it has one, so that a step waiting for the client is not left "sent" (and in
    /// doubt after a crash) without having left the process.
    request_slots: Semaphore,
}

impl Flow {
    /// Builds a run over one runtime client (whose clones share its connection pool and
    /// in-flight limit), the credentials QuickLogin sends, and an open journal.
    pub fn new(client: Client, credentials: Credentials, journal: Journal) -> Flow {
        let request_slots = Semaphore::new(client.max_in_flight());
        Flow {
            main: main::MainClient::new(client.clone()),
            project: project::ProjectClient::new(client.clone()),
            item: item::ItemClient::new(client.clone()),
            invoice: invoice::InvoiceClient::new(client.clone()),
            features: features::FeaturesClient::new(client.clone()),
            web: web::WebClient::new(client),
            credentials,
            session: OnceCell::new(),
            journal_path: journal.path().to_owned(),
            journal: Mutex::new(journal),
            concurrency: DEFAULT_CONCURRENT_ORDERS,
            request_slots,
        }
    }

    /// Sets how many customers are billed at once (at least 1).
    pub fn with_concurrency(mut self, customers: usize) -> Flow {
        self.concurrency = customers.max(1);
        self
    }

    /// Returns the path of the journal file.
    pub fn journal_path(&self) -> &Path {
        &self.journal_path
    }

    /// Bills every order and returns one report per order, in input order. `progress`
    /// receives each report as soon as its order is finished.
    pub async fn run(
        self: Arc<Self>,
        orders: Vec<PreparedOrder>,
        progress: Option<Progress>,
    ) -> Vec<OrderReport> {
        tracing::info!(
            orders = orders.len(),
            journal = %self.journal_path.display(),
            "billing run started"
        );
        let mut reports: Vec<Option<OrderReport>> = vec![None; orders.len()];
        let mut planned = Vec::new();
        for (index, order) in orders.into_iter().enumerate() {
            match order {
                PreparedOrder::Planned(order) => planned.push((index, *order)),
                PreparedOrder::Invalid(report) => {
                    notify(progress.as_ref(), &report);
                    reports[index] = Some(*report);
                }
            }
        }
        // Kept to report an order whose task stopped without a report.
        let skeletons: Vec<(usize, OrderReport)> = planned
            .iter()
            .map(|(index, order)| (*index, skeleton_report(order)))
            .collect();

        let groups = customer_groups(&planned);
        let mut slots: Vec<Option<(usize, PlannedOrder)>> = planned.into_iter().map(Some).collect();
        let limit = Arc::new(Semaphore::new(self.concurrency));
        let mut tasks = JoinSet::new();
        for group in groups {
            let members: Vec<(usize, PlannedOrder)> = group
                .into_iter()
                .filter_map(|position| slots[position].take())
                .collect();
            let flow = Arc::clone(&self);
            let limit = Arc::clone(&limit);
            let progress = progress.clone();
            tasks.spawn(async move {
                // The semaphore is never closed, so `acquire_owned` cannot fail.
                let _permit = limit.acquire_owned().await;
                flow.bill_group(members, progress.as_ref()).await
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(results) => {
                    for (index, report) in results {
                        reports[index] = Some(report);
                    }
                }
                Err(error) => {
                    tracing::error!(error = %error, "a billing task stopped unexpectedly");
                }
            }
        }
        for (index, mut report) in skeletons {
            if reports[index].is_none() {
                report.status = OrderStatus::Failed;
                report.problem = Some(Problem::new(
                    None,
                    "the billing task of this order stopped unexpectedly; its steps are in \
                     the journal, so running the same orders again continues it",
                ));
                reports[index] = Some(report);
            }
        }
        let reports: Vec<OrderReport> = reports.into_iter().flatten().collect();
        let counts: Vec<String> = count_statuses(&reports)
            .into_iter()
            .map(|(status, count)| format!("{count} {status}"))
            .collect();
        tracing::info!(orders = reports.len(), result = %counts.join(", "), "billing run finished");
        reports
    }

    /// Bills the orders of one customer one after the other.
    async fn bill_group(
        &self,
        members: Vec<(usize, PlannedOrder)>,
        progress: Option<&Progress>,
    ) -> Vec<(usize, OrderReport)> {
        let mut results = Vec::with_capacity(members.len());
        // An order whose contact or folder step is in doubt may have created the
        // customer's contact or folder in Atollon, so the later orders of the same
        // customer must not create another one.
        let mut blocker: Option<Blocker> = None;
        for (index, order) in members {
            let report = OrderRun::new(self, &order, blocker.as_ref()).bill().await;
            if blocker.is_none() && report.status == OrderStatus::InDoubt {
                let step = report.problem.as_ref().and_then(|p| p.step.clone());
                if let Some(step) = step.filter(|s| s == "contact" || s == "folder") {
                    blocker = Some(Blocker {
                        order: report.order.clone(),
                        step,
                    });
                }
            }
            notify(progress, &report);
            results.push((index, report));
        }
        results
    }

    /// Returns the run's session, logging in with QuickLogin on the first call.
    async fn session(&self) -> Result<Session, String> {
        self.session
            .get_or_init(|| async {
                let credentials = &self.credentials;
                tracing::info!(
                    server = credentials.server(),
                    user = credentials.user(),
                    "logging in with QuickLogin"
                );
                let result = crate::session::login_with_md5(
                    &self.main,
                    credentials.server(),
                    credentials.user(),
                    credentials.password_md5(),
                )
                .await;
                match result {
                    Ok(session) => Ok(session),
                    Err(error) => {
                        tracing::error!(error = %error, "QuickLogin failed; no request is sent");
                        Err(error.to_string())
                    }
                }
            })
            .await
            .clone()
    }

    fn with_journal<T>(
        &self,
        change: impl FnOnce(&mut Journal) -> Result<T, JournalError>,
    ) -> Result<T, JournalError> {
        // A panic while the lock is held leaves the journal consistent, because each of
        // its changes is one SQLite transaction. So a poisoned lock is still usable.
        let mut journal = self.journal.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut journal)
    }
}

/// The order whose in-doubt contact or folder step holds back its customer's other orders.
#[derive(Debug, Clone)]
struct Blocker {
    order: String,
    step: String,
}

fn notify(progress: Option<&Progress>, report: &OrderReport) {
    if let Some(progress) = progress {
        progress(report);
    }
}

fn skeleton_report(order: &PlannedOrder) -> OrderReport {
    let plan = &order.plan;
    OrderReport {
        order: plan.key.to_string(),
        number: Some(plan.order_number.clone()),
        file: order.file.display().to_string(),
        status: OrderStatus::Failed,
        customer: None,
        ids: AtollonIds::default(),
        invoice_number: None,
        warnings: plan.warnings.clone(),
        problem: None,
        renewal: None,
        requests_sent: 0,
    }
}

/// Groups orders that share an order key or a customer key, with union-find: each group
/// lists positions in `orders` in input order, and groups are ordered by their first
/// order.
fn customer_groups(orders: &[(usize, PlannedOrder)]) -> Vec<Vec<usize>> {
    fn root(parent: &mut [usize], mut position: usize) -> usize {
        while parent[position] != position {
            parent[position] = parent[parent[position]];
            position = parent[position];
        }
        position
    }

    let mut parent: Vec<usize> = (0..orders.len()).collect();
    let mut first_with_key: HashMap<String, usize> = HashMap::new();
    for (position, (_, order)) in orders.iter().enumerate() {
        for key in grouping_keys(&order.plan) {
            match first_with_key.get(&key) {
                Some(&other) => {
                    let a = root(&mut parent, position);
                    let b = root(&mut parent, other);
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    first_with_key.insert(key, position);
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of_root: HashMap<usize, usize> = HashMap::new();
    for position in 0..orders.len() {
        let group_root = root(&mut parent, position);
        let group = *group_of_root.entry(group_root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[group].push(position);
    }
    groups
}

/// Returns the keys that tie orders together: the order itself (the same order given
/// twice) and the customer keys, scoped as the journal scopes them.
fn grouping_keys(plan: &OrderPlan) -> Vec<String> {
    let keys = &plan.customer_keys;
    let mut result = vec![format!("order\u{0}{}", plan.key)];
    if let Some(id) = &keys.shop_customer_id {
        result.push(format!(
            "customer\u{0}{}/{}\u{0}{id}",
            keys.platform, keys.shop
        ));
    }
    if let Some(email) = &keys.email {
        result.push(format!("email\u{0}{email}"));
    }
    if let Some(company_id) = &keys.company_id {
        result.push(format!("company\u{0}{company_id}"));
    }
    if let Some(vat_id) = &keys.vat_id {
        result.push(format!("vat\u{0}{vat_id}"));
    }
    result
}

/// Outcome of a finished order.
enum Done {
    /// Every step is done.
    Billed,
    /// A renewal that its subscription's recurring rule bills.
    Renewal(RenewalInfo),
}

/// Reason an order stopped.
enum Stop {
    Failed(Problem),
    InDoubt(Problem),
    Blocked(Problem),
}

/// The id and further result of a done step.
#[derive(Debug, Clone, Default)]
struct StepValue {
    id: Option<i64>,
    reference: Option<String>,
}

impl StepValue {
    fn id(id: Option<i64>) -> StepValue {
        StepValue {
            id,
            reference: None,
        }
    }
}

/// The order's customer once the contact step is settled.
struct Customer {
    contact_id: i64,
    /// Whether the contact came from an earlier order.
    returning: bool,
    /// Normalised phone numbers recorded for the contact before this order.
    known_phones: Vec<String>,
}

/// One order being billed.
struct OrderRun<'a> {
    flow: &'a Flow,
    plan: &'a OrderPlan,
    file: &'a Path,
    blocker: Option<&'a Blocker>,
    /// The order's steps as the journal had them when the order started.
    records: HashMap<Step, StepRecord>,
    report: OrderReport,
}

impl<'a> OrderRun<'a> {
    fn new(flow: &'a Flow, order: &'a PlannedOrder, blocker: Option<&'a Blocker>) -> Self {
        OrderRun {
            flow,
            plan: &order.plan,
            file: &order.file,
            blocker,
            records: HashMap::new(),
            report: skeleton_report(order),
        }
    }

    async fn bill(mut self) -> OrderReport {
        let result = self.steps().await;
        let key = &self.plan.key;
        let report = &mut self.report;
        match result {
            Ok(Done::Billed) => {
                report.status = if report.requests_sent == 0 {
                    OrderStatus::AlreadyInvoiced
                } else {
                    OrderStatus::Invoiced
                };
                tracing::debug!(order = %key, status = %report.status, invoice = report.invoice_number.as_deref(), "order finished");
            }
            Ok(Done::Renewal(renewal)) => {
                tracing::info!(
                    order = %key,
                    subscription = %renewal.subscription,
                    rule = renewal.folder_item,
                    "renewal of a known subscription: its recurring rule bills it, so it is not invoiced"
                );
                report.status = OrderStatus::RenewalSkipped;
                report.renewal = Some(renewal);
            }
            Err(Stop::Failed(problem)) => {
                report.status = OrderStatus::Failed;
                report.problem = Some(problem);
            }
            Err(Stop::InDoubt(problem)) => {
                report.status = OrderStatus::InDoubt;
                report.problem = Some(problem);
            }
            Err(Stop::Blocked(problem)) => {
                tracing::warn!(order = %key, reason = %problem.message, "order not billed");
                report.status = OrderStatus::Blocked;
                report.problem = Some(problem);
            }
        }
        self.report
    }

    async fn steps(&mut self) -> Result<Done, Stop> {
        let plan = self.plan;
        let key = &plan.key;
        let file = self.file;
        self.journal(None, |j| {
            j.register_order(key, &plan.order_number, Some(file))
        })?;
        let records = self.journal(None, |j| j.steps_of(key))?;
        let fresh = records.is_empty();
        self.records = records.into_iter().map(|r| (r.step, r)).collect();
        // An order that was begun before is finished as begun, even if its subscription
        // has become known since.
        if fresh {
            if let Some(renewal) = self.known_renewal()? {
                return Ok(Done::Renewal(renewal));
            }
        }

        let customer = self.contact().await?;
        let folder_id = self.folder(&customer).await?;
        let project_id = self.project(folder_id).await?;
        for index in 0..plan.items.len() {
            self.item(index, project_id, folder_id).await?;
        }
        self.invoice(project_id).await?;
        for index in 0..plan.folder_items.len() {
            self.folder_item(index, folder_id, project_id).await?;
        }
        if plan.check_workflow_queue {
            self.workflow().await?;
        }
        self.trigger(&customer, folder_id).await?;
        // The phone numbers are recorded only now, so that an interrupted order still
        // treats a new number as new when it runs again, and sends its trigger.
        self.journal(None, |j| {
            j.record_customer(
                &plan.customer_keys,
                customer.contact_id,
                Some(folder_id),
                &plan.phones,
            )
        })?;
        Ok(Done::Billed)
    }

    fn known_renewal(&mut self) -> Result<Option<RenewalInfo>, Stop> {
        let key = &self.plan.key;
        for subscription in &self.plan.renewal_of {
            let known = self.journal(None, |j| {
                j.find_subscription(&key.platform, &key.shop, subscription)
            })?;
            if let Some(known) = known {
                return Ok(Some(RenewalInfo {
                    subscription: subscription.clone(),
                    rule_order: known.order_id,
                    folder_item: known.folder_item_id,
                }));
            }
        }
        Ok(None)
    }

    async fn contact(&mut self) -> Result<Customer, Stop> {
        let plan = self.plan;
        let key = &plan.key;
        let step = Step::Contact;
        if let Some(record) = self.recorded(step)? {
            let contact_id = self.recorded_id(&record)?;
            self.report.ids.contact = Some(contact_id);
            if record.reference.as_deref() == Some(REUSED_REFERENCE) {
                let known_phones = self.journal(Some(step), |j| j.customer_phones(contact_id))?;
                self.report.customer = Some(CustomerOrigin::Returning { matched_by: None });
                return Ok(Customer {
                    contact_id,
                    returning: true,
                    known_phones,
                });
            }
            // Recording again is harmless and repairs a run that stopped between the
            // contact step and this record.
            self.journal(Some(step), |j| {
                j.record_customer(&plan.customer_keys, contact_id, None, &plan.phones)
            })?;
            self.report.customer = Some(CustomerOrigin::New);
            return Ok(Customer {
                contact_id,
                returning: false,
                known_phones: Vec::new(),
            });
        }

        if let Some(known) = self.journal(Some(step), |j| j.find_customer(&plan.customer_keys))? {
            self.journal(Some(step), |j| j.record_reused(key, step, known.contact_id))?;
            tracing::debug!(order = %key, contact = known.contact_id, matched_by = ?known.matched_by, "returning customer");
            self.report.ids.contact = Some(known.contact_id);
            self.report.customer = Some(CustomerOrigin::Returning {
                matched_by: Some(known.matched_by),
            });
            return Ok(Customer {
                contact_id: known.contact_id,
                returning: true,
                known_phones: known.phones,
            });
        }

        self.check_blocker(step)?;
        let session = self.session(step).await?;
        let request = requests::create_contact(&session, &plan.contact);
        let flow = self.flow;
        let value = self
            .send(step, async {
                let response = flow.main.create_contact(&request).await?;
                Ok(StepValue::id(response.new_id))
            })
            .await?;
        let contact_id = self.value_id(step, &value)?;
        self.report.ids.contact = Some(contact_id);
        self.report.customer = Some(CustomerOrigin::New);
        self.journal(Some(step), |j| {
            j.record_customer(&plan.customer_keys, contact_id, None, &plan.phones)
        })?;
        Ok(Customer {
            contact_id,
            returning: false,
            known_phones: Vec::new(),
        })
    }

    async fn folder(&mut self, customer: &Customer) -> Result<i64, Stop> {
        let plan = self.plan;
        let key = &plan.key;
        let step = Step::Folder;
        let contact_id = customer.contact_id;
        // A returning customer's new phone numbers are recorded after the trigger step.
        let phones: &[String] = if customer.returning {
            &[]
        } else {
            &plan.phones
        };
        if let Some(record) = self.recorded(step)? {
            let folder_id = self.recorded_id(&record)?;
            self.report.ids.folder = Some(folder_id);
            self.journal(Some(step), |j| {
                j.record_customer(&plan.customer_keys, contact_id, Some(folder_id), phones)
            })?;
            return Ok(folder_id);
        }
        if customer.returning {
            if let Some(folder_id) = self.journal(Some(step), |j| j.customer_folder(contact_id))? {
                self.journal(Some(step), |j| j.record_reused(key, step, folder_id))?;
                self.report.ids.folder = Some(folder_id);
                return Ok(folder_id);
            }
        }

        self.check_blocker(step)?;
        let session = self.session(step).await?;
        let request = requests::create_simple_folder(&session, &plan.folder, contact_id);
        let flow = self.flow;
        let value = self
            .send(step, async {
                let response = flow.project.create_simple_folder(&request).await?;
                Ok(StepValue::id(response.new_id))
            })
            .await?;
        let folder_id = self.value_id(step, &value)?;
        self.report.ids.folder = Some(folder_id);
        self.journal(Some(step), |j| {
            j.record_customer(&plan.customer_keys, contact_id, Some(folder_id), phones)
        })?;
        Ok(folder_id)
    }

    async fn project(&mut self, folder_id: i64) -> Result<i64, Stop> {
        let step = Step::Project;
        if let Some(record) = self.recorded(step)? {
            let project_id = self.recorded_id(&record)?;
            self.report.ids.project = Some(project_id);
            return Ok(project_id);
        }
        let session = self.session(step).await?;
        let request = requests::create_project(&session, &self.plan.project, folder_id);
        let flow = self.flow;
        let value = self
            .send(step, async {
                let response = flow.project.create_project(&request).await?;
                Ok(StepValue::id(response.new_id))
            })
            .await?;
        let project_id = self.value_id(step, &value)?;
        self.report.ids.project = Some(project_id);
        Ok(project_id)
    }

    async fn item(&mut self, index: usize, project_id: i64, folder_id: i64) -> Result<(), Stop> {
        let step = Step::Item(index);
        if let Some(record) = self.recorded(step)? {
            let item_id = self.recorded_id(&record)?;
            self.report.ids.items.push(item_id);
            return Ok(());
        }
        let session = self.session(step).await?;
        let billing_item = &self.plan.items[index];
        let request = requests::create_project_item(&session, billing_item, project_id, folder_id)
            .map_err(|message| self.unsendable(step, message))?;
        let flow = self.flow;
        let value = self
            .send(step, async {
                let response = flow.item.create_project_item(&request).await?;
                Ok(StepValue::id(response.item_id))
            })
            .await?;
        let item_id = self.value_id(step, &value)?;
        self.report.ids.items.push(item_id);
        Ok(())
    }

    async fn invoice(&mut self, project_id: i64) -> Result<(), Stop> {
        let step = Step::Invoice;
        let value = match self.recorded(step)? {
            Some(record) => StepValue {
                id: Some(self.recorded_id(&record)?),
                reference: record
                    .reference
                    .filter(|reference| reference != RESOLVED_REFERENCE),
            },
            None => {
                let session = self.session(step).await?;
                let request = requests::create_invoices_from_items(&session, project_id);
                let flow = self.flow;
                self.send(step, async {
                    let response = flow.invoice.create_invoices_from_items(&request).await?;
                    // The response may list several invoices (the sandbox makes one per
                    // currency), but an order has one currency.
                    // NOTE: with several invoices the journal keeps only the first id, and
                    // every number.
                    let numbers: Vec<&str> = response
                        .new_id
                        .iter()
                        .map(|group| group.number.as_str())
                        .collect();
                    Ok(StepValue {
                        id: response.new_id.first().map(|group| group.new_id),
                        reference: (!numbers.is_empty()).then(|| numbers.join(", ")),
                    })
                })
                .await?
            }
        };
        self.report.ids.invoice = value.id;
        self.report.invoice_number = value.reference;
        Ok(())
    }

    async fn folder_item(
        &mut self,
        index: usize,
        folder_id: i64,
        project_id: i64,
    ) -> Result<(), Stop> {
        let step = Step::FolderItem(index);
        let rule = &self.plan.folder_items[index];
        let rule_id = match self.recorded(step)? {
            Some(record) => self.recorded_id(&record)?,
            None => {
                let session = self.session(step).await?;
                let request = requests::create_folder_item(&session, rule, folder_id, project_id)
                    .map_err(|message| self.unsendable(step, message))?;
                let flow = self.flow;
                let value = self
                    .send(step, async {
                        let response = flow.item.create_folder_item(&request).await?;
                        Ok(StepValue::id(response.item_id))
                    })
                    .await?;
                self.value_id(step, &value)?
            }
        };
        self.report.ids.folder_items.push(rule_id);
        let key = &self.plan.key;
        self.journal(Some(step), |j| {
            j.record_subscription(key, &rule.subscription_key, rule_id)
        })?;
        Ok(())
    }

    async fn workflow(&mut self) -> Result<(), Stop> {
        let step = Step::Workflow;
        if self.recorded(step)?.is_some() {
            return Ok(());
        }
        let session = self.session(step).await?;
        let request = requests::check_workflow_queue(&session);
        let flow = self.flow;
        self.send(step, async {
            flow.features.check_workflow_queue(&request).await?;
            Ok(StepValue::default())
        })
        .await?;
        Ok(())
    }

    async fn trigger(&mut self, customer: &Customer, folder_id: i64) -> Result<(), Stop> {
        let step = Step::Trigger;
        let new_phones = if customer.returning {
            self.plan.phones_not_seen(&customer.known_phones)
        } else {
            Vec::new()
        };
        if let Some(record) = self.recorded(step)? {
            self.report.ids.trigger = record.atollon_id;
            return Ok(());
        }
        // Also when an earlier attempt failed: another order may have brought the
        // number since, and then it is not new any more.
        if new_phones.is_empty() {
            return Ok(());
        }
        let trigger = self
            .plan
            .new_phone_trigger(&new_phones, customer.contact_id, folder_id);
        let session = self.session(step).await?;
        let request = requests::create_marketing_triggers(&session, &trigger);
        let flow = self.flow;
        let value = self
            .send(step, async {
                let response = flow.web.create_marketing_triggers(&request).await?;
                Ok(StepValue::id(response.new_id))
            })
            .await?;
        self.report.ids.trigger = value.id;
        Ok(())
    }

    /// Returns the step's record when it is done; stops the order when it is in doubt.
    fn recorded(&self, step: Step) -> Result<Option<StepRecord>, Stop> {
        let Some(record) = self.records.get(&step) else {
            return Ok(None);
        };
        match record.state {
            StepState::Done => Ok(Some(record.clone())),
            StepState::InDoubt | StepState::Sent => {
                let reason = record.error.clone().unwrap_or_else(|| {
                    "the request was sent and no response was recorded".to_owned()
                });
                Err(Stop::InDoubt(self.in_doubt_problem(step, &reason)))
            }
            StepState::Pending | StepState::Failed => Ok(None),
        }
    }

    fn recorded_id(&self, record: &StepRecord) -> Result<i64, Stop> {
        record.atollon_id.ok_or_else(|| {
            Stop::Failed(Problem::new(
                Some(record.step.to_string()),
                "the journal has this step done but without an Atollon id; settle it with \
                 `atollon journal resolve` and the id",
            ))
        })
    }

    fn value_id(&self, step: Step, value: &StepValue) -> Result<i64, Stop> {
        // `send` turns a response without an id into an in-doubt step, so this is only
        // reached for steps whose id it has recorded.
        value
            .id
            .ok_or_else(|| Stop::InDoubt(self.in_doubt_problem(step, "the response carried no id")))
    }

    fn check_blocker(&self, step: Step) -> Result<(), Stop> {
        match self.blocker {
            Some(blocker) => Err(Stop::Blocked(Problem::new(
                Some(step.to_string()),
                format!(
                    "not sent: order {} of the same customer has its {} step in doubt, and \
                     Atollon may already have that customer's contact or folder; resolve that \
                     step first, then run again",
                    blocker.order, blocker.step
                ),
            ))),
            None => Ok(()),
        }
    }

    async fn session(&self, step: Step) -> Result<Session, Stop> {
        self.flow.session().await.map_err(|message| {
            Stop::Failed(Problem::new(
                Some("login".to_owned()),
                format!("QuickLogin failed, so step {step} was not sent: {message}"),
            ))
        })
    }

    /// Reports a request that could not be built. It was never sent, so a later run may
    /// try again.
    fn unsendable(&self, step: Step, message: String) -> Stop {
        tracing::error!(order = %self.plan.key, step = %step, error = %message, "request not sent");
        Stop::Failed(Problem::new(
            Some(step.to_string()),
            format!("the request was not sent: {message}"),
        ))
    }

    /// Sends one step's request through the journal: marked sent before, and its id,
    /// failure or doubt recorded after.
    async fn send(
        &mut self,
        step: Step,
        call: impl Future<Output = Result<StepValue, Error>>,
    ) -> Result<StepValue, Stop> {
        let key = &self.plan.key;
        if let Some(record) = self.records.get(&step) {
            if record.state == StepState::Failed {
                tracing::info!(
                    order = %key,
                    step = %step,
                    attempts = record.attempts,
                    previous_error = record.error.as_deref().unwrap_or(""),
                    "retrying a step that failed in an earlier run"
                );
            }
        }
        // The semaphore is never closed, so `acquire` cannot fail.
        let _slot = self.flow.request_slots.acquire().await;
        self.journal(Some(step), |j| j.begin_step(key, step))?;
        self.report.requests_sent += 1;
        tracing::debug!(order = %key, step = %step, "request sent");

        match call.await {
            Ok(value) if value.id.is_none() && step != Step::Workflow => {
                let reason = "Atollon returned OK without the id of the object it created";
                self.mark_in_doubt(step, reason);
                Err(Stop::InDoubt(self.in_doubt_problem(step, reason)))
            }
            Ok(value) => {
                let reference = value.reference.as_deref();
                match self
                    .flow
                    .with_journal(|j| j.complete_step(key, step, value.id, reference))
                {
                    Ok(()) => Ok(value),
                    Err(error) => {
                        // Atollon has the object, but the journal still has the step as
                        // sent. The next run finds it in doubt, and the id below settles it.
                        tracing::error!(order = %key, step = %step, id = value.id, error = %error, "response not recorded in the journal");
                        let id = value
                            .id
                            .map_or_else(|| "no id".to_owned(), |id| format!("id {id}"));
                        let mut problem = self.in_doubt_problem(
                            step,
                            &format!("Atollon returned {id}, but the journal could not record it: {error}"),
                        );
                        if let Some(id) = value.id {
                            problem.check = Some(format!("Atollon created it with id {id}"));
                        }
                        Err(Stop::InDoubt(problem))
                    }
                }
            }
            Err(error) => match error.outcome() {
                Outcome::Unknown => {
                    let reason = error.to_string();
                    self.mark_in_doubt(step, &reason);
                    Err(Stop::InDoubt(self.in_doubt_problem(step, &reason)))
                }
                Outcome::NotSent | Outcome::Failed => {
                    let reason = error.to_string();
                    tracing::warn!(order = %key, step = %step, error = %reason, "step failed; a later run sends it again");
                    if let Err(journal_error) =
                        self.flow.with_journal(|j| j.fail_step(key, step, &reason))
                    {
                        tracing::error!(order = %key, step = %step, error = %journal_error, "failure not recorded in the journal");
                    }
                    Err(Stop::Failed(Problem::new(Some(step.to_string()), reason)))
                }
            },
        }
    }

    fn mark_in_doubt(&self, step: Step, reason: &str) {
        let key = &self.plan.key;
        if let Err(error) = self
            .flow
            .with_journal(|j| j.mark_in_doubt(key, step, reason))
        {
            // The step stays "sent", which the next run reads as in doubt all the same.
            tracing::error!(order = %key, step = %step, error = %error, "doubt not recorded in the journal");
        }
    }

    fn in_doubt_problem(&self, step: Step, reason: &str) -> Problem {
        let key = shell_quote(&self.plan.key.to_string());
        let journal = shell_quote(&self.flow.journal_path.display().to_string());
        Problem {
            step: Some(step.to_string()),
            message: reason.to_owned(),
            check: Some(self.check_text(step)),
            resolve: Some(format!(
                "then run `atollon journal resolve {key} --step {step} --journal {journal} --id ID` \
                 with the id you found, or with `--retry` instead of `--id ID` if it does not exist"
            )),
        }
    }

    /// Describes what a person looks for in Atollon to settle a step in doubt.
    fn check_text(&self, step: Step) -> String {
        let plan = self.plan;
        let ids = &self.report.ids;
        let id = |value: Option<i64>| value.map_or_else(|| "?".to_owned(), |v| v.to_string());
        match step {
            Step::Contact => {
                let name = match &plan.contact.name3 {
                    Some(surname) => format!("{} {surname}", plan.contact.name1),
                    None => plan.contact.name1.clone(),
                };
                let email = plan
                    .customer_keys
                    .email
                    .as_ref()
                    .map(|email| format!(" with e-mail {email}"))
                    .unwrap_or_default();
                format!("check in Atollon whether contact '{name}'{email} exists")
            }
            Step::Folder => format!(
                "check in Atollon whether customer folder '{}' exists for contact {}",
                plan.folder.name,
                id(ids.contact)
            ),
            Step::Project => format!(
                "check in Atollon whether project '{}' exists under folder {}",
                plan.project.name,
                id(ids.folder)
            ),
            Step::Item(index) => match plan.items.get(index) {
                Some(item) => format!(
                    "check in Atollon whether project {} has the billing item '{}' of {} {}",
                    id(ids.project),
                    item.name,
                    item.total_amount_with_vat,
                    item.currency
                ),
                None => format!("check in Atollon the billing items of project {}", id(ids.project)),
            },
            Step::Invoice => format!(
                "check in Atollon whether project {} ('{}') has an invoice",
                id(ids.project),
                plan.project.name
            ),
            Step::FolderItem(index) => {
                let name = plan
                    .folder_items
                    .get(index)
                    .map_or("", |rule| rule.item.name.as_str());
                format!(
                    "check in Atollon whether folder {} has the recurring billing rule '{name}'",
                    id(ids.folder)
                )
            }
            Step::Workflow => "CheckWorkflowQueue only runs queued workflow actions, so sending it \
                               again does no harm"
                .to_owned(),
            Step::Trigger => format!(
                "check in Atollon whether folder {} shows a new-phone-number trigger for contact {}",
                id(ids.folder),
                id(ids.contact)
            ),
        }
    }

    fn journal<T>(
        &self,
        step: Option<Step>,
        change: impl FnOnce(&mut Journal) -> Result<T, JournalError>,
    ) -> Result<T, Stop> {
        self.flow.with_journal(change).map_err(|error| {
            tracing::error!(order = %self.plan.key, step = step.map(|s| s.to_string()), error = %error, "journal error");
            Stop::Failed(Problem::new(
                step.map(|s| s.to_string()),
                format!("journal error: {error}"),
            ))
        })
    }
}
