//! The generated server traits, implemented over the sandbox state: the instance and
//! session checks every operation shares, then the operation itself.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use atollon_client::md5_hex;
use atollon_client::xml::Secret;
use atollon_client::ServerFault;
use rust_decimal::Decimal;

use crate::features::{CheckWorkflowQueue, CheckWorkflowQueueResponse, FeaturesServer};
use crate::invoice::{
    CreateInvoicesFromItems, CreateInvoicesFromItemsResponse,
    CreateInvoicesFromItemsResponseNewIdGroup, InvoiceServer,
};
use crate::item::{
    CreateFolderItem, CreateFolderItemResponse, CreateProjectItem, CreateProjectItemResponse,
    ItemServer,
};
use crate::main::{
    CreateContact, CreateContactResponse, ListContactList, ListContactListResponse, MainServer,
    QuickLogin, QuickLoginResponse,
};
use crate::project::{
    CreateProject, CreateProjectResponse, CreateSimpleFolder, CreateSimpleFolderResponse,
    ProjectServer,
};
use crate::web::{CreateMarketingTriggers, CreateMarketingTriggersResponse, WebServer};

use super::civil::CivilDateTime;
use super::config::Instance;
use super::fair_use::FairUse;
use super::faults::FaultQueue;
use super::model::{SessionRecord, StateSnapshot};
use super::ops::{self, Context, Rejection};
use super::state::{Draft, Record, State};
use super::store::Store;

/// Length of a session token in hex characters, as in Atollon's published examples.
const TOKEN_HEX_CHARS: usize = 44;

/// Everything the connections of one sandbox share.
pub(crate) struct Shared {
    pub(crate) instance: Instance,
    /// The fixed time of [`Clock::Fixed`](super::Clock::Fixed), or `None` for the
    /// system clock.
    pub(crate) fixed_now: Option<CivilDateTime>,
    pub(crate) max_body_bytes: usize,
    pub(crate) faults: FaultQueue,
    pub(crate) fair_use: FairUse,
    data: Mutex<Data>,
}

struct Data {
    state: State,
    /// The state file, `None` for an in-memory sandbox or after shutdown.
    store: Option<Store>,
}

