//! The chat search language: `field:value` terms over `agent_names`, `visitor_name`,
//! `visitor_email`, `timestamp`, `end_timestamp`, `chat_type` (also `type`) and `rating`, free
//! text, quoted values, `[from TO to]` ranges with `*` for an open end, `AND`, `OR` and
//! parentheses. Adjacent terms are ANDed.

use aho_corasick::AhoCorasick;

use super::ChatMeta;

/// A parsed query.
#[derive(Debug)]
pub enum Query {
    /// Every sub-query matches.
    All(Vec<Query>),
    /// Some sub-query matches.
    Any(Vec<Query>),
    /// One term.
    Term(Term),
}

/// One term of a query.
#[derive(Debug)]
pub enum Term {
    /// An agent's name contains the text (case-insensitive).
    AgentName(String),
    /// The visitor's name contains the text.
    VisitorName(String),
    /// The visitor's email is the text.
    VisitorEmail(String),
    /// The chat started in the range (microseconds, inclusive).
    Timestamp(Option<i64>, Option<i64>),
    /// The chat ended in the range.
    EndTimestamp(Option<i64>, Option<i64>),
    /// The chat's type.
    ChatType(String),
    /// The chat's rating.
    Rating(String),
    /// The chat's text contains this (case-insensitive).
    Text(AhoCorasick, String),
}

/// Parses a query; an error says what is wrong.
pub fn parse(query: &str) -> Result<Query, String> {
    let tokens = tokenize(query)?;
    let mut parser = Parser { tokens, at: 0 };
    let parsed = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(format!("unexpected {:?}", parser.tokens[parser.at]));
    }
    Ok(parsed)
}

impl Query {
    /// Whether the chat (its meta and its JSON text) matches.
    pub fn matches(&self, meta: &ChatMeta, json: &[u8]) -> bool {
        match self {
            Self::All(parts) => parts.iter().all(|q| q.matches(meta, json)),
            Self::Any(parts) => parts.iter().any(|q| q.matches(meta, json)),
            Self::Term(term) => term.matches(meta, json),
        }
    }
}

impl Term {
    fn matches(&self, meta: &ChatMeta, json: &[u8]) -> bool {
        let within = |value: Option<i64>, from: &Option<i64>, to: &Option<i64>| {
            value.is_some_and(|v| from.is_none_or(|f| v >= f) && to.is_none_or(|t| v <= t))
        };
        match self {
            Self::AgentName(name) => meta
                .agent_names
                .iter()
                .any(|agent| contains_ignore_case(agent, name)),
            Self::VisitorName(name) => contains_ignore_case(&meta.visitor_name, name),
            Self::VisitorEmail(email) => meta.visitor_email.eq_ignore_ascii_case(email),
            Self::Timestamp(from, to) => within(Some(meta.timestamp_micros), from, to),
            Self::EndTimestamp(from, to) => within(meta.end_timestamp_micros, from, to),
            Self::ChatType(kind) => meta.kind.as_str() == kind,
            Self::Rating(rating) => meta.rating.as_deref() == Some(rating.as_str()),
            Self::Text(finder, _) => finder.is_match(json),
        }
    }
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Range(String, String),
    Colon,
    And,
    Or,
    Open,
    Close,
}

fn tokenize(query: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ':' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Colon,
                });
            }
            '"' => {
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some('\\') => value.push(chars.next().ok_or("a dangling escape")?),
                        Some('"') => break,
                        Some(other) => value.push(other),
                        None => return Err("an unterminated quote".into()),
                    }
                }
                tokens.push(Token::Quoted(value));
            }
            '[' => {
                chars.next();
                let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                let (from, to) = inner
                    .split_once(" TO ")
                    .ok_or_else(|| format!("a range needs `TO`: [{inner}]"))?;
                tokens.push(Token::Range(from.trim().to_owned(), to.trim().to_owned()));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace()
                        || matches!(c, '(' | ')' | '"' | '[')
                        || (c == ':' && !word.is_empty())
                    {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(match word.as_str() {
                    "AND" => Token::And,
                    "OR" => Token::Or,
                    _ => Token::Word(word),
                });
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn or(&mut self) -> Result<Query, String> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Any(parts)
        })
    }

    fn and(&mut self) -> Result<Query, String> {
        let mut parts = vec![self.atom()?];
        loop {
            match self.peek() {
                Some(Token::And) => {
                    self.at += 1;
                    parts.push(self.atom()?);
                }
                Some(Token::Or | Token::Close) | None => break,
                Some(_) => parts.push(self.atom()?),
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::All(parts)
        })
    }

    fn atom(&mut self) -> Result<Query, String> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err("an unclosed parenthesis".into()),
                }
            }
            Some(Token::Word(word)) if self.peek() == Some(&Token::Colon) => {
                self.at += 1;
                let value = self
                    .next()
                    .ok_or_else(|| format!("no value after {word}:"))?;
                field_term(&word, value).map(Query::Term)
            }
            Some(Token::Word(text) | Token::Quoted(text)) => Ok(Query::Term(text_term(text)?)),
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

fn text_term(text: String) -> Result<Term, String> {
    let finder = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([text.as_bytes()])
        .map_err(|e| e.to_string())?;
    Ok(Term::Text(finder, text))
}

