//! With the `schemars` feature, every model describes itself as a JSON Schema.

use serde_json::json;
use zendesk_chat::types;

#[test]
fn models_describe_themselves() {
    let chat = serde_json::to_value(schemars::schema_for!(types::Chat)).unwrap();
    let variants = chat["anyOf"]
        .as_array()
        .expect("a union is anyOf its variants");
    let names: Vec<&str> = variants.iter().filter_map(|v| v["$ref"].as_str()).collect();
    assert_eq!(names, ["#/$defs/OfflineMessage", "#/$defs/SupportChat"]);
    let support_chat = &chat["$defs"]["SupportChat"];
    assert_eq!(
        support_chat["properties"]["timestamp"]["anyOf"][0]["$ref"],
        "#/$defs/Timestamp"
    );
    assert_eq!(
        chat["$defs"]["Timestamp"],
        json!({"type": "string", "format": "date-time"})
    );
    assert_eq!(chat["$defs"]["Rating"]["type"], "string");
}

#[test]
fn a_password_is_write_only_in_the_schema() {
    let request = serde_json::to_value(schemars::schema_for!(types::CreateAgentRequest)).unwrap();
    assert_eq!(request["$defs"]["Password"]["writeOnly"], true);
}
