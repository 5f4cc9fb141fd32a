//! A minimal HTTP/1.1 keep-alive client for load generation: one connection per virtual
//! user, `GET`, or `POST` with a JSON body; status and body back. Much cheaper per request than a full client,
//! so on a small machine the load generator leaves the CPU to the server it measures.

use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// `http://host:port` → `host:port`.
pub fn authority(url: &str) -> io::Result<String> {
    let rest = url
        .trim_end_matches('/')
        .strip_prefix("http://")
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "only http:// URLs"))?;
    Ok(rest.split('/').next().unwrap_or(rest).to_string())
}

/// How long one request may take before the connection is given up (and the call fails).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Conn {
    authority: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    pub fn new(authority: String) -> Conn {
        Conn {
            authority,
            stream: None,
        }
    }

    /// Sends one `POST`; on any I/O error or timeout the connection is dropped (the next call
    /// reconnects).
    pub async fn post(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<(u16, Vec<u8>)> {
        self.request("POST", path, headers, body).await
    }

    /// Sends one `GET`, like [`Conn::post`].
    pub async fn get(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> io::Result<(u16, Vec<u8>)> {
        self.request("GET", path, headers, &[]).await
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<(u16, Vec<u8>)> {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.authority,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(k);
            req.push_str(": ");
            req.push_str(v);
            req.push_str("\r\n");
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        let r = tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(&bytes))
            .await
            .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()));
        if r.is_err() {
            self.stream = None;
        }
        r
    }

    /// Writes one whole request and reads its answer, connecting first when needed.
    async fn exchange(&mut self, bytes: &[u8]) -> io::Result<(u16, Vec<u8>)> {
        if self.stream.is_none() {
            let s = TcpStream::connect(&self.authority).await?;
            s.set_nodelay(true)?;
            self.stream = Some(BufReader::new(s));
        }
        let stream = self.stream.as_mut().ok_or(io::ErrorKind::NotConnected)?;
        stream.get_mut().write_all(bytes).await?;
        let mut line = String::new();
        stream.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad status line"))?;
        let mut length = None;
        let mut close = false;
        loop {
            line.clear();
            if stream.read_line(&mut line).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let h = line.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse::<usize>().ok();
                } else if k.eq_ignore_ascii_case("connection") {
                    close = v.trim().eq_ignore_ascii_case("close");
                }
            }
        }
        let length = length
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no Content-Length"))?;
        let mut out = vec![0; length];
        stream.read_exact(&mut out).await?;
        if close {
            self.stream = None;
        }
        Ok((status, out))
    }
}