fn field_term(field: &str, value: Token) -> Result<Term, String> {
    let text = |value: Token| match value {
        Token::Word(text) | Token::Quoted(text) => Ok(text),
        other => Err(format!("{field} takes a value, not {other:?}")),
    };
    let range = |value: Token| match value {
        Token::Range(from, to) => Ok((bound(&from, false)?, bound(&to, true)?)),
        Token::Word(day) | Token::Quoted(day) => Ok((bound(&day, false)?, bound(&day, true)?)),
        other => Err(format!("{field} takes a range, not {other:?}")),
    };
    Ok(match field {
        "agent_names" => Term::AgentName(text(value)?),
        "visitor_name" => Term::VisitorName(text(value)?),
        "visitor_email" => Term::VisitorEmail(text(value)?),
        "timestamp" => {
            let (from, to) = range(value)?;
            Term::Timestamp(from, to)
        }
        "end_timestamp" => {
            let (from, to) = range(value)?;
            Term::EndTimestamp(from, to)
        }
        "chat_type" | "type" => Term::ChatType(text(value)?),
        "rating" => Term::Rating(text(value)?),
        other => return Err(format!("{other} is not a searchable field")),
    })
}

/// One end of a range, in microseconds: `*`, a date (`2014-10-10`, the whole day for an upper
/// bound) or a date and time in any shape Zendesk answers (`2016-02-02T16:00:00`, with or without
/// fractional seconds and an offset; UTC when there is none), read by the client's `Timestamp`.
fn bound(text: &str, upper: bool) -> Result<Option<i64>, String> {
    if text == "*" {
        return Ok(None);
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = date
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_micros();
        return Ok(Some(if upper { day + 86_400_000_000 - 1 } else { day }));
    }
    let time = zendesk_chat::Timestamp::from(text)
        .to_datetime()
        .map_err(|_| {
            format!("{text:?} is not a date (2014-10-10) or a date and time (2016-02-02T16:00:00)")
        })?;
    Ok(Some(time.timestamp_micros()))
}

#[cfg(test)]
mod tests {
    use super::super::index::ChatKind;
    use super::*;

    fn meta() -> ChatMeta {
        ChatMeta {
            kind: ChatKind::Chat,
            timestamp_micros: bound("2014-10-20", false).unwrap().unwrap(),
            end_timestamp_micros: bound("2014-10-26", false).unwrap(),
            update_micros: 0,
            visitor_name: "Harry Potter".into(),
            visitor_email: "harry@example.com".into(),
            agent_names: vec!["Tom Riddle".into()],
            rating: Some("good".into()),
            preview: String::new(),
            deleted: false,
        }
    }

    fn matches(query: &str) -> bool {
        parse(query)
            .unwrap()
            .matches(&meta(), br#"{"msg": "I love Chocolate"}"#)
    }

    #[test]
    fn the_documented_example_queries_work() {
        assert!(matches("agent_names:Tom AND visitor_name:Harry"));
        assert!(matches("type:chat AND chocolate"));
        assert!(matches(
            "visitor_email:harry@example.com AND timestamp:[2014-10-10 TO 2014-12-12]"
        ));
        assert!(matches("timestamp:[2014-10-16 TO *] AND chocolate"));
        assert!(matches("end_timestamp:[2014-10-25 TO *] AND rating:good"));
        assert!(matches(
            "timestamp:[2014-10-16T00:00:00 TO *] AND rating:good"
        ));
    }

    #[test]
    fn range_bounds_are_read_in_every_shape_production_clients_send() {
        // The chat started on 2014-10-20 (see `meta`): each bound below holds, each the day after not.
        for (holds, fails) in [
            ("2014-10-19T00:00:00", "2014-10-21T00:00:00"),
            ("2014-10-19T00:00:00.697862", "2014-10-21T00:00:00.697862"),
            ("2014-10-19T00:00:00Z", "2014-10-21T00:00:00Z"),
            ("2014-10-19T00:00:00.5+00:00", "2014-10-21T02:00:00+02:00"),
        ] {
            assert!(matches(&format!("timestamp:[{holds} TO *]")), "{holds}");
            assert!(!matches(&format!("timestamp:[{fails} TO *]")), "{fails}");
        }
        assert!(matches(
            "timestamp:[2020-01-01T00:00:00 TO 2026-11-23T13:32:45.697862] OR chat_type:chat"
        ));
        assert!(parse("timestamp:[2014-10-19T25:00:00 TO *]").is_err());
    }

    #[test]
    fn terms_that_do_not_hold_do_not_match() {
        assert!(!matches("agent_names:Dumbledore"));
        assert!(!matches("timestamp:[2014-10-21 TO *]"));
        assert!(!matches("rating:bad OR chat_type:offline_msg"));
        assert!(!matches("vanilla"));
        assert!(matches("vanilla OR chocolate"));
        assert!(matches(
            r#"(rating:bad OR visitor_name:"harry p") AND "LOVE chocolate""#
        ));
    }

    #[test]
    fn malformed_queries_are_errors() {
        for bad in [
            "nosuchfield:x",
            "timestamp:[2014 TO *]",
            "(rating:good",
            r#""open"#,
            "timestamp:[a b]",
            "rating:",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_builders_quoted_output_parses_back() {
        assert!(matches(
            r#"visitor_name:"Harry" AND (chat_type:chat OR "chocolate")"#
        ));
        assert!(!matches(r#"visitor_name:"x\" OR rating:good OR \"""#));
    }
}
