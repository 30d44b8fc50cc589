//! Logs in to an Atollon instance and creates a person contact.
//!
//! ```text
//! ATOLLON_PASSWORD=... cargo run --example create_contact -- ENDPOINT [SERVER [USER]]
//! ```
//!
//! `ENDPOINT` is the SOAP URL of the instance (`https://HOST/soap`), or of a local server
//! such as `http://127.0.0.1:8080/soap`. `SERVER` (the instance name, such as `acme`) and
//! `USER` default to the environment variables `ATOLLON_SERVER` and `ATOLLON_USER`. The
//! password is read from `ATOLLON_PASSWORD` only, so that it does not appear in the process
//! list or the shell history.

use std::process::ExitCode;

use atollon::main::{CreateContact, CreateContactPersonOrCompany, MainClient, Person, PersonInfo};
use atollon::values::Sex;
use atollon_client::xml::Secret;
use atollon_client::Client;

const USAGE: &str = "usage: create_contact ENDPOINT [SERVER [USER]]\n\
                     SERVER and USER default to ATOLLON_SERVER and ATOLLON_USER; \
                     the password is read from ATOLLON_PASSWORD";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let endpoint = args
        .next()
        .ok_or_else(|| format!("missing ENDPOINT\n{USAGE}"))?;
    let server = argument_or_env(args.next(), "ATOLLON_SERVER")?;
    let user = argument_or_env(args.next(), "ATOLLON_USER")?;
    let password = std::env::var("ATOLLON_PASSWORD")
        .map(Secret::new)
        .map_err(|_| format!("ATOLLON_PASSWORD is not set\n{USAGE}"))?;

    let client = Client::builder()
        .endpoint(&endpoint)
        .build()
        .map_err(|error| error.to_string())?;
    let main = MainClient::new(client);
    let session = atollon::session::login(&main, &server, &user, &password)
        .await
        .map_err(|error| error.to_string())?;

    let request = CreateContact {
        server: session.server().to_owned(),
        session: session.token().clone(),
        person_or_company: CreateContactPersonOrCompany::Person(Person {
            name1: "Petra".to_owned(),
            name3: Some("Sample".to_owned()),
            personinfo: Some(PersonInfo {
                salutation: Some("Dear Petra".to_owned()),
                sex: Some(Sex::FEMALE.into()),
                ..PersonInfo::default()
            }),
            ..Person::default()
        }),
    };
    let response = main
        .create_contact(&request)
        .await
        .map_err(|error| error.to_string())?;
    match response.new_id {
        Some(id) => {
            println!("created contact {id}");
            Ok(())
        }
        None => Err("the CreateContact response carries no newId".to_owned()),
    }
}

/// Returns the command-line argument, or else the environment variable `name`.
fn argument_or_env(argument: Option<String>, name: &str) -> Result<String, String> {
    match argument {
        Some(value) => Ok(value),
        None => std::env::var(name).map_err(|_| format!("{name} is not set\n{USAGE}")),
    }
}
