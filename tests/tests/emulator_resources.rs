//! The account's resources beyond chats, agents and visitors (the account, departments, skills,
//! roles, goals, shortcuts, triggers, bans, routing settings, OAuth clients and tokens, the agent
//! events export and the real-time metrics) through the client against the emulator: writes are
//! seen by later reads, bad input is refused as Zendesk words it, and everything the emulator
//! answers is checked against the spec.

mod support;

use std::time::Duration;

use futures::TryStreamExt;
use support::emulated::{assert_responses_match_spec, start};
use zendesk_chat::export::ExportStart;
use zendesk_chat::limits::{MAX_ACTIVE_GOALS, MAX_SHORTCUTS};
use zendesk_chat::types::{self, Flag, PlanLimit};
use zendesk_chat::{Error, RetryPolicy};
use zendesk_chat_emulator::Emulator;

fn status(error: &Error) -> u16 {
    error.status_code().unwrap_or_default()
}

#[tokio::test]
async fn the_account_shows_its_plan_and_takes_new_billing_details() {
    let (emulator, client) = start(Emulator::builder().seed(3).chats(20)).await;
    let account = client.get_account().await.unwrap();
    let plan = account.plan.unwrap();
    assert_eq!(
        plan.max_departments,
        Some(PlanLimit::String("unlimited".into()))
    );
    assert_eq!(plan.max_history_search_days, Some(PlanLimit::Int64(365)));

    let update = types::UpdateAccountRequest {
        billing: Some(
            types::AccountBilling::builder()
                .company("Cocoa Ltd")
                .try_into()
                .unwrap(),
        ),
    };
    let updated = client.update_account().body(update).await.unwrap();
    let billing = updated.billing.unwrap();
    assert_eq!(billing.company.as_deref(), Some("Cocoa Ltd"));
    assert_eq!(
        billing.city.as_deref(),
        Some("London"),
        "the other fields are kept"
    );
    let again = client.get_account().await.unwrap();
    assert_eq!(again.billing.unwrap().company.as_deref(), Some("Cocoa Ltd"));
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn an_account_created_from_support_can_read_but_not_change_the_account() {
    let (emulator, client) = start(Emulator::builder().chats(5).agents_read_only(true)).await;
    client.get_account().await.unwrap();
    let refused = client
        .update_account()
        .body(types::UpdateAccountRequest::default())
        .await
        .unwrap_err();
    assert_eq!(status(&refused), 403);
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn departments_are_created_found_by_name_changed_and_deleted() {
    let (emulator, client) = start(Emulator::builder().seed(5).chats(50)).await;
    let departments = client.list_departments().await.unwrap();
    let agents = client.list_agents().await.unwrap();
    for agent in &agents {
        for id in &agent.departments {
            assert!(
                departments.iter().any(|d| d.id == Some(*id)),
                "agent {:?} is in department {id}, which is not listed",
                agent.id
            );
        }
    }

    let created = client
        .create_department()
        .body(types::CreateDepartmentRequest::builder().name("Gift Boxes & Hampers"))
        .await
        .unwrap();
    assert_eq!(created.enabled, Some(Flag::Boolean(true)));
    let id = created.id.unwrap();
    let by_name = client
        .get_department_by_name()
        .department_name("Gift Boxes & Hampers")
        .await
        .unwrap();
    assert_eq!(by_name.id, Some(id));

    let members = agents
        .iter()
        .filter_map(|a| a.id)
        .take(2)
        .collect::<Vec<_>>();
    let update = types::UpdateDepartmentRequest {
        members: members.clone(),
        ..Default::default()
    };
    let updated = client
        .update_department()
        .department_id(id)
        .body(update)
        .await
        .unwrap();
    assert_eq!(updated.members, members);
    assert_eq!(
        updated.name.as_deref(),
        Some("Gift Boxes & Hampers"),
        "unchanged"
    );

    client
        .delete_department_by_name()
        .department_name("Gift Boxes & Hampers")
        .await
        .unwrap();
    let gone = client.get_department().department_id(id).await.unwrap_err();
    assert!(gone.is_not_found());
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_refused_with_the_field_named() {
    let (emulator, client) = start(Emulator::builder().chats(5)).await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v2/chat/departments", emulator.base_url());
    let send = |body: &'static str| {
        http.post(&url)
            .bearer_auth(emulator.token())
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let no_name = send(r#"{"description": "nameless"}"#).await.unwrap();
    assert_eq!(no_name.status(), 422);
    let wrong_type = send(r#"{"name": "X", "members": "everyone"}"#)
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 422);
    let error: serde_json::Value = wrong_type.json().await.unwrap();
    assert!(
        error["description"]
            .as_str()
            .unwrap()
            .starts_with("members"),
        "{error}"
    );
    let count = client.list_departments().await.unwrap().len();
    assert_eq!(
        count,
        emulator.with_store(|s| s.departments.len()),
        "nothing was created"
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn skills_and_roles_named_by_agents_exist_and_built_in_roles_stay() {
    let (emulator, client) = start(Emulator::builder().seed(8).chats(50)).await;
    let skills = client.list_skills().await.unwrap();
    let roles = client.list_roles().await.unwrap();
    for agent in client.list_agents().await.unwrap() {
        for skill in &agent.skills {
            assert!(skills.iter().any(|s| s.id == Some(*skill)), "skill {skill}");
        }
        if let Some(role) = agent.role_id {
            assert!(roles.iter().any(|r| r.id == Some(role)), "role {role}");
        }
    }
    let english = client
        .get_skill_by_name()
        .skill_name("English")
        .await
        .unwrap();
    client
        .update_skill_by_name()
        .skill_name("English")
        .body(types::UpdateSkillRequest {
            enabled: Some(Flag::Integer(0)),
            ..Default::default()
        })
        .await
        .unwrap();
    let disabled = client
        .get_skill()
        .skill_id(english.id.unwrap())
        .await
        .unwrap();
    assert_eq!(disabled.enabled, Some(Flag::Integer(0)));

    let agent_role = roles
        .iter()
        .find(|r| r.name.as_deref() == Some("Agent"))
        .unwrap();
    let refused = client
        .update_role()
        .role_id(agent_role.id.unwrap())
        .body(types::UpdateRoleRequest {
            enabled: Some(Flag::Boolean(false)),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status(&refused), 400);
    let refused = client
        .delete_role()
        .role_id(agent_role.id.unwrap())
        .await
        .unwrap_err();
    assert_eq!(status(&refused), 400);

    let custom = client
        .create_role()
        .body(types::CreateRoleRequest::builder().name("Night shift"))
        .await
        .unwrap();
    assert_eq!(custom.members_count, Some(0));
    client
        .delete_role()
        .role_id(custom.id.unwrap())
        .await
        .unwrap();
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn a_sixth_enabled_goal_is_refused() {
    let (emulator, client) = start(Emulator::builder().seed(2).chats(200)).await;
    let goals = client.list_goals().await.unwrap();
    let conversions = client.list_chats().await.unwrap();
    assert!(!conversions.chats.is_empty());
    emulator.with_store(|store| {
        for item in store.conversions.iter() {
            let conversion: types::Conversion = serde_json::from_slice(&item.json).unwrap();
            assert!(
                goals.iter().any(|g| g.id == conversion.goal_id),
                "{conversion:?}"
            );
        }
    });
    let enabled = goals.len();
    for i in enabled..MAX_ACTIVE_GOALS {
        let name = format!("goal {i}");
        client
            .create_goal()
            .body(types::CreateGoalRequest::builder().name(name))
            .await
            .unwrap();
    }
    let refused = client
        .create_goal()
        .body(types::CreateGoalRequest::builder().name("one too many"))
        .await
        .unwrap_err();
    assert_eq!(status(&refused), 400);
    assert_eq!(refused.error_message(), Some("Goals limit exceeded"));

    let disabled = client
        .create_goal()
        .body(
            types::CreateGoalRequest::builder()
                .name("for later")
                .enabled(Flag::Boolean(false)),
        )
        .await
        .unwrap();
    let refused = client
        .update_goal()
        .goal_id(disabled.id.unwrap())
        .body(types::UpdateGoalRequest {
            enabled: Some(Flag::Boolean(true)),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(refused.error_message(), Some("Goals limit exceeded"));
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn shortcuts_are_named_by_their_ids_and_capped() {
    let (emulator, client) = start(Emulator::builder().chats(5)).await;
    let created = client
        .create_shortcut()
        .body(
            types::CreateShortcutRequest::builder()
                .name("sign up")
                .message("Sign up at https://example.com/join"),
        )
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("sign up"));
    let shown = client.get_shortcut().shortcut_id("sign up").await.unwrap();
    assert_eq!(
        shown.message.as_deref(),
        Some("Sign up at https://example.com/join")
    );

    let renamed = client
        .update_shortcut()
        .shortcut_id("sign up")
        .body(types::UpdateShortcutRequest {
            name: Some("join".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(renamed.id.as_deref(), Some("join"));
    assert!(
        client
            .get_shortcut()
            .shortcut_id("sign up")
            .await
            .unwrap_err()
            .is_not_found()
    );

    let slash = client
        .create_shortcut()
        .body(
            types::CreateShortcutRequest::builder()
                .name("a/b")
                .message("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(status(&slash), 400);
    let twice = client
        .create_shortcut()
        .body(
            types::CreateShortcutRequest::builder()
                .name("join")
                .message("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(status(&twice), 400);

    // The owner's own shortcut goes with the owner's shortcuts; the account's stay.
    let owner = client.get_current_agent().await.unwrap().id.unwrap();
    let before = client.list_shortcuts().await.unwrap().len();
    client
        .delete_agent_shortcuts()
        .agent_id(owner)
        .await
        .unwrap();
    let after = client.list_shortcuts().await.unwrap();
    assert_eq!(after.len(), before - 1);
    assert!(
        after
            .iter()
            .all(|s| s.scope != Some(types::ShortcutScope::Agent))
    );

    emulator.with_store(|store| {
        let template = store.shortcuts.get(&"join".to_owned()).unwrap().clone();
        let mut i = 0;
        while store.shortcuts.len() < MAX_SHORTCUTS {
            store
                .shortcuts
                .insert(format!("filler {i}"), template.clone());
            i += 1;
        }
    });
    let capped = client
        .create_shortcut()
        .body(
            types::CreateShortcutRequest::builder()
                .name("one more")
                .message("x"),
        )
        .customize()
        .retry_policy(RetryPolicy::none())
        .await
        .unwrap_err();
    assert_eq!(status(&capped), 429);
    assert_eq!(
        capped.error_message(),
        Some("Exceeded the number of shortcuts allowed")
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn triggers_are_found_by_name_or_id_and_keep_their_definitions_as_json() {
    let (emulator, client) = start(Emulator::builder().chats(5)).await;
    let by_name = client
        .get_trigger()
        .trigger_name_or_id("First Reply")
        .await
        .unwrap();
    let definition = by_name.definition.clone().unwrap();
    assert_eq!(definition.condition.unwrap()[0], "and");
    assert_eq!(definition.actions[0], serde_json::json!(["wait", 5]));
    let by_id = client
        .get_trigger()
        .trigger_name_or_id(by_name.id.unwrap().to_string())
        .await
        .unwrap();
    assert_eq!(by_id, by_name);

    let updated = client
        .update_trigger()
        .trigger_name_or_id("First Reply")
        .body(types::UpdateTriggerRequest {
            enabled: Some(Flag::Integer(0)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.enabled, Some(Flag::Integer(0)));
    assert_eq!(
        updated.definition, by_name.definition,
        "definitions are not editable"
    );
    client
        .delete_trigger()
        .trigger_name_or_id("First Reply")
        .await
        .unwrap();
    assert_eq!(client.list_triggers().await.unwrap().len(), 1);
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn bans_page_over_both_arrays_by_id() {
    let (emulator, client) = start(Emulator::builder().seed(4).chats(60)).await;
    let visitor = emulator.with_store(|s| s.visitors.keys().next().unwrap().clone());
    let visitor_ban = client
        .create_ban()
        .body(types::CreateBanRequest {
            visitor_id: Some(visitor.clone()),
            reason: Some("abuse".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(visitor_ban.type_, Some(types::BanType::Visitor));
    assert!(
        visitor_ban.visitor_name.is_some(),
        "named after the visitor"
    );
    let ip_ban = client
        .create_ban()
        .body(types::CreateBanRequest {
            ip_address: Some("198.51.100.7".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ip_ban.type_, Some(types::BanType::IpAddress));

    let all: Vec<types::Ban> = client
        .bans()
        .page_size(2)
        .stream()
        .collect_all()
        .await
        .unwrap();
    let stored = emulator.with_store(|s| s.bans.len());
    assert_eq!(all.len(), stored);
    let mut ids: Vec<i64> = all.iter().filter_map(|b| b.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), stored, "each ban once");
    let pages = emulator
        .requests()
        .iter()
        .filter(|r| r.route.as_deref() == Some("/api/v2/chat/bans") && r.method == "GET")
        .count();
    assert_eq!(pages, stored.div_ceil(2) + usize::from(stored % 2 == 0));

    let ip_bans = client.list_ip_bans().await.unwrap();
    assert!(ip_bans.iter().any(|b| b.id == ip_ban.id));
    assert!(
        ip_bans
            .iter()
            .all(|b| b.type_ == Some(types::BanType::IpAddress))
    );

    for (body, expected) in [
        (types::CreateBanRequest::default(), 400),
        (
            types::CreateBanRequest {
                ip_address: Some("not an address".into()),
                ..Default::default()
            },
            422,
        ),
    ] {
        let refused = client.create_ban().body(body).await.unwrap_err();
        assert_eq!(status(&refused), expected);
    }
    client
        .delete_ban()
        .ban_id(ip_ban.id.unwrap())
        .await
        .unwrap();
    assert!(
        client
            .get_ban()
            .ban_id(ip_ban.id.unwrap())
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn routing_settings_are_wrapped_in_data_and_changed_nested() {
    let (emulator, client) = start(Emulator::builder().chats(5)).await;
    let settings = client
        .get_account_routing_settings()
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(settings.routing_mode, Some(types::RoutingMode::Assigned));

    let change = types::AccountRoutingSettings {
        chat_limit: Some(types::ChatLimitSettings {
            enabled: Some(true),
            limit: Some(5),
            ..Default::default()
        }),
        ..Default::default()
    };
    let changed = client
        .update_account_routing_settings()
        .body(change)
        .await
        .unwrap()
        .data
        .unwrap();
    let limit = changed.chat_limit.unwrap();
    assert_eq!((limit.enabled, limit.limit), (Some(true), Some(5)));
    assert_eq!(
        limit.limit_type.as_deref(),
        Some("account"),
        "the rest of the group is kept"
    );

    let too_many = types::AccountRoutingSettings {
        chat_limit: Some(types::ChatLimitSettings {
            limit: Some(21),
            ..Default::default()
        }),
        ..Default::default()
    };
    let refused = client
        .update_account_routing_settings()
        .body(too_many)
        .await
        .unwrap_err();
    assert_eq!(status(&refused), 422);

    let agents = client.list_agent_routing_settings().await.unwrap().data;
    assert_eq!(agents.len(), emulator.with_store(|s| s.agents.len()));
    let mine = client
        .update_current_agent_routing_settings()
        .body(types::AgentRoutingSettings {
            skills: vec![900],
            ..Default::default()
        })
        .await
        .unwrap()
        .data
        .unwrap();
    let me = client.get_current_agent().await.unwrap().id;
    assert_eq!((mine.id, mine.skills.clone()), (me, vec![900]));
    let again = client
        .get_agent_routing_settings()
        .agent_id(me.unwrap())
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(again.skills, vec![900]);
    let unknown = client
        .get_agent_routing_settings()
        .agent_id(1)
        .await
        .unwrap_err();
    assert!(unknown.is_not_found());
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn an_oauth_client_shows_its_secret_once_and_takes_its_tokens_with_it() {
    let (emulator, client) = start(Emulator::builder().chats(5)).await;
    let created = client
        .create_oauth_client()
        .body(
            types::CreateOauthClientRequest::builder()
                .name("Warehouse loader")
                .redirect_uris("http://127.0.0.1:8765/callback")
                .client_type(types::OauthClientType::Confidential),
        )
        .await
        .unwrap();
    let secret = created.client_secret.clone().unwrap();
    assert_eq!(secret.expose().len(), 32);
    assert!(
        !format!("{created:?}").contains(secret.expose()),
        "Debug hides the secret"
    );
    let shown = client
        .get_oauth_client()
        .oauth_client_id(created.id.unwrap())
        .await
        .unwrap();
    assert!(shown.client_secret.unwrap().expose().ends_with('…'));

    let tokens = client.list_oauth_tokens().await.unwrap();
    let token = tokens[0].clone();
    let access = token.access_token.clone().unwrap();
    assert!(
        !format!("{tokens:?}").contains(access.expose()),
        "Debug hides the tokens"
    );
    let clients = client.list_oauth_clients().await.unwrap();
    let owner_of_token = clients
        .iter()
        .find(|c| c.client_identifier == token.client_identifier)
        .unwrap();
    client
        .delete_oauth_client()
        .oauth_client_id(owner_of_token.id.unwrap())
        .await
        .unwrap();
    let left = client.list_oauth_tokens().await.unwrap();
    assert!(
        left.iter().all(|t| t.id != token.id),
        "its tokens went with it"
    );
    client
        .revoke_oauth_token()
        .oauth_token_id(left[0].id.unwrap())
        .await
        .unwrap();
    assert_eq!(
        client.list_oauth_tokens().await.unwrap().len(),
        left.len() - 1
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn the_agent_events_export_holds_every_status_change_once() {
    let (emulator, client) = start(Emulator::builder().seed(6).chats(30)).await;
    let events: Vec<types::AgentEvent> = client
        .incremental_agent_events(ExportStart::beginning())
        .limit(100)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events.len(), emulator.with_store(|s| s.agent_events.len()));
    let mut ids: Vec<_> = events.iter().map(|e| e.id.clone().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), events.len());
    assert!(
        events
            .iter()
            .all(|e| e.field_name.as_deref() == Some("status"))
    );
    assert!(events.iter().all(|e| e.value != e.previous_value));
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn real_time_metrics_come_from_the_account_or_are_not_computed_yet() {
    let (emulator, client) = start(Emulator::builder().seed(9).chats(400)).await;
    let chats = client.get_chat_metrics().window(60).await.unwrap();
    let content = chats.content.unwrap();
    assert_eq!(content.topic.as_deref(), Some("chats"));
    let data = content.data.unwrap();
    assert!(data.missed_chats.unwrap().contains_key("30"));
    let one = client
        .get_chat_metric()
        .metric_key("active_chats")
        .await
        .unwrap();
    let one = one.content.unwrap().data.unwrap();
    assert!(one.active_chats.is_some() && one.missed_chats.is_none());
    let refused = client.get_chat_metrics().window(45).await.unwrap_err();
    assert_eq!(status(&refused), 400);

    let agents = client
        .get_agent_metrics()
        .await
        .unwrap()
        .content
        .unwrap()
        .data
        .unwrap();
    let counted = [
        agents.agents_online,
        agents.agents_away,
        agents.agents_invisible,
    ]
    .into_iter()
    .map(Option::unwrap)
    .sum::<i64>();
    assert_eq!(counted as usize, emulator.with_store(|s| s.agents.len()));
    assert_responses_match_spec(&emulator);

    let (empty, client) = start(Emulator::builder().chats(0)).await;
    let not_yet = client.get_chat_metrics().await.unwrap();
    assert_eq!(not_yet.message.as_deref(), Some("Not Computed!"));
    assert!(not_yet.content.is_none());
    assert_responses_match_spec(&empty);
}

#[tokio::test]
async fn real_time_calls_go_to_the_real_time_base_url_and_not_to_the_accounts_host() {
    // A client given a real-time base URL sends the metrics there, even with a base URL of its own.
    let (emulator, _) = start(Emulator::builder().chats(5)).await;
    let elsewhere = zendesk_chat::Client::builder()
        .base_url(emulator.base_url())
        .real_time_base_url("http://127.0.0.1:9")
        .token(emulator.token())
        .connect_timeout(Duration::from_millis(500))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = elsewhere.get_agent_metrics().await.unwrap_err();
    assert!(error.status_code().is_none(), "{error}");
    assert!(
        emulator.requests().is_empty(),
        "nothing reached the account's host"
    );
}
