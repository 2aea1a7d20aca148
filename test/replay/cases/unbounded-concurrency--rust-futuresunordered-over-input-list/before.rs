// Replay case (before the fix) — excerpt of public code, kept under its original license (MPL-2.0).
// Repository: https://github.com/oxidecomputer/omicron
// Commit:     1264e61c98fe8b4e3283bd8e98bd9a77f9a209c1 (its parent holds this version)
// Path:       support-bundle-collection/src/steps/host_info.rs
// Subject:    [support-bundle] Bound concurrency of zone-log downloads (#10983)
// Rule:       unbounded-concurrency should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust fan-out: zones.iter().map(|zone| save_zone_log_zip_or_error(..)).collect::<FuturesUnordered<_>>() over a sled's whole zone list, drained with while let Some(..) = log_futs.next().await

// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

//! Collect host information from sleds for support bundles

use crate::cache::Cache;
use crate::collection::BundleCollection;
use crate::step::CollectionStep;
use crate::step::CollectionStepOutput;

use anyhow::Context;
use anyhow::bail;
use camino::Utf8Path;
use futures::FutureExt;
use futures::StreamExt;
use futures::future::Future;
use futures::stream::FuturesUnordered;
use nexus_db_model::Sled;
use nexus_networking;
use nexus_types::identity::Asset;
use slog::error;
use slog::info;
use slog_error_chain::InlineErrorChain;
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

async fn collect_data_from_sled(
    collection: &BundleCollection,
    sled: Sled,
    dir: &Utf8Path,
) -> anyhow::Result<CollectionStepOutput> {
    let (log, opctx, datastore) =
        (collection.log(), collection.opctx(), collection.datastore());

    let excluded = collection
        .data_selection()
        .sled_selection()
        .map_or(true, |sel| !sel.contains(sled.id()));
    if excluded {
        return Ok(CollectionStepOutput::Skipped);
    }

    info!(log, "Collecting bundle info from sled"; "sled" => %sled.id());

    let sled_client_result = tokio::select! {
        _ = collection.cancelled() => return Ok(CollectionStepOutput::None),
        result = nexus_networking::sled_client(
            &datastore, &opctx, sled.id(), log,
        ) => result,
    };

    let sled_path = dir
        .join("rack")
        .join(sled.rack_id.to_string())
        .join("sled")
        .join(sled.id().to_string());
    tokio::fs::create_dir_all(&sled_path).await?;
    tokio::fs::write(sled_path.join("sled.txt"), format!("{sled:?}")).await?;

    let sled_client = match sled_client_result {
        Ok(client) => client,
        Err(err) => {
            tokio::fs::write(
                sled_path.join("error.txt"),
                "Could not contact sled",
            )
            .await.with_context(|| {
                format!("Failed to save 'error.txt' to bundle when recording error: {err}")
            })?;
            bail!("Could not contact sled: {err}");
        }
    };

    // Each helper function handles its own cancellation internally:
    // HTTP requests are eagerly cancelled via select!, while filesystem
    // writes complete cooperatively. This means the FuturesUnordered
    // streams drain quickly on cancellation without dropping in-flight
    // file writes.

    // NB: As new sled-diagnostic commands are added they should
    // be added to this array so that their output can be saved
    // within the support bundle.
    let cancellation_token = collection.cancellation_token();
    let mut diag_cmds = futures::stream::iter([
        save_diag_cmd_output_or_error(
            &sled_path,
            "zoneadm",
            sled_client.support_zoneadm_info(),
            cancellation_token,
        )
        .boxed(),
        save_diag_cmd_output_or_error(
            &sled_path,
            "dladm",
            sled_client.support_dladm_info(),
            cancellation_token,
        )
        .boxed(),
        save_diag_cmd_output_or_error(
            &sled_path,
            "ipadm",
            sled_client.support_ipadm_info(),
            cancellation_token,
        )
        .boxed(),
        save_diag_cmd_output_or_error(
            &sled_path,
            "nvmeadm",
            sled_client.support_nvmeadm_info(),
            cancellation_token,
        )
        .boxed(),
        save_diag_cmd_output_or_error(
            &sled_path,
            "pargs",
            sled_client.support_pargs_info(),
            cancellation_token,
        )
        .boxed(),
        save_diag_cmd_output_or_error(
            &sled_path,
            "pfiles",
            sled_client.support_pfiles_info(),
            cancellation_token,
        )
        .boxed(),
        save_diag_cmd_output_or_error(
            &sled_path,
            "pstack",
            sled_client.support_pstack_info(),
            cancellation_token,
        )
        .boxed(),
        save_diag_cmd_output_or_error(
            &sled_path,
            "zfs",
            sled_client.support_zfs_info(),
            cancellation_token,
        )
        .boxed(),
        save_diag_cmd_output_or_error(
            &sled_path,
            "zpool",
            sled_client.support_zpool_info(),
            cancellation_token,
        )
        .boxed(),
        save_diag_cmd_output_or_error(
            &sled_path,
            "health-check",
            sled_client.support_health_check(),
            cancellation_token,
        )
        .boxed(),
    ])
    // Currently we execute up to 10 commands concurrently which
    // might be doing their own concurrent work, for example
    // collectiong `pstack` output of every Oxide process that is
    // found on a sled.
    .buffer_unordered(10);

    while let Some(result) = diag_cmds.next().await {
        // Log that we failed to write the diag command output to a
        // file but don't return early as we wish to get as much
        // information as we can.
        if let Err(e) = result {
            error!(
                log,
                "failed to write diagnostic command output to \
                file: {e}"
            );
        }
    }

    let zones = tokio::select! {
        _ = collection.cancelled() => return Ok(CollectionStepOutput::None),
        result = sled_client.support_logs() => result?.into_inner(),
    };

    // For each zone we concurrently fire off a request to its
    // sled-agent to collect its logs in a zip file and write the
    // result to the support bundle.
    let mut log_futs: FuturesUnordered<_> = zones
        .iter()
        .map(|zone| {
            save_zone_log_zip_or_error(
                log,
                &sled_client,
                zone,
                &sled_path,
                cancellation_token,
            )
        })
        .collect();

    while let Some(log_collection_result) = log_futs.next().await {
        // We log any errors saving the zip file to disk and
        // continue on.
        if let Err(e) = log_collection_result {
            error!(log, "failed to write logs output: {e}");
        }
    }
    Ok(CollectionStepOutput::None)
}
