//! A REST server (real HTTP, on loopback) standing in for Multica's API: each request is answered
//! by the test's function, and logged with its time and headers. A body may be made as it is
//! sent (as large as a test wants, never held whole), and the bytes handed to the connections
//! are counted: how much a client read before it stopped.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::{Request, Response};

/// How to answer one request: status, extra headers, body, and a delay before answering.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
    /// Sent instead of `body`, made chunk by chunk as the connection takes it.
    pub stream: Option<Streamed>,
}

/// A JSON array made as it is sent: `item(0)`, `item(1)`, … until `limit` bytes were made.
#[derive(Clone)]
pub struct Streamed {
    pub item: Arc<dyn Fn(usize) -> String + Send + Sync>,
    pub limit: usize,
}

/// A streamed body's chunks are about this long.
const CHUNK: usize = 64 << 10;

impl Answer {
    /// 200 with this JSON, the server's way: a trailing newline.
    pub fn json(body: serde_json::Value) -> Answer {
        Answer {
            status: 200,
            headers: Vec::new(),
            body: format!("{body}\n"),
            delay: Duration::ZERO,
            stream: None,
        }
    }

    /// 200 with a JSON array of `item(i)` made as it is sent, `limit` bytes long: as long as
    /// the test likes, and never in memory whole on either side.
    pub fn streamed(
        limit: usize,
        item: impl Fn(usize) -> String + Send + Sync + 'static,
    ) -> Answer {
        Answer {
            stream: Some(Streamed {
                item: Arc::new(item),
                limit,
            }),
            ..Answer::json(serde_json::json!([]))
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Answer {
        Answer {
            headers: vec![("location", location.to_owned())],
            body: String::new(),
            ..Answer::error(status, "")
        }
    }

    /// An error status with the server's `{"error": …}` body.
    pub fn error(status: u16, message: &str) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: format!("{}\n", serde_json::json!({ "error": message })),
            delay: Duration::ZERO,
            stream: None,
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
    /// Body bytes handed to the connections so far.
    pub served: Arc<AtomicUsize>,
}

/// `s` made chunk by chunk, each counted in `served` as the connection takes it.
fn made_as_sent(s: Streamed, served: Arc<AtomicUsize>) -> BoxBody<Bytes, Infallible> {
    // The next item, the bytes made so far, and whether the array is closed.
    let chunks = futures_util::stream::unfold((0, 0, false), move |(mut i, mut made, done)| {
        let (s, served) = (s.clone(), served.clone());
        async move {
            if done {
                return None;
            }
            let mut chunk = String::with_capacity(CHUNK * 2);
            if made == 0 {
                chunk.push('[');
            }
            while chunk.len() < CHUNK && made + chunk.len() < s.limit {
                if i > 0 {
                    chunk.push(',');
                }
                chunk.push_str(&(s.item)(i));
                i += 1;
            }
            let done = made + chunk.len() >= s.limit;
            if done {
                chunk.push_str("]\n");
            }
            made += chunk.len();
            served.fetch_add(chunk.len(), Ordering::SeqCst);
            Some((Ok(Frame::data(Bytes::from(chunk))), (i, made, done)))
        }
    });
    StreamBody::new(chunks).boxed()
}

impl ApiServer {
    /// `answer(path, n)`: the answer to the n-th request (from 0).
    pub async fn start(
        answer: impl Fn(&str, usize) -> Answer + Send + Sync + 'static,
    ) -> ApiServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log: Arc<Mutex<Vec<Logged>>> = Arc::default();
        let served: Arc<AtomicUsize> = Arc::default();
        let handler: Arc<Handler> = Arc::new(answer);
        let server_log = log.clone();
        let server_served = served.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let log = server_log.clone();
                let served = server_served.clone();
                let handler = handler.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let log = log.clone();
                        let served = served.clone();
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
                            let body = match a.stream {
                                Some(s) => made_as_sent(s, served),
                                None => {
                                    served.fetch_add(a.body.len(), Ordering::SeqCst);
                                    Full::new(Bytes::from(a.body)).boxed()
                                }
                            };
                            Ok::<_, Infallible>(resp.body(body).unwrap())
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
            served,
        }
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    /// Body bytes handed to the connections so far.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}
