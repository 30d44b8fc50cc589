//! The billing journal: a SQLite file that records, per order, each step's state and the
//! Atollon id it produced, so that running the same files again bills nothing twice and
//! completes what was interrupted.
//!
//! Protocol for the flow, per step:
//!
//! 1. [`Journal::begin_step`] marks the step `sent` and commits **before** the request
//!    goes out. It refuses a step that is done, in doubt or already sent.
//! 2. When the response arrives: [`Journal::complete_step`] (`done`, with the id) or
//!    [`Journal::fail_step`] (`failed`: Atollon returned an error, so nothing was
//!    stored and a later run may send the step again).
//! 3. When no response arrives (connection dropped, time-out): [`Journal::mark_in_doubt`].
//!    Atollon may have stored the request, so the step is not sent again until a person
//!    settles it with [`Journal::resolve`].
//!
//! A run that stops between 1 and 2 leaves the step `sent`; the next [`Journal::open`]
//! turns such steps into `in_doubt` and lists them in [`Journal::recovered_in_doubt`].
//! Every change is one transaction, and SQLite's atomic commit (WAL mode,
//! `synchronous=FULL`) means a crash at any point leaves the file consistent.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

use super::mapping::CustomerKeys;
use super::model::OrderKey;

/// Schema version stored in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 1;

/// Error text of steps found `sent` when a journal is opened.
pub const STOPPED_RUN_MESSAGE: &str = "the run that sent this request stopped before it recorded \
     the response. Check in Atollon whether the object exists, then resolve the step with its id or \
     with retry";

const SCHEMA: &str = "
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT NOT NULL,
    pid         INTEGER NOT NULL
);
CREATE TABLE orders (
    platform      TEXT NOT NULL,
    shop          TEXT NOT NULL,
    order_id      TEXT NOT NULL,
    order_number  TEXT NOT NULL,
    file          TEXT,
    first_seen    TEXT NOT NULL,
    PRIMARY KEY (platform, shop, order_id)
);
CREATE TABLE steps (
    platform    TEXT NOT NULL,
    shop        TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    step        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'done', 'in_doubt', 'failed')),
    atollon_id  INTEGER,
    reference   TEXT,
    error       TEXT,
    run_id      INTEGER REFERENCES runs (id),
    attempts    INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (platform, shop, order_id, step),
    FOREIGN KEY (platform, shop, order_id) REFERENCES orders (platform, shop, order_id)
);
CREATE TABLE customers (
    contact_id  INTEGER PRIMARY KEY,
    folder_id   INTEGER,
    created_at  TEXT NOT NULL
);
CREATE TABLE customer_keys (
    kind        TEXT NOT NULL CHECK (kind IN ('shop_customer_id', 'email', 'company_id', 'vat_id')),
    scope       TEXT NOT NULL,
    value       TEXT NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES customers (contact_id),
    PRIMARY KEY (kind, scope, value)
);
CREATE TABLE customer_phones (
    contact_id  INTEGER NOT NULL REFERENCES customers (contact_id),
    phone       TEXT NOT NULL,
    PRIMARY KEY (contact_id, phone)
);
CREATE TABLE subscriptions (
    platform          TEXT NOT NULL,
    shop              TEXT NOT NULL,
    subscription_key  TEXT NOT NULL,
    order_id          TEXT NOT NULL,
    folder_item_id    INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (platform, shop, subscription_key)
);
";

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

/// `reference` of a step done without a request, with an id reused from the journal
/// (the contact and folder of a returning customer).
pub const REUSED_REFERENCE: &str = "reused";

/// `reference` of a step settled by [`Journal::resolve`] with an id.
pub const RESOLVED_REFERENCE: &str = "resolved by hand";

/// One step of an order's billing. It serializes as its text form, such as `item:0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// CreateContact.
    Contact,
    /// CreateSimpleFolder.
    Folder,
    /// CreateProject.
    Project,
    /// CreateProjectItem of billing item N (from 0, the index in the plan's items).
    Item(usize),
    /// CreateInvoicesFromItems.
    Invoice,
    /// CreateFolderItem of subscription rule N (from 0).
    FolderItem(usize),
    /// CheckWorkflowQueue.
    Workflow,
    /// CreateMarketingTriggers.
    Trigger,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Contact => f.write_str("contact"),
            Step::Folder => f.write_str("folder"),
            Step::Project => f.write_str("project"),
            Step::Item(n) => write!(f, "item:{n}"),
            Step::Invoice => f.write_str("invoice"),
            Step::FolderItem(n) => write!(f, "folder_item:{n}"),
            Step::Workflow => f.write_str("workflow"),
            Step::Trigger => f.write_str("trigger"),
        }
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl FromStr for Step {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || {
            format!(
                "invalid step {text:?}: expected contact, folder, project, item:N, invoice, \
                 folder_item:N, workflow or trigger"
            )
        };
        let index = |n: &str| n.parse::<usize>().map_err(|_| invalid());
        match text.split_once(':') {
            Some(("item", n)) => Ok(Step::Item(index(n)?)),
            Some(("folder_item", n)) => Ok(Step::FolderItem(index(n)?)),
            Some(_) => Err(invalid()),
            None => match text {
                "contact" => Ok(Step::Contact),
                "folder" => Ok(Step::Folder),
                "project" => Ok(Step::Project),
                "invoice" => Ok(Step::Invoice),
                "workflow" => Ok(Step::Workflow),
                "trigger" => Ok(Step::Trigger),
                _ => Err(invalid()),
            },
        }
    }
}

/// State of a step in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Not sent yet, or settled for a retry.
    Pending,
    /// The request is about to be sent or on its way.
    Sent,
    /// Atollon returned success.
    Done,
    /// The request was sent and no response came: Atollon may have stored it.
    InDoubt,
    /// Atollon returned an error.
    Failed,
}

