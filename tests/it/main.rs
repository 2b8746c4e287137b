//! lxconf's integration tests: one binary, one module per area.
//!
//! Tests may be long tables of cases: the 150-line limit is for the product code.
#![allow(clippy::too_many_lines)]

mod adversarial;
mod architecture;
mod ci;
mod cli;
mod codes;
mod compat;
mod conversion_cli;
mod corpus;
mod domxml;
mod domxml_generated;
mod equiv;
mod equiv_real;
mod examples;
mod fidelity;
mod from_native;
mod generate;
mod hooks_run;
mod injection;
mod liblxc;
mod liblxc_generated;
mod libvirt_run;
mod lint;
mod lint_rules;
mod load;
mod lxd_migrate;
mod lxd_oracle;
mod lxd_read;
mod lxd_run;
mod lxd_write;
mod realworld;
mod roundtrip;
mod run;
mod seccomp_run;
mod support;
mod terminal;
mod upgrade;
mod writing;
