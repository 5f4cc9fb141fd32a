//! Slow clients (issue 16, fix 3): header, body and idle timeouts and the connection caps of
//! the accept loop (`axon_server::listen`).

use crate::helpers::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn addr(app: &TestApp) -> std::net::SocketAddr {
    app.base.trim_start_matches("http://").parse().unwrap()
}

/// A connection from `from` (any 127.x address is local on Linux), so a test can play a second
/// client next to the attacker.
async fn connect_from(from: &str, to: std::net::SocketAddr) -> TcpStream {
    let s = TcpSocket::new_v4().unwrap();
    s.bind(format!("{from}:0").parse().unwrap()).unwrap();
    s.connect(to).await.unwrap()
}

/// How long until the server closes `s` (EOF or reset), reading and discarding what it sends;
/// `None` when it is still open after `limit`.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn slow_header_sockets_neither_take_healthz_offline_nor_stay_open() {
    let app = spawn_with(|c| {
        c.connections.header_timeout = Duration::from_secs(1);
        c.connections.max_connections_per_ip = 100;
    })
    .await;
    let to = addr(&app);
    // The attacker: 600 sockets that start a request and never finish its headers.
    let mut slow = Vec::new();
    for _ in 0..600 {
        let mut s = connect_from("127.0.0.2", to).await;
        let _ = s
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await;
        slow.push(s);
    }
    // Another client is still served, at once.
    let started = Instant::now();
    let r = app
        .client
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .expect("/healthz answers while 600 slow sockets are open");
    assert_eq!(r.status().as_u16(), 200);
    assert!(started.elapsed() < Duration::from_secs(1));
    // Beyond the per-address cap the attacker got a 503 in our JSON shape and a closed socket.
    let mut refused = slow.pop().unwrap();
    let mut text = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), refused.read_to_string(&mut text))
        .await
        .expect("an over-cap connection is closed at once");
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(
        text.contains("\"error\":\"TOO_MANY_CONNECTIONS\""),
        "{text}"
    );
    // The first sockets, admitted, are closed by the header timeout.
    let mut first = slow.swap_remove(0);
    let closed = closed_within(&mut first, Duration::from_secs(4))
        .await
        .expect("a socket that never finishes its headers is closed");
    assert!(closed < Duration::from_secs(3), "{closed:?}");
    // Once they are gone the attacker's address may connect again.
    drop(slow);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let mut again = connect_from("127.0.0.2", to).await;
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), again.read_to_string(&mut text)).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let app = spawn_with(|c| {
        c.connections.idle_timeout = Duration::from_secs(1);
        c.connections.header_timeout = Duration::from_secs(5);
    })
    .await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    // Kept alive for a while, then closed; well before the 5 s header timeout.
    let closed = closed_within(&mut s, Duration::from_secs(4))
        .await
        .expect("an idle connection is closed");
    assert!(
        closed >= Duration::from_millis(800) && closed < Duration::from_secs(3),
        "{closed:?}"
    );
}

#[tokio::test]
async fn a_body_that_never_arrives_is_cut_off_after_the_body_timeout() {
    let app = spawn_with(|c| c.connections.body_timeout = Duration::from_secs(1)).await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(
        b"POST /api/v1/behavior/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 400\r\n\r\n[{\"trigg",
    )
    .await
    .unwrap();
    let closed = closed_within(&mut s, Duration::from_secs(4))
        .await
        .expect("a request whose body stalls is closed");
    assert!(closed < Duration::from_secs(3), "{closed:?}");
}

#[tokio::test]
async fn a_live_stream_is_not_idle_while_it_is_open() {
    let app = spawn_with(|c| c.connections.idle_timeout = Duration::from_secs(1)).await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(
        format!(
            "GET /api/v1/dashboard/stream/overview?period=1d HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN_KEY}\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).await.unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    assert_eq!(
        closed_within(&mut s, Duration::from_millis(2_500)).await,
        None,
        "a stream in flight outlives the idle timeout"
    );
}
