//! Reader for Shoptet's XML order export: `<ORDERS>` with one `<ORDER>` per order.
//!
//! Shoptet builds the export from a template, so the reader needs only these elements:
//! `ORDER_ID` (or `CODE`), `CODE` (the order number), `DATE`, `CURRENCY/CODE`,
//! `TOTAL_PRICE/WITH_VAT`, and per `ORDER_ITEMS/ITEM`: `TYPE`, `NAME`, `AMOUNT`,
//! `TOTAL_PRICE/WITH_VAT`, `TOTAL_PRICE/WITHOUT_VAT` and `VAT_RATE` (in `TOTAL_PRICE` or
//! `UNIT_PRICE`). Every item states its prices with and without VAT, so nothing is
//! recomputed.
//!
//! Item types: `product`, `service`, `bazar` and `gift` are products, and `shipping` is
//! shipping. `billing` (the payment method's surcharge) is a fee. `discount-coupon`,
//! `volume-discount` and `discount` are discount lines with negative prices. Any other
//! type is an error naming the item, so that no unknown kind of row is billed by guess.
//!
//! Decimals use a dot; a value with one comma and no dot (`0,5`) is read with the comma
//! as the decimal separator.

use std::path::Path;

use roxmltree::{Document, Node};
use rust_decimal::Decimal;

use super::error::{FileError, OrderError};
use super::json::parse_decimal;
use super::model::{
    Address, Customer, Line, LineKind, Order, OrderKey, ParseOptions, Source, Totals, Warning,
    WarningKind, PLATFORM_SHOPTET,
};

/// Parses an order file as XML, after checking that its elements are not nested so deep
/// that the recursive parser would overflow the stack.
pub(crate) fn parse_xml<'input>(
    text: &'input str,
    file: &Path,
) -> Result<Document<'input>, FileError> {
    if let Err(offset) = atollon_client::xml::check_depth(text, atollon_client::xml::MAX_DEPTH) {
        let before = &text[..offset];
        return Err(FileError::Xml {
            file: file.to_owned(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message: format!(
                "elements are nested more than {} levels deep, which no order export needs",
                atollon_client::xml::MAX_DEPTH
            ),
        });
    }
    Document::parse(text).map_err(|error| {
        let position = error.pos();
        FileError::Xml {
            file: file.to_owned(),
            line: position.row as usize,
            column: position.col as usize,
            message: error.to_string(),
        }
    })
}

/// Reads a Shoptet XML export.
pub fn parse(
    text: &str,
    file: &Path,
    options: &ParseOptions,
) -> Result<Vec<Result<Order, OrderError>>, FileError> {
    let document = parse_xml(text, file)?;
    let root = document.root_element();
    if root.tag_name().name() != "ORDERS" {
        let position = document.text_pos_at(root.range().start);
        return Err(FileError::Structure {
            file: file.to_owned(),
            line: position.row as usize,
            column: position.col as usize,
            message: format!(
                "root element is <{}>; a Shoptet order export has <ORDERS> with <ORDER> children",
                root.tag_name().name()
            ),
        });
    }
    Ok(root
        .children()
        .filter(|node| node.has_tag_name("ORDER"))
        .enumerate()
        .map(|(i, node)| {
            let reader = OrderReader {
                document: &document,
                file,
                order: node,
                index: super::json::to_u32(i + 1),
                order_id: text_at(node, "ORDER_ID").or_else(|| text_at(node, "CODE")),
            };
            reader.read(options)
        })
        .collect())
}

