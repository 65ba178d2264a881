//! The organizer web page at `/organize` (in progress in this change).

use axum::Router;

use crate::SharedState;

#[derive(Default)]
pub struct Sessions;

pub fn routes() -> Router<SharedState> {
    Router::new()
}
