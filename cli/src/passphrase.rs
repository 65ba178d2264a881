//! Where passphrases come from: an environment variable, else a prompt without echo.

use std::path::Path;

use kinship_core::Kinship;
use zeroize::Zeroizing;

use crate::{CliError, CliResult};

pub const PASSPHRASE_ENV: &str = "KINSHIP_PASSPHRASE";
pub const NEW_PASSPHRASE_ENV: &str = "KINSHIP_NEW_PASSPHRASE";
pub const DECOY_PASSPHRASE_ENV: &str = "KINSHIP_DECOY_PASSPHRASE";
pub const DURESS_PASSPHRASE_ENV: &str = "KINSHIP_DURESS_PASSPHRASE";

/// The vault passphrase: `KINSHIP_PASSPHRASE`, else asked for once.
pub fn current() -> CliResult<Zeroizing<String>> {
    from_env_or_prompt(PASSPHRASE_ENV, "Passphrase: ", false)
}

/// A passphrase being chosen: from `env`, else asked for twice so a typo is caught.
pub fn new(env: &str, prompt: &str) -> CliResult<Zeroizing<String>> {
    from_env_or_prompt(env, prompt, true)
}

/// A passphrase that must come from the named environment variable.
pub fn from_named_env(var: &str) -> CliResult<Zeroizing<String>> {
    std::env::var(var)
        .map(Zeroizing::new)
        .map_err(|_| CliError::Usage(format!("environment variable {var} is not set")))
}

/// Opens the profile in `dir` and unlocks it with the current passphrase.
pub fn open_unlocked(dir: &Path) -> CliResult<Kinship> {
    let kinship = Kinship::open(dir)?;
    let passphrase = current()?;
    kinship.unlock(&passphrase)?;
    Ok(kinship)
}

fn from_env_or_prompt(env: &str, prompt: &str, confirm: bool) -> CliResult<Zeroizing<String>> {
    if let Ok(value) = std::env::var(env) {
        return Ok(Zeroizing::new(value));
    }
    let no_terminal = |_| {
        CliError::Other(format!(
            "cannot ask for a passphrase without a terminal: set {env}"
        ))
    };
    let first = Zeroizing::new(rpassword::prompt_password(prompt).map_err(no_terminal)?);
    if confirm {
        let again = Zeroizing::new(rpassword::prompt_password("Again: ").map_err(no_terminal)?);
        if *first != *again {
            return Err(CliError::Usage("the two passphrases differ".into()));
        }
    }
    Ok(first)
}
