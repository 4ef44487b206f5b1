//! What the `--postgres` tests share: a server of their own (`postgres-test-server`) and the
//! chats it holds.

use std::collections::BTreeMap;

use postgres_test_server::PostgresServer;

/// A client connected to the server's `postgres` database.
pub fn client(server: &PostgresServer) -> postgres::Client {
    postgres::Client::connect(&server.url, postgres::NoTls).expect("the test's server answers")
}

/// Every chat in the `chats` table: id → its raw JSON (as a value: `jsonb` keeps the data, not
/// the text's spacing or key order).
pub fn chats(server: &PostgresServer) -> BTreeMap<String, serde_json::Value> {
    client(server)
        .query("SELECT id, raw::text FROM chats", &[])
        .unwrap()
        .into_iter()
        .map(|row| {
            let raw: String = row.get(1);
            (row.get(0), serde_json::from_str(&raw).unwrap())
        })
        .collect()
}

/// Every chat the emulator holds, as values (to compare with what `jsonb` kept).
pub fn as_values(chats: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, serde_json::Value> {
    chats
        .iter()
        .map(|(id, json)| (id.clone(), serde_json::from_slice(json).unwrap()))
        .collect()
}
