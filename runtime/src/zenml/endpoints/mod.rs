//! ZenML's endpoints, over the transport: the client, the runs, steps and stacks it registers,
//! what a publish sends, and a run's planned steps.

pub(crate) mod client;
pub(crate) mod plan;
pub(crate) mod publish;
pub(crate) mod pylen;
pub(crate) mod runs;
pub(crate) mod stacks;
