//! The accept loop (issue 16, fix 3: 1,100 slow-header sockets took `/healthz` offline for
//! 45 s). `axum::serve` has no timeouts and no connection cap, so connections are served here
//! with hyper's HTTP/1 connection builder and a watchdog per connection:
//!
//! - **header timeout**: once a request's first byte arrived, its head must be complete within
//!   `header_timeout`, or the connection is closed;
//! - **body timeout**: a request's body must be complete within `body_timeout` of its head;
//! - **idle timeout**: a keep-alive connection with no request in flight and no byte received
//!   for `idle_timeout` is closed (a request in flight — a slow render, a live stream — is not
//!   idle; live streams send a heartbeat anyway);
//! - **connection caps**: at most `max_connections` open connections and at most
//!   `max_connections_per_ip` from one address. A connection over a cap gets a 503 in our JSON
//!   shape (best effort, never blocking) and is closed at once, so one address cannot hold every
//!   slot and a flood cannot exhaust the process's file descriptors (see [`raise_nofile`]).
//!
//! Shutdown: when `closing` turns true the loop stops accepting, every connection finishes its
//! in-flight request and closes (hyper's graceful shutdown), and [`Listener::run`] returns once
//! all have closed; the caller bounds that wait.

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::time::Instant;
use tower::ServiceExt;

