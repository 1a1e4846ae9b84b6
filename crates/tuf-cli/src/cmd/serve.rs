//! `tuf serve`: serve a repository directory (its `metadata/` and `targets/`)
//! read-only over HTTP, for trying a client locally. Binds loopback by default.
//!
//! Paths are percent-decoded like any static file server and must stay inside
//! the directory: `..` segments, backslashes and NUL bytes are refused.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Arguments of `tuf serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Repository directory (serves REPO/metadata/... and REPO/targets/...).
    repo: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
}

/// Map a request path onto a file below `root`, if it stays inside it.
pub(crate) fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let mut out = root.to_path_buf();
    for seg in decoded.split('/').filter(|s| !s.is_empty()) {
        if seg == "." || seg == ".." || seg.contains(['\\', '\0']) {
            return None;
        }
        out.push(seg);
    }
    Some(out)
}

impl ServeArgs {
    pub(crate) fn run(self) -> Result<()> {
        let server = tiny_http::Server::http(&self.addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", self.addr))?;
        let root = self
            .repo
            .canonicalize()
            .with_context(|| format!("repository directory {}", self.repo.display()))?;
        eprintln!(
            "serving {} on http://{}/ (metadata/ and targets/); Ctrl-C stops",
            root.display(),
            self.addr
        );
        for request in server.incoming_requests() {
            let response = match resolve(&root, request.url()).filter(|p| p.is_file()) {
                Some(path) if request.method() == &tiny_http::Method::Get => {
                    match std::fs::File::open(&path) {
                        Ok(f) => {
                            tracing::info!("200 {}", request.url());
                            request.respond(tiny_http::Response::from_file(f))
                        }
                        Err(_) => request.respond(tiny_http::Response::empty(404)),
                    }
                }
                _ => {
                    tracing::info!("404 {}", request.url());
                    request.respond(tiny_http::Response::empty(404))
                }
            };
            if let Err(e) = response {
                tracing::warn!("response failed: {e}");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_cannot_escape_the_repository() {
        let root = Path::new("/srv/repo");
        assert_eq!(
            resolve(root, "/metadata/1.root.json"),
            Some(root.join("metadata/1.root.json"))
        );
        assert_eq!(
            resolve(root, "/metadata/a%2Fb.json"),
            Some(root.join("metadata/a/b.json"))
        );
        assert_eq!(resolve(root, "/metadata/../../etc/passwd"), None);
        assert_eq!(resolve(root, "/metadata/..%2F..%2Fetc/passwd"), None);
        assert_eq!(resolve(root, "/targets/a%5C..%5Cb"), None);
        assert_eq!(resolve(root, "/targets/x%00"), None);
    }
}
