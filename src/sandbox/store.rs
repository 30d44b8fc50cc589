//! The SQLite state file: one table per kind of object, each row the object's JSON, plus
//! the id, session and invoice-number counters.
//!
//! The file is opened in exclusive locking mode, so a second sandbox on the same file
//! fails to start instead of handing out the same ids.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::model::{
    BillingItemRecord, ContactRecord, FolderRecord, InvoiceRecord, MarketingTriggerRecord,
    ProjectRecord, RecurringRuleRecord,
};
use super::state::{Changes, Record, State};

/// Schema version kept in SQLite's `user_version`.
const SCHEMA_VERSION: i64 = 1;

/// Tables whose rows are `(id, data)`, with the JSON of one object in `data`.
const OBJECT_TABLES: [&str; 7] = [
    "contacts",
    "folders",
    "projects",
    "billing_items",
    "recurring_rules",
    "invoices",
    "marketing_triggers",
];

/// A failure to read or write the state file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("state file {path}: {source}")]
    Sqlite {
        /// The state file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// Another process has locked the file.
    #[error("state file {path} is in use by another process (another sandbox?); stop it or pick another file")]
    Locked {
        /// The state file.
        path: PathBuf,
    },
    /// The file was written by a newer sandbox.
    #[error("state file {path} has schema version {found}, but this sandbox reads version {SCHEMA_VERSION}")]
    Version {
        /// The state file.
        path: PathBuf,
        /// The version in the file.
        found: i64,
    },
    /// A row does not hold a valid object.
    #[error("state file {path}: table {table}, row {key}: {reason}")]
    InvalidRow {
        /// The state file.
        path: PathBuf,
        /// The table.
        table: &'static str,
        /// The row's id or key.
        key: String,
        /// The problem with the row.
        reason: String,
    },
}

/// An open state file.
pub(crate) struct Store {
    connection: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (or creates) the state file and loads its state. A new file starts at
    /// `first_sequence`.
    pub(crate) fn open(path: &Path, first_sequence: i64) -> Result<(Store, State), StoreError> {
        let sqlite = |source| sqlite_error(path, source);
        let mut connection = Connection::open(path).map_err(sqlite)?;
        // rusqlite waits up to 5 s for a busy file by default; a file that another sandbox
        // has locked stays busy, so fail at once.
        connection
            .busy_timeout(std::time::Duration::ZERO)
            .map_err(sqlite)?;
        connection
            .pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(sqlite)?;
        // An exclusive transaction takes the file lock now, and exclusive locking mode
        // keeps it until the connection closes.
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(sqlite)?;
        let version: i64 = transaction
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(sqlite)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Version {
                path: path.to_owned(),
                found: version,
            });
        }
        create_schema(&transaction).map_err(sqlite)?;
        transaction.commit().map_err(sqlite)?;

        let store = Store {
            connection,
            path: path.to_owned(),
        };
        let state = store.load(first_sequence)?;
        Ok((store, state))
    }

    fn load(&self, first_sequence: i64) -> Result<State, StoreError> {
        let mut state = State::new(first_sequence);
        if let Some(next) = self.counter("next_sequence")? {
            state.next_sequence = next;
        }
        if let Some(next) = self.counter("next_session")? {
            state.next_session = u64::try_from(next).unwrap_or(1);
        }
        let sqlite = |source| sqlite_error(&self.path, source);
        let mut statement = self
            .connection
            .prepare("SELECT journal, last_sequence FROM journal_sequences")
            .map_err(sqlite)?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))
            .map_err(sqlite)?;
        for row in rows {
            let (journal, last) = row.map_err(sqlite)?;
            state
                .journal_sequences
                .insert(journal, u64::try_from(last).unwrap_or(0));
        }

        for (id, contact) in self.objects::<ContactRecord>("contacts")? {
            check_key("contacts", id, contact.id, &self.path)?;
            state.put(Record::Contact(contact));
        }
        for (id, folder) in self.objects::<FolderRecord>("folders")? {
            check_key("folders", id, folder.id, &self.path)?;
            state.put(Record::Folder(folder));
        }
        for (id, project) in self.objects::<ProjectRecord>("projects")? {
            check_key("projects", id, project.id, &self.path)?;
            state.put(Record::Project(project));
        }
        for (id, item) in self.objects::<BillingItemRecord>("billing_items")? {
            check_key("billing_items", id, item.id, &self.path)?;
            state.put(Record::BillingItem(item));
        }
        for (id, rule) in self.objects::<RecurringRuleRecord>("recurring_rules")? {
            check_key("recurring_rules", id, rule.id, &self.path)?;
            state.put(Record::RecurringRule(rule));
        }
        for (id, invoice) in self.objects::<InvoiceRecord>("invoices")? {
            check_key("invoices", id, invoice.id, &self.path)?;
            state.put(Record::Invoice(invoice));
        }
        for (id, trigger) in self.objects::<MarketingTriggerRecord>("marketing_triggers")? {
            check_key("marketing_triggers", id, trigger.id, &self.path)?;
            state.put(Record::MarketingTrigger(trigger));
        }

        let mut statement = self
            .connection
            .prepare("SELECT token_md5, data FROM sessions")
            .map_err(sqlite)?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(sqlite)?;
        for row in rows {
            let (token_md5, data) = row.map_err(sqlite)?;
            let session = decode_row("sessions", &token_md5, &data, &self.path)?;
            state.put(Record::Session { token_md5, session });
        }
        Ok(state)
    }

    fn counter(&self, name: &str) -> Result<Option<i64>, StoreError> {
        self.connection
            .query_row(
                "SELECT value FROM counters WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .optional()
            .map_err(|source| sqlite_error(&self.path, source))
    }

    fn objects<T: DeserializeOwned>(
        &self,
        table: &'static str,
    ) -> Result<Vec<(i64, T)>, StoreError> {
        let sqlite = |source| sqlite_error(&self.path, source);
        let mut statement = self
            .connection
            .prepare(&format!("SELECT id, data FROM {table} ORDER BY id"))
            .map_err(sqlite)?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(sqlite)?;
        let mut objects = Vec::new();
        for row in rows {
            let (id, data) = row.map_err(sqlite)?;
            objects.push((id, decode_row(table, &id.to_string(), &data, &self.path)?));
        }
        Ok(objects)
    }

    /// Writes one change set in a single transaction, so that a failure writes nothing.
    pub(crate) fn write(&mut self, changes: &Changes) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sqlite = |source| sqlite_error(&path, source);
        let transaction = self.connection.transaction().map_err(sqlite)?;
        for record in &changes.records {
            write_record(&transaction, record, &path)?;
        }
        let mut counter = transaction
            .prepare_cached(
                "INSERT INTO counters (name, value) VALUES (?1, ?2) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )
            .map_err(sqlite)?;
        counter
            .execute(params!["next_sequence", changes.next_sequence])
            .map_err(sqlite)?;
        counter
            .execute(params![
                "next_session",
                i64::try_from(changes.next_session).unwrap_or(i64::MAX)
            ])
            .map_err(sqlite)?;
        drop(counter);
        for (&journal, &last) in &changes.journal_sequences {
            transaction
                .execute(
                    "INSERT INTO journal_sequences (journal, last_sequence) VALUES (?1, ?2) \
                     ON CONFLICT (journal) DO UPDATE SET last_sequence = excluded.last_sequence",
                    params![journal, i64::try_from(last).unwrap_or(i64::MAX)],
                )
                .map_err(sqlite)?;
        }
        transaction.commit().map_err(sqlite)
    }
}