impl StepState {
    /// Returns the name stored in the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Sent => "sent",
            StepState::Done => "done",
            StepState::InDoubt => "in_doubt",
            StepState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<StepState> {
        match text {
            "pending" => Some(StepState::Pending),
            "sent" => Some(StepState::Sent),
            "done" => Some(StepState::Done),
            "in_doubt" => Some(StepState::InDoubt),
            "failed" => Some(StepState::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for StepState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    /// The order.
    pub order: OrderKey,
    /// The step.
    pub step: Step,
    /// Its state.
    pub state: StepState,
    /// Atollon id the step produced or reused.
    pub atollon_id: Option<i64>,
    /// Further result, such as the invoice number.
    pub reference: Option<String>,
    /// Error text of a failed or doubtful step.
    pub error: Option<String>,
    /// How many times the request was sent.
    pub attempts: u32,
    /// Time of the last change, UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub updated_at: String,
}

/// An order and its steps, for `atollon journal list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderEntry {
    /// Journal key.
    pub key: OrderKey,
    /// The shop's order number.
    pub order_number: String,
    /// File the order was last read from.
    pub file: Option<String>,
    /// Steps in flow order.
    pub steps: Vec<StepRecord>,
}

/// Settlement of a step by `atollon journal resolve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Atollon stored the object under this id: the step is done.
    Id(i64),
    /// Atollon did not store it: the step is pending and the next run sends it again.
    Retry,
}

/// Key that found a returning customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The shop's customer id.
    ShopCustomerId,
    /// The normalised e-mail.
    Email,
    /// The company id.
    CompanyId,
    /// The VAT id.
    VatId,
}

impl MatchedBy {
    fn kind(self) -> &'static str {
        match self {
            MatchedBy::ShopCustomerId => "shop_customer_id",
            MatchedBy::Email => "email",
            MatchedBy::CompanyId => "company_id",
            MatchedBy::VatId => "vat_id",
        }
    }
}

/// A customer billed before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KnownCustomer {
    /// Atollon contact id.
    pub contact_id: i64,
    /// Atollon customer folder id, when the folder step completed.
    pub folder_id: Option<i64>,
    /// Key that matched.
    pub matched_by: MatchedBy,
    /// Normalised phone numbers seen for this customer.
    pub phones: Vec<String>,
}

/// A subscription whose recurring billing rule exists in Atollon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KnownSubscription {
    /// The subscription key (the shop's id, or `ORDER_ID:LINE`).
    pub subscription_key: String,
    /// Order that created the rule.
    pub order_id: String,
    /// Atollon id of the CreateFolderItem rule.
    pub folder_item_id: i64,
}

/// Errors of the journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// SQLite failed.
    #[error("{}: journal database error: {source}", file.display())]
    Sqlite {
        /// Journal file.
        file: PathBuf,
        /// SQLite error.
        source: rusqlite::Error,
    },
    /// The file was written by a newer version of this program.
    #[error("{}: journal schema version {found} is newer than the supported version {supported}; use a newer atollon", file.display())]
    NewerSchema {
        /// Journal file.
        file: PathBuf,
        /// Version in the file.
        found: i64,
        /// Version this program writes.
        supported: i64,
    },
    /// The run lock file could not be created or locked.
    #[error("{}: cannot lock the journal for this run: {source}", file.display())]
    Lock {
        /// The lock file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Another run holds the journal's lock.
    #[error("{}: another `atollon invoice` run is using this journal; wait for it to finish, then run again", file.display())]
    InUse {
        /// The journal file.
        file: PathBuf,
    },
    /// [`Journal::open_existing`] found no file.
    #[error("{}: journal file not found; give the journal of an earlier `atollon invoice` run with --journal FILE", file.display())]
    NotFound {
        /// Journal file.
        file: PathBuf,
    },
    /// [`Journal::open_existing`] found a file without the journal's tables.
    #[error("{}: not an atollon billing journal (the file has no journal schema)", file.display())]
    NotAJournal {
        /// The file.
        file: PathBuf,
    },
    /// A step was used for an order that was not registered.
    #[error("order {order} is not in the journal; register it before its steps")]
    OrderNotRegistered {
        /// The order.
        order: OrderKey,
    },
    /// A step has no journal record.
    #[error("order {order}: step {step} is not in the journal")]
    StepNotFound {
        /// The order.
        order: OrderKey,
        /// The step.
        step: Step,
    },
    /// A step is in a state that does not allow the change.
    #[error("order {order}: step {step} is {state}; {hint}")]
    WrongState {
        /// The order.
        order: OrderKey,
        /// The step.
        step: Step,
        /// Its current state.
        state: StepState,
        /// Meaning of the state for the caller.
        hint: &'static str,
    },
}

/// The open journal. One `Journal` is one run; it is `Send`, so a flow that runs
/// requests concurrently shares it behind a mutex.
pub struct Journal {
    connection: Connection,
    file: PathBuf,
    run_id: i64,
    recovered: Vec<StepRecord>,
    /// Exclusive lock on `FILE.lock`, held while the run lasts, so that a second run on
    /// the same journal fails at start instead of sending steps this run is sending.
    _run_lock: Option<std::fs::File>,
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("file", &self.file)
            .field("run_id", &self.run_id)
            .finish_non_exhaustive()
    }
}

