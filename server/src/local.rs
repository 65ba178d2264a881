//! A whole server inside this process on an ephemeral `127.0.0.1` port, with its groups
//! created up front: what the server's tests, the end-to-end tests, the browser test and
//! `kinship tour` start, so that each starts it the same way. It binds to loopback only.

use std::net::SocketAddr;

use kinship_protocol::Visibility;
use tokio::task::JoinHandle;

use crate::store::{NewGroup, StoreError};
use crate::{app, serve_with_limits, ServerConfig, Store, StoreOptions, SHUTDOWN_GRACE};

/// A group to create before the server starts: name, description, visibility.
pub type GroupSeed<'a> = (&'a str, &'a str, Visibility);

/// Why a local server could not start.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("the database: {0}")]
    Store(#[from] StoreError),
    #[error("binding 127.0.0.1: {0}")]
    Bind(#[from] std::io::Error),
}

/// A running server; it stops when dropped.
pub struct LocalServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The database it serves, for a second [`Store`] handle (operator actions).
    pub database_url: String,
    /// The groups created at start, in the order they were given, with their secrets.
    pub groups: Vec<NewGroup>,
    task: JoinHandle<std::io::Result<()>>,
}

impl LocalServer {
    /// Opens (and migrates) the database, creates `seeds`, and serves on a free loopback port.
    pub async fn start(
        database_url: &str,
        config: ServerConfig,
        seeds: &[GroupSeed<'_>],
    ) -> Result<LocalServer, LocalError> {
        let store = Store::connect(database_url, StoreOptions::default()).await?;
        let mut groups = Vec::with_capacity(seeds.len());
        for (name, description, visibility) in seeds {
            groups.push(store.create_group(name, description, *visibility).await?);
        }
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let limits = config.connections.clone();
        let task = tokio::spawn(serve_with_limits(
            listener,
            app(store, config),
            limits,
            SHUTDOWN_GRACE,
        ));
        Ok(LocalServer {
            base,
            database_url: database_url.to_owned(),
            groups,
            task,
        })
    }

    /// Stops serving and waits until the listener is closed (so the next request to `base`
    /// is refused, as when a phone loses the server).
    pub async fn stop(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }

    /// A second handle on the server's database, as an operator's command would open it.
    pub async fn store(&self) -> Result<Store, StoreError> {
        Store::connect(&self.database_url, StoreOptions::default()).await
    }

    /// Creates one more group while the server runs.
    pub async fn create_group(
        &self,
        name: &str,
        description: &str,
        visibility: Visibility,
    ) -> Result<NewGroup, StoreError> {
        self.store()
            .await?
            .create_group(name, description, visibility)
            .await
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
