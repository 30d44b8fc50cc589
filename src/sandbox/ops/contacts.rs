//! CreateContact and ListContactList.

use crate::main::{
    Address, Company, ContactEntry, CreateContactPersonOrCompany, Employee, ListItem, Person,
    Relation,
};

use super::super::config::{contains_id, CONTACT_LIST_NAMES};
use super::super::model::{
    AddressRecord, ContactEntryRecord, ContactKind, ContactRecord, EmploymentRecord, RelationRecord,
};
use super::super::state::{Draft, Record};
use super::{check_flag, require_text, Context, Rejection};

/// Stores a person or company and returns its id.
pub(crate) fn create_contact(
    draft: &mut Draft<'_>,
    context: &Context<'_>,
    contact: &CreateContactPersonOrCompany,
) -> Result<i64, Rejection> {
    let record = match contact {
        CreateContactPersonOrCompany::Person(person) => person_record(draft, context, person)?,
        CreateContactPersonOrCompany::Company(company) => company_record(draft, context, company)?,
    };
    let id = draft.new_id();
    draft.put(Record::Contact(ContactRecord { id, ..record }));
    Ok(id)
}

/// Returns the values of one list.
pub(crate) fn list_contact_list(
    context: &Context<'_>,
    list: &str,
) -> Result<Vec<ListItem>, Rejection> {
    let values = context.instance.contact_list(list.trim()).ok_or_else(|| {
        Rejection::invalid(
            "list",
            format_args!("{list:?}"),
            &format!("expected one of {}", CONTACT_LIST_NAMES.join(", ")),
        )
    })?;
    Ok(values
        .iter()
        .map(|value| ListItem {
            id: value.id,
            name: Some(value.name.clone()),
            type_: value.kind,
        })
        .collect())
}

fn person_record(
    draft: &Draft<'_>,
    context: &Context<'_>,
    person: &Person,
) -> Result<ContactRecord, Rejection> {
    require_text("PERSON/name1", &person.name1)?;
    let addresses = person
        .addresses
        .as_ref()
        .map_or(&[][..], |addresses| &addresses.address);
    let entries = person
        .contacts
        .as_ref()
        .map_or(&[][..], |contacts| &contacts.contact);
    let industries = person
        .industry
        .as_ref()
        .map_or(&[][..], |industry| &industry.industry);
    let groups = person
        .dgroups
        .as_ref()
        .map_or(&[][..], |groups| &groups.dgroup);
    let groups: Vec<i64> = groups.iter().map(|group| group.id).collect();

    let mut record = base_record(
        context,
        "PERSON",
        ContactKind::Person,
        &person.name1,
        addresses,
        entries,
        industries,
        &groups,
    )?;
    record.name2 = person.name2.clone();
    record.name3 = person.name3.clone();
    record.tree_handle = person.tree_handle;
    record.valid_from = person
        .valid_from
        .as_ref()
        .map(|date| date.as_str().to_owned());
    record.valid_to = person
        .valid_to
        .as_ref()
        .map(|date| date.as_str().to_owned());
    record.employments = employments(draft, context, &person.employee)?;
    record.relations = relations(draft, context, "PERSON", "relationtype_p", &person.relation)?;

    if let Some(info) = &person.personinfo {
        if let Some(language) = info.prefered_lang {
            if !contains_id(&context.instance.languages, language) {
                return Err(Rejection::not_found(
                    "language",
                    language,
                    "PERSON/PERSONINFO/preferedLang",
                ));
            }
        }
        if let Some(sex) = info.sex {
            if !(0..=2).contains(&sex) {
                return Err(Rejection::invalid(
                    "PERSON/PERSONINFO/sex",
                    sex,
                    "expected 0 (not set), 1 (male) or 2 (female)",
                ));
            }
        }
        if let Some(status) = info.marital_status {
            if !(1..=4).contains(&status) {
                return Err(Rejection::invalid(
                    "PERSON/PERSONINFO/maritalStatus",
                    status,
                    "expected 1 (single), 2 (married), 3 (divorced) or 4 (widowed)",
                ));
            }
        }
        if let Some(nationality) = info.nationality {
            check_list_id(
                context,
                "nationality",
                nationality,
                "nationality",
                "PERSON/PERSONINFO/nationality",
            )?;
        }
        record.salutation = info.salutation.clone();
        record.preferred_language = info.prefered_lang;
        record.sex = info.sex;
        record.marital_status = info.marital_status;
        record.nationality = info.nationality;
    }
    Ok(record)
}

fn company_record(
    draft: &Draft<'_>,
    context: &Context<'_>,
    company: &Company,
) -> Result<ContactRecord, Rejection> {
    require_text("COMPANY/name1", &company.name1)?;
    let addresses = company
        .addresses
        .as_ref()
        .map_or(&[][..], |addresses| &addresses.address);
    let entries = company
        .contacts
        .as_ref()
        .map_or(&[][..], |contacts| &contacts.contact);
    let industries = company
        .industry
        .as_ref()
        .map_or(&[][..], |industry| &industry.industry);
    let groups = company
        .dgroups
        .as_ref()
        .map_or(&[][..], |groups| &groups.dgroup);
    let groups: Vec<i64> = groups.iter().map(|group| group.id).collect();

    let mut record = base_record(
        context,
        "COMPANY",
        ContactKind::Company,
        &company.name1,
        addresses,
        entries,
        industries,
        &groups,
    )?;
    if let Some(legal_form) = company.legal_form {
        check_list_id(
            context,
            "companylegalform",
            legal_form,
            "legal form",
            "COMPANY/legalForm",
        )?;
    }
    record.legal_form = company.legal_form;
    record.tree_handle = company.tree_handle;
    record.valid_from = company
        .valid_from
        .as_ref()
        .map(|date| date.as_str().to_owned());
    record.valid_to = company
        .valid_to
        .as_ref()
        .map(|date| date.as_str().to_owned());
    record.relations = relations(
        draft,
        context,
        "COMPANY",
        "relationtype_c",
        &company.relation,
    )?;
    Ok(record)
}

