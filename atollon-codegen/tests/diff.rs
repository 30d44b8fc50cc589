#[test]
fn scratch_print() {
    for case in [
        "sequence_choice_all",
        "attributes",
        "nillable",
        "simple_types",
        "hostile_names",
        "soap_headers",
        "faults",
        "recursive",
        "occurrence",
        "element_type_same_name",
        "list_union",
        "any_wildcards",
        "groups",
        "rpc_literal",
    ] {
        let p = format!(
            "{}/tests/fixtures/features/{case}/service.wsdl",
            env!("CARGO_MANIFEST_DIR")
        );
        let out = atollon_codegen::Generator::new()
            .generate(&atollon_codegen::FsResolver, &[p.as_str()])
            .unwrap();
        std::fs::write(format!("/tmp/scratch/{case}.txt"), out.api.summary()).unwrap();
    }
}