/// Takes the exclusive lock of a billing run on `JOURNAL.lock`. The operating system
/// releases it when the process ends, also when it is killed, so a stale lock never
/// blocks the next run.
fn lock_run(path: &Path) -> Result<std::fs::File, JournalError> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let io = |source: std::io::Error| JournalError::Lock {
        file: lock_path.clone(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::InUse {
            file: path.to_owned(),
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(io(source)),
    }
}

impl Journal {
    /// Opens or creates the journal file and starts a run. Steps that an earlier run left
    /// `sent` become `in_doubt`; [`Journal::recovered_in_doubt`] lists them.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let sqlite = |source| JournalError::Sqlite {
            file: path.to_owned(),
            source,
        };
        let run_lock = lock_run(path)?;
        let mut connection = Connection::open(path).map_err(sqlite)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sqlite)?;
        connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| {
                row.get::<_, String>(0)
            })
            .map_err(sqlite)?;
        connection
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(sqlite)?;
        migrate(&mut connection, path)?;
        let mut journal = Journal {
            connection,
            file: path.to_owned(),
            run_id: 0,
            recovered: Vec::new(),
            _run_lock: Some(run_lock),
        };
        journal.start_run()?;
        Ok(journal)
    }

    /// Opens an existing journal to list or settle steps, without starting a run.
    ///
    /// Unlike [`Journal::open`], it neither creates the file nor turns `sent` steps into
    /// `in_doubt`, so it does not disturb a billing run that is still going on. Steps
    /// must not be begun through it: it has no run to record them under.
    pub fn open_existing(path: &Path) -> Result<Journal, JournalError> {
        if !path.is_file() {
            return Err(JournalError::NotFound {
                file: path.to_owned(),
            });
        }
        let sqlite = |source| JournalError::Sqlite {
            file: path.to_owned(),
            source,
        };
        let connection = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sqlite)?;
        connection
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(sqlite)?;
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(sqlite)?;
        match version {
            SCHEMA_VERSION => {}
            0 => {
                return Err(JournalError::NotAJournal {
                    file: path.to_owned(),
                })
            }
            found => {
                return Err(JournalError::NewerSchema {
                    file: path.to_owned(),
                    found,
                    supported: SCHEMA_VERSION,
                })
            }
        }
        Ok(Journal {
            connection,
            file: path.to_owned(),
            run_id: 0,
            recovered: Vec::new(),
            _run_lock: None,
        })
    }

    /// Path of the journal file.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// Steps that an earlier run left `sent` and that this open marked `in_doubt`.
    pub fn recovered_in_doubt(&self) -> &[StepRecord] {
        &self.recovered
    }

    fn sqlite(&self, source: rusqlite::Error) -> JournalError {
        JournalError::Sqlite {
            file: self.file.clone(),
            source,
        }
    }

    fn start_run(&mut self) -> Result<(), JournalError> {
        let transaction = begin_write(&mut self.connection, &self.file)?;
        let result = (|| {
            transaction.execute(
                &format!("INSERT INTO runs (started_at, pid) VALUES ({NOW}, ?1)"),
                params![i64::from(std::process::id())],
            )?;
            let run_id = transaction.last_insert_rowid();
            let recovered = {
                let mut statement = transaction.prepare(
                    "SELECT platform, shop, order_id, step FROM steps WHERE state = 'sent' AND run_id <> ?1",
                )?;
                let rows = statement.query_map(params![run_id], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            transaction.execute(
                &format!(
                    "UPDATE steps SET state = 'in_doubt', error = ?1, updated_at = {NOW}
                     WHERE state = 'sent' AND run_id <> ?2"
                ),
                params![STOPPED_RUN_MESSAGE, run_id],
            )?;
            Ok::<_, rusqlite::Error>((run_id, recovered))
        })();
        let (run_id, recovered) = result.map_err(|e| self_error(&self.file, e))?;
        transaction
            .commit()
            .map_err(|e| self_error(&self.file, e))?;
        self.run_id = run_id;
        for (platform, shop, order_id, step) in recovered {
            let key = OrderKey::new(&platform, &shop, &order_id);
            let Ok(step) = step.parse::<Step>() else {
                continue;
            };
            if let Some(record) = self.step(&key, step)? {
                tracing::warn!(order = %key, step = %step, "step left sent by a stopped run is now in doubt");
                self.recovered.push(record);
            }
        }
        Ok(())
    }

    /// Records an order (or updates its number and file). Idempotent.
    pub fn register_order(
        &mut self,
        key: &OrderKey,
        order_number: &str,
        file: Option<&Path>,
    ) -> Result<(), JournalError> {
        let file_text = file.map(|f| f.display().to_string());
        let transaction = begin_write(&mut self.connection, &self.file)?;
        transaction
            .execute(
                &format!(
                    "INSERT INTO orders (platform, shop, order_id, order_number, file, first_seen)
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW})
                     ON CONFLICT (platform, shop, order_id)
                     DO UPDATE SET order_number = excluded.order_number, file = excluded.file"
                ),
                params![
                    key.platform,
                    key.shop,
                    key.order_id,
                    order_number,
                    file_text
                ],
            )
            .map_err(|e| self_error(&self.file, e))?;
        transaction.commit().map_err(|e| self_error(&self.file, e))
    }

    /// Returns a step's record, `None` when it was never begun.
    pub fn step(&self, key: &OrderKey, step: Step) -> Result<Option<StepRecord>, JournalError> {
        self.connection
            .query_row(
                "SELECT state, atollon_id, reference, error, attempts, updated_at FROM steps
                 WHERE platform = ?1 AND shop = ?2 AND order_id = ?3 AND step = ?4",
                params![key.platform, key.shop, key.order_id, step.to_string()],
                |row| {
                    let state: String = row.get(0)?;
                    Ok(StepRecord {
                        order: key.clone(),
                        step,
                        state: StepState::parse(&state).unwrap_or(StepState::InDoubt),
                        atollon_id: row.get(1)?,
                        reference: row.get(2)?,
                        error: row.get(3)?,
                        attempts: row.get(4)?,
                        updated_at: row.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// Marks a step `sent` and commits; call it right before sending the request.
    ///
    /// Refuses a step that is `done` (use its id), `in_doubt` (settle it first) or
    /// already `sent` by this run.
    pub fn begin_step(&mut self, key: &OrderKey, step: Step) -> Result<(), JournalError> {
        self.ensure_order(key)?;
        if let Some(record) = self.step(key, step)? {
            let hint = match record.state {
                StepState::Pending | StepState::Failed => "",
                StepState::Done => "its id is in the journal; do not send it again",
                StepState::InDoubt => {
                    "Atollon may have stored it; settle it with `atollon journal resolve` first"
                }
                StepState::Sent => "its request is already on its way",
            };
            if !hint.is_empty() {
                return Err(JournalError::WrongState {
                    order: key.clone(),
                    step,
                    state: record.state,
                    hint,
                });
            }
        }
        let run_id = self.run_id;
        let transaction = begin_write(&mut self.connection, &self.file)?;
        transaction
            .execute(
                &format!(
                    "INSERT INTO steps (platform, shop, order_id, step, state, run_id, attempts, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 'sent', ?5, 1, {NOW})
                     ON CONFLICT (platform, shop, order_id, step) DO UPDATE SET
                         state = 'sent', run_id = excluded.run_id, error = NULL,
                         attempts = attempts + 1, updated_at = excluded.updated_at"
                ),
                params![key.platform, key.shop, key.order_id, step.to_string(), run_id],
            )
            .map_err(|e| self_error(&self.file, e))?;
        transaction.commit().map_err(|e| self_error(&self.file, e))
    }

    /// Marks a sent step `done` with the id Atollon returned (and a reference such as
    /// the invoice number).
    pub fn complete_step(
        &mut self,
        key: &OrderKey,
        step: Step,
        atollon_id: Option<i64>,
        reference: Option<&str>,
    ) -> Result<(), JournalError> {
        self.finish_sent(key, step, StepState::Done, atollon_id, reference, None)
    }

    /// Marks a sent step `failed`: Atollon returned an error.
    pub fn fail_step(
        &mut self,
        key: &OrderKey,
        step: Step,
        error: &str,
    ) -> Result<(), JournalError> {
        self.finish_sent(key, step, StepState::Failed, None, None, Some(error))
    }

    /// Marks a sent step `in_doubt`: no response came, so Atollon may have stored it.
    pub fn mark_in_doubt(
        &mut self,
        key: &OrderKey,
        step: Step,
        reason: &str,
    ) -> Result<(), JournalError> {
        self.finish_sent(key, step, StepState::InDoubt, None, None, Some(reason))
    }

    /// Records a step as done without a request, for an id reused from the journal (the
    /// contact and folder of a returning customer).
    pub fn record_reused(
        &mut self,
        key: &OrderKey,
        step: Step,
        atollon_id: i64,
    ) -> Result<(), JournalError> {
        self.ensure_order(key)?;
        if let Some(record) = self.step(key, step)? {
            if record.state != StepState::Pending && record.state != StepState::Failed {
                return Err(JournalError::WrongState {
                    order: key.clone(),
                    step,
                    state: record.state,
                    hint: "only a pending or failed step can take a reused id",
                });
            }
        }
        let run_id = self.run_id;
        let transaction = begin_write(&mut self.connection, &self.file)?;
        transaction
            .execute(
                &format!(
                    "INSERT INTO steps (platform, shop, order_id, step, state, atollon_id, reference, run_id, attempts, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 'done', ?5, ?7, ?6, 0, {NOW})
                     ON CONFLICT (platform, shop, order_id, step) DO UPDATE SET
                         state = 'done', atollon_id = excluded.atollon_id, reference = excluded.reference,
                         error = NULL, run_id = excluded.run_id, updated_at = excluded.updated_at"
                ),
                params![key.platform, key.shop, key.order_id, step.to_string(), atollon_id, run_id, REUSED_REFERENCE],
            )
            .map_err(|e| self_error(&self.file, e))?;
        transaction.commit().map_err(|e| self_error(&self.file, e))
    }

    /// Changes a step that this run sent. A step that another process marked
    /// `in_doubt` while this run waited for the response is accepted too, because the
    /// response settles the doubt.
    fn finish_sent(
        &mut self,
        key: &OrderKey,
        step: Step,
        state: StepState,
        atollon_id: Option<i64>,
        reference: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), JournalError> {
        let run_id = self.run_id;
        let transaction = begin_write(&mut self.connection, &self.file)?;
        let current: Option<(String, Option<i64>)> = transaction
            .query_row(
                "SELECT state, run_id FROM steps WHERE platform = ?1 AND shop = ?2 AND order_id = ?3 AND step = ?4",
                params![key.platform, key.shop, key.order_id, step.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|e| self_error(&self.file, e))?;
        let Some((current_state, step_run)) = current else {
            return Err(JournalError::StepNotFound {
                order: key.clone(),
                step,
            });
        };
        let current_state = StepState::parse(&current_state).unwrap_or(StepState::InDoubt);
        let sent_by_this_run = step_run == Some(run_id)
            && matches!(current_state, StepState::Sent | StepState::InDoubt);
        if !sent_by_this_run {
            return Err(JournalError::WrongState {
                order: key.clone(),
                step,
                state: current_state,
                hint: "only a step this run has sent can take its response",
            });
        }
        transaction
            .execute(
                &format!(
                    "UPDATE steps SET state = ?5, atollon_id = ?6, reference = ?7, error = ?8, updated_at = {NOW}
                     WHERE platform = ?1 AND shop = ?2 AND order_id = ?3 AND step = ?4"
                ),
                params![key.platform, key.shop, key.order_id, step.to_string(), state.as_str(), atollon_id, reference, error],
            )
            .map_err(|e| self_error(&self.file, e))?;
        transaction
            .commit()
            .map_err(|e| self_error(&self.file, e))?;
        if state == StepState::InDoubt {
            tracing::warn!(order = %key, step = %step, reason = error.unwrap_or(""), "step is in doubt");
        }
        Ok(())
    }

    /// Settles an `in_doubt` or `failed` step by hand: with the id found in Atollon, or
    /// for a retry by the next run.
    pub fn resolve(
        &mut self,
        key: &OrderKey,
        step: Step,
        resolution: Resolution,
    ) -> Result<(), JournalError> {
        let Some(record) = self.step(key, step)? else {
            return Err(JournalError::StepNotFound {
                order: key.clone(),
                step,
            });
        };
        match record.state {
            StepState::InDoubt | StepState::Failed => {}
            StepState::Sent if record_is_stale(&self.connection, key, step, self.run_id) => {}
            state => {
                return Err(JournalError::WrongState {
                    order: key.clone(),
                    step,
                    state,
                    hint: "only an in_doubt or failed step can be resolved",
                })
            }
        }
        let (state, atollon_id, reference) = match resolution {
            Resolution::Id(id) => ("done", Some(id), Some(RESOLVED_REFERENCE)),
            Resolution::Retry => ("pending", None, None),
        };
        let transaction = begin_write(&mut self.connection, &self.file)?;
        transaction
            .execute(
                &format!(
                    "UPDATE steps SET state = ?5, atollon_id = ?6, reference = ?7, error = NULL, updated_at = {NOW}
                     WHERE platform = ?1 AND shop = ?2 AND order_id = ?3 AND step = ?4"
                ),
                params![key.platform, key.shop, key.order_id, step.to_string(), state, atollon_id, reference],
            )
            .map_err(|e| self_error(&self.file, e))?;
        transaction
            .commit()
            .map_err(|e| self_error(&self.file, e))?;
        tracing::info!(order = %key, step = %step, state, "step resolved by hand");
        Ok(())
    }

    fn ensure_order(&self, key: &OrderKey) -> Result<(), JournalError> {
        let known: Option<i64> = self
            .connection
            .query_row(
                "SELECT 1 FROM orders WHERE platform = ?1 AND shop = ?2 AND order_id = ?3",
                params![key.platform, key.shop, key.order_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.sqlite(e))?;
        match known {
            Some(_) => Ok(()),
            None => Err(JournalError::OrderNotRegistered { order: key.clone() }),
        }
    }

    /// Returns the steps of one order in flow order.
    pub fn steps_of(&self, key: &OrderKey) -> Result<Vec<StepRecord>, JournalError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT step, state, atollon_id, reference, error, attempts, updated_at FROM steps
                 WHERE platform = ?1 AND shop = ?2 AND order_id = ?3",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = statement
            .query_map(params![key.platform, key.shop, key.order_id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<i64>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, u32>(5)?,
                    row.get::<_, String>(6)?,
                ))
            })
            .map_err(|e| self.sqlite(e))?;
        let mut records = Vec::new();
        for row in rows {
            let (step, state, atollon_id, reference, error, attempts, updated_at) =
                row.map_err(|e| self.sqlite(e))?;
            // Rows are written only by this module, so an unparsable step is skipped
            // rather than failing the whole listing.
            let Ok(step) = step.parse::<Step>() else {
                continue;
            };
            records.push(StepRecord {
                order: key.clone(),
                step,
                state: StepState::parse(&state).unwrap_or(StepState::InDoubt),
                atollon_id,
                reference,
                error,
                attempts,
                updated_at,
            });
        }
        records.sort_by_key(|record| record.step);
        Ok(records)
    }

    /// Lists every order with its steps, oldest first, for `atollon journal list`.
    pub fn list(&self) -> Result<Vec<OrderEntry>, JournalError> {
        let mut statement = self
            .connection
            .prepare("SELECT platform, shop, order_id, order_number, file FROM orders ORDER BY first_seen, platform, shop, order_id")
            .map_err(|e| self.sqlite(e))?;
        let orders = statement
            .query_map([], |row| {
                Ok((
                    OrderKey::new(
                        &row.get::<_, String>(0)?,
                        &row.get::<_, String>(1)?,
                        &row.get::<_, String>(2)?,
                    ),
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        orders
            .into_iter()
            .map(|(key, order_number, file)| {
                let steps = self.steps_of(&key)?;
                Ok(OrderEntry {
                    key,
                    order_number,
                    file,
                    steps,
                })
            })
            .collect()
    }

    /// Finds orders for `atollon journal resolve ORDER`: `ORDER` is a full key
    /// (`platform/shop/order_id`), an order id or an order number. More than one match
    /// means the caller must ask for the full key.
    pub fn find_orders(&self, reference: &str) -> Result<Vec<OrderKey>, JournalError> {
        if let Ok(key) = reference.parse::<OrderKey>() {
            if self.ensure_order(&key).is_ok() {
                return Ok(vec![key]);
            }
        }
        let mut statement = self
            .connection
            .prepare(
                "SELECT platform, shop, order_id FROM orders WHERE order_id = ?1 OR order_number = ?1
                 ORDER BY platform, shop, order_id",
            )
            .map_err(|e| self.sqlite(e))?;
        let keys = statement
            .query_map(params![reference], |row| {
                Ok(OrderKey::new(
                    &row.get::<_, String>(0)?,
                    &row.get::<_, String>(1)?,
                    &row.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        Ok(keys)
    }

    /// Finds a returning customer: by the shop's customer id (within the same platform
    /// and shop), then the normalised e-mail, then the company id, then the VAT id.
    pub fn find_customer(
        &self,
        keys: &CustomerKeys,
    ) -> Result<Option<KnownCustomer>, JournalError> {
        for (matched_by, scope, value) in key_rows(keys) {
            let contact: Option<(i64, Option<i64>)> = self
                .connection
                .query_row(
                    "SELECT c.contact_id, c.folder_id FROM customer_keys k JOIN customers c USING (contact_id)
                     WHERE k.kind = ?1 AND k.scope = ?2 AND k.value = ?3",
                    params![matched_by.kind(), scope, value],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(|e| self.sqlite(e))?;
            if let Some((contact_id, folder_id)) = contact {
                return Ok(Some(KnownCustomer {
                    contact_id,
                    folder_id,
                    matched_by,
                    phones: self.phones_of(contact_id)?,
                }));
            }
        }
        Ok(None)
    }

    /// Returns the customer folder recorded for a customer's contact, `None` when the
    /// contact is unknown or its folder step has not completed.
    pub fn customer_folder(&self, contact_id: i64) -> Result<Option<i64>, JournalError> {
        let folder: Option<Option<i64>> = self
            .connection
            .query_row(
                "SELECT folder_id FROM customers WHERE contact_id = ?1",
                params![contact_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.sqlite(e))?;
        Ok(folder.flatten())
    }

    /// Returns the normalised phone numbers recorded for a customer's contact.
    pub fn customer_phones(&self, contact_id: i64) -> Result<Vec<String>, JournalError> {
        self.phones_of(contact_id)
    }

    fn phones_of(&self, contact_id: i64) -> Result<Vec<String>, JournalError> {
        let mut statement = self
            .connection
            .prepare("SELECT phone FROM customer_phones WHERE contact_id = ?1 ORDER BY phone")
            .map_err(|e| self.sqlite(e))?;
        let phones = statement
            .query_map(params![contact_id], |row| row.get::<_, String>(0))
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        Ok(phones)
    }

    /// Records a customer's contact and folder ids under all its keys, and its phone
    /// numbers. A key already recorded for another contact keeps its first contact.
    pub fn record_customer(
        &mut self,
        keys: &CustomerKeys,
        contact_id: i64,
        folder_id: Option<i64>,
        phones: &[String],
    ) -> Result<(), JournalError> {
        let transaction = begin_write(&mut self.connection, &self.file)?;
        let result = (|| {
            transaction.execute(
                &format!(
                    "INSERT INTO customers (contact_id, folder_id, created_at) VALUES (?1, ?2, {NOW})
                     ON CONFLICT (contact_id) DO UPDATE SET folder_id = COALESCE(excluded.folder_id, folder_id)"
                ),
                params![contact_id, folder_id],
            )?;
            for (matched_by, scope, value) in key_rows(keys) {
                transaction.execute(
                    "INSERT OR IGNORE INTO customer_keys (kind, scope, value, contact_id) VALUES (?1, ?2, ?3, ?4)",
                    params![matched_by.kind(), scope, value, contact_id],
                )?;
            }
            for phone in phones {
                transaction.execute(
                    "INSERT OR IGNORE INTO customer_phones (contact_id, phone) VALUES (?1, ?2)",
                    params![contact_id, phone],
                )?;
            }
            Ok::<_, rusqlite::Error>(())
        })();
        result.map_err(|e| self_error(&self.file, e))?;
        transaction.commit().map_err(|e| self_error(&self.file, e))
    }

    /// Returns a subscription whose recurring rule was created.
    pub fn find_subscription(
        &self,
        platform: &str,
        shop: &str,
        subscription_key: &str,
    ) -> Result<Option<KnownSubscription>, JournalError> {
        self.connection
            .query_row(
                "SELECT order_id, folder_item_id FROM subscriptions
                 WHERE platform = ?1 AND shop = ?2 AND subscription_key = ?3",
                params![platform, shop, subscription_key],
                |row| {
                    Ok(KnownSubscription {
                        subscription_key: subscription_key.to_owned(),
                        order_id: row.get(0)?,
                        folder_item_id: row.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// Records the recurring rule of a subscription, after its `folder_item` step is done.
    pub fn record_subscription(
        &mut self,
        order: &OrderKey,
        subscription_key: &str,
        folder_item_id: i64,
    ) -> Result<(), JournalError> {
        let transaction = begin_write(&mut self.connection, &self.file)?;
        transaction
            .execute(
                &format!(
                    "INSERT INTO subscriptions (platform, shop, subscription_key, order_id, folder_item_id, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW})
                     ON CONFLICT (platform, shop, subscription_key) DO NOTHING"
                ),
                params![order.platform, order.shop, subscription_key, order.order_id, folder_item_id],
            )
            .map_err(|e| self_error(&self.file, e))?;
        transaction.commit().map_err(|e| self_error(&self.file, e))
    }
}

/// Starts a write transaction. `IMMEDIATE` takes the write lock at once, so a state
/// check and the change it allows cannot interleave with another process.
fn begin_write<'c>(
    connection: &'c mut Connection,
    file: &Path,
) -> Result<Transaction<'c>, JournalError> {
    connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|source| self_error(file, source))
}

fn self_error(file: &Path, source: rusqlite::Error) -> JournalError {
    JournalError::Sqlite {
        file: file.to_owned(),
        source,
    }
}

/// Returns whether a `sent` step belongs to another run (a concurrent or stopped one).
fn record_is_stale(connection: &Connection, key: &OrderKey, step: Step, run_id: i64) -> bool {
    connection
        .query_row(
            "SELECT run_id FROM steps WHERE platform = ?1 AND shop = ?2 AND order_id = ?3 AND step = ?4",
            params![key.platform, key.shop, key.order_id, step.to_string()],
            |row| row.get::<_, Option<i64>>(0),
        )
        .ok()
        .flatten()
        .is_some_and(|step_run| step_run != run_id)
}

/// Returns the journal rows of a customer's keys: kind, scope and value. Shop customer ids are
/// scoped to their platform and shop; the other keys are global.
fn key_rows(keys: &CustomerKeys) -> Vec<(MatchedBy, String, String)> {
    let mut rows = Vec::new();
    if let Some(id) = &keys.shop_customer_id {
        rows.push((
            MatchedBy::ShopCustomerId,
            format!("{}/{}", keys.platform, keys.shop),
            id.clone(),
        ));
    }
    if let Some(email) = &keys.email {
        rows.push((MatchedBy::Email, String::new(), email.clone()));
    }
    if let Some(company_id) = &keys.company_id {
        rows.push((MatchedBy::CompanyId, String::new(), company_id.clone()));
    }
    if let Some(vat_id) = &keys.vat_id {
        rows.push((MatchedBy::VatId, String::new(), vat_id.clone()));
    }
    rows
}

fn migrate(connection: &mut Connection, path: &Path) -> Result<(), JournalError> {
    let sqlite = |source| JournalError::Sqlite {
        file: path.to_owned(),
        source,
    };
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(sqlite)?;
    let version: i64 = transaction
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(sqlite)?;
    match version {
        0 => {
            transaction.execute_batch(SCHEMA).map_err(sqlite)?;
            transaction
                .execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
                .map_err(sqlite)?;
        }
        SCHEMA_VERSION => {}
        found => {
            return Err(JournalError::NewerSchema {
                file: path.to_owned(),
                found,
                supported: SCHEMA_VERSION,
            })
        }
    }
    transaction.commit().map_err(sqlite)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_journal(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("atollon-journal-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("journal.sqlite")
    }

    fn key() -> OrderKey {
        OrderKey::new("woocommerce", "example.com", "727")
    }

    #[test]
    fn second_run_on_journal_rejected() {
        let path = temp_journal("second-run");
        let first = Journal::open(&path).unwrap();
        let second = Journal::open(&path).unwrap_err();
        assert!(matches!(second, JournalError::InUse { .. }), "{second}");
        // Listing and resolving do not take the run lock.
        assert!(Journal::open_existing(&path).is_ok());
        drop(first);
        assert!(
            Journal::open(&path).is_ok(),
            "the lock ends with the first run"
        );
    }

    #[test]
    fn step_names_round_trip() {
        for step in [
            Step::Contact,
            Step::Folder,
            Step::Project,
            Step::Item(0),
            Step::Item(12),
            Step::Invoice,
            Step::FolderItem(1),
            Step::Workflow,
            Step::Trigger,
        ] {
            assert_eq!(step.to_string().parse::<Step>(), Ok(step));
        }
        assert!("item:x".parse::<Step>().is_err());
        assert!("items".parse::<Step>().is_err());
    }

    #[test]
    fn reopened_file_keeps_state() {
        let path = temp_journal("reopen");
        {
            let mut journal = Journal::open(&path).unwrap();
            journal.register_order(&key(), "727", None).unwrap();
            journal.begin_step(&key(), Step::Contact).unwrap();
            journal
                .complete_step(&key(), Step::Contact, Some(139663101), None)
                .unwrap();
            journal.begin_step(&key(), Step::Invoice).unwrap();
            journal
                .complete_step(&key(), Step::Invoice, Some(139758101), Some("232010001"))
                .unwrap();
            journal.begin_step(&key(), Step::Item(0)).unwrap();
            journal
                .fail_step(&key(), Step::Item(0), "result ERROR")
                .unwrap();
        }

        let journal = Journal::open(&path).unwrap();
        let contact = journal.step(&key(), Step::Contact).unwrap().unwrap();
        assert_eq!(contact.state, StepState::Done);
        assert_eq!(contact.atollon_id, Some(139663101));
        let invoice = journal.step(&key(), Step::Invoice).unwrap().unwrap();
        assert_eq!(invoice.reference.as_deref(), Some("232010001"));
        let item = journal.step(&key(), Step::Item(0)).unwrap().unwrap();
        assert_eq!(item.state, StepState::Failed);
        assert_eq!(item.error.as_deref(), Some("result ERROR"));
        assert!(journal.recovered_in_doubt().is_empty());

        let list = journal.list().unwrap();
        assert_eq!(list.len(), 1);
        let order: Vec<Step> = list[0].steps.iter().map(|s| s.step).collect();
        assert_eq!(order, vec![Step::Contact, Step::Item(0), Step::Invoice]);
    }

    #[test]
    fn sent_step_found_on_restart_is_in_doubt() {
        let path = temp_journal("restart");
        {
            let mut journal = Journal::open(&path).unwrap();
            journal.register_order(&key(), "727", None).unwrap();
            journal.begin_step(&key(), Step::Project).unwrap();
            // The run stops here: no response is recorded.
        }
        let mut journal = Journal::open(&path).unwrap();
        let recovered = journal.recovered_in_doubt();
        assert_eq!(recovered.len(), 1);
        assert_eq!(recovered[0].step, Step::Project);
        assert_eq!(recovered[0].state, StepState::InDoubt);
        assert_eq!(recovered[0].error.as_deref(), Some(STOPPED_RUN_MESSAGE));
        let error = journal.begin_step(&key(), Step::Project).unwrap_err();
        assert!(
            matches!(
                error,
                JournalError::WrongState {
                    state: StepState::InDoubt,
                    ..
                }
            ),
            "{error}"
        );
        let record = journal.step(&key(), Step::Project).unwrap().unwrap();
        assert_eq!(record.attempts, 1);
    }

    #[test]
    fn resolve_with_id_or_retry() {
        let path = temp_journal("resolve");
        let mut journal = Journal::open(&path).unwrap();
        journal.register_order(&key(), "727", None).unwrap();
        journal.begin_step(&key(), Step::Project).unwrap();
        journal
            .mark_in_doubt(&key(), Step::Project, "connection reset")
            .unwrap();
        journal
            .resolve(&key(), Step::Project, Resolution::Id(139704101))
            .unwrap();
        let project = journal.step(&key(), Step::Project).unwrap().unwrap();
        assert_eq!(project.state, StepState::Done);
        assert_eq!(project.atollon_id, Some(139704101));

        journal.begin_step(&key(), Step::Item(0)).unwrap();
        journal
            .mark_in_doubt(&key(), Step::Item(0), "timed out")
            .unwrap();
        journal
            .resolve(&key(), Step::Item(0), Resolution::Retry)
            .unwrap();
        assert_eq!(
            journal.step(&key(), Step::Item(0)).unwrap().unwrap().state,
            StepState::Pending
        );
        journal.begin_step(&key(), Step::Item(0)).unwrap();
        assert_eq!(
            journal
                .step(&key(), Step::Item(0))
                .unwrap()
                .unwrap()
                .attempts,
            2
        );

        let error = journal
            .resolve(&key(), Step::Project, Resolution::Retry)
            .unwrap_err();
        assert!(
            matches!(
                error,
                JournalError::WrongState {
                    state: StepState::Done,
                    ..
                }
            ),
            "{error}"
        );
        let error = journal
            .resolve(&key(), Step::Invoice, Resolution::Retry)
            .unwrap_err();
        assert!(
            matches!(error, JournalError::StepNotFound { .. }),
            "{error}"
        );
    }

    #[test]
    fn done_step_is_not_begun_again() {
        let path = temp_journal("done");
        let mut journal = Journal::open(&path).unwrap();
        journal.register_order(&key(), "727", None).unwrap();
        journal.begin_step(&key(), Step::Contact).unwrap();
        let error = journal.begin_step(&key(), Step::Contact).unwrap_err();
        assert!(
            matches!(
                error,
                JournalError::WrongState {
                    state: StepState::Sent,
                    ..
                }
            ),
            "{error}"
        );
        journal
            .complete_step(&key(), Step::Contact, Some(1), None)
            .unwrap();

        let error = journal.begin_step(&key(), Step::Contact).unwrap_err();
        assert!(
            matches!(
                error,
                JournalError::WrongState {
                    state: StepState::Done,
                    ..
                }
            ),
            "{error}"
        );

        let other = OrderKey::new("shopify", "x", "1");
        let error = journal.begin_step(&other, Step::Contact).unwrap_err();
        assert!(
            matches!(error, JournalError::OrderNotRegistered { .. }),
            "{error}"
        );
    }

    #[test]
    fn customer_lookup_by_each_key() {
        let path = temp_journal("customers");
        let mut journal = Journal::open(&path).unwrap();
        let keys = CustomerKeys {
            platform: "shopify".into(),
            shop: "jsmith.myshopify.com".into(),
            shop_customer_id: Some("207119551".into()),
            email: Some("fictional.buyer@example.invalid".into()),
            company_id: Some("00000000".into()),
            vat_id: Some("CZ00000000".into()),
        };
        journal
            .record_customer(&keys, 139663101, Some(139676101), &["+15550100".to_owned()])
            .unwrap();
        let by_id = journal.find_customer(&keys).unwrap().unwrap();
        assert_eq!(by_id.matched_by, MatchedBy::ShopCustomerId);
        assert_eq!(by_id.contact_id, 139663101);
        assert_eq!(by_id.folder_id, Some(139676101));
        assert_eq!(by_id.phones, vec!["+15550100".to_owned()]);

        // Same customer id in another shop is another customer; the e-mail still matches.
        let other_shop = CustomerKeys {
            shop: "other.myshopify.com".into(),
            ..keys.clone()
        };
        assert_eq!(
            journal
                .find_customer(&other_shop)
                .unwrap()
                .unwrap()
                .matched_by,
            MatchedBy::Email
        );
        let by_company = CustomerKeys {
            platform: "shoptet".into(),
            shop: "default".into(),
            shop_customer_id: None,
            email: None,
            company_id: Some("00000000".into()),
            vat_id: None,
        };
        assert_eq!(
            journal
                .find_customer(&by_company)
                .unwrap()
                .unwrap()
                .matched_by,
            MatchedBy::CompanyId
        );
        let by_vat = CustomerKeys {
            company_id: None,
            vat_id: Some("CZ00000000".into()),
            ..by_company.clone()
        };
        assert_eq!(
            journal.find_customer(&by_vat).unwrap().unwrap().matched_by,
            MatchedBy::VatId
        );
        let stranger = CustomerKeys {
            vat_id: Some("CZ99999999".into()),
            ..by_vat
        };
        assert_eq!(journal.find_customer(&stranger).unwrap(), None);
    }

    #[test]
    fn subscriptions_and_order_lookup() {
        let path = temp_journal("subscriptions");
        let mut journal = Journal::open(&path).unwrap();
        journal.register_order(&key(), "727", None).unwrap();
        assert_eq!(
            journal
                .find_subscription("woocommerce", "example.com", "900")
                .unwrap(),
            None
        );
        journal
            .record_subscription(&key(), "900", 139800101)
            .unwrap();
        let known = journal
            .find_subscription("woocommerce", "example.com", "900")
            .unwrap()
            .unwrap();
        assert_eq!(known.folder_item_id, 139800101);
        assert_eq!(known.order_id, "727");
        assert_eq!(journal.find_orders("727").unwrap(), vec![key()]);
        assert_eq!(
            journal.find_orders("woocommerce/example.com/727").unwrap(),
            vec![key()]
        );
        assert!(journal.find_orders("728").unwrap().is_empty());
    }

    #[test]
    fn newer_schema_is_rejected() {
        let path = temp_journal("schema");
        {
            let connection = Connection::open(&path).unwrap();
            connection
                .execute_batch("PRAGMA user_version = 99")
                .unwrap();
        }
        let error = Journal::open(&path).unwrap_err();
        assert!(
            matches!(error, JournalError::NewerSchema { found: 99, .. }),
            "{error}"
        );
    }
}