impl Shared {
    pub(crate) fn new(
        instance: Instance,
        fixed_now: Option<CivilDateTime>,
        max_body_bytes: usize,
        max_parallel_per_session: usize,
        state: State,
        store: Option<Store>,
    ) -> Self {
        Shared {
            instance,
            fixed_now,
            max_body_bytes,
            faults: FaultQueue::default(),
            fair_use: FairUse::new(max_parallel_per_session),
            data: Mutex::new(Data { state, store }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Data> {
        // Operations change the state only in `State::apply`, which does not panic, so
        // the state behind a poisoned lock is whole.
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> CivilDateTime {
        self.fixed_now.unwrap_or_else(CivilDateTime::now_utc)
    }

    /// Returns the number of the session whose token has MD5 digest `token_md5`.
    pub(crate) fn session_number(&self, token_md5: &str) -> Option<u64> {
        self.lock()
            .state
            .sessions
            .get(token_md5)
            .map(|session| session.id)
    }

    pub(crate) fn snapshot(&self) -> StateSnapshot {
        self.lock().state.snapshot(&self.instance.server)
    }

    /// Closes the state file, so that another sandbox can open it.
    pub(crate) fn close_store(&self) {
        self.lock().store = None;
    }
}

/// A response type of the contract: `result` and `time`, then optional fields.
trait Reply: Default {
    fn set_result(&mut self, result: String);
    fn set_time(&mut self, seconds: Decimal);

    /// Builds a failure: the `result` text and nothing else.
    fn failure(result: String) -> Self {
        let mut reply = Self::default();
        reply.set_result(result);
        reply
    }
}

macro_rules! impl_reply {
    ($($response:ty),* $(,)?) => {
        $(
            impl Reply for $response {
                fn set_result(&mut self, result: String) {
                    self.result = result;
                }
                fn set_time(&mut self, seconds: Decimal) {
                    self.time = seconds;
                }
            }
        )*
    };
}

impl_reply!(
    QuickLoginResponse,
    CreateContactResponse,
    ListContactListResponse,
    CreateSimpleFolderResponse,
    CreateProjectResponse,
    CreateProjectItemResponse,
    CreateFolderItemResponse,
    CreateInvoicesFromItemsResponse,
    CheckWorkflowQueueResponse,
    CreateMarketingTriggersResponse,
);

fn ok<R: Reply>() -> R {
    let mut reply = R::default();
    reply.set_result("OK".to_owned());
    reply
}

/// The server of one request. The HTTP layer builds one per request, because the
/// generated traits pass only the decoded request, and this carries what the HTTP layer
/// decided about it.
pub(crate) struct Handler<'a> {
    pub(crate) shared: &'a Shared,
    /// An injected non-OK `result`, returned instead of processing the request.
    pub(crate) injected_result: Option<String>,
}

impl Handler<'_> {
    /// Runs one operation: the instance check, the session check (unless `session` is
    /// `None`, for QuickLogin), then `operation` on a draft of the state, whose changes are
    /// stored before the response is returned.
    fn run<R: Reply>(
        &self,
        name: &'static str,
        server: &str,
        session: Option<&Secret>,
        operation: impl FnOnce(&mut Draft<'_>, &Context<'_>) -> Result<R, Rejection>,
    ) -> Result<R, ServerFault> {
        let started = Instant::now();
        let mut reply = self.run_checked(name, server, session, operation)?;
        reply.set_time(seconds_since(started));
        Ok(reply)
    }

    fn run_checked<R: Reply>(
        &self,
        name: &'static str,
        server: &str,
        session: Option<&Secret>,
        operation: impl FnOnce(&mut Draft<'_>, &Context<'_>) -> Result<R, Rejection>,
    ) -> Result<R, ServerFault> {
        if let Some(result) = &self.injected_result {
            tracing::info!(operation = name, result = %result, "returning an injected non-OK result");
            return Ok(R::failure(result.clone()));
        }
        if server != self.shared.instance.server {
            let rejection = Rejection::new(format_args!("unknown server {server:?}"));
            return Ok(self.reject(name, None, rejection));
        }

        let mut guard = self.shared.lock();
        let data = &mut *guard;
        let session_number = match session {
            None => None,
            Some(token) => {
                let digest = md5_hex(token.expose());
                match data.state.sessions.get(digest.expose()) {
                    Some(record) => Some(record.id),
                    None => {
                        return Ok(self.reject(name, None, Rejection::new("unknown session")));
                    }
                }
            }
        };

        let context = Context {
            instance: &self.shared.instance,
            now: self.shared.now(),
        };
        let mut draft = Draft::new(&data.state);
        let reply = match operation(&mut draft, &context) {
            Ok(reply) => reply,
            Err(rejection) => return Ok(self.reject(name, session_number, rejection)),
        };
        let changes = draft.finish();
        if changes.is_empty() {
            return Ok(reply);
        }
        if let Some(store) = &mut data.store {
            if let Err(error) = store.write(&changes) {
                tracing::error!(operation = name, session = session_number, error = %error, "failed to save the state");
                return Err(ServerFault::server(format!(
                    "{name}: failed to save the state, so nothing was stored: {error}"
                )));
            }
        }
        data.state.apply(changes);
        Ok(reply)
    }

    fn reject<R: Reply>(
        &self,
        name: &'static str,
        session: Option<u64>,
        rejection: Rejection,
    ) -> R {
        let text = rejection.into_text();
        tracing::info!(operation = name, session, result = %text, "request rejected with a non-OK result");
        R::failure(text)
    }
}

/// Returns the seconds elapsed since `started`, to the microsecond, for `time`.
fn seconds_since(started: Instant) -> Decimal {
    let micros = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
    Decimal::new(micros, 6).normalize()
}

/// Draws a new session token: 44 upper-case hex characters, like Atollon's.
fn new_token() -> Result<Secret, ServerFault> {
    let mut bytes = [0u8; TOKEN_HEX_CHARS / 2];
    getrandom::fill(&mut bytes).map_err(|error| {
        tracing::error!(error = %error, "failed to draw random bytes for a session token");
        ServerFault::server(format!(
            "QuickLogin: failed to create a session token: {error}"
        ))
    })?;
    let mut token = String::with_capacity(TOKEN_HEX_CHARS);
    for byte in bytes {
        token.push_str(&format!("{byte:02X}"));
    }
    Ok(Secret::new(token))
}

impl MainServer for Handler<'_> {
    async fn quick_login(&self, request: QuickLogin) -> Result<QuickLoginResponse, ServerFault> {
        let token = new_token()?;
        self.run("QuickLogin", &request.server, None, |draft, context| {
            let password = request.password.expose().trim();
            let user = context.instance.users.iter().find(|user| {
                user.name == request.user
                    && user.password_md5.expose().eq_ignore_ascii_case(password)
            });
            let Some(user) = user else {
                return Err(Rejection::new("invalid user name or password"));
            };
            let session = SessionRecord {
                id: draft.new_session_number(),
                user: user.name.clone(),
                created: context.now.to_string(),
            };
            tracing::info!(session = session.id, user = %session.user, "session opened");
            draft.put(Record::Session {
                token_md5: md5_hex(token.expose()).expose().to_owned(),
                session,
            });
            Ok(QuickLoginResponse {
                session: Some(token),
                ..ok()
            })
        })
    }

    async fn create_contact(
        &self,
        request: CreateContact,
    ) -> Result<CreateContactResponse, ServerFault> {
        self.run(
            "CreateContact",
            &request.server,
            Some(&request.session),
            |draft, context| {
                let id = ops::contacts::create_contact(draft, context, &request.person_or_company)?;
                Ok(CreateContactResponse {
                    new_id: Some(id),
                    ..ok()
                })
            },
        )
    }

    async fn list_contact_list(
        &self,
        request: ListContactList,
    ) -> Result<ListContactListResponse, ServerFault> {
        self.run(
            "ListContactList",
            &request.server,
            Some(&request.session),
            |_, context| {
                let items = ops::contacts::list_contact_list(context, &request.list)?;
                Ok(ListContactListResponse {
                    count: Some(i32::try_from(items.len()).unwrap_or(i32::MAX)),
                    item: items,
                    ..ok()
                })
            },
        )
    }
}

impl ProjectServer for Handler<'_> {
    async fn create_simple_folder(
        &self,
        request: CreateSimpleFolder,
    ) -> Result<CreateSimpleFolderResponse, ServerFault> {
        self.run(
            "CreateSimpleFolder",
            &request.server,
            Some(&request.session),
            |draft, context| {
                let (id, kind) =
                    ops::projects::create_simple_folder(draft, context, &request.folder)?;
                Ok(CreateSimpleFolderResponse {
                    new_id: Some(id),
                    type_: Some(kind),
                    ..ok()
                })
            },
        )
    }

