//! CreateSimpleFolder and CreateProject.

use std::collections::BTreeMap;

use crate::project::{Folder, Project, ProjectType};

use super::super::config::{contains_id, ProjectKind, Template};
use super::super::model::{FolderRecord, ProjectRecord};
use super::super::state::{Draft, Record};
use super::{require_text, Context, Rejection};

/// Stores a folder and returns its id and the `TYPE` its template gives.
pub(crate) fn create_simple_folder(
    draft: &mut Draft<'_>,
    context: &Context<'_>,
    folder: &Folder,
) -> Result<(i64, ProjectType), Rejection> {
    require_text("FOLDER/name", &folder.name)?;
    let contact = folder
        .contact
        .ok_or_else(|| Rejection::missing("FOLDER/contact"))?;
    if !draft.state.contacts.contains_key(&contact) {
        return Err(Rejection::not_found("contact", contact, "FOLDER/contact"));
    }
    let template = pick_template(
        &context.instance.folder_templates,
        folder.template,
        "folder template",
        "FOLDER/template",
    )?;
    if let Some(parent) = folder.parent {
        if !draft.state.folders.contains_key(&parent) {
            return Err(Rejection::not_found("folder", parent, "FOLDER/parent"));
        }
    }
    let projects: Vec<i64> = folder
        .projects
        .as_ref()
        .map(|projects| projects.project.iter().map(|project| project.id).collect())
        .unwrap_or_default();
    for (index, &project) in projects.iter().enumerate() {
        if !draft.state.projects.contains_key(&project) {
            return Err(Rejection::not_found(
                "project",
                project,
                &format!("FOLDER/PROJECTS/PROJECT[{}]/id", index + 1),
            ));
        }
    }

    let mut other_fields = BTreeMap::new();
    let undescribed = [
        ("item", &folder.item),
        ("team", &folder.team),
        ("userTemplate", &folder.user_template),
        ("numbering", &folder.numbering),
        ("reference", &folder.reference),
        ("resposibleUser", &folder.resposible_user),
        ("role", &folder.role),
    ];
    for (name, value) in undescribed {
        if let Some(value) = value {
            other_fields.insert(name.to_owned(), value.clone());
        }
    }

    let id = draft.new_id();
    draft.put(Record::Folder(FolderRecord {
        id,
        name: folder.name.clone(),
        template: template.id,
        type_id: template.kind.id,
        contact,
        parent: folder.parent,
        organization: folder.organization,
        ref_id: folder.ref_id.clone(),
        comment: folder.comment.clone(),
        state: folder.state,
        folder_type: folder.type_,
        projects,
        other_fields,
    }));
    Ok((id, project_type(&template.kind)))
}

/// Stores a project and returns its id and the `TYPE` its template gives.
pub(crate) fn create_project(
    draft: &mut Draft<'_>,
    context: &Context<'_>,
    project: &Project,
) -> Result<(i64, ProjectType), Rejection> {
    require_text("PROJECT/name", &project.name)?;
    let customer = project
        .customer
        .ok_or_else(|| Rejection::missing("PROJECT/customer"))?;
    if !draft.state.folders.contains_key(&customer) {
        return Err(Rejection::not_found(
            "customer folder",
            customer,
            "PROJECT/customer",
        ));
    }
    let folder = project.folder.unwrap_or(customer);
    if !draft.state.folders.contains_key(&folder) {
        return Err(Rejection::not_found("folder", folder, "PROJECT/folder"));
    }
    let journal = match project.invoice_journal {
        Some(id) => context
            .instance
            .journal(id)
            .ok_or_else(|| Rejection::not_found("invoice journal", id, "PROJECT/invoiceJournal"))?,
        None => context
            .instance
            .invoice_journals
            .first()
            .ok_or_else(|| Rejection::missing("PROJECT/invoiceJournal"))?,
    };
    let template = pick_template(
        &context.instance.project_templates,
        project.project_template,
        "project template",
        "PROJECT/projectTemplate",
    )?;
    if let Some(provider) = project.provider {
        if !contains_id(&context.instance.providers, provider) {
            return Err(Rejection::not_found(
                "provider",
                provider,
                "PROJECT/provider",
            ));
        }
    }

    let id = draft.new_id();
    draft.put(Record::Project(ProjectRecord {
        id,
        name: project.name.clone(),
        customer,
        folder,
        invoice_journal: journal.id,
        project_template: template.id,
        type_id: template.kind.id,
        provider: project.provider,
    }));
    Ok((id, project_type(&template.kind)))
}

/// Finds the template `requested`, or takes the instance's first when none is requested.
fn pick_template<'t>(
    templates: &'t [Template],
    requested: Option<i64>,
    kind: &str,
    path: &str,
) -> Result<&'t Template, Rejection> {
    match requested {
        Some(id) => templates
            .iter()
            .find(|template| template.id == id)
            .ok_or_else(|| Rejection::not_found(kind, id, path)),
        None => templates.first().ok_or_else(|| Rejection::missing(path)),
    }
}

fn project_type(kind: &ProjectKind) -> ProjectType {
    ProjectType {
        id: kind.id,
        name: Some(kind.name.clone()),
        master_project: Some(kind.master_project),
        gui_action: kind.gui_action.clone(),
        i_type: Some(kind.i_type),
    }
}
