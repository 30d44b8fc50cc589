//! The in-memory state and the change sets that operations build against it.
//!
//! An operation reads the [`State`] through a [`Draft`], which hands out ids and collects
//! the records to write. Only when the whole change set is stored (in SQLite, with
//! `--state`) is it applied to memory, so a failed operation leaves no trace and hands out
//! no id.

use std::collections::{BTreeMap, HashMap};

use super::config::InvoiceJournal;
use super::model::{
    BillingItemRecord, ContactRecord, FolderRecord, InvoiceRecord, JournalCounter,
    MarketingTriggerRecord, ProjectRecord, RecurringRuleRecord, SessionRecord, StateSnapshot,
};

/// Suffix of every id: Atollon's ids end in `101` (`139663101`).
const ID_SUFFIX: i64 = 101;

/// Builds the id of sequence number `sequence`.
pub(crate) fn id_of_sequence(sequence: i64) -> i64 {
    sequence.saturating_mul(1000).saturating_add(ID_SUFFIX)
}

/// Everything the sandbox has stored.
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    /// Sequence number of the next id.
    pub(crate) next_sequence: i64,
    /// Number of the next session.
    pub(crate) next_session: u64,
    /// Last sequence number per invoice journal.
    pub(crate) journal_sequences: BTreeMap<i64, u64>,
    pub(crate) contacts: BTreeMap<i64, ContactRecord>,
    pub(crate) folders: BTreeMap<i64, FolderRecord>,
    pub(crate) projects: BTreeMap<i64, ProjectRecord>,
    pub(crate) billing_items: BTreeMap<i64, BillingItemRecord>,
    pub(crate) recurring_rules: BTreeMap<i64, RecurringRuleRecord>,
    pub(crate) invoices: BTreeMap<i64, InvoiceRecord>,
    pub(crate) marketing_triggers: BTreeMap<i64, MarketingTriggerRecord>,
    /// Sessions by the MD5 hex digest of their token.
    pub(crate) sessions: HashMap<String, SessionRecord>,
}

impl State {
    pub(crate) fn new(first_sequence: i64) -> Self {
        State {
            next_sequence: first_sequence,
            next_session: 1,
            ..State::default()
        }
    }

    /// Applies a change set that has been stored.
    pub(crate) fn apply(&mut self, changes: Changes) {
        self.next_sequence = changes.next_sequence;
        self.next_session = changes.next_session;
        self.journal_sequences.extend(changes.journal_sequences);
        for record in changes.records {
            self.put(record);
        }
    }

    /// Inserts or replaces one record.
    pub(crate) fn put(&mut self, record: Record) {
        match record {
            Record::Contact(contact) => {
                self.contacts.insert(contact.id, contact);
            }
            Record::Folder(folder) => {
                self.folders.insert(folder.id, folder);
            }
            Record::Project(project) => {
                self.projects.insert(project.id, project);
            }
            Record::BillingItem(item) => {
                self.billing_items.insert(item.id, item);
            }
            Record::RecurringRule(rule) => {
                self.recurring_rules.insert(rule.id, rule);
            }
            Record::Invoice(invoice) => {
                self.invoices.insert(invoice.id, invoice);
            }
            Record::MarketingTrigger(trigger) => {
                self.marketing_triggers.insert(trigger.id, trigger);
            }
            Record::Session { token_md5, session } => {
                self.sessions.insert(token_md5, session);
            }
        }
    }

    pub(crate) fn snapshot(&self, server: &str) -> StateSnapshot {
        let mut sessions: Vec<SessionRecord> = self.sessions.values().cloned().collect();
        sessions.sort_by_key(|session| session.id);
        StateSnapshot {
            server: server.to_owned(),
            next_id: id_of_sequence(self.next_sequence),
            sessions,
            contacts: self.contacts.values().cloned().collect(),
            folders: self.folders.values().cloned().collect(),
            projects: self.projects.values().cloned().collect(),
            billing_items: self.billing_items.values().cloned().collect(),
            recurring_rules: self.recurring_rules.values().cloned().collect(),
            invoices: self.invoices.values().cloned().collect(),
            marketing_triggers: self.marketing_triggers.values().cloned().collect(),
            journal_counters: self
                .journal_sequences
                .iter()
                .map(|(&journal, &last_sequence)| JournalCounter {
                    journal,
                    last_sequence,
                })
                .collect(),
        }
    }
}

