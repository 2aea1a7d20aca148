// Replay case (before the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/krustlet/krustlet
// Commit:     a1e2fcb62b5cb6968ba3b68a1a3ff6ef4b9912af (its parent holds this version)
// Path:       crates/kubelet/src/volume/persistentvolumeclaim.rs
// Subject:    Wrappes creation of temporary directory with tokio::task::spawn_blocking to avoid blocking IO in an async context.
// Rule:       blocking-in-async should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust async fn creates a temp directory with tempfile::Builder::new().prefix(..).tempdir() (blocking file-system I/O) on the runtime thread

use std::path::Path;
use std::str::FromStr;

use k8s_csi::v1_3_0::node_client::NodeClient;
use k8s_csi::v1_3_0::node_service_capability::{rpc, Rpc, Type as CapabilityType};
use k8s_csi::v1_3_0::volume_capability::access_mode::Mode as CSIMode;
use k8s_csi::v1_3_0::volume_capability::{
    AccessMode as CSIAccessMode, AccessType as CSIAccessType, MountVolume as CSIMountVolume,
};
use k8s_csi::v1_3_0::{
    NodeGetCapabilitiesRequest, NodePublishVolumeRequest, NodeStageVolumeRequest,
    NodeUnpublishVolumeRequest, VolumeCapability,
};

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, PersistentVolume, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use tempfile::Builder;
use thiserror::Error;

use crate::grpc_sock;
use crate::plugin_watcher::PluginRegistry;

use super::*;

pub(crate) async fn populate(
    pvc_source: &PersistentVolumeClaimVolumeSource,
    client: &kube::Client,
    namespace: &str,
    pr: Option<Arc<PluginRegistry>>,
    path: &Path,
) -> anyhow::Result<VolumeType> {
    if pr.is_none() {
        return Err(anyhow::anyhow!(format!(
            "failed to mount volume {}: CSI driver support not implemented",
            &pvc_source.claim_name
        )));
    }
    let plugin_registry = pr.unwrap();

    let spec = get_pvc_spec(pvc_source, client, namespace).await?;
    let mut csi_client = get_csi_client(client, &spec, plugin_registry).await?;
    let csi = get_csi(client, pvc_source, &spec).await?;
    let stage_unstage_volume = supports_stage_unstage(&mut csi_client).await?;

    // we keep this around even if the driver does not support STAGE_UNSTAGE_VOLUME. unmount() still needs it.
    tokio::fs::create_dir_all(path).await?;
    // TODO(bacongobbler): implement node_unstage_volume(). We'll need to
    // persist the staging_path somewhere so we can recall that information
    // during unpopulate()
    let staging_path = Builder::new().prefix(&csi.volume_handle).tempdir()?;
    if stage_unstage_volume {
        stage_volume(&mut csi_client, &csi, staging_path.path()).await?;
    }
    publish_volume(
        &mut csi_client,
        &csi,
        staging_path.path(),
        stage_unstage_volume,
        path,
    )
    .await?;

    Ok(VolumeType::PersistentVolumeClaim)
}
