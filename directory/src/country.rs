//! Country codes: ISO 3166-1 alpha-2, checked, so that a name ("Germany") or a typo is refused
//! instead of silently finding nothing.

use std::fmt;

/// A country or territory the directory can be asked about: an assigned ISO 3166-1 alpha-2
/// code, or `XK` (Kosovo, which ISO has not assigned but phones and libphonenumber use).
/// Written in capitals (`DE`); parsing accepts any case and surrounding spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(String);

/// What [`CountryCode::parse`] refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO 3166-1 alpha-2 country code (two letters, such as DE)")]
pub struct NotACountryCode;

impl CountryCode {
    /// The code for `text` ("de", " DE "), or [`NotACountryCode`] for anything that is not an
    /// assigned code ("Germany", "D", "ZZ").
    pub fn parse(text: &str) -> Result<CountryCode, NotACountryCode> {
        let code = text.trim().to_ascii_uppercase();
        if code == "XK" || ISO_3166_1_ALPHA_2.binary_search(&code.as_str()).is_ok() {
            Ok(CountryCode(code))
        } else {
            Err(NotACountryCode)
        }
    }

    /// The two capital letters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every assigned ISO 3166-1 alpha-2 code, sorted (from the tz database's `iso3166.tab`,
/// which follows the ISO list; 249 codes).
const ISO_3166_1_ALPHA_2: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_not_guessed() {
        assert_eq!(
            CountryCode::parse(" de ").map(|c| c.to_string()),
            Ok("DE".into())
        );
        assert!(CountryCode::parse("XK").is_ok() && CountryCode::parse("br").is_ok());
        for bad in ["Germany", "D", "ZZ", "", "DEU", "U S", "INTL"] {
            assert_eq!(CountryCode::parse(bad), Err(NotACountryCode), "{bad}");
        }
        assert!(
            ISO_3166_1_ALPHA_2.windows(2).all(|w| w[0] < w[1]),
            "sorted for the search"
        );
    }
}
