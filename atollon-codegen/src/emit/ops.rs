//! Emitters for ports: the async client, the server trait and its dispatcher.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attrs, ident, name_tokens, Emitter};
use crate::ir::{Body, Operation};
use crate::raw::SoapVersion;

impl<'a> Emitter<'a> {
    pub fn port_items(&self, index: usize) -> TokenStream {
        let port = &self.module.ir.ports[index];
        let names = &self.module.ports[index];
        let client = ident(&names.client);
        let server = ident(&names.server);
        let dispatch = ident(&names.dispatch);
        let address = port.address.clone().unwrap_or_default();
        let version = match port.version {
            SoapVersion::Soap11 => quote!(__rt::SoapVersion::Soap11),
            SoapVersion::Soap12 => quote!(__rt::SoapVersion::Soap12),
        };
        let port_doc = doc_attrs(
            port.doc.as_deref(),
            &format!("port {} of service {}", port.name, port.service),
        );
        let client_summary = format!(
            " Client for port `{}` of service `{}`.",
            port.name, port.service
        );
        let server_summary = format!(
            " Server side of port `{}` of service `{}`: one method per operation.",
            port.name, port.service
        );

        let mut operation_consts = Vec::new();
        let mut methods = Vec::new();
        let mut trait_methods = Vec::new();
        let mut call_variants = Vec::new();
        let mut decoders = Vec::new();
        let mut handlers = Vec::new();
        let mut faults = Vec::new();
        for (i, op) in port.operations.iter().enumerate() {
            let method = ident(&names.methods[i]);
            let const_name = ident(&format!(
                "OPERATION_{}",
                names.methods[i].trim_end_matches('_').to_uppercase()
            ));
            let op_name = &op.name;
            let action = &op.soap_action;
            let request_name = body_name(&op.input);
            let response_name = body_name(&op.output);
            operation_consts.push(quote! {
                #[doc = concat!(" The `", #op_name, "` operation.")]
                pub const #const_name: __rt::Operation = __rt::Operation {
                    name: #op_name,
                    soap_action: #action,
                    version: #version,
                    request: #request_name,
                    response: #response_name,
                    default_endpoint: #address,
                };
            });
            let docs = doc_attrs(op.doc.as_deref(), op_name);
            let (request_param, write_body) = self.request_parts(op);
            let (response_type, read_body) = self.response_parts(op);
            let (header_param, header_arg) = match op.headers {
                Some(id) => {
                    let ty = self.type_ident(id);
                    (
                        quote!(headers: &#ty,),
                        quote!(::core::option::Option::Some(&|w: &mut __rt::XmlWriter| {
                            __rt::WriteParticles::write_particles(headers, w)
                        })),
                    )
                }
                None => (quote!(), quote!(::core::option::Option::None)),
            };
            methods.push(quote! {
                #docs
                pub async fn #method(&self, #header_param #request_param) -> ::core::result::Result<#response_type, __rt::Error> {
                    self.client
                        .call(&Self::#const_name, #header_arg, &#write_body, #read_body)
                        .await
                }
            });

            // Server side.
            let variant = ident(&crate::names::type_name(&op.name));
            let (server_param, call_payload, decoder) = self.server_request(op, &variant);
            trait_methods.push(quote! {
                #docs
                fn #method(&self, #server_param) -> impl ::core::future::Future<Output = ::core::result::Result<#response_type, __rt::ServerFault>> + ::core::marker::Send;
            });
            let Some(decoder) = decoder else {
                if let Some(fault_name) = &names.faults[i] {
                    faults.push(self.fault_enum(op, fault_name));
                }
                continue;
            };
            call_variants.push(quote!(#variant(#call_payload),));
            decoders.push(decoder);
            let invoke = quote!(server.#method(request).await);
            let respond = self.respond(op);
            handlers.push(quote! {
                Call::#variant(request) => {
                    match #invoke {
                        ::core::result::Result::Ok(response) => request_in.respond(&#client::#const_name, &|w: &mut __rt::XmlWriter| #respond),
                        ::core::result::Result::Err(fault) => request_in.fault(fault),
                    }
                }
            });
            if let Some(fault_name) = &names.faults[i] {
                faults.push(self.fault_enum(op, fault_name));
            }
        }

        let dispatch_doc = format!(
            " Decodes a request for port `{}` and calls the matching method of [`{}`]. Returns `None` when the body names no operation of this port, so a server can try other ports.",
            port.name, names.server
        );
        quote! {
            #port_doc
            #[doc = ""]
            #[doc = #client_summary]
            #[derive(Clone, Debug)]
            pub struct #client {
                client: __rt::Client,
            }

            impl #client {
                /// The port's `soap:address`, used unless the client was built with an endpoint.
                pub const DEFAULT_ENDPOINT: &'static str = #address;

                #(#operation_consts)*

                /// Wraps a runtime client, which carries the endpoint, timeouts and limits.
                pub fn new(client: __rt::Client) -> Self {
                    Self { client }
                }

                /// The runtime client.
                pub fn client(&self) -> &__rt::Client {
                    &self.client
                }

                #(#methods)*
            }

            #[doc = #server_summary]
            pub trait #server: ::core::marker::Send + ::core::marker::Sync {
                #(#trait_methods)*
            }

            #[doc = #dispatch_doc]
            pub async fn #dispatch<S: #server>(server: &S, request_in: &__rt::ServerRequest) -> ::core::option::Option<__rt::ServerResponse> {
                #[allow(clippy::large_enum_variant)]
                enum Call {
                    #(#call_variants)*
                }
                let decoded = request_in.decode_body(|node, ctx| -> ::core::result::Result<::core::option::Option<Call>, __rt::ServerFault> {
                    let _ = (&node, &ctx);
                    #(#decoders)*
                    ::core::result::Result::Ok(::core::option::Option::None)
                });
                let call = match decoded {
                    ::core::result::Result::Ok(::core::option::Option::Some(call)) => call,
                    ::core::result::Result::Ok(::core::option::Option::None) => return ::core::option::Option::None,
                    ::core::result::Result::Err(fault) => return ::core::option::Option::Some(request_in.fault(fault)),
                };
                ::core::option::Option::Some(match call {
                    #(#handlers)*
                })
            }

