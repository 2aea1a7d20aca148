// Replay case (after the fix) — excerpt of public code, kept under its original license (Apache-2.0 OR MIT).
// Repository: https://github.com/pendulum-project/nts-pool
// Commit:     934ab20f0c7009b631df033f5c37a8b46afa383c (fix)
// Path:       nts-pool-ke/src/pool_ke.rs
// Subject:    [KELB] Do frontend tls configuration loading in a blocking context
// Rule:       blocking-in-async should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      spawned async loop (and async startup) calls a sync helper that reads certificate/key files (load_certificates, PrivateKeyDer::from_pem_file) on the runtime thread

use std::{
    net::SocketAddr,
    sync::{Arc, RwLock},
};

use notify::{RecursiveMode, Watcher};
use rustls::{pki_types::pem::PemObject, version::TLS13};
use tokio::{
    io::AsyncWriteExt,
    net::TcpListener,
    select,
    signal::unix::{SignalKind, signal},
};
use tokio_rustls::TlsAcceptor;
use tokio_util::task::TaskTracker;
use tracing::{debug, info};

use crate::{
    config::NtsPoolKeConfig,
    error::PoolError,
    haproxy::parse_haproxy_header,
    nts::{
        AlgorithmDescription, ClientRequest, ErrorCode, ErrorResponse, FixedKeyRequest,
        KeyExchangeResponse, MAX_MESSAGE_SIZE, NoAgreementResponse, NtsError, ProtocolId,
    },
    servers::{ConnectionType, Server, ServerConnection, ServerManager},
    util::{BufferBorrowingReader, load_certificates},
};

pub async fn run_nts_pool_ke(
    nts_pool_ke_config: NtsPoolKeConfig,
    server_manager: impl ServerManager + 'static,
) -> std::io::Result<()> {
    let pool_ke = NtsPoolKe::new(nts_pool_ke_config, server_manager).await?;

    Arc::new(pool_ke).serve().await
}

struct NtsPoolKe<S> {
    config: NtsPoolKeConfig,
    server_tls: RwLock<TlsAcceptor>,
    server_manager: S,
}

impl<S: ServerManager + 'static> NtsPoolKe<S> {
    async fn new(config: NtsPoolKeConfig, server_manager: S) -> std::io::Result<Self> {
        let server_config = load_tls_config(&config).await?;

        let server_tls = RwLock::new(server_config);

        Ok(NtsPoolKe {
            config,
            server_tls,
            server_manager,
        })
    }

    async fn tls_config_updater(
        self: Arc<Self>,
    ) -> Result<tokio::task::JoinHandle<()>, std::io::Error> {
        let (change_sender, mut change_receiver) = tokio::sync::mpsc::unbounded_channel::<()>();
        // Use a poll watcher here as INotify can be unreliable in many ways and I don't want to deal with that.
        let mut watcher = notify::poll::PollWatcher::new(
            move |event: notify::Result<notify::Event>| {
                if event.is_ok() {
                    let _ = change_sender.send(());
                }
            },
            notify::Config::default()
                .with_poll_interval(std::time::Duration::from_secs(60))
                .with_compare_contents(true),
        )
        .map_err(std::io::Error::other)?;

        watcher
            .watch(&self.config.certificate_chain, RecursiveMode::NonRecursive)
            .map_err(std::io::Error::other)?;
        watcher
            .watch(&self.config.private_key, RecursiveMode::NonRecursive)
            .map_err(std::io::Error::other)?;

        Ok(tokio::spawn(async move {
            // keep the watcher alive
            let _w = watcher;
            loop {
                change_receiver.recv().await;
                match load_tls_config(&self.config).await {
                    Ok(server_tls) => {
                        *self.server_tls.write().unwrap() = server_tls;
                    }
                    Err(e) => {
                        tracing::error!("Could not reload tls configuration: {}", e);
                    }
                }
            }
        }))
    }
}

async fn load_tls_config(config: &NtsPoolKeConfig) -> Result<TlsAcceptor, std::io::Error> {
    let certificate_chain = config.certificate_chain.clone();
    let private_key = config.private_key.clone();

    tokio::task::spawn_blocking(|| {
        let certificate_chain =
            load_certificates(certificate_chain).map_err(std::io::Error::other)?;
        let private_key = rustls::pki_types::PrivateKeyDer::from_pem_file(private_key)
            .map_err(std::io::Error::other)?;
        let mut server_config = rustls::ServerConfig::builder_with_protocol_versions(&[&TLS13])
            .with_no_client_auth()
            .with_single_cert(certificate_chain.clone(), private_key.clone_key())
            .map_err(std::io::Error::other)?;
        server_config.alpn_protocols = vec!["ntske/1".into()];
        Ok(TlsAcceptor::from(Arc::new(server_config)))
    })
    .await
    .unwrap()
}
