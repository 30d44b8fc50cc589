//! CreateMarketingTriggers.

use crate::web::MarketingTrigger;

use super::super::civil::CivilDateTime;
use super::super::model::MarketingTriggerRecord;
use super::super::state::{Draft, Record};
use super::{require_text, Rejection};

/// The documented `baseType` values.
const BASE_TYPES: [&str; 6] = [
    "new-phone-number",
    "url-visit",
    "goal-achieved",
    "mail-url-visit",
    "mail-open",
    "unsubscribe",
];

/// Stores a marketing trigger and returns its id.
///
/// The context must be a folder or a project, because the sandbox has no activities.
pub(crate) fn create_marketing_trigger(
    draft: &mut Draft<'_>,
    trigger: &MarketingTrigger,
) -> Result<i64, Rejection> {
    require_text("MARKETING_TRIGGER/baseType", &trigger.base_type)?;
    if !BASE_TYPES.contains(&trigger.base_type.as_str()) {
        return Err(Rejection::invalid(
            "MARKETING_TRIGGER/baseType",
            format_args!("{:?}", trigger.base_type),
            &format!("expected one of {}", BASE_TYPES.join(", ")),
        ));
    }
    if !draft.state.contacts.contains_key(&trigger.contact_id) {
        return Err(Rejection::not_found(
            "contact",
            trigger.contact_id,
            "MARKETING_TRIGGER/contactId",
        ));
    }
    let context = trigger.context_id;
    if !draft.state.folders.contains_key(&context) && !draft.state.projects.contains_key(&context) {
        return Err(Rejection::not_found(
            "folder or project",
            context,
            "MARKETING_TRIGGER/contextId",
        ));
    }
    if let Some(date) = &trigger.trigger_date {
        CivilDateTime::parse_trigger_date(date).map_err(|reason| {
            Rejection::new(format_args!(
                "MARKETING_TRIGGER/triggerDate is invalid: {reason}"
            ))
        })?;
    }
    if let Some(visits) = trigger.number_of_visits {
        if visits < 1 {
            return Err(Rejection::invalid(
                "MARKETING_TRIGGER/numberOfVisits",
                visits,
                "expected 1 or more",
            ));
        }
    }

    let id = draft.new_id();
    draft.put(Record::MarketingTrigger(MarketingTriggerRecord {
        id,
        base_type: trigger.base_type.clone(),
        context_id: context,
        contact_id: trigger.contact_id,
        url: trigger.url.clone(),
        tracking_code: trigger.tracking_code.clone(),
        description: trigger.description.clone(),
        trigger_date: trigger.trigger_date.clone(),
        number_of_visits: trigger.number_of_visits,
    }));
    Ok(id)
}
