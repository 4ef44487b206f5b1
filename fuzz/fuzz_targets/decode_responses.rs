//! Every response type decoded from arbitrary bytes: an error or a value, never a panic; and a
//! value that decodes encodes to JSON that decodes to the same value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zendesk_chat::types;

fn check<T>(data: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let text = serde_json::to_vec(&value).expect("a decoded value encodes");
        let again: T = serde_json::from_slice(&text).expect("what was encoded decodes");
        assert_eq!(again, value, "a value changed through encoding and decoding");
    }
}

fuzz_target!(|data: &[u8]| {
    check::<types::Chat>(data);
    check::<types::HistoryEvent>(data);
    check::<types::Agent>(data);
    check::<types::Visitor>(data);
    check::<types::ListChatsResponse>(data);
    check::<types::SearchChatsResponse>(data);
    check::<types::BulkDeleteResult>(data);
    check::<types::ErrorResponse>(data);
    check::<types::IncrementalChatsPage>(data);
    check::<types::IncrementalAgentTimelinePage>(data);
    check::<types::IncrementalConversionsPage>(data);
    check::<types::IncrementalDepartmentEventsPage>(data);
});