/// One stored object, new or changed.
#[derive(Clone, Debug)]
pub(crate) enum Record {
    Contact(ContactRecord),
    Folder(FolderRecord),
    Project(ProjectRecord),
    BillingItem(BillingItemRecord),
    RecurringRule(RecurringRuleRecord),
    Invoice(InvoiceRecord),
    MarketingTrigger(MarketingTriggerRecord),
    Session {
        token_md5: String,
        session: SessionRecord,
    },
}

/// The outcome of one operation: records to write and the counters after it.
#[derive(Clone, Debug)]
pub(crate) struct Changes {
    pub(crate) records: Vec<Record>,
    pub(crate) next_sequence: i64,
    pub(crate) next_session: u64,
    /// Only the journals whose counter changed.
    pub(crate) journal_sequences: BTreeMap<i64, u64>,
}

impl Changes {
    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// A change set being built against the current state.
pub(crate) struct Draft<'s> {
    pub(crate) state: &'s State,
    next_sequence: i64,
    next_session: u64,
    journal_sequences: BTreeMap<i64, u64>,
    records: Vec<Record>,
}

impl<'s> Draft<'s> {
    pub(crate) fn new(state: &'s State) -> Self {
        Draft {
            state,
            next_sequence: state.next_sequence,
            next_session: state.next_session,
            journal_sequences: BTreeMap::new(),
            records: Vec::new(),
        }
    }

    /// Hands out the next id, such as `139663101`.
    pub(crate) fn new_id(&mut self) -> i64 {
        let id = id_of_sequence(self.next_sequence);
        self.next_sequence += 1;
        id
    }

    pub(crate) fn new_session_number(&mut self) -> u64 {
        let number = self.next_session;
        self.next_session += 1;
        number
    }

    /// Hands out the next invoice number of `journal`, such as `232010001`.
    pub(crate) fn new_invoice_number(&mut self, journal: &InvoiceJournal) -> String {
        let last = self
            .journal_sequences
            .get(&journal.id)
            .or_else(|| self.state.journal_sequences.get(&journal.id))
            .copied()
            .unwrap_or(0);
        let sequence = last + 1;
        self.journal_sequences.insert(journal.id, sequence);
        format!(
            "{}{:0width$}",
            journal.prefix,
            sequence,
            width = journal.sequence_digits
        )
    }

    pub(crate) fn put(&mut self, record: Record) {
        self.records.push(record);
    }

    pub(crate) fn finish(self) -> Changes {
        Changes {
            records: self.records,
            next_sequence: self.next_sequence,
            next_session: self.next_session,
            journal_sequences: self.journal_sequences,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_numbers_continue() {
        let mut state = State::new(139_663);
        let journal = InvoiceJournal {
            id: 133150101,
            name: "Invoices".to_owned(),
            prefix: "23201".to_owned(),
            sequence_digits: 4,
        };
        let mut draft = Draft::new(&state);
        assert_eq!(draft.new_id(), 139663101);
        assert_eq!(draft.new_id(), 139664101);
        assert_eq!(draft.new_invoice_number(&journal), "232010001");
        assert_eq!(draft.new_invoice_number(&journal), "232010002");
        let changes = draft.finish();
        state.apply(changes);

        let mut draft = Draft::new(&state);
        assert_eq!(draft.new_id(), 139665101);
        assert_eq!(draft.new_invoice_number(&journal), "232010003");
    }

    #[test]
    fn dropped_draft_hands_out_nothing() {
        let state = State::new(139_663);
        let mut draft = Draft::new(&state);
        assert_eq!(draft.new_id(), 139663101);
        drop(draft);
        let mut draft = Draft::new(&state);
        assert_eq!(draft.new_id(), 139663101);
    }
}
