//! The alerts' webhook transport: one POST per attempt through `reqwest` (rustls, so `https://`
//! receivers work), bounded by a timeout, no redirects followed (a signed delivery goes where the
//! rule says, nowhere else).

use axon_services::alerts::webhook::{Posted, Transport};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub struct HttpTransport {
    client: reqwest::Client,
}

impl HttpTransport {
    pub fn new(timeout: Duration) -> HttpTransport {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("axon-alerts/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the webhook HTTP client builds");
        HttpTransport { client }
    }
}

impl Transport for HttpTransport {
    fn post(
        &self,
        url: String,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Pin<Box<dyn Future<Output = Posted> + Send>> {
        let mut req = self.client.post(url).body(body);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        Box::pin(async move {
            match req.send().await {
                Ok(r) => Ok(r.status().as_u16()),
                // The cause chain, not just "error sending request".
                Err(e) => {
                    let mut msg = e.to_string();
                    let mut src = std::error::Error::source(&e);
                    while let Some(s) = src {
                        msg.push_str(": ");
                        msg.push_str(&s.to_string());
                        src = s.source();
                    }
                    Err(msg)
                }
            }
        })
    }
}
