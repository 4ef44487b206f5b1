//! The search query builder: no value changes the query's structure. A query built from arbitrary
//! values is read back by the emulator's parser (an independent reader of the search language) as
//! exactly the terms and operators that were built, each with its value intact.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zendesk_chat::search::SearchQuery;
use zendesk_chat_emulator::search_language::{Query, Term, parse};

fuzz_target!(|values: (String, String, String)| {
    let (name, phrase, agent) = values;
    let built: String = SearchQuery::visitor_name(&name).and(SearchQuery::text(&phrase)).or(SearchQuery::agent_name(&agent)).into();
    let parsed = parse(&built).unwrap_or_else(|error| panic!("{built:?} does not parse: {error}"));
    let Query::Any(either) = parsed else { panic!("{built:?} is not an OR: {parsed:?}") };
    let [Query::All(both), Query::Term(Term::AgentName(parsed_agent))] = &either[..] else {
        panic!("{built:?}: unexpected structure {either:?}")
    };
    let [Query::Term(Term::VisitorName(parsed_name)), Query::Term(Term::Text(_, parsed_phrase))] = &both[..] else {
        panic!("{built:?}: unexpected structure {both:?}")
    };
    assert_eq!((parsed_name, parsed_phrase, parsed_agent), (&name, &phrase, &agent), "in {built:?}");
});