            #(#faults)*
        }
    }

    /// The method's request parameter and the closure that writes the Body content.
    fn request_parts(&self, op: &Operation) -> (TokenStream, TokenStream) {
        match &op.input {
            Body::Empty => (
                quote!(),
                quote!(|_: &mut __rt::XmlWriter| ::core::result::Result::Ok(())),
            ),
            Body::Element { name, ty } => {
                let ty = self.type_ref(*ty);
                let xml = name_tokens(name);
                (
                    quote!(request: &#ty),
                    quote!(|w: &mut __rt::XmlWriter| w.element(#xml, request)),
                )
            }
            Body::Particles(id) => {
                let ty = self.type_ident(*id);
                (
                    quote!(request: &#ty),
                    quote!(
                        |w: &mut __rt::XmlWriter| __rt::WriteParticles::write_particles(request, w)
                    ),
                )
            }
        }
    }

    fn response_parts(&self, op: &Operation) -> (TokenStream, TokenStream) {
        match &op.output {
            Body::Empty => (quote!(()), quote!(|_, _| ::core::result::Result::Ok(()))),
            Body::Element { name, ty } => {
                let rust = self.type_ref(*ty);
                let xml = name_tokens(name);
                (
                    rust,
                    quote!(|body, ctx| __rt::Children::new(body, ctx).required(#xml)),
                )
            }
            Body::Particles(id) => {
                let ty = self.type_ident(*id);
                (
                    quote!(#ty),
                    quote!(|body, ctx| __rt::Children::new(body, ctx).required_group()),
                )
            }
        }
    }

    /// The trait method's parameter, the `Call` variant's payload, and the decoder that
    /// recognises this operation's request body.
    fn server_request(
        &self,
        op: &Operation,
        variant: &proc_macro2::Ident,
    ) -> (TokenStream, TokenStream, Option<TokenStream>) {
        match &op.input {
            // NOTE: an operation without a request body cannot be distinguished by its body,
            // so the dispatcher never selects it.
            Body::Empty => (quote!(), quote!(()), None),
            Body::Element { name, ty } => {
                let rust = self.type_ref(*ty);
                let xml = name_tokens(name);
                let decoder = quote! {
                    if ctx.name_matches(node, #xml) {
                        let request = <#rust as __rt::ReadElement>::read_element(node, ctx)?;
                        return ::core::result::Result::Ok(::core::option::Option::Some(Call::#variant(request)));
                    }
                };
                (quote!(request: #rust), quote!(#rust), Some(decoder))
            }
            Body::Particles(id) => {
                let rust = self.type_ident(*id);
                let decoder = quote! {
                    if <#rust as __rt::ReadParticles>::FIRST.iter().any(|name| ctx.name_matches(node, *name)) {
                        if let ::core::option::Option::Some(body) = node.parent_element() {
                            let mut children = __rt::Children::new(body, ctx);
                            let request = children.required_group::<#rust>()?;
                            return ::core::result::Result::Ok(::core::option::Option::Some(Call::#variant(request)));
                        }
                    }
                };
                (quote!(request: #rust), quote!(#rust), Some(decoder))
            }
        }
    }

    fn respond(&self, op: &Operation) -> TokenStream {
        match &op.output {
            Body::Empty => quote!({
                let _ = (w, &response);
                ::core::result::Result::Ok(())
            }),
            Body::Element { name, .. } => {
                let xml = name_tokens(name);
                quote!(w.element(#xml, &response))
            }
            Body::Particles(_) => quote!(__rt::WriteParticles::write_particles(&response, w)),
        }
    }

    fn fault_enum(&self, op: &Operation, name: &str) -> TokenStream {
        let enum_name = ident(name);
        let summary = format!(
            " The faults that operation `{}` declares, read from a Fault's `detail`.",
            op.name
        );
        let mut scope = crate::names::Namespace::default();
        let mut variants = Vec::new();
        let mut reads = Vec::new();
        for fault in &op.faults {
            let vname = ident(&scope.claim(&crate::names::type_name(&fault.name)));
            let ty = self.type_ref(fault.ty);
            let xml = name_tokens(&fault.element);
            let vdoc = format!(
                " The `{}` fault (element `{}`).",
                fault.name, fault.element.local
            );
            variants.push(quote!(#[doc = #vdoc] #vname(#ty),));
            reads.push(quote! {
                if ctx.name_matches(child, #xml) {
                    return ::core::option::Option::Some(<#ty as __rt::ReadElement>::read_element(child, ctx).map(Self::#vname));
                }
            });
        }
        quote! {
            #[doc = #summary]
            #[derive(Clone, Debug, PartialEq)]
            pub enum #enum_name {
                #(#variants)*
            }
            impl #enum_name {
                /// Reads the declared fault among the children of a Fault's `detail` element,
                /// or returns `None` when no declared fault element is there.
                pub fn from_detail(detail: __rt::Node<'_, '_>, ctx: &__rt::ReadContext) -> ::core::option::Option<::core::result::Result<Self, __rt::DecodeError>> {
                    for child in detail.children().filter(|n| n.is_element()) {
                        #(#reads)*
                    }
                    ::core::option::Option::None
                }
            }
        }
    }
}

fn body_name(body: &Body) -> TokenStream {
    match body {
        Body::Element { name, .. } => name_tokens(name),
        _ => quote!(__rt::Name::new(::core::option::Option::None, "")),
    }
}