fn create_schema(connection: &Connection) -> rusqlite::Result<()> {
    for table in OBJECT_TABLES {
        connection.execute(
            &format!(
                "CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, data TEXT NOT NULL)"
            ),
            [],
        )?;
    }
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS sessions (
             token_md5 TEXT PRIMARY KEY,
             id INTEGER NOT NULL UNIQUE,
             data TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS journal_sequences (
             journal INTEGER PRIMARY KEY,
             last_sequence INTEGER NOT NULL
         );",
    )?;
    connection.pragma_update(None, "user_version", SCHEMA_VERSION)
}

fn write_record(
    transaction: &rusqlite::Transaction<'_>,
    record: &Record,
    path: &Path,
) -> Result<(), StoreError> {
    let (table, id, data) = match record {
        Record::Contact(contact) => ("contacts", contact.id, encode(contact)),
        Record::Folder(folder) => ("folders", folder.id, encode(folder)),
        Record::Project(project) => ("projects", project.id, encode(project)),
        Record::BillingItem(item) => ("billing_items", item.id, encode(item)),
        Record::RecurringRule(rule) => ("recurring_rules", rule.id, encode(rule)),
        Record::Invoice(invoice) => ("invoices", invoice.id, encode(invoice)),
        Record::MarketingTrigger(trigger) => ("marketing_triggers", trigger.id, encode(trigger)),
        Record::Session { token_md5, session } => {
            transaction
                .execute(
                    "INSERT OR REPLACE INTO sessions (token_md5, id, data) VALUES (?1, ?2, ?3)",
                    params![
                        token_md5,
                        i64::try_from(session.id).unwrap_or(i64::MAX),
                        encode(session)
                    ],
                )
                .map_err(|source| sqlite_error(path, source))?;
            return Ok(());
        }
    };
    transaction
        .prepare_cached(&format!(
            "INSERT INTO {table} (id, data) VALUES (?1, ?2) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data"
        ))
        .and_then(|mut statement| statement.execute(params![id, data]))
        .map_err(|source| sqlite_error(path, source))?;
    Ok(())
}

/// Serializes a record. The records contain only strings, numbers, decimals and lists,
/// which serde_json always encodes.
fn encode<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|error| unreachable!("a sandbox record failed to serialize: {error}"))
}

fn decode_row<T: DeserializeOwned>(
    table: &'static str,
    key: &str,
    data: &str,
    path: &Path,
) -> Result<T, StoreError> {
    serde_json::from_str(data).map_err(|error| StoreError::InvalidRow {
        path: path.to_owned(),
        table,
        key: key.to_owned(),
        reason: format!("invalid JSON: {error}"),
    })
}

fn check_key(table: &'static str, key: i64, id: i64, path: &Path) -> Result<(), StoreError> {
    if key == id {
        return Ok(());
    }
    Err(StoreError::InvalidRow {
        path: path.to_owned(),
        table,
        key: key.to_string(),
        reason: format!("the object inside has id {id}"),
    })
}

fn sqlite_error(path: &Path, source: rusqlite::Error) -> StoreError {
    let busy = matches!(
        source.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    if busy {
        StoreError::Locked {
            path: path.to_owned(),
        }
    } else {
        StoreError::Sqlite {
            path: path.to_owned(),
            source,
        }
    }
}
