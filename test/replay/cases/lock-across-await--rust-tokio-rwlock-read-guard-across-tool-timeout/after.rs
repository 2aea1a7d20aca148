// Replay case (after the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/mofa-org/mofa
// Commit:     2249eabf9a2719c8291d6d1ed8ac7c3592cf2c74 (fix)
// Path:       crates/mofa-foundation/src/react/core.rs
// Subject:    fix(react): release RwLock before awaiting tool execution
// Rule:       lock-across-await should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust: tokio RwLock read guard `let tools = self.tools.read().await` kept alive in an instrumented async block across tokio::time::timeout(30 s, tool.execute(input)).await: register_tool's write lock waits for every tool run
// Note:       Cut down to the struct and the execute_tool method.

use crate::llm::{LLMAgent, LLMError, LLMResult, Tool};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::RwLock;
use tracing::Instrument;

/// ReAct Agent 核心实现
/// ReAct Agent core implementation
pub struct ReActAgent {
    /// LLM Agent
    /// LLM Agent
    llm: Arc<LLMAgent>,
    /// 工具注册表
    /// Tool registry
    tools: Arc<RwLock<HashMap<String, Arc<dyn ReActTool>>>>,
    /// 配置
    /// Configuration
    config: ReActConfig,
}

impl ReActAgent {
    async fn execute_tool(&self, tool_name: &str, input: &str) -> String {
        let span = tracing::info_span!("react.tool_call", tool = %tool_name);
        let timeout_dur = self.config.tool_timeout;

        // Clone the Arc while holding the read lock, then release the lock
        // before the potentially long-running tool.execute() call. Holding
        // a tokio RwLock read guard across an .await blocks all concurrent
        // write operations (e.g. register_tool) for the full tool duration.
        let maybe_tool: Option<Arc<dyn ReActTool>> = {
            let tools = self.tools.read().await;
            tools.get(tool_name).cloned()
        }; // read guard dropped here, before any .await

        async {
            match maybe_tool {
                Some(tool) => {
                    match tokio::time::timeout(timeout_dur, tool.execute(input)).await {
                        Ok(Ok(result)) => result,
                        Ok(Err(e)) => format!("Tool error: {}", e),
                        Err(_) => format!("Tool '{}' timed out after {:?}", tool_name, timeout_dur),
                    }
                }
                None => {
                    let tools = self.tools.read().await;
                    format!(
                        "Tool '{}' not found. Available tools: {:?}",
                        tool_name,
                        tools.keys().collect::<Vec<_>>()
                    )
                }
            }
        }
        .instrument(span)
        .await
    }
}
