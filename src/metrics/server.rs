//! `GET /metrics` over HTTP/1 on the command's runtime; every other path is 404.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;

use super::Metrics;

/// A client that has not sent its request headers by then is dropped.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once. The rest wait in the kernel's backlog, holding none of our file
/// descriptors: a flood of slow clients cannot take the ones the live source needs to reconnect.
pub const MAX_CONNECTIONS: usize = 64;

/// The running server; dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// The address bound (the port chosen, when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Bind `addr` now (so that a taken address fails before anything else starts), then serve in
/// the background.
pub async fn serve(addr: SocketAddr, metrics: Metrics) -> std::io::Result<Server> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let task = tokio::spawn(async move {
        loop {
            // A slot first, then the connection: a full house accepts nothing more.
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let (stream, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, most likely: wait instead of spinning.
                    tracing::warn!(error = %e, "metrics: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let metrics = metrics.clone();
            tokio::spawn(async move {
                let _slot = slot;
                let service = hyper::service::service_fn(move |req| {
                    let metrics = metrics.clone();
                    async move { Ok::<_, Infallible>(respond(&req, &metrics)) }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .serve_connection(io, service)
                    .await
                {
                    tracing::debug!(%peer, error = %e, "metrics connection ended");
                }
            });
        }
    });
    Ok(Server { addr, task })
}

fn respond(req: &Request<Incoming>, metrics: &Metrics) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::default());
    if req.uri().path() != "/metrics" {
        *res.status_mut() = StatusCode::NOT_FOUND;
        *res.body_mut() = Full::new(Bytes::from_static(b"not found: try /metrics\n"));
        return res;
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        *res.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        res.headers_mut()
            .insert(ALLOW, hyper::header::HeaderValue::from_static("GET, HEAD"));
        return res;
    }
    res.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(super::encode::CONTENT_TYPE),
    );
    *res.body_mut() = Full::new(Bytes::from(metrics.render()));
    res
}
