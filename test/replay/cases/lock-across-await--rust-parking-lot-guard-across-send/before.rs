// Replay case (before the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/sreeise/graph-rs-sdk
// Commit:     f77688651e1b2552c5038eb5f8f7f5f8ff55ae2e (its parent holds this version)
// Path:       graph-http/src/async_client/client.rs
// Subject:    Fix lock calls held across .await
// Rule:       lock-across-await should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      parking_lot Mutex guard (temporary `self.client.lock().x().await` and a `let mut client = self.client.lock()` local) alive across the awaited HTTP request

use crate::download::AsyncDownload;
use crate::download::DownloadClient;
use crate::traits::*;
use crate::uploadsession::UploadSessionClient;
use crate::url::GraphUrl;
use crate::{
    GraphRequest, GraphResponse, HttpClient, Registry, RequestAttribute, RequestClient, RequestType,
};
use graph_core::resource::ResourceIdentity;
use graph_error::WithGraphErrorAsync;
use graph_error::{GraphFailure, GraphResult};
use handlebars::Handlebars;
use parking_lot::Mutex;
use reqwest::header::{HeaderMap, HeaderValue, IntoHeaderName, CONTENT_TYPE};
use reqwest::redirect::Policy;
use reqwest::Method;
use std::fmt::{Debug, Formatter};
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

pub type AsyncHttpClient = HttpClient<Arc<Mutex<AsyncClient>>>;

impl AsyncHttpClient {
    pub async fn upload_session(&self) -> GraphResult<UploadSessionClient<AsyncHttpClient>> {
        self.client.lock().upload_session().await
    }

    pub async fn response(&self) -> GraphResult<reqwest::Response> {
        let mut client = self.client.lock();
        let response = client.response();
        response.await
    }

    pub async fn execute<T>(&self) -> GraphResult<GraphResponse<T>>
    where
        for<'de> T: serde::Deserialize<'de>,
    {
        self.client.lock().execute().await
    }
}