/// The connection limits and timeouts (`AXON_HEADER_TIMEOUT`, `AXON_BODY_TIMEOUT`,
/// `AXON_IDLE_TIMEOUT`, `AXON_MAX_CONNECTIONS`, `AXON_MAX_CONNECTIONS_PER_IP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    /// Open connections in all (0 = no cap).
    pub max_connections: usize,
    /// Open connections from one client address (0 = no cap).
    pub max_connections_per_ip: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 10_000,
            max_connections_per_ip: 512,
        }
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (a common default soft limit of 1,024
/// descriptors is what 1,100 sockets exhausted); returns the new soft limit.
pub fn raise_nofile() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// Open connections, in all and per address.
#[derive(Default)]
struct Counts {
    total: AtomicUsize,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    drained: Notify,
}

/// One admitted connection; gives its slots back when dropped.
struct Slot {
    counts: Arc<Counts>,
    ip: IpAddr,
}

impl Counts {
    /// A slot for a connection from `ip`, unless a cap is reached (a trusted proxy carries
    /// many clients, so it is held only to the total cap).
    fn admit(self: &Arc<Counts>, ip: IpAddr, limits: &Limits, proxy: bool) -> Option<Slot> {
        let mut per_ip = self.per_ip.lock();
        let mine = per_ip.get(&ip).copied().unwrap_or(0);
        let total = self.total.load(Ordering::Acquire);
        if (limits.max_connections > 0 && total >= limits.max_connections)
            || (!proxy
                && limits.max_connections_per_ip > 0
                && mine >= limits.max_connections_per_ip)
        {
            return None;
        }
        per_ip.insert(ip, mine + 1);
        self.total.fetch_add(1, Ordering::AcqRel);
        Some(Slot {
            counts: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut per_ip = self.counts.per_ip.lock();
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
        drop(per_ip);
        if self.counts.total.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.counts.drained.notify_waiters();
        }
    }
}

/// What the watchdog of one connection knows.
struct Watch {
    state: Mutex<Phase>,
    changed: Notify,
}

struct Phase {
    /// Requests whose answer has not been fully sent.
    in_flight: usize,
    /// When the connection last had nothing in flight (accept, or the end of an answer).
    idle_since: Instant,
    /// The first byte received since then: a request head is arriving.
    head_started: Option<Instant>,
    /// Set while a request's body is being received: when it must be complete.
    body_due: Option<Instant>,
}

impl Watch {
    fn new() -> Arc<Watch> {
        Arc::new(Watch {
            state: Mutex::new(Phase {
                in_flight: 0,
                idle_since: Instant::now(),
                head_started: None,
                body_due: None,
            }),
            changed: Notify::new(),
        })
    }

    /// When the connection must be closed if nothing changes; `None` = no deadline now.
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        let s = self.state.lock();
        if s.in_flight > 0 {
            return s.body_due;
        }
        Some(match s.head_started {
            Some(t) => t + limits.header_timeout,
            None => s.idle_since + limits.idle_timeout,
        })
    }

    fn received(&self) {
        let mut s = self.state.lock();
        if s.in_flight == 0 && s.head_started.is_none() {
            s.head_started = Some(Instant::now());
            drop(s);
            self.changed.notify_one();
        }
    }

    fn request_started(&self, body_timeout: Option<Duration>) {
        let mut s = self.state.lock();
        s.in_flight += 1;
        s.head_started = None;
        s.body_due = body_timeout.map(|d| Instant::now() + d);
        drop(s);
        self.changed.notify_one();
    }

    fn body_done(&self) {
        self.state.lock().body_due = None;
        self.changed.notify_one();
    }

    fn answer_done(&self) {
        let mut s = self.state.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
        if s.in_flight == 0 {
            s.idle_since = Instant::now();
            s.head_started = None;
        }
        drop(s);
        self.changed.notify_one();
    }
}

/// The socket, reporting received bytes to the watchdog.
struct Watched {
    io: TcpStream,
    watch: Arc<Watch>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.watch.received();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// A request body that tells the watchdog when it is complete (or abandoned).
struct RequestBody {
    inner: Incoming,
    watch: Option<Arc<Watch>>,
}

impl RequestBody {
    fn finish(&mut self) {
        if let Some(w) = self.watch.take() {
            w.body_done();
        }
    }
}

impl hyper::body::Body for RequestBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let r = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(r, Poll::Ready(None | Some(Err(_)))) || self.inner.is_end_stream() {
            self.finish();
        }
        r
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for RequestBody {
    fn drop(&mut self) {
        self.finish();
    }
}

/// An answer body that tells the watchdog when it has been sent (or dropped).
struct AnswerBody {
    inner: Body,
    watch: Arc<Watch>,
}

impl hyper::body::Body for AnswerBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for AnswerBody {
    fn drop(&mut self) {
        self.watch.answer_done();
    }
}

/// The answer to a connection over a cap: our JSON error shape, then close.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 79\r\nconnection: close\r\nretry-after: 1\r\n\r\n{\"error\":\"TOO_MANY_CONNECTIONS\",\"message\":\"too many open connections; retry\"}\n";

/// Serves `app` on `listener` with [`Limits`] until `closing` turns true.
pub struct Listener {
    pub listener: TcpListener,
    pub limits: Limits,
    /// `AXON_TRUSTED_PROXIES`: exempt from the per-address cap.
    pub proxies: Vec<ipnet::IpNet>,
}

impl Listener {
    pub async fn run(self, app: axum::Router, mut closing: watch::Receiver<bool>) {
        let counts = Arc::new(Counts::default());
        let mut http = hyper::server::conn::http1::Builder::new();
        // The watchdog applies the header timeout (hyper's would also cut idle keep-alive
        // connections at the header timeout, which is the idle timeout's job).
        http.timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(None)
            .keep_alive(true);
        let mut refused_logged = Instant::now() - Duration::from_secs(60);
        loop {
            let accepted = tokio::select! {
                a = self.listener.accept() => a,
                _ = closing.wait_for(|c| *c) => break,
            };
            let (stream, peer) = match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE/ENFILE and aborted handshakes: back off briefly, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            };
            let proxy = self.proxies.iter().any(|n| n.contains(&peer.ip()));
            let Some(slot) = counts.admit(peer.ip(), &self.limits, proxy) else {
                let _ = stream.try_write(BUSY);
                if refused_logged.elapsed() > Duration::from_secs(10) {
                    refused_logged = Instant::now();
                    tracing::warn!(peer = %peer.ip(), "connection refused: connection cap reached");
                }
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection(
                stream,
                peer,
                slot,
                app.clone(),
                http.clone(),
                self.limits,
                closing.clone(),
            ));
        }
        // Stop accepting, then wait for the open connections to finish their answers.
        drop(self.listener);
        loop {
            let drained = counts.drained.notified();
            if counts.total.load(Ordering::Acquire) == 0 {
                break;
            }
            drained.await;
        }
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    app: axum::Router,
    http: hyper::server::conn::http1::Builder,
    limits: Limits,
    mut closing: watch::Receiver<bool>,
) {
    let watch = Watch::new();
    let io = TokioIo::new(Watched {
        io: stream,
        watch: watch.clone(),
    });
    let w = watch.clone();
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let (mut parts, body) = req.into_parts();
        let open = !hyper::body::Body::is_end_stream(&body);
        w.request_started(open.then_some(limits.body_timeout));
        parts.extensions.insert(ConnectInfo(peer));
        let body = RequestBody {
            inner: body,
            watch: open.then(|| w.clone()),
        };
        let req = Request::from_parts(parts, Body::new(body));
        let app = app.clone();
        let w = w.clone();
        async move {
            let guard = AnswerGuard(Some(w));
            let res = app.oneshot(req).await.unwrap_or_else(|e| match e {});
            let (parts, body) = res.into_parts();
            Ok::<_, Infallible>(Response::from_parts(parts, guard.into_body(body)))
        }
    });
    let conn = http.serve_connection(io, service).with_upgrades();
    tokio::pin!(conn);
    let mut shutting_down = false;
    loop {
        let deadline = watch.deadline(&limits);
        let changed = watch.changed.notified();
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(peer = %peer, error = %e, "connection ended");
                }
                break;
            }
            () = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            } => {
                // Re-check: the phase may have moved on while the timer ran.
                if watch.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    tracing::debug!(peer = %peer, "connection closed by a timeout");
                    break;
                }
            }
            () = changed => {}
            _ = closing.wait_for(|c| *c), if !shutting_down => {
                shutting_down = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
    drop(slot);
}

/// Ends the request's "in flight" state if the handler's future is dropped before it answers
/// (a closed connection); else handed on to the answer's body.
struct AnswerGuard(Option<Arc<Watch>>);

impl AnswerGuard {
    fn into_body(mut self, inner: Body) -> AnswerBody {
        let watch = self.0.take().expect("the guard is used once");
        AnswerBody { inner, watch }
    }
}

impl Drop for AnswerGuard {
    fn drop(&mut self) {
        if let Some(w) = self.0.take() {
            w.answer_done();
        }
    }
}
