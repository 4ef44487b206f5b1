//! The search query builder: no value can change a query's structure, and the query reaches the
//! server exactly as built (URL-encoded once).

mod support;

use proptest::prelude::*;
use zendesk_chat::search::SearchQuery;

/// A token of the query language, as a reference tokenizer reads it.
#[derive(Debug, PartialEq)]
enum Token {
    /// `field:"value"` or `"value"`: the field (if any) and the unescaped value.
    Term(Option<String>, String),
    And,
    Or,
    Open,
    Close,
}

/// Splits a query into tokens, reading quoted values with their escapes; panics on anything the
/// builder should never produce (an unterminated quote, a stray word).
fn tokenize(query: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            _ => {
                let mut field = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '"' || c == ' ' {
                        break;
                    }
                    field.push(c);
                    chars.next();
                }
                match field.as_str() {
                    "AND" => tokens.push(Token::And),
                    "OR" => tokens.push(Token::Or),
                    _ => {
                        assert_eq!(
                            chars.next(),
                            Some('"'),
                            "a value must be quoted in {query:?}"
                        );
                        let mut value = String::new();
                        loop {
                            match chars.next().expect("unterminated quote") {
                                '\\' => value.push(chars.next().expect("dangling escape")),
                                '"' => break,
                                other => value.push(other),
                            }
                        }
                        let field = field.strip_suffix(':').map(str::to_owned);
                        tokens.push(Token::Term(field, value));
                    }
                }
            }
        }
    }
    tokens
}

proptest! {
    #[test]
    fn any_value_stays_one_quoted_value(value in any::<String>()) {
        for (field, query) in [
            ("visitor_name", SearchQuery::visitor_name(&value)),
            ("visitor_email", SearchQuery::visitor_email(&value)),
            ("agent_names", SearchQuery::agent_name(&value)),
        ] {
            prop_assert_eq!(tokenize(&query.to_string()), vec![Token::Term(Some(field.to_owned()), value.clone())]);
        }
        prop_assert_eq!(tokenize(&SearchQuery::text(&value).to_string()), vec![Token::Term(None, value.clone())]);
    }

    #[test]
    fn combined_values_keep_the_structure(values in proptest::collection::vec(any::<String>(), 1..6), use_or in any::<bool>()) {
        let mut query = SearchQuery::visitor_name(&values[0]);
        for value in &values[1..] {
            let term = SearchQuery::text(value);
            query = if use_or { query.or(term) } else { query.and(term) };
        }
        let tokens = tokenize(&query.to_string());
        let operator = if use_or { Token::Or } else { Token::And };
        prop_assert_eq!(tokens.len(), 2 * values.len() - 1);
        for (i, token) in tokens.iter().enumerate() {
            if i % 2 == 1 {
                prop_assert_eq!(token, &operator);
            } else {
                let Token::Term(_, value) = token else { panic!("{token:?}") };
                prop_assert_eq!(value, &values[i / 2]);
            }
        }
    }
}

#[tokio::test]
async fn the_query_reaches_the_server_exactly_as_built() {
    let nasty = r#"50% off + "free" & a\b? #1 AND/OR [x TO y]"#;
    let query = SearchQuery::visitor_name(nasty).and(SearchQuery::text("chocolate"));
    let (server, client) = support::serve(
        200,
        Some(serde_json::json!({"results": [], "count": 0, "next_url": null})),
    )
    .await;
    let _: Vec<_> = futures::TryStreamExt::try_collect::<Vec<_>>(client.search(query.clone()))
        .await
        .unwrap();
    let request = support::only_request(&server).await;
    let q = request
        .url
        .query_pairs()
        .find(|(k, _)| k == "q")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(q, query.to_string());
    assert_eq!(
        tokenize(&q)[0],
        Token::Term(Some("visitor_name".into()), nasty.into())
    );
}
