// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/sreeise/graph-rs-sdk
// Commit:     f77688651e1b2552c5038eb5f8f7f5f8ff55ae2e (fix)
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
use reqwest::{Method, RequestBuilder};
use std::fmt::{Debug, Formatter};
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

pub type AsyncHttpClient = HttpClient<Arc<Mutex<AsyncClient>>>;

impl AsyncHttpClient {
    pub fn new(url: GraphUrl) -> AsyncHttpClient {
        AsyncHttpClient {
            client: Arc::new(Mutex::new(AsyncClient::new_async(url))),
        }
    }

    pub fn clone_inner(&self) -> Arc<Mutex<AsyncClient>> {
        Arc::clone(&self.client)
    }

    pub async fn download(&self) -> AsyncDownload {
        self.client.lock().download()
    }

    fn get_upload_session_values(&self) -> GraphResult<(PathBuf, RequestBuilder)> {
        let mut client = self.client.lock();
        let upload_session_file = client
            .upload_session_file
            .take()
            .ok_or_else(|| GraphFailure::invalid("file for upload session"))?;
        let request_builder = client.build();
        Ok((upload_session_file, request_builder))
    }

    pub async fn upload_session(&self) -> GraphResult<UploadSessionClient<AsyncHttpClient>> {
        let (file, request) = self.get_upload_session_values()?;
        let response = request.send().await?.with_graph_error().await?;
        let upload_session: serde_json::Value = response.json().await?;
        let mut session = UploadSessionClient::new_async(upload_session)?;
        session.set_file(file).await?;
        Ok(session)
    }

    pub fn build_upload_session(&self) -> (Option<PathBuf>, reqwest::RequestBuilder) {
        self.client.lock().build_upload_session()
    }

    pub fn build(&self) -> reqwest::RequestBuilder {
        self.client.lock().build()
    }

    pub async fn response(&self) -> GraphResult<reqwest::Response> {
        let builder = self.build();
        return builder.send().await.map_err(GraphFailure::from);
    }

    pub async fn execute<T>(&self) -> GraphResult<GraphResponse<T>>
    where
        for<'de> T: serde::Deserialize<'de>,
    {
        let request = self.build();
        let response = request.send().await?;
        AsyncTryFrom::<reqwest::Response>::async_try_from(response).await
    }
}

impl AsyncHttpClient {
    fn get_upload_session_values(&self) -> GraphResult<(PathBuf, RequestBuilder)> {
        let mut client = self.client.lock();
        let upload_session_file = client
            .upload_session_file
            .take()
            .ok_or_else(|| GraphFailure::invalid("file for upload session"))?;
        let request_builder = client.build();
        Ok((upload_session_file, request_builder))
    }

    pub async fn upload_session(&self) -> GraphResult<UploadSessionClient<AsyncHttpClient>> {
        let (file, request) = self.get_upload_session_values()?;
        let response = request.send().await?.with_graph_error().await?;
        let upload_session: serde_json::Value = response.json().await?;
        let mut session = UploadSessionClient::new_async(upload_session)?;
        session.set_file(file).await?;
        Ok(session)
    }

    pub fn build(&self) -> reqwest::RequestBuilder {
        self.client.lock().build()
    }

    pub async fn response(&self) -> GraphResult<reqwest::Response> {
        let builder = self.build();
        return builder.send().await.map_err(GraphFailure::from);
    }

    pub async fn execute<T>(&self) -> GraphResult<GraphResponse<T>>
    where
        for<'de> T: serde::Deserialize<'de>,
    {
        let request = self.build();
        let response = request.send().await?;
        AsyncTryFrom::<reqwest::Response>::async_try_from(response).await
    }
}
