// Replay case (before the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/mofa-org/mofa
// Commit:     dc5227a24528860fa8abef94d9ffdcb167e46a76 (its parent holds this version)
// Path:       crates/mofa-monitoring/src/tracing/exporter.rs
// Subject:    fix(monitoring): terminate BatchExporter task on drop
// Rule:       floating-task should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust BatchExporter::new tokio::spawn(async move { loop { select! { Some(span) = receiver.recv() => … } } }) and drops the JoinHandle: the export loop is detached and outlives the exporter
// Note:       Cut down to the struct and its constructor.

use super::span::SpanData;
use async_trait::async_trait;
use reqwest::Client;
use std::sync::Arc;
use tokio::sync::{RwLock, mpsc};
use tracing::{debug, error, info};

/// 异步批处理导出器
/// Asynchronous batch exporter
pub struct BatchExporter {
    exporter: Arc<dyn TracingExporter>,
    sender: mpsc::Sender<SpanData>,
}

impl BatchExporter {
    pub fn new(exporter: Arc<dyn TracingExporter>, config: ExporterConfig) -> Self {
        let (sender, mut receiver) = mpsc::channel::<SpanData>(config.max_queue_size);

        let export_interval = std::time::Duration::from_millis(config.export_interval_ms);
        let batch_size = config.batch_size;
        let exporter_clone = exporter.clone();

        // 启动后台导出任务
        // Start background export task
        tokio::spawn(async move {
            let mut buffer = Vec::with_capacity(batch_size);
            let mut interval = tokio::time::interval(export_interval);

            loop {
                tokio::select! {
                    Some(span) = receiver.recv() => {
                        buffer.push(span);
                        if buffer.len() >= batch_size {
                            let to_export: Vec<_> = std::mem::take(&mut buffer);
                            if let Err(e) = exporter_clone.export(to_export).await {
                                error!("Failed to export spans: {}", e);
                            }
                        }
                    }
                    _ = interval.tick() => {
                        if !buffer.is_empty() {
                            let to_export: Vec<_> = std::mem::take(&mut buffer);
                            if let Err(e) = exporter_clone.export(to_export).await {
                                error!("Failed to export spans: {}", e);
                            }
                        }
                    }
                }
            }
        });

        Self { exporter, sender }
    }
}