/// Checks and converts the parts persons and companies share.
#[allow(clippy::too_many_arguments)]
fn base_record(
    context: &Context<'_>,
    root: &str,
    kind: ContactKind,
    name1: &str,
    addresses: &[Address],
    entries: &[ContactEntry],
    industries: &[i64],
    groups: &[i64],
) -> Result<ContactRecord, Rejection> {
    let mut address_records = Vec::with_capacity(addresses.len());
    for (index, address) in addresses.iter().enumerate() {
        let path = format!("{root}/ADDRESSES/ADDRESS[{}]", index + 1);
        if let Some(address_type) = address.type_ {
            check_list_id(
                context,
                "addresstype",
                address_type,
                "address type",
                &format!("{path}/type"),
            )?;
        }
        check_flag(&format!("{path}/isPrimary"), address.is_primary)?;
        address_records.push(AddressRecord {
            address_type: address.type_,
            is_primary: address.is_primary,
            street: address.street.clone(),
            city_name: address.city_name.clone(),
            city: address.city,
            zip_name: address.zip_name.clone(),
            zip: address.zip,
            region_name: address.region_name.clone(),
            region: address.region,
            country_name: address.country_name.clone(),
            country: address.country,
        });
    }

    let mut entry_records = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("{root}/CONTACTS/CONTACT[{}]", index + 1);
        check_list_id(
            context,
            "contacttype",
            entry.type_,
            "contact type",
            &format!("{path}/type"),
        )?;
        require_text(&format!("{path}/content"), &entry.content)?;
        check_flag(&format!("{path}/isMain"), entry.is_main)?;
        check_flag(&format!("{path}/isPrimary"), entry.is_primary)?;
        entry_records.push(ContactEntryRecord {
            contact_type: entry.type_,
            content: entry.content.clone(),
            is_main: entry.is_main,
            is_primary: entry.is_primary,
            type_type: entry.type_type,
        });
    }

    for (index, &industry) in industries.iter().enumerate() {
        check_list_id(
            context,
            "industry",
            industry,
            "industry",
            &format!("{root}/INDUSTRY/industry[{}]", index + 1),
        )?;
    }
    for (index, &group) in groups.iter().enumerate() {
        if !contains_id(&context.instance.distribution_groups, group) {
            return Err(Rejection::not_found(
                "distribution group",
                group,
                &format!("{root}/DGROUPS/DGROUP[{}]/id", index + 1),
            ));
        }
    }

    Ok(ContactRecord {
        id: 0,
        kind,
        name1: name1.to_owned(),
        name2: None,
        name3: None,
        tree_handle: None,
        valid_from: None,
        valid_to: None,
        addresses: address_records,
        contact_entries: entry_records,
        salutation: None,
        preferred_language: None,
        sex: None,
        marital_status: None,
        nationality: None,
        legal_form: None,
        industries: industries.to_vec(),
        distribution_groups: groups.to_vec(),
        employments: Vec::new(),
        relations: Vec::new(),
    })
}

fn employments(
    draft: &Draft<'_>,
    context: &Context<'_>,
    employees: &[Employee],
) -> Result<Vec<EmploymentRecord>, Rejection> {
    let mut records = Vec::with_capacity(employees.len());
    for (index, employee) in employees.iter().enumerate() {
        let path = format!("PERSON/EMPLOYEE[{}]", index + 1);
        let company = draft.state.contacts.get(&employee.id);
        if !company.is_some_and(|contact| contact.kind == ContactKind::Company) {
            return Err(Rejection::not_found(
                "company",
                employee.id,
                &format!("{path}/id"),
            ));
        }
        if let Some(position) = employee.position {
            check_list_id(
                context,
                "position",
                position,
                "position",
                &format!("{path}/position"),
            )?;
        }
        if let Some(department) = employee.department {
            check_list_id(
                context,
                "department",
                department,
                "department",
                &format!("{path}/department"),
            )?;
        }
        check_flag(&format!("{path}/isPrimary"), employee.is_primary)?;
        records.push(EmploymentRecord {
            company: employee.id,
            position_info: employee.position_info.clone(),
            position: employee.position,
            department: employee.department,
            is_primary: employee.is_primary,
        });
    }
    Ok(records)
}

fn relations(
    draft: &Draft<'_>,
    context: &Context<'_>,
    root: &str,
    list: &str,
    relations: &[Relation],
) -> Result<Vec<RelationRecord>, Rejection> {
    let mut records = Vec::with_capacity(relations.len());
    for (index, relation) in relations.iter().enumerate() {
        let path = format!("{root}/RELATION[{}]", index + 1);
        if !draft.state.contacts.contains_key(&relation.contact) {
            return Err(Rejection::not_found(
                "contact",
                relation.contact,
                &format!("{path}/contact"),
            ));
        }
        check_list_id(
            context,
            list,
            relation.relation,
            "relation type",
            &format!("{path}/relation"),
        )?;
        records.push(RelationRecord {
            contact: relation.contact,
            relation_type: relation.relation,
        });
    }
    Ok(records)
}

fn check_list_id(
    context: &Context<'_>,
    list: &str,
    id: i64,
    kind: &str,
    path: &str,
) -> Result<(), Rejection> {
    if context.instance.in_contact_list(list, id) {
        Ok(())
    } else {
        Err(Rejection::not_found(kind, id, path))
    }
}
