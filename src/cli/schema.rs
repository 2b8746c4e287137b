//! `lxconf schema`: print the model's JSON Schema.

use super::EXIT_OK;

/// Run.
pub fn run() -> u8 {
    crate::out!("{}", lxconf_model::json_schema());
    EXIT_OK
}
