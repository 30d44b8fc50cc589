//! Logging in to an Atollon instance with QuickLogin.
//!
//! QuickLogin takes the instance name, the user name and the lower-case hex MD5 of the
//! clear-text password, and returns the session token that every later request sends as
//! `session`. [`login`] hashes the password and returns an [`atollon_client::Session`]
//! that carries the instance name and the token.

use atollon_client::xml::{DecodeError, Secret};
use atollon_client::{md5_hex, Error, Session};

use crate::main::{MainClient, QuickLogin};

/// Logs `user` in to the instance `server` (such as `acme`) with a clear-text password.
///
/// The password is sent as its MD5 hex digest ([`atollon_client::md5_hex`]) and never in
/// clear text.
///
/// # Errors
///
/// Returns the call's [`Error`], and [`Error::Decode`] when the response carries no
/// session token or an empty one.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use atollon::main::MainClient;
/// use atollon_client::xml::Secret;
/// use atollon_client::Client;
///
/// let client = Client::builder()
///     .endpoint("https://acme.example/soap")
///     .build()?;
/// let main = MainClient::new(client);
/// let password = Secret::new(std::env::var("ATOLLON_PASSWORD")?);
/// let session = atollon::session::login(&main, "acme", "jack", &password).await?;
/// println!("logged in to {}", session.server());
/// # Ok(())
/// # }
/// ```
pub async fn login(
    client: &MainClient,
    server: &str,
    user: &str,
    password: &Secret,
) -> Result<Session, Error> {
    login_with_md5(client, server, user, &md5_hex(password.expose())).await
}

/// Logs `user` in to the instance `server` with a password that is already the lower-case
/// hex MD5 of the clear text (what `echo -n PASSWORD | md5sum` prints).
///
/// # Errors
///
/// Returns the call's [`Error`]. A client built with `check_result(false)` gets
/// [`Error::NotOk`] here all the same when `result` is not `OK`, because such a response
/// opens no session. [`Error::Decode`] reports a response without a session token or with
/// an empty one.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use atollon::main::MainClient;
/// use atollon_client::xml::Secret;
/// use atollon_client::Client;
///
/// let main = MainClient::new(Client::builder().endpoint("https://acme.example/soap").build()?);
/// let password_md5 = Secret::new(std::env::var("ATOLLON_PASSWORD_MD5")?);
/// let session = atollon::session::login_with_md5(&main, "acme", "jack", &password_md5).await?;
/// # Ok(())
/// # }
/// ```
pub async fn login_with_md5(
    client: &MainClient,
    server: &str,
    user: &str,
    password_md5: &Secret,
) -> Result<Session, Error> {
    let operation = MainClient::OPERATION_QUICK_LOGIN.name;
    let request = QuickLogin {
        server: server.to_owned(),
        user: user.to_owned(),
        password: password_md5.clone(),
    };
    let response = client.quick_login(&request).await?;
    if response.result != "OK" {
        return Err(Error::NotOk {
            operation,
            result: mask(&response.result, password_md5),
        });
    }
    match response.session {
        Some(token) if !token.expose().is_empty() => Ok(Session::new(server, token)),
        Some(_) => Err(Error::Decode {
            operation,
            source: DecodeError::invalid(SESSION_PATH.to_owned(), "", "a non-empty session token"),
        }),
        None => Err(Error::Decode {
            operation,
            source: DecodeError::Missing {
                path: SESSION_PATH.to_owned(),
            },
        }),
    }
}

/// Element path of the session token in the QuickLogin response, in the form of
/// [`DecodeError::path`].
const SESSION_PATH: &str = "Envelope/Body/QuickLoginResponse/session";

/// Replaces the password digest in a text taken from the response, so that a server that
/// echoes it does not put it into an error.
fn mask(text: &str, password_md5: &Secret) -> String {
    let secret = password_md5.expose();
    if secret.is_empty() {
        return text.to_owned();
    }
    text.replace(secret, "***")
}
