//! The client against the emulator's Conversations API: messages both ways, healing a dropped
//! socket and an ended session, the limits, the schema, paging and structured messages.

use std::time::Duration;

use futures::TryStreamExt;
use zendesk_chat_conversations::error::{Limit, LimitExceeded};
use zendesk_chat_conversations::limits::{SessionStarts, WhenLimited};
use zendesk_chat_conversations::operations::{self, message};
use zendesk_chat_conversations::structured::{Fallback, QuickReplies};
use zendesk_chat_conversations::{AgentSession, Error, Subscription, SubscriptionEvent, types};
use zendesk_chat_emulator::Emulator;
use zendesk_chat_emulator::conversations::ConversationsFault;

const WAIT: Duration = Duration::from_secs(10);

async fn emulator() -> Emulator {
    Emulator::builder().seed(4).chats(20).start().await.unwrap()
}

async fn session(emulator: &Emulator) -> AgentSession {
    AgentSession::builder()
        .endpoint(emulator.base_url())
        .token(emulator.token())
        .session_starts(SessionStarts::new())
        .ping_interval(Duration::from_millis(100))
        .dead_after(Duration::from_secs(2))
        .max_backoff(Duration::from_millis(500))
        .start()
        .await
        .unwrap()
}

/// The next message event's text and channel, skipping other events.
async fn next_message(messages: &mut Subscription<operations::Message>) -> (String, String) {
    loop {
        let event = tokio::time::timeout(WAIT, messages.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on");
        if let SubscriptionEvent::Data(data) = event {
            let node = data.message.and_then(|m| m.node).expect("a message");
            let channel = node
                .channel
                .as_ref()
                .and_then(|c| c.id())
                .unwrap()
                .to_string();
            return (node.content.unwrap_or_default(), channel);
        }
    }
}

/// Waits for a `Reconnected` event, returning whether a new session was started.
async fn reconnected(messages: &mut Subscription<operations::Message>) -> bool {
    loop {
        let event = tokio::time::timeout(WAIT, messages.next())
            .await
            .expect("healed in time")
            .expect("the stream goes on");
        if let SubscriptionEvent::Reconnected { new_session } = event {
            return new_session;
        }
    }
}

#[tokio::test]
async fn a_visitor_message_reaches_the_subscriber_and_the_reply_reaches_the_visitors_chat() {
    let emulator = emulator().await;
    let session = session(&emulator).await;
    let status = session
        .update_agent_status(types::AgentStatus::Online)
        .await
        .unwrap();
    assert_eq!(
        status.update_agent_status.unwrap().node.unwrap().status,
        Some(types::AgentStatus::Online)
    );
    let mut messages = session
        .subscribe::<operations::Message>(message::Variables {})
        .await
        .unwrap();

    let channel = emulator.visitor_says(None, "Where is my order?").unwrap();
    let (text, channel_id) = next_message(&mut messages).await;
    assert_eq!(text, "Where is my order?");
    assert_eq!(channel_id, channel.channel_id);

    assert!(
        session
            .send_message(channel_id.clone().into(), "It ships today.")
            .await
            .unwrap()
    );
    // The reply is in the chat's history, as the REST API serves it.
    let client = zendesk_chat::Client::builder()
        .base_url(emulator.base_url())
        .token(emulator.token())
        .build()
        .unwrap();
    let chat = client.get_chat().chat_id(&channel.chat_id).await.unwrap();
    let zendesk_chat::types::Chat::SupportChat(chat) = chat else {
        panic!("{chat:?}")
    };
    let said: Vec<(String, String)> = chat
        .history
        .iter()
        .filter_map(|event| match event {
            zendesk_chat::types::HistoryEvent::Message(m) => Some((
                m.sender_type
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                m.msg.clone().unwrap_or_default(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        said,
        [
            ("Visitor".to_owned(), "Where is my order?".to_owned()),
            ("Agent".to_owned(), "It ships today.".to_owned())
        ]
    );
    session.stop().await.unwrap();
    // The agent's own reply may come first; then the stream ends.
    let ended = tokio::time::timeout(WAIT, async {
        while let Some(event) = messages.next().await {
            if let SubscriptionEvent::Data(data) = event {
                let node = data.message.and_then(|m| m.node).unwrap();
                assert_eq!(node.content.as_deref(), Some("It ships today."));
                assert_eq!(node.from.as_ref().map(|f| f.typename()), Some("Agent"));
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "a stopped session ends its streams");
}

#[tokio::test]
async fn a_dropped_socket_is_healed_with_no_subscription_lost() {
    let emulator = emulator().await;
    let session = session(&emulator).await;
    let mut messages = session
        .subscribe::<operations::Message>(message::Variables {})
        .await
        .unwrap();
    emulator
        .conversations()
        .inject(ConversationsFault::DropSockets);
    assert!(
        !reconnected(&mut messages).await,
        "the same session, reconnected"
    );
    emulator.visitor_says(None, "still there?").unwrap();
    assert_eq!(next_message(&mut messages).await.0, "still there?");
    assert_eq!(
        emulator.conversations().sessions().len(),
        1,
        "no new session was started"
    );
}

#[tokio::test]
async fn an_ended_session_is_started_anew_with_its_status_and_subscriptions() {
    let emulator = emulator().await;
    let session = session(&emulator).await;
    session
        .update_agent_status(types::AgentStatus::Online)
        .await
        .unwrap();
    let mut messages = session
        .subscribe::<operations::Message>(message::Variables {})
        .await
        .unwrap();
    emulator
        .conversations()
        .inject(ConversationsFault::EndSessions);
    assert!(reconnected(&mut messages).await, "a new session");
    emulator.visitor_says(None, "hello again").unwrap();
    assert_eq!(next_message(&mut messages).await.0, "hello again");
    let sessions = emulator.conversations().sessions();
    assert_eq!(sessions.len(), 2);
    let live: Vec<_> = sessions.values().filter(|s| !s.ended).collect();
    assert_eq!(live.len(), 1);
    // The status is restored by a request the session makes itself: wait for it.
    for _ in 0..100 {
        if emulator
            .conversations()
            .sessions()
            .values()
            .any(|s| !s.ended && s.status == "ONLINE")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "the agent's status was not restored: {:?}",
        emulator.conversations().sessions()
    );
}

#[tokio::test]
async fn the_eleventh_subscription_is_refused_before_the_wire() {
    let emulator = emulator().await;
    let session = session(&emulator).await;
    let mut held = Vec::new();
    for _ in 0..10 {
        held.push(
            session
                .subscribe::<operations::Message>(message::Variables {})
                .await
                .unwrap(),
        );
    }
    let error = session
        .subscribe::<operations::Message>(message::Variables {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Limit(LimitExceeded {
                limit: Limit::Subscriptions,
                ..
            })
        ),
        "{error}"
    );
    // Dropping one frees a place.
    held.pop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    session
        .subscribe::<operations::Message>(message::Variables {})
        .await
        .unwrap();
}

#[tokio::test]
async fn the_hundred_and_first_request_in_a_second_is_refused_before_the_wire_when_asked() {
    let emulator = emulator().await;
    let session = AgentSession::builder()
        .endpoint(emulator.base_url())
        .token(emulator.token())
        .session_starts(SessionStarts::new())
        .when_limited(WhenLimited::Refuse)
        .start()
        .await
        .unwrap();
    // 101 calls at once: each takes its turn when first polled, so the 101st is refused.
    let calls = (0..101).map(|_| session.execute::<operations::Departments>(Default::default()));
    let outcomes = futures::future::join_all(calls).await;
    let mut refused = 0;
    for outcome in outcomes {
        match outcome {
            Ok(_) => {}
            Err(Error::Limit(LimitExceeded {
                limit: Limit::Requests,
                retry_after: Some(_),
                ..
            })) => refused += 1,
            Err(other) => panic!("the server refused what the client let through: {other}"),
        }
    }
    assert_eq!(refused, 1);
}

#[tokio::test]
async fn a_bad_token_and_a_refused_session_are_typed_graphql_errors() {
    let emulator = emulator().await;
    let error = AgentSession::builder()
        .endpoint(emulator.base_url())
        .token("not-a-token")
        .session_starts(SessionStarts::new())
        .start()
        .await
        .unwrap_err();
    let Error::GraphQL { operation, errors } = &error else {
        panic!("{error}")
    };
    assert_eq!(*operation, "StartAgentSession");
    assert!(
        errors[0].message.contains("invalid access token"),
        "{error}"
    );
    assert!(
        !format!("{error:?}").contains("not-a-token"),
        "the token is not in the error"
    );

    emulator.conversations().refuse_next_session();
    let error = AgentSession::builder()
        .endpoint(emulator.base_url())
        .token(emulator.token())
        .session_starts(SessionStarts::new())
        .start()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::GraphQL { .. }), "{error}");
}

#[tokio::test]
async fn agents_and_departments_are_paged_as_relay_connections() {
    let emulator = emulator().await;
    let session = session(&emulator).await;
    let agents: Vec<_> = session.agents(3).try_collect().await.unwrap();
    let expected = emulator.with_store(|store| store.agents.len());
    assert_eq!(agents.len(), expected);
    let mut ids: Vec<_> = agents.iter().map(|a| a.id.to_string()).collect();
    ids.dedup();
    assert_eq!(ids.len(), expected, "no agent twice");
    let departments: Vec<_> = session.departments(1).try_collect().await.unwrap();
    assert_eq!(
        departments.len(),
        emulator.with_store(|store| store.departments.len())
    );
}

#[tokio::test]
async fn structured_messages_and_tags_are_checked_then_sent() {
    let emulator = emulator().await;
    let session = session(&emulator).await;
    let channel = emulator.visitor_says(None, "Help?").unwrap();
    let replies = QuickReplies::new("What about?")
        .reply("Billing", "billing")
        .reply("Shipping", "shipping")
        .build(
            channel.channel_id.clone().into(),
            Fallback::new("Billing or shipping?"),
        )
        .unwrap();
    let sent = session.send_quick_replies(replies).await.unwrap();
    assert_eq!(sent.send_quick_replies.and_then(|p| p.success), Some(true));

    let error = session
        .add_tags(channel.channel_id.clone().into(), &["vip", "two words"])
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error}");
    assert!(
        session
            .add_tags(channel.channel_id.clone().into(), &["vip", "order-42"])
            .await
            .unwrap()
    );
    let tags = emulator.with_store(|store| {
        let chat: serde_json::Value =
            serde_json::from_slice(&store.chats.get(&channel.chat_id).unwrap().json).unwrap();
        chat["tags"].clone()
    });
    assert_eq!(tags, serde_json::json!(["vip", "order-42"]));
}

#[tokio::test]
async fn a_subscription_dropped_before_its_acknowledgement_is_stopped_on_the_server_too() {
    let emulator = emulator().await;
    let session = session(&emulator).await;
    // Ten subscribe calls abandoned before the server answers them.
    for _ in 0..10 {
        let mut call = Box::pin(session.subscribe::<operations::Message>(message::Variables {}));
        // Polled once (the request goes out), then abandoned.
        assert!(futures::poll!(call.as_mut()).is_pending());
        drop(call);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Had the server kept them, it would refuse these (10 at most a session).
    let mut held = Vec::new();
    for _ in 0..10 {
        held.push(
            session
                .subscribe::<operations::Message>(message::Variables {})
                .await
                .expect("the server holds no abandoned subscription"),
        );
    }
}