/// Returns the trimmed text of the element at `path` (`A/B/C`) below `node`; empty
/// elements read as `None`.
fn text_at(node: Node<'_, '_>, path: &str) -> Option<String> {
    let element = element_at(node, path)?;
    let text: String = element
        .descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Returns the deepest element of `path` that exists, for the position of an error
/// about a missing child.
fn deepest_at<'a, 'input>(node: Node<'a, 'input>, path: &str) -> Node<'a, 'input> {
    let mut current = node;
    for name in path.split('/') {
        match current.children().find(|child| child.has_tag_name(name)) {
            Some(child) => current = child,
            None => break,
        }
    }
    current
}

fn element_at<'a, 'input>(node: Node<'a, 'input>, path: &str) -> Option<Node<'a, 'input>> {
    let mut current = node;
    for name in path.split('/') {
        current = current.children().find(|child| child.has_tag_name(name))?;
    }
    Some(current)
}

/// Reads one `<ORDER>`; errors name the element path and its line.
struct OrderReader<'a, 'input> {
    document: &'a Document<'input>,
    file: &'a Path,
    order: Node<'a, 'input>,
    index: u32,
    order_id: Option<String>,
}

impl<'a, 'input> OrderReader<'a, 'input> {
    fn error(&self, node: Node<'_, '_>, field: &str, message: String) -> OrderError {
        let position = self.document.text_pos_at(node.range().start);
        let order_position = self.document.text_pos_at(self.order.range().start);
        OrderError {
            file: self.file.to_owned(),
            position: Some((position.row, position.col)),
            order_line: Some(order_position.row),
            order_id: self.order_id.clone(),
            order_index: self.index,
            field: field.to_owned(),
            message,
        }
    }

    /// Reads the required text at `path` below `node`, whose own path is `prefix`.
    fn required(
        &self,
        node: Node<'a, 'input>,
        prefix: &str,
        path: &str,
    ) -> Result<String, OrderError> {
        text_at(node, path).ok_or_else(|| {
            let field = join(prefix, path);
            let anchor = deepest_at(node, path);
            self.error(
                anchor,
                &field,
                format!(
                    "missing or empty <{}>",
                    path.rsplit('/').next().unwrap_or(path)
                ),
            )
        })
    }

    fn decimal(
        &self,
        node: Node<'a, 'input>,
        prefix: &str,
        path: &str,
    ) -> Result<Option<Decimal>, OrderError> {
        let Some(text) = text_at(node, path) else {
            return Ok(None);
        };
        let normalised = if !text.contains('.') && text.matches(',').count() == 1 {
            text.replace(',', ".")
        } else {
            text.clone()
        };
        parse_decimal(&normalised).map(Some).map_err(|message| {
            let anchor = deepest_at(node, path);
            self.error(anchor, &join(prefix, path), message)
        })
    }

    fn required_decimal(
        &self,
        node: Node<'a, 'input>,
        prefix: &str,
        path: &str,
    ) -> Result<Decimal, OrderError> {
        self.decimal(node, prefix, path)?.ok_or_else(|| {
            let anchor = deepest_at(node, path);
            self.error(
                anchor,
                &join(prefix, path),
                format!(
                    "missing or empty <{}>",
                    path.rsplit('/').next().unwrap_or(path)
                ),
            )
        })
    }

    fn read(&self, options: &ParseOptions) -> Result<Order, OrderError> {
        let order = self.order;
        let id = match &self.order_id {
            Some(id) => id.clone(),
            None => {
                return Err(self.error(
                    order,
                    "ORDER_ID",
                    "missing <ORDER_ID> and <CODE>".to_owned(),
                ))
            }
        };
        let number = text_at(order, "CODE").unwrap_or_else(|| id.clone());
        let created = self.required(order, "", "DATE")?;
        let currency = self.required(order, "", "CURRENCY/CODE")?;

        let mut lines = Vec::new();
        if let Some(items) = element_at(order, "ORDER_ITEMS") {
            for (i, item) in items
                .children()
                .filter(|n| n.has_tag_name("ITEM"))
                .enumerate()
            {
                lines.push(self.item(item, &format!("ORDER_ITEMS/ITEM[{}]", i + 1))?);
            }
        }

        let gross = self.required_decimal(order, "", "TOTAL_PRICE/WITH_VAT")?;
        let net = self.decimal(order, "", "TOTAL_PRICE/WITHOUT_VAT")?;
        let tax = self.decimal(order, "", "TOTAL_PRICE/VAT")?;
        let rounding = self.decimal(order, "", "TOTAL_PRICE/ROUNDING")?;
        let mut warnings = Vec::new();
        if let Some(rounding) = rounding.filter(|r| !r.is_zero()) {
            let to_pay = self
                .decimal(order, "", "TOTAL_PRICE/PRICE_TO_PAY")?
                .unwrap_or(gross + rounding);
            warnings.push(Warning::new(
                WarningKind::Rounding,
                format!(
                    "Shoptet rounds the amount to pay by {rounding} to {to_pay} {currency}; the \
                     rounding is not billed, and Atollon's invoice journal applies its own"
                ),
            ));
        }

        Ok(Order {
            key: OrderKey::new(PLATFORM_SHOPTET, &options.default_shop, &id),
            number,
            created,
            currency,
            prices_include_tax: true,
            status: text_at(order, "STATUS"),
            customer: self.customer(),
            lines,
            totals: Totals {
                gross,
                net,
                tax,
                rounding,
            },
            renewal_of: Vec::new(),
            discount_codes: Vec::new(),
            warnings,
            source: Source {
                file: self.file.to_owned(),
                line: Some(self.document.text_pos_at(order.range().start).row as usize),
            },
        })
    }

    fn item(&self, item: Node<'a, 'input>, field: &str) -> Result<Line, OrderError> {
        let item_type = self.required(item, field, "TYPE")?;
        let kind = match item_type.as_str() {
            "product" | "service" | "bazar" | "gift" => LineKind::Product,
            "shipping" => LineKind::Shipping,
            "billing" => LineKind::Fee,
            "discount-coupon" | "volume-discount" | "discount" => LineKind::Discount,
            other => {
                let anchor = element_at(item, "TYPE").unwrap_or(item);
                return Err(self.error(
                    anchor,
                    &join(field, "TYPE"),
                    format!(
                        "unknown item type {other:?}: expected product, service, bazar, gift, \
                         shipping, billing, discount-coupon, volume-discount or discount"
                    ),
                ));
            }
        };
        let base_name = self.required(item, field, "NAME")?;
        let name = match text_at(item, "VARIANT_NAME") {
            Some(variant) => format!("{base_name} – {variant}"),
            None => base_name,
        };
        let quantity = self.required_decimal(item, field, "AMOUNT")?;
        if quantity <= Decimal::ZERO {
            let anchor = element_at(item, "AMOUNT").unwrap_or(item);
            return Err(self.error(
                anchor,
                &join(field, "AMOUNT"),
                format!("quantity must be greater than zero, found {quantity}"),
            ));
        }
        let gross = self.required_decimal(item, field, "TOTAL_PRICE/WITH_VAT")?;
        let net = self.required_decimal(item, field, "TOTAL_PRICE/WITHOUT_VAT")?;
        let tax = self
            .decimal(item, field, "TOTAL_PRICE/VAT")?
            .unwrap_or(gross - net);
        let rate = match self.decimal(item, field, "TOTAL_PRICE/VAT_RATE")? {
            Some(rate) => rate,
            None => self.required_decimal(item, field, "UNIT_PRICE/VAT_RATE")?,
        };
        Ok(Line {
            kind,
            field: field.to_owned(),
            sku: text_at(item, "CODE"),
            name,
            quantity,
            unit_price_net: self.decimal(item, field, "UNIT_PRICE/WITHOUT_VAT")?,
            catalog_price_net: None,
            net_total: net,
            tax_total: tax,
            gross_total: gross,
            vat_rate: rate.normalize(),
            subscription: None,
        })
    }

    fn customer(&self) -> Customer {
        let customer = element_at(self.order, "CUSTOMER");
        let get = |path: &str| customer.and_then(|c| text_at(c, path));
        let (first_name, last_name) = split_name(get("BILLING_ADDRESS/NAME"));
        let street = match (
            get("BILLING_ADDRESS/STREET"),
            get("BILLING_ADDRESS/HOUSENUMBER"),
        ) {
            (Some(street), Some(number)) => Some(format!("{street} {number}")),
            (street, number) => street.or(number),
        };
        let address = Address {
            street,
            city: get("BILLING_ADDRESS/CITY"),
            zip: get("BILLING_ADDRESS/ZIP"),
            region: None,
            country_name: get("BILLING_ADDRESS/COUNTRY"),
            country_code: get("BILLING_ADDRESS/COUNTRY_CODE"),
        };
        Customer {
            // NOTE: the export carries no shop customer id that is documented as such;
            // BILLING_ADDRESS/CUSTOMER_IDENTIFICATION_NUMBER is left unread because its
            // meaning is uncertain. Shoptet customers are matched by e-mail, company id
            // or VAT id.
            shop_customer_id: None,
            email: get("EMAIL"),
            first_name,
            last_name,
            company_name: get("BILLING_ADDRESS/COMPANY"),
            company_id: get("BILLING_ADDRESS/COMPANY_ID"),
            vat_id: get("BILLING_ADDRESS/VAT_ID"),
            phones: get("PHONE").into_iter().collect(),
            billing_address: (address != Address::default()).then_some(address),
        }
    }
}

fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        path.to_owned()
    } else {
        format!("{prefix}/{path}")
    }
}

/// Splits Shoptet's full name at the last space: `Jiří Smyšlený` is first name `Jiří`,
/// surname `Smyšlený`. A single word is the surname.
fn split_name(full: Option<String>) -> (Option<String>, Option<String>) {
    match full {
        None => (None, None),
        Some(full) => match full.rsplit_once(' ') {
            Some((first, last)) => (Some(first.trim().to_owned()), Some(last.trim().to_owned())),
            None => (None, Some(full)),
        },
    }
}
