//! A one-connection-at-a-time HTTP server on 127.0.0.1 that writes exactly the bytes it is given,
//! for responses no well-behaved server sends: bodies cut short, wrong lengths, garbage.

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
