//! lxconf's integration tests: one binary, one module per area.

mod cli;
mod compat;
mod corpus;
mod liblxc;
mod roundtrip;
mod support;
mod upgrade;
