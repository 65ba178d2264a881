#![warn(missing_docs)]
//! kinship-directory: the crisis directory as data, shared by the phone's core and the
//! peer-group server (which publishes signed bundles and must not carry the phone's storage).
//!
//! - [`model`]: the directory document, its entries and the checks every one must pass;
//! - [`hours`]: opening hours (24/7, weekly, per-region local hours, special days, closures);
//! - [`actions`]: the one-tap `tel:`, `sms:`, WhatsApp and web actions, and the trace each
//!   leaves on a phone;
//! - [`bundle`]: signed updates, signing and verification (installing one on a phone is the
//!   core's job).
//!
//! No file or network I/O happens here.

pub mod actions;
pub mod bundle;
pub mod country;
pub mod hours;
pub mod model;

pub use country::{CountryCode, NotACountryCode};
pub use model::{DataError, DirectoryData, DirectoryEntry, Kind};
