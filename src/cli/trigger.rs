//! `atollon trigger`: sends one marketing trigger (CreateMarketingTriggers) by hand.

use std::process::ExitCode;

use atollon::billing::dates::LocalDateTime;
use atollon::values::BaseType;
use atollon::web::{CreateMarketingTriggers, MarketingTrigger, WebClient};
use atollon_client::Outcome;

use super::invoice::{connect, load_config, ConnectionArgs, EXIT_INCOMPLETE, EXIT_USAGE};

/// Arguments of `atollon trigger`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Atollon documents the base types new-phone-number, url-visit, goal-achieved, \
mail-url-visit, mail-open and unsubscribe. The password comes from ATOLLON_PASSWORD or \
`password_md5` in the configuration, as for `atollon invoice`.

Exit status: 0 when Atollon stored the trigger, 1 when the request failed or its outcome \
is unknown, 2 for a usage or configuration error.")]
pub struct TriggerArgs {
    #[command(flatten)]
    connection: ConnectionArgs,

    /// Kind of event, such as new-phone-number or url-visit (`baseType`).
    #[arg(long, value_name = "TYPE")]
    base_type: String,

    /// Id of the contact who caused the trigger (`contactId`).
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    contact: i64,

    /// Id of the folder, project or activity whose timeline shows the trigger
    /// (`contextId`).
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    context: i64,

    /// Visited page (`url`).
    #[arg(long, value_name = "URL")]
    url: Option<String>,

    /// Campaign or message template code (`trackingCode`).
    #[arg(long, value_name = "CODE")]
    tracking_code: Option<String>,

    /// Text shown on the timeline (`description`).
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,

    /// When it happened, as YYYY-MM-DD HH:MM (`triggerDate`). Without it the request
    /// carries no date.
    #[arg(long, value_name = "DATETIME")]
    date: Option<String>,

    /// Number of visits the trigger stands for, at least 1 (`numberOfVisits`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..))]
    visits: Option<i32>,
}

/// Runs `atollon trigger`.
pub async fn run(arguments: TriggerArgs) -> ExitCode {
    match trigger(arguments).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

async fn trigger(arguments: TriggerArgs) -> Result<ExitCode, String> {
    if arguments.base_type.trim().is_empty() {
        return Err("--base-type must not be empty".to_owned());
    }
    let base_type = BaseType::new(arguments.base_type.trim().to_owned());
    if !base_type.is_documented() {
        tracing::warn!(
            base_type = base_type.as_str(),
            "Atollon does not document this base type; sending it anyway"
        );
    }
    let trigger_date = match &arguments.date {
        Some(text) => {
            let parsed = LocalDateTime::parse(text)
                .filter(|_| text.trim().len() == "YYYY-MM-DD HH:MM".len())
                .ok_or_else(|| format!("invalid --date {text:?}: expected YYYY-MM-DD HH:MM"))?;
            Some(parsed.to_trigger_date())
        }
        None => None,
    };
    let (config, _) = load_config(&arguments.connection)?;
    let connection = connect(&arguments.connection, &config).await?;

    let result = send(&arguments, &connection, base_type.as_str(), trigger_date).await;
    if let Some(sandbox) = connection.sandbox {
        sandbox.shutdown().await;
    }
    match result {
        Ok(id) => {
            println!(
                "marketing trigger {id} created: {} on {} for contact {}",
                base_type.as_str(),
                arguments.context,
                arguments.contact
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            eprintln!("error: {message}");
            Ok(ExitCode::from(EXIT_INCOMPLETE))
        }
    }
}

async fn send(
    arguments: &TriggerArgs,
    connection: &super::invoice::Connection,
    base_type: &str,
    trigger_date: Option<String>,
) -> Result<i64, String> {
    let credentials = &connection.credentials;
    let main = atollon::main::MainClient::new(connection.client.clone());
    let session = atollon::session::login_with_md5(
        &main,
        credentials.server(),
        credentials.user(),
        credentials.password_md5(),
    )
    .await
    .map_err(|error| format!("QuickLogin failed: {error}"))?;
    let request = CreateMarketingTriggers {
        server: session.server().to_owned(),
        session: session.token().clone(),
        marketing_trigger: MarketingTrigger {
            base_type: base_type.to_owned(),
            context_id: arguments.context,
            contact_id: arguments.contact,
            url: arguments.url.clone(),
            tracking_code: arguments.tracking_code.clone(),
            description: arguments.description.clone(),
            trigger_date,
            number_of_visits: arguments.visits,
        },
    };
    let web = WebClient::new(connection.client.clone());
    match web.create_marketing_triggers(&request).await {
        Ok(response) => response.new_id.ok_or_else(|| {
            "Atollon returned OK without the new trigger's id; check the timeline of the \
             context before sending it again"
                .to_owned()
        }),
        Err(error) => {
            tracing::error!(error = %error, "CreateMarketingTriggers failed");
            Err(match error.outcome() {
                Outcome::Unknown => format!(
                    "{error}. Check the timeline of {} in Atollon before sending it again",
                    arguments.context
                ),
                Outcome::NotSent | Outcome::Failed => error.to_string(),
            })
        }
    }
}
