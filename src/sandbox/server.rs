//! Starting and stopping a sandbox.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::civil::CivilDateTime;
use super::config::{Clock, SandboxConfig};
use super::faults::{FaultError, FaultRule};
use super::http;
use super::model::StateSnapshot;
use super::service::Shared;
use super::state::State;
use super::store::{Store, StoreError};

/// A failure to start a sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A setting is out of range.
    #[error("invalid sandbox configuration: {0}")]
    InvalidConfig(String),
    /// The address could not be bound.
    #[error("failed to listen on {address}: {source}")]
    Bind {
        /// The address of [`SandboxConfig::listen`].
        address: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The state file could not be opened or read.
    #[error(transparent)]
    State(#[from] StoreError),
    /// A fault rule of [`SandboxConfig::faults`] is invalid.
    #[error("invalid fault rule: {0}")]
    Fault(#[from] FaultError),
}

/// A running sandbox server.
///
/// Dropping it stops the server at once; [`Sandbox::shutdown`] lets open requests finish
/// first. Either way the state file is closed, so another sandbox can open it.
pub struct Sandbox {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("local_addr", &self.local_addr)
            .field("server", &self.shared.instance.server)
            .finish()
    }
}

impl Sandbox {
    /// Opens the state, binds the listening address and starts serving on the current
    /// tokio runtime.
    ///
    /// With [`SandboxConfig::default`] the sandbox keeps its state in memory and listens
    /// on an ephemeral port of 127.0.0.1; [`Sandbox::soap_url`] gives the endpoint.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        validate(&config)?;
        let fixed_now = match &config.clock {
            Clock::System => None,
            Clock::Fixed(text) => Some(
                CivilDateTime::parse_date_time(text)
                    .map_err(|reason| SandboxError::InvalidConfig(format!("clock: {reason}")))?,
            ),
        };
        let (store, state) = match &config.state_file {
            Some(path) => {
                let (store, state) = Store::open(path, config.first_id_sequence)?;
                (Some(store), state)
            }
            None => (None, State::new(config.first_id_sequence)),
        };
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| SandboxError::Bind {
                    address: config.listen,
                    source,
                })?;
        let local_addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            address: config.listen,
            source,
        })?;

        let shared = Arc::new(Shared::new(
            config.instance,
            fixed_now,
            config.max_body_bytes,
            config.max_parallel_per_session,
            state,
            store,
        ));
        for rule in config.faults {
            shared.faults.push(rule)?;
        }
        let (shutdown, receiver) = watch::channel(false);
        let task = tokio::spawn(http::serve(listener, Arc::clone(&shared), receiver));
        if !local_addr.ip().is_loopback() {
            tracing::warn!(address = %local_addr, "the sandbox listens on a non-loopback address and accepts requests from other machines");
        }
        tracing::info!(
            address = %local_addr,
            state_file = config.state_file.as_ref().map(|path| path.display().to_string()),
            "sandbox started"
        );
        Ok(Sandbox {
            shared,
            local_addr,
            shutdown,
            task: Some(task),
        })
    }

    /// Returns the address the sandbox listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Returns the base URL, such as `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Returns the SOAP endpoint, such as `http://127.0.0.1:8080/soap`.
    pub fn soap_url(&self) -> String {
        format!("{}/soap", self.url())
    }

    /// Returns the instance name that requests send as `server`.
    pub fn server_name(&self) -> &str {
        &self.shared.instance.server
    }

    /// Adds a fault for the next `rule.count` calls of `rule.operation`. Rules for one
    /// operation apply in the order they were added.
    pub fn inject(&self, rule: FaultRule) -> Result<(), FaultError> {
        self.shared.faults.push(rule)
    }

    /// Returns the faults still pending, with their remaining counts.
    pub fn pending_faults(&self) -> Vec<FaultRule> {
        self.shared.faults.pending()
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Returns a copy of the whole state, as `GET /sandbox/state` returns it.
    pub fn state(&self) -> StateSnapshot {
        self.shared.snapshot()
    }

    /// Stops accepting connections, lets open requests finish for up to 5 seconds, and
    /// closes the state file.
    pub async fn shutdown(mut self) {
        // The receiver lives in the server task, which may have ended already.
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            if let Err(error) = task.await {
                tracing::error!(error = %error, "the sandbox server task failed");
            }
        }
        self.shared.close_store();
        tracing::info!(address = %self.local_addr, "sandbox stopped");
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        self.shared.close_store();
    }
}

fn validate(config: &SandboxConfig) -> Result<(), SandboxError> {
    let invalid = |message: &str| Err(SandboxError::InvalidConfig(message.to_owned()));
    if config.max_body_bytes == 0 {
        return invalid("max_body_bytes must be at least 1");
    }
    if config.max_parallel_per_session == 0 {
        return invalid("max_parallel_per_session must be at least 1");
    }
    if !(1..=999_999_999).contains(&config.first_id_sequence) {
        return invalid("first_id_sequence must be between 1 and 999999999");
    }
    if config.instance.server.trim().is_empty() {
        return invalid("the instance name (instance.server) is empty");
    }
    Ok(())
}
