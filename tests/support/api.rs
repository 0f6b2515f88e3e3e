//! A REST server (real HTTP, on loopback) standing in for Multica's API: each request is answered
//! by the test's function, and logged with its time and headers.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};

/// How to answer one request: status, extra headers, body, and a delay before answering.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Answer {
    /// 200 with this JSON, the server's way: a trailing newline.
    pub fn json(body: serde_json::Value) -> Answer {
        Answer {
            status: 200,
            headers: Vec::new(),
            body: format!("{body}\n"),
            delay: Duration::ZERO,
        }
    }

    /// An error status with the server's `{"error": …}` body.
    pub fn error(status: u16, message: &str) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: format!("{}\n", serde_json::json!({ "error": message })),
            delay: Duration::ZERO,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Logged {
    pub at: Instant,
    pub path: String,
    pub authorization: Option<String>,
    pub workspace: Option<String>,
    /// Headers a read-only client must never send.
    pub impersonation: bool,
}

type Handler = dyn Fn(&str, usize) -> Answer + Send + Sync;

pub struct ApiServer {
    pub url: String,
    pub log: Arc<Mutex<Vec<Logged>>>,
}

impl ApiServer {
    /// `answer(path, n)`: the answer to the n-th request (from 0).
    pub async fn start(
        answer: impl Fn(&str, usize) -> Answer + Send + Sync + 'static,
    ) -> ApiServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log: Arc<Mutex<Vec<Logged>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(answer);
        let server_log = log.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let log = server_log.clone();
                let handler = handler.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let log = log.clone();
                        let handler = handler.clone();
                        async move {
                            let header = |n: &str| {
                                req.headers()
                                    .get(n)
                                    .and_then(|v| v.to_str().ok())
                                    .map(str::to_owned)
                            };
                            let n = {
                                let mut log = log.lock().unwrap();
                                log.push(Logged {
                                    at: Instant::now(),
                                    path: req.uri().path().to_owned(),
                                    authorization: header("authorization"),
                                    workspace: header("x-workspace-id")
                                        .or(header("x-workspace-slug")),
                                    impersonation: header("x-agent-id").is_some()
                                        || header("x-task-id").is_some(),
                                });
                                log.len() - 1
                            };
                            let a = handler(req.uri().path(), n);
                            tokio::time::sleep(a.delay).await;
                            let mut resp = Response::builder()
                                .status(a.status)
                                .header("content-type", "application/json");
                            for (k, v) in a.headers {
                                resp = resp.header(k, v);
                            }
                            Ok::<_, Infallible>(resp.body(Full::new(Bytes::from(a.body))).unwrap())
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        ApiServer {
            url: format!("http://{addr}"),
            log,
        }
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }
}
