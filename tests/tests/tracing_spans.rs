//! Every attempt of a request is a `zendesk_chat.request` span with the operation, method, path
//! template, status, attempt and elapsed time; no secret (nor the ids in the path) is in it.

mod support;

use std::fmt::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Records every span's name and fields, and every event's fields, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let mut line = format!("span {}", attrs.metadata().name());
        attrs.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
    }

    fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut line = "record".to_owned();
        values.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut line = "event".to_owned();
        event.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
    }
}

#[tokio::test]
async fn each_attempt_has_a_span_without_secrets() {
    let capture = Capture::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));

    let server = wiremock::MockServer::start().await;
    let calls = Arc::new(Mutex::new(0));
    let counter = calls.clone();
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(move |_: &wiremock::Request| {
            let mut calls = counter.lock().unwrap();
            *calls += 1;
            if *calls == 1 {
                wiremock::ResponseTemplate::new(503)
            } else {
                wiremock::ResponseTemplate::new(200)
                    .set_body_json(json!({"type": "chat", "id": "secret-chat-id"}))
            }
        })
        .mount(&server)
        .await;
    let token = "tok-very-secret-123";
    let client = zendesk_chat::Client::builder()
        .base_url(server.uri())
        .token(token)
        .retry_policy(
            zendesk_chat::RetryPolicy::default()
                .initial_backoff(std::time::Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    client.get_chat().chat_id("secret-chat-id").await.unwrap();

    let lines = capture.0.lock().unwrap().clone();
    let spans: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("span zendesk_chat.request"))
        .collect();
    assert_eq!(spans.len(), 2, "{lines:#?}");
    for (attempt, span) in spans.iter().enumerate() {
        assert!(span.contains(r#"operation="getChat""#), "{span}");
        assert!(span.contains("method=GET"), "{span}");
        assert!(
            span.contains(r#"path="/api/v2/chat/chats/{chat_id}""#),
            "{span}"
        );
        assert!(span.contains(&format!("attempt={}", attempt + 1)), "{span}");
    }
    let records: Vec<&String> = lines.iter().filter(|l| l.starts_with("record")).collect();
    assert!(
        records.iter().any(|r| r.contains("status=503")),
        "{records:?}"
    );
    assert!(
        records.iter().any(|r| r.contains("status=200")),
        "{records:?}"
    );
    assert!(
        records.iter().any(|r| r.contains("elapsed_ms=")),
        "{records:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("event") && l.contains("retrying")),
        "{lines:#?}"
    );
    let everything = lines.join("\n");
    assert!(!everything.contains(token), "the token leaked into traces");
    assert!(
        !everything.contains("secret-chat-id"),
        "an id from the path leaked into traces"
    );
}

#[tokio::test]
async fn a_record_that_fits_no_model_is_a_warning_with_its_id_path_and_the_count() {
    let capture = Capture::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
    let (emulator, client) =
        support::emulated::start(zendesk_chat_emulator::Emulator::builder().seed(3).chats(12))
            .await;
    let bad_id = emulator.with_store(|store| {
        let id = store.chats.by_start().next().unwrap().0.to_owned();
        let unfit = format!(r#"{{"type":"chat","id":"{id}","duration":"long"}}"#);
        assert!(store.replace_chat_json(&id, unfit.as_bytes()));
        id
    });
    let pages: Vec<_> = futures::TryStreamExt::try_collect::<Vec<_>>(
        client
            .incremental_chats(zendesk_chat::export::ExportStart::beginning())
            .pages(),
    )
    .await
    .unwrap();
    assert_eq!(pages.iter().map(|p| p.failures.len()).sum::<usize>(), 1);
    let lines = capture.0.lock().unwrap().clone();
    let record = lines
        .iter()
        .find(|line| line.starts_with("event") && line.contains("path=duration"))
        .unwrap_or_else(|| panic!("no event for the record in {lines:#?}"));
    assert!(record.contains(&bad_id), "{record}");
    assert!(record.contains("operation=\"exportChats\""), "{record}");
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("event") && line.contains("failed_records=1")),
        "{lines:#?}"
    );
}