    async fn create_project(
        &self,
        request: CreateProject,
    ) -> Result<CreateProjectResponse, ServerFault> {
        self.run(
            "CreateProject",
            &request.server,
            Some(&request.session),
            |draft, context| {
                let (id, kind) = ops::projects::create_project(draft, context, &request.project)?;
                Ok(CreateProjectResponse {
                    new_id: Some(id),
                    type_: Some(kind),
                    ..ok()
                })
            },
        )
    }
}

impl ItemServer for Handler<'_> {
    async fn create_project_item(
        &self,
        request: CreateProjectItem,
    ) -> Result<CreateProjectItemResponse, ServerFault> {
        self.run(
            "CreateProjectItem",
            &request.server,
            Some(&request.session),
            |draft, context| {
                let id = ops::items::create_project_item(draft, context, &request.item)?;
                // `count` is 0 in the published examples; the sandbox reads it as the number
                // of items the call generated besides the one it created.
                Ok(CreateProjectItemResponse {
                    count: Some(0),
                    item_id: Some(id),
                    ..ok()
                })
            },
        )
    }

    async fn create_folder_item(
        &self,
        request: CreateFolderItem,
    ) -> Result<CreateFolderItemResponse, ServerFault> {
        self.run(
            "CreateFolderItem",
            &request.server,
            Some(&request.session),
            |draft, context| {
                let id = ops::items::create_folder_item(draft, context, &request.item)?;
                // The rule's billing items come from CheckWorkflowQueue, so none is generated
                // here; the published response has `count` 0 too.
                Ok(CreateFolderItemResponse {
                    count: Some(0),
                    item_id: Some(id),
                    ..ok()
                })
            },
        )
    }
}

impl InvoiceServer for Handler<'_> {
    async fn create_invoices_from_items(
        &self,
        request: CreateInvoicesFromItems,
    ) -> Result<CreateInvoicesFromItemsResponse, ServerFault> {
        self.run(
            "CreateInvoicesFromItems",
            &request.server,
            Some(&request.session),
            |draft, context| {
                let invoices =
                    ops::invoices::create_invoices_from_items(draft, context, request.project)?;
                Ok(CreateInvoicesFromItemsResponse {
                    new_id: invoices
                        .into_iter()
                        .map(
                            |(new_id, number)| CreateInvoicesFromItemsResponseNewIdGroup {
                                new_id,
                                number,
                            },
                        )
                        .collect(),
                    ..ok()
                })
            },
        )
    }
}

impl FeaturesServer for Handler<'_> {
    async fn check_workflow_queue(
        &self,
        request: CheckWorkflowQueue,
    ) -> Result<CheckWorkflowQueueResponse, ServerFault> {
        self.run(
            "CheckWorkflowQueue",
            &request.server,
            Some(&request.session),
            |draft, context| {
                let generated = ops::items::check_workflow_queue(draft, context)?;
                if generated > 0 {
                    tracing::info!(
                        generated,
                        "workflow queue generated billing items from recurring rules"
                    );
                }
                Ok(ok())
            },
        )
    }
}

impl WebServer for Handler<'_> {
    async fn create_marketing_triggers(
        &self,
        request: CreateMarketingTriggers,
    ) -> Result<CreateMarketingTriggersResponse, ServerFault> {
        self.run(
            "CreateMarketingTriggers",
            &request.server,
            Some(&request.session),
            |draft, _| {
                let id =
                    ops::triggers::create_marketing_trigger(draft, &request.marketing_trigger)?;
                Ok(CreateMarketingTriggersResponse {
                    new_id: Some(id),
                    ..ok()
                })
            },
        )
    }
}
