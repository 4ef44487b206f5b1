//! A one-connection-at-a-time HTTP server on 127.0.0.1 that writes exactly the bytes it is given,
//! for responses no well-behaved server sends (bodies cut short, wrong lengths, garbage) and for
//! framings the emulator does not use (a body sent in chunks, without a length).

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves each of `responses` (raw HTTP/1.1 bytes) to one connection, in order, then closes it.
/// Returns the base URL.
pub async fn serve_raw(responses: Vec<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        for response in responses {
            let (mut socket, _) = listener.accept().await.unwrap();
            read_request_head(&mut socket).await;
            let _ = socket.write_all(&response).await;
            let _ = socket.shutdown().await;
        }
    });
    base_url
}

async fn read_request_head(socket: &mut tokio::net::TcpStream) {
    let mut seen = Vec::new();
    let mut buffer = [0; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
        }
    }
}

/// A response with `status`, a JSON content type, a `Content-Length` of `declared_length` and
/// `body` (which may be shorter: the connection then closes mid-body).
pub fn response(status: u16, declared_length: usize, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {declared_length}\r\n\
         connection: close\r\n\r\n{body}"
    )
    .into_bytes()
}

/// A 200 response whose `body` is declared gzip-compressed (`Content-Encoding: gzip`) and
/// `declared_length` long; `body` may be shorter (the connection then closes mid-body).
pub fn gzip_response(declared_length: usize, body: &[u8]) -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n\
         content-length: {declared_length}\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

/// A 200 response with a JSON `body` sent in chunks of `chunk` bytes (`Transfer-Encoding:
/// chunked`, no `Content-Length`), as a server that streams its answer sends it; `complete: false`
/// leaves out the last, empty chunk (the connection then closes mid-body).
pub fn chunked_response(body: &str, chunk: usize, complete: bool) -> Vec<u8> {
    let mut response = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
        transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
        .to_vec();
    for part in body.as_bytes().chunks(chunk) {
        response.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        response.extend_from_slice(part);
        response.extend_from_slice(b"\r\n");
    }
    if complete {
        response.extend_from_slice(b"0\r\n\r\n");
    }
    response
}

/// An incremental chats page of `chats` chats of about 2 KB each (the shape of the export
/// reference: `chats`, `count`, `end_id`, `end_time`, `next_page`), caught up (fewer than 1,000).
pub fn large_export_page(chats: usize) -> (String, Vec<String>) {
    let records: Vec<String> = (0..chats)
        .map(|n| {
            format!(
                r#"{{"type":"chat","id":"c{n}","update_timestamp":"2024-01-01T00:00:00Z","comment":"{}"}}"#,
                "x".repeat(2000)
            )
        })
        .collect();
    let body = format!(
        r#"{{"chats":[{}],"count":{chats},"end_id":"c{}","end_time":1704067200,"next_page":null}}"#,
        records.join(","),
        chats - 1
    );
    (body, records)
}
