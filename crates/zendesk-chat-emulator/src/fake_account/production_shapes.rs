//! The shapes that real Zendesk payloads take where they differ from the reference pages
//! (`shared/reference/real-payloads.md`), given to a share of the generated chats, so that every
//! test, the soak and the benchmarks meet them as a client meets them in production.
//!
//! Each shape is one function over a chat's JSON, applied to the share of chats that its
//! constant gives. None of them changes what the store indexes (times, names, rating), so a chat
//! is found by search and export exactly as without them.

use serde_json::{Map, Value, json};

/// Percent of chats whose visitor messages carry `msg_id` as a number (`1493008604612`).
pub const NUMERIC_MSG_ID: u8 = 20;
/// Percent of chats whose `webpath` holds an array-shaped item.
pub const ARRAY_WEBPATH_ITEM: u8 = 10;
/// Percent of support chats whose history gives department ids as strings.
pub const STRING_DEPARTMENT_ID: u8 = 15;
/// Percent of support chats with nulls where the tables promise values.
pub const NULLS: u8 = 15;
/// Percent of offline messages whose session dates carry an offset and a `Z`.
pub const OFFSET_THEN_Z: u8 = 25;
/// Percent of offline messages whose session is free-form (extra keys, an invalid IP).
pub const FREE_FORM_SESSION: u8 = 25;

/// Gives `chat` (a support chat or an offline message, as JSON) its share of production shapes.
pub fn apply(rng: &mut fastrand::Rng, chat: &mut Value) {
    let Some(chat) = chat.as_object_mut() else {
        return;
    };
    if rng.u8(..100) < NUMERIC_MSG_ID {
        numeric_msg_ids(chat);
    }
    if rng.u8(..100) < ARRAY_WEBPATH_ITEM {
        array_webpath_item(rng, chat);
    }
    match chat.get("type").and_then(Value::as_str) {
        Some("chat") => {
            if rng.u8(..100) < STRING_DEPARTMENT_ID {
                string_department_ids(chat);
            }
            if rng.u8(..100) < NULLS {
                nulls(chat);
            }
        }
        Some("offline_msg") => {
            if rng.u8(..100) < OFFSET_THEN_Z {
                offset_then_z_session_dates(chat);
            }
            if rng.u8(..100) < FREE_FORM_SESSION {
                free_form_session(rng, chat);
            }
        }
        _ => {}
    }
}

/// Visitor messages' `msg_id` as a JSON number; agent messages keep none.
fn numeric_msg_ids(chat: &mut Map<String, Value>) {
    for event in history(chat) {
        let number = event
            .get("msg_id")
            .and_then(Value::as_str)
            .and_then(|id| id.parse::<i64>().ok());
        if let Some(number) = number {
            event.insert("msg_id".into(), json!(number));
        }
    }
}

/// An array-shaped `webpath` item, such as `[null, 1493008592, "https://…/pricing"]`.
fn array_webpath_item(rng: &mut fastrand::Rng, chat: &mut Map<String, Value>) {
    let Some(Value::Array(webpath)) = chat.get_mut("webpath") else {
        return;
    };
    let seconds = webpath
        .first()
        .and_then(|page| page.get("timestamp"))
        .and_then(Value::as_str)
        .and_then(crate::store::clock::parse_iso)
        .map_or(0, |micros| micros / 1_000_000);
    let at = rng.usize(..=webpath.len());
    webpath.insert(
        at,
        json!([null, seconds, "https://shop.example.com/pricing"]),
    );
}

/// History `department_id`s as strings, and a `prev_department_id` on the visitor's join.
fn string_department_ids(chat: &mut Map<String, Value>) {
    for event in history(chat) {
        if let Some(id) = event.get("department_id").and_then(Value::as_i64) {
            event.insert("department_id".into(), json!(id.to_string()));
            event.insert("prev_department_id".into(), Value::Null);
        }
    }
}

/// Nulls in the fields that ETL clients had to widen: chat flags, session and visitor fields,
/// an engagement's flags.
fn nulls(chat: &mut Map<String, Value>) {
    for field in [
        "dropped",
        "proactive",
        "skills_fulfilled",
        "triggered_response",
    ] {
        chat.insert(field.into(), Value::Null);
    }
    if let Some(Value::Object(session)) = chat.get_mut("session") {
        for field in ["region", "city", "platform"] {
            session.insert(field.into(), Value::Null);
        }
    }
    if let Some(Value::Object(visitor)) = chat.get_mut("visitor") {
        for field in ["phone", "notes"] {
            visitor.insert(field.into(), Value::Null);
        }
    }
    if let Some(Value::Object(engagement)) = chat
        .get_mut("engagements")
        .and_then(Value::as_array_mut)
        .and_then(|engagements| engagements.first_mut())
    {
        for field in ["assigned", "accepted", "agent_full_name"] {
            engagement.insert(field.into(), Value::Null);
        }
    }
}

/// Session dates written as `2017-04-24T12:43:37+00:00Z`: an offset and a `Z`.
fn offset_then_z_session_dates(chat: &mut Map<String, Value>) {
    let Some(Value::Object(session)) = chat.get_mut("session") else {
        return;
    };
    for field in ["start_date", "end_date"] {
        if let Some(Value::String(date)) = session.get_mut(field)
            && let Some(seconds) = date.strip_suffix('Z')
        {
            *date = format!("{seconds}+00:00Z");
        }
    }
}

/// A client-written session: extra keys of any type and an IP that is not a valid address.
fn free_form_session(rng: &mut fastrand::Rng, chat: &mut Map<String, Value>) {
    let Some(Value::Object(session)) = chat.get_mut("session") else {
        return;
    };
    session.insert("even_integers?".into(), json!(234));
    session.insert("referrer".into(), json!({"utm_source": "newsletter"}));
    session.insert(
        "ip".into(),
        json!(format!("67.32.{}.96", 256 + rng.u16(..700))),
    );
}

/// The chat's history events, as objects.
fn history(chat: &mut Map<String, Value>) -> impl Iterator<Item = &mut Map<String, Value>> {
    chat.get_mut("history")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_message_ids_become_numbers_and_agent_messages_keep_none() {
        let mut chat = json!({"type": "chat", "history": [
            {"type": "chat.msg", "msg_id": "1493008604612"},
            {"type": "chat.msg"},
        ]});
        numeric_msg_ids(chat.as_object_mut().unwrap());
        assert_eq!(chat["history"][0]["msg_id"], json!(1_493_008_604_612_i64));
        assert!(chat["history"][1].get("msg_id").is_none());
    }

    #[test]
    fn session_dates_get_an_offset_before_their_z() {
        let mut chat =
            json!({"type": "offline_msg", "session": {"start_date": "2017-04-24T12:43:37Z"}});
        offset_then_z_session_dates(chat.as_object_mut().unwrap());
        assert_eq!(chat["session"]["start_date"], "2017-04-24T12:43:37+00:00Z");
    }

    #[test]
    fn a_free_form_session_has_an_ip_that_is_not_an_address() {
        let mut chat = json!({"type": "offline_msg", "session": {"ip": "1.2.3.4"}});
        free_form_session(
            &mut fastrand::Rng::with_seed(1),
            chat.as_object_mut().unwrap(),
        );
        let ip = chat["session"]["ip"].as_str().unwrap();
        assert!(ip.parse::<std::net::Ipv4Addr>().is_err(), "{ip}");
        assert_eq!(chat["session"]["even_integers?"], 234);
    }
}
