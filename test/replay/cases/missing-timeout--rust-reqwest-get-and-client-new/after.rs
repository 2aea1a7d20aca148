// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/breez/breez-sdk-greenlight
// Commit:     2e0ef4c9af90ca1cc72514adf7dbd7d0c0c59aa4 (fix)
// Path:       libs/sdk-core/src/chain.rs
// Subject:    Use a non-zero timeout in our HTTP clients
// Rule:       missing-timeout should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust: reqwest::get(url).await and reqwest::Client::new().post(..).send().await to a public mempool API, no timeout anywhere (reqwest has none by default)
// Note:       The after version appends get_reqwest_client() from libs/sdk-core/src/input_parser.rs (same commit), the helper the fix routes every request through.

use crate::input_parser::{get_parse_and_log_response, get_reqwest_client};
use anyhow::{anyhow, Result};
use bitcoin::hashes::hex::FromHex;
use bitcoin::{OutPoint, Txid};
use serde::{Deserialize, Serialize};

pub(crate) struct MempoolSpace {
    pub(crate) base_url: String,
}

#[tonic::async_trait]
impl ChainService for MempoolSpace {
    async fn recommended_fees(&self) -> Result<RecommendedFees> {
        get_parse_and_log_response(&format!("{}/api/v1/fees/recommended", self.base_url)).await
    }

    async fn address_transactions(&self, address: String) -> Result<Vec<OnchainTx>> {
        get_parse_and_log_response(&format!("{}/api/address/{address}/txs", self.base_url)).await
    }

    async fn current_tip(&self) -> Result<u32> {
        get_parse_and_log_response(&format!("{}/api/blocks/tip/height", self.base_url)).await
    }

    async fn transaction_outspends(&self, txid: String) -> Result<Vec<Outspend>> {
        let url = format!("{}/api/tx/{txid}/outspends", self.base_url);
        Ok(get_reqwest_client()?.get(url).send().await?.json().await?)
    }

    async fn broadcast_transaction(&self, tx: Vec<u8>) -> Result<String> {
        let client = get_reqwest_client()?;
        let txid_or_error = client
            .post(format!("{}/api/tx", self.base_url))
            .body(hex::encode(tx))
            .send()
            .await?
            .text()
            .await?;
        match txid_or_error.contains("error") {
            true => Err(anyhow!("Error fetching tx: {txid_or_error}")),
            false => Ok(txid_or_error),
        }
    }
}

// libs/sdk-core/src/input_parser.rs
use std::time::Duration;
/// Creates an HTTP client with a built-in connection timeout
pub(crate) fn get_reqwest_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(Into::into)
}
