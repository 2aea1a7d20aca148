// Replay case (before the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/linera-io/linera-protocol
// Commit:     8ad223a3a58dd28167bd69a9ab6a97968a600382 (its parent holds this version)
// Path:       linera-indexer/lib/src/service.rs
// Subject:    Add timeouts for reqwest clients (#1261)
// Rule:       missing-timeout should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust: `let client = reqwest::Client::new();` handed to graphql_client's post_graphql(&client, url, vars).await (the send happens inside the library), no timeout: indexer hangs on a stuck node service
// Note:       Cut down to the imports, the Service struct and the two query methods; the fix adds a reqwest_client() helper with .timeout(30 s) in the same file.

use crate::{common::IndexerError, indexer::Indexer};
use async_tungstenite::{
    tokio::connect_async,
    tungstenite::{client::IntoClientRequest, http::HeaderValue},
};
use futures::{
    task::{FutureObj, Spawn, SpawnError},
    StreamExt,
};
use graphql_client::reqwest::post_graphql;
use graphql_ws_client::{graphql::StreamingOperation, GraphQLClientClientBuilder};
use linera_base::{crypto::CryptoHash, data_types::BlockHeight, identifiers::ChainId};
use linera_chain::data_types::HashedValue;
use linera_core::worker::Reason;
use linera_service_graphql_client::{block, chains, notifications, Block, Chains, Notifications};
use linera_views::{
    common::KeyValueStoreClient, value_splitting::DatabaseConsistencyError, views::ViewError,
};
use structopt::StructOpt;
use tokio::runtime::Handle;
use tracing::error;

#[derive(StructOpt, Debug, Clone)]
pub struct Service {
    /// The port of the node service
    #[structopt(long = "service-port", default_value = "8080")]
    pub service_port: u16,
    /// The address of the node service
    #[structopt(long = "service-address", default_value = "localhost")]
    pub service_address: String,
    /// Use SSL/TLS
    #[structopt(long = "tls")]
    pub tls: bool,
}

impl Service {
    /// Gets one hashed value from the node service
    pub async fn get_value(
        &self,
        chain_id: ChainId,
        hash: Option<CryptoHash>,
    ) -> Result<HashedValue, IndexerError> {
        let client = reqwest::Client::new();
        let variables = block::Variables { hash, chain_id };
        let response = post_graphql::<Block, _>(&client, &self.http(), variables).await?;
        response
            .data
            .ok_or_else(|| IndexerError::NullData(response.errors))?
            .block
            .ok_or_else(|| IndexerError::NotFound(hash))?
            .try_into()
            .map_err(IndexerError::UnknownCertificateStatus)
    }

    /// Gets chains
    pub async fn get_chains(&self) -> Result<Vec<ChainId>, IndexerError> {
        let client = reqwest::Client::new();
        let variables = chains::Variables;
        let result = post_graphql::<Chains, _>(&client, &self.http(), variables).await?;
        Ok(result
            .data
            .ok_or(IndexerError::NullData(result.errors))?
            .chains
            .list)
    }
}
