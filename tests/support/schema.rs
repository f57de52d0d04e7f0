//! Every JSON report the suite produces is checked against the JSON Schema the binary prints
//! (`--json-schema`, kept in `schema/report.schema.json`).

#![allow(dead_code)]

use std::sync::OnceLock;

use serde_json::Value;

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(&mailprobe::report::json_schema()).expect("the schema is JSON");
        jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
    })
}

/// Panics with every violation when `report` does not match the schema.
pub fn assert_valid(report: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "the JSON does not match its schema:\n{}",
        errors.join("\n")
    );
}

/// The run's `--json`, checked against the schema.
pub fn assert_run_valid(run: &mailprobe::Run) {
    let mut out = Vec::new();
    mailprobe::render::json::render(run, &mut out).expect("render JSON");
    assert_valid(&serde_json::from_slice(&out).expect("--json is JSON"));
}
