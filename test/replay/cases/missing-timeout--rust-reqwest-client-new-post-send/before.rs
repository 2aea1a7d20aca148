// Replay case (before the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/breez/breez-sdk-greenlight
// Commit:     2e0ef4c9af90ca1cc72514adf7dbd7d0c0c59aa4 (its parent holds this version)
// Path:       libs/sdk-core/src/swap_out/boltzswap.rs
// Subject:    Use a non-zero timeout in our HTTP clients
// Rule:       missing-timeout should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust: Client::new() (imported `use reqwest::{Body, Client}`) .post(endpoint).send().await in trait-impl methods: a swap-status poll with no timeout
// Note:       Cut down to the reverse-swap status and route-hint methods; the after version appends get_reqwest_client() from libs/sdk-core/src/input_parser.rs (same commit).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::to_string_pretty;

use anyhow::{anyhow, Result};
use bitcoin::Txid;
use serde_json::json;

use const_format::concatcp;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Body, Client};

use crate::input_parser::get_parse_and_log_response;
use crate::models::ReverseSwapPairInfo;
use crate::swap_out::reverseswap::CreateReverseSwapResponse;
use crate::{ReverseSwapServiceAPI, RouteHint, RouteHintHop};

use super::error::{ReverseSwapError, ReverseSwapResult};

pub struct BoltzApi {}

#[tonic::async_trait]
impl ReverseSwapServiceAPI for BoltzApi {
    /// Boltz API errors (e.g. providing an invalid ID arg) are returned as a successful response of
    /// type [BoltzApiCreateReverseSwapResponse::BoltzApiError]
    async fn get_boltz_status(&self, id: String) -> ReverseSwapResult<BoltzApiReverseSwapStatus> {
        Client::new()
            .post(GET_SWAP_STATUS_ENDPOINT)
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "id": id }).to_string()))
            .send()
            .await?
            .text()
            .await
            .map_err(|e| {
                ReverseSwapError::ServiceConnectivity(anyhow!(
                    "(Boltz {GET_SWAP_STATUS_ENDPOINT}) Failed to request swap status: {e}"
                ))
            })
            .and_then(|res| {
                trace!("Boltz API status raw response {}", to_string_pretty(&res)?);
                serde_json::from_str::<BoltzApiReverseSwapStatus>(&res).map_err(|e| {
                    ReverseSwapError::ServiceConnectivity(anyhow!(
                        "(Boltz {GET_SWAP_STATUS_ENDPOINT}) Failed to parse get status response: {e}"
                    ))
                })
            })
    }

    async fn get_route_hints(&self, routing_node_id: String) -> ReverseSwapResult<Vec<RouteHint>> {
        Client::new()
            .post(GET_ROUTE_HINTS_ENDPOINT)
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({ "routingNode": routing_node_id, "symbol": "BTC" }).to_string(),
            ))
            .send()
            .await?
            .text()
            .await
            .map_err(|e| {
                ReverseSwapError::ServiceConnectivity(anyhow!(
                    "(Boltz {GET_ROUTE_HINTS_ENDPOINT}) Failed to get routing hints: {e}"
                ))
            })
            .and_then(|res| {
                trace!(
                    "Boltz API routinghints raw response {}",
                    to_string_pretty(&res)?
                );
                serde_json::from_str::<BoltzRouteHints>(&res)
                .map_err(|e| {
                    ReverseSwapError::ServiceConnectivity(anyhow!(
                        "(Boltz {GET_ROUTE_HINTS_ENDPOINT}) Failed to parse get route hints response: {e}"
                    ))
                })
            })
            .map(Into::into)
    }
}
