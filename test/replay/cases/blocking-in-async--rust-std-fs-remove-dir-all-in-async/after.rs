// Replay case (after the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/krustlet/krustlet
// Commit:     f08549350f01d9dd2ccce48d4bd7d549abd9eff5 (fix)
// Path:       crates/kubelet/src/volume/persistentvolumeclaim.rs
// Subject:    fix(volumes): Removes blocking fs call
// Rule:       blocking-in-async should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust async method calls std::fs::remove_dir_all after an awaited gRPC call

use std::path::Path;

impl PvcVolume {
    /// Unmounts the directory. Calling `unmount` on a directory that hasn't been mounted will log a
    /// warning, but otherwise not error
    pub async fn unmount(&mut self) -> anyhow::Result<()> {
        match self.mounted_path.take() {
            Some(p) => {
                // https://github.com/kubernetes/kubernetes/blob/6d5cb36d36f34cb4f5735b6adcd5ea8ebb4440ba/pkg/volume/csi/csi_mounter.go#L390
                unpublish_volume(&mut self.csi_client, &self.csi_pv_source, &p).await?;
                // Now remove the empty directory
                //although remove_dir_all crate could default to std::fs::remove_dir_all for unix family, we still prefer std::fs implemetation for unix
                #[cfg(target_family = "windows")]
                tokio::task::spawn_blocking(|| remove_dir_all::remove_dir_all(p)).await?;

                #[cfg(target_family = "unix")]
                tokio::fs::remove_dir_all(p).await?;
            }
            None => {
                warn!("Attempted to unmount PVC directory that wasn't mounted, this generally shouldn't happen");
            }
        }

        Ok(())
    }
}
