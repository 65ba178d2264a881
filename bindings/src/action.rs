//! The one tap target every feature hands out ([`Action`]), and the checked country code
//! ([`CountryCode`]) that picks a country's crisis numbers.

use std::sync::Arc;

use crate::error::{InputProblem, KinshipError, Result};

mirror_enum! {
    /// How an action reaches someone.
    ActionKind <=> kinship_core::directory::ActionKind {
        Call,
        Text,
        WhatsApp,
        Chat,
        Website,
    }
}

mirror_enum! {
    /// What a tap leaves on the phone for someone who picks it up: warn before the tap.
    ActionTrace <=> kinship_core::directory::Trace {
        CallLog,
        SmsThread,
        MessagingAppChat,
        BrowserHistory,
    }
}

/// One tap: a crisis line, a directory entry's channel, a safety-plan contact, a suggestion's
/// call. The same shape everywhere, so an app has one button and one warning for them all.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct Action {
    /// The button's text: `Call 988`, `Text HOME to 741741`, `Call Sam`.
    pub label: String,
    /// `tel:`, `sms:`, `https:`: the phone only opens it.
    pub uri: String,
    pub kind: ActionKind,
    /// What the tap leaves on the phone.
    pub trace: ActionTrace,
    /// A star code (`*4141`): iOS's Phone app will not dial it from the link, so show the
    /// number to be typed on the keypad there (Android dials it).
    pub dial_by_hand: bool,
    /// For a call: free, where the operator says so (`None`: not known). Warn before a tap
    /// that may cost money or show on a bill someone else reads.
    #[uniffi(default = None)]
    pub free: Option<bool>,
    /// For a call: whether it shows on the phone bill, where the operator says so.
    #[uniffi(default = None)]
    pub on_phone_bill: Option<bool>,
}

impl From<kinship_core::directory::Action> for Action {
    fn from(action: kinship_core::directory::Action) -> Self {
        Action {
            label: action.label,
            uri: action.uri,
            kind: action.kind.into(),
            trace: action.trace.into(),
            dial_by_hand: action.dial_by_hand,
            free: action.free,
            on_phone_bill: action.on_phone_bill,
        }
    }
}

/// An ISO 3166-1 alpha-2 country code (`DE`; also `XK`), checked when it is made: a name
/// ("Germany") or a typo is refused with `InvalidInput` on `country` instead of silently
/// finding no numbers.
#[derive(Debug, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Display, Eq, Hash)]
pub struct CountryCode {
    pub(crate) code: kinship_core::directory::CountryCode,
}

#[uniffi::export]
impl CountryCode {
    /// From the phone's region (`Locale.getDefault().country`, `Locale.current.region`), in
    /// any case.
    #[uniffi::constructor]
    pub fn new(code: String) -> Result<Arc<Self>> {
        let code = kinship_core::directory::CountryCode::parse(&code).map_err(|_| {
            KinshipError::InvalidInput {
                field: Some("country".into()),
                problem: InputProblem::Malformed,
                reason: "not an ISO 3166-1 alpha-2 country code (two letters, such as DE)".into(),
            }
        })?;
        Ok(Arc::new(CountryCode { code }))
    }

    /// The two capital letters.
    pub fn alpha2(&self) -> String {
        self.code.as_str().to_owned()
    }
}

impl std::fmt::Display for CountryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.code.fmt(f)
    }
}

impl CountryCode {
    pub(crate) fn from_core(code: kinship_core::directory::CountryCode) -> Arc<Self> {
        Arc::new(CountryCode { code })
    }
}

redacted_display!(Action);
