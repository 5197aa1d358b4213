//! What is sent to the server besides run metadata: one type per request body, written by
//! `serde_json`. Fields are declared in the order the server has always been sent them
//! (alphabetical: the order a `serde_json` map keeps).

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use crate::zenml::error::ZenmlError;

/// `{}`.
#[derive(Serialize)]
pub(crate) struct Empty {}

/// `{"name": …}`.
#[derive(Serialize)]
pub(crate) struct Named<'a> {
    pub(crate) name: &'a str,
}

/// `POST /api/v1/flavors`: the flavor `rust` of a component type.
#[derive(Serialize)]
pub(crate) struct NewFlavor<'a> {
    pub(crate) config_schema: Empty,
    pub(crate) integration: &'static str,
    pub(crate) name: &'a str,
    pub(crate) source: String,
    #[serde(rename = "type")]
    pub(crate) kind: &'a str,
}

/// `POST /api/v1/components`.
#[derive(Serialize)]
pub(crate) struct NewComponent<'a> {
    pub(crate) configuration: Empty,
    pub(crate) flavor: &'a str,
    pub(crate) name: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: &'a str,
}

/// `POST /api/v1/stacks`: its components by type, one of each.
#[derive(Serialize)]
pub(crate) struct NewStack<'a> {
    pub(crate) components: BTreeMap<&'a str, [Uuid; 1]>,
    pub(crate) name: &'a str,
}

/// `POST /api/v1/pipelines`.
#[derive(Serialize)]
pub(crate) struct NewPipeline<'a> {
    pub(crate) name: &'a str,
    pub(crate) project: Uuid,
}

/// `POST /api/v1/pipeline_snapshots`: the run's steps and their graph.
#[derive(Serialize)]
pub(crate) struct NewSnapshot<'a> {
    pub(crate) pipeline: Uuid,
    pub(crate) pipeline_configuration: Named<'a>,
    pub(crate) project: Uuid,
    pub(crate) run_name_template: &'a str,
    pub(crate) stack: Uuid,
    pub(crate) step_configurations: BTreeMap<&'a str, StepConfiguration<'a>>,
}

/// One step of a snapshot.
#[derive(Serialize)]
pub(crate) struct StepConfiguration<'a> {
    pub(crate) config: Named<'a>,
    pub(crate) spec: StepSpec<'a>,
    pub(crate) step_config_overrides: Named<'a>,
}

impl<'a> StepConfiguration<'a> {
    /// Step `name`, after `upstream`: its own source, its name everywhere ZenML asks for one.
    pub(crate) fn of(name: &'a str, upstream: &'a [String]) -> Self {
        StepConfiguration {
            config: Named { name },
            spec: StepSpec {
                invocation_id: name,
                source: Source {
                    attribute: name,
                    module: "run_metadata",
                    kind: "unknown",
                },
                upstream_steps: upstream,
            },
            step_config_overrides: Named { name },
        }
    }
}

/// Where a step comes from and what it runs after.
#[derive(Serialize)]
pub(crate) struct StepSpec<'a> {
    pub(crate) invocation_id: &'a str,
    pub(crate) source: Source<'a>,
    pub(crate) upstream_steps: &'a [String],
}

/// A step's source: `run_metadata.{name}`, of no type ZenML knows.
#[derive(Serialize)]
pub(crate) struct Source<'a> {
    pub(crate) attribute: &'a str,
    pub(crate) module: &'static str,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
}

/// `POST /api/v1/runs`.
#[derive(Serialize)]
pub(crate) struct NewRun<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_time: Option<String>,
    pub(crate) name: &'a str,
    pub(crate) orchestrator_run_id: &'a str,
    pub(crate) project: Uuid,
    pub(crate) snapshot: Uuid,
    pub(crate) start_time: String,
    pub(crate) status: &'static str,
}

/// `POST /api/v1/steps`.
#[derive(Serialize)]
pub(crate) struct NewStep<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_time: Option<String>,
    pub(crate) name: &'a str,
    pub(crate) pipeline_run_id: Uuid,
    pub(crate) project: Uuid,
    pub(crate) start_time: String,
    pub(crate) status: &'static str,
}

/// `PUT /api/v1/runs/{id}`, `/steps/{id}`: the end of a run or a step.
#[derive(Serialize)]
pub(crate) struct Finish {
    pub(crate) end_time: String,
    pub(crate) status: &'static str,
}

/// A body's JSON. (Plain structs of text, ids and maps keyed by text: `serde_json` refuses none
/// of them, but if it did, the request would not be sent.)
pub(crate) fn to_json(body: &impl Serialize) -> Result<String, ZenmlError> {
    serde_json::to_string(body)
        .map_err(|e| ZenmlError::Protocol(format!("a request body could not be written: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes the server has always been sent: keys in a map's order.
    #[test]
    fn bodies_are_written_as_before() {
        let id = |n: u128| Uuid::from_u128(n);
        let upstream = ["load".to_owned()];
        let snapshot = NewSnapshot {
            pipeline: id(1),
            pipeline_configuration: Named { name: "p" },
            project: id(2),
            run_name_template: "r",
            stack: id(3),
            step_configurations: [
                ("train", StepConfiguration::of("train", &upstream[..])),
                ("load", StepConfiguration::of("load", &[])),
            ]
            .into_iter()
            .collect(),
        };
        let u = |n: u128| id(n).to_string();
        assert_eq!(
            to_json(&snapshot).unwrap(),
            format!(
                concat!(
                    r#"{{"pipeline":"{}","pipeline_configuration":{{"name":"p"}},"project":"{}","#,
                    r#""run_name_template":"r","stack":"{}","step_configurations":{{"#,
                    r#""load":{{"config":{{"name":"load"}},"spec":{{"invocation_id":"load","#,
                    r#""source":{{"attribute":"load","module":"run_metadata","type":"unknown"}},"#,
                    r#""upstream_steps":[]}},"step_config_overrides":{{"name":"load"}}}},"#,
                    r#""train":{{"config":{{"name":"train"}},"spec":{{"invocation_id":"train","#,
                    r#""source":{{"attribute":"train","module":"run_metadata","type":"unknown"}},"#,
                    r#""upstream_steps":["load"]}},"step_config_overrides":{{"name":"train"}}}}}}}}"#
                ),
                u(1),
                u(2),
                u(3)
            )
        );
        let run = |end_time| NewRun {
            end_time,
            name: "r",
            orchestrator_run_id: "o",
            project: id(2),
            snapshot: id(4),
            start_time: "2026-01-01T00:00:00.000000".into(),
            status: "running",
        };
        assert_eq!(
            to_json(&run(None)).unwrap(),
            format!(
                r#"{{"name":"r","orchestrator_run_id":"o","project":"{}","snapshot":"{}","start_time":"2026-01-01T00:00:00.000000","status":"running"}}"#,
                u(2),
                u(4)
            )
        );
        assert!(
            to_json(&run(Some("t".into())))
                .unwrap()
                .starts_with(r#"{"end_time":"t","name""#)
        );
        let flavor = NewFlavor {
            config_schema: Empty {},
            integration: "custom",
            name: "rust",
            source: "run_metadata.orchestrator".into(),
            kind: "orchestrator",
        };
        assert_eq!(
            to_json(&flavor).unwrap(),
            r#"{"config_schema":{},"integration":"custom","name":"rust","source":"run_metadata.orchestrator","type":"orchestrator"}"#
        );
        let stack = NewStack {
            components: [("orchestrator", [id(5)]), ("experiment_tracker", [id(6)])].into(),
            name: "s",
        };
        assert_eq!(
            to_json(&stack).unwrap(),
            format!(
                r#"{{"components":{{"experiment_tracker":["{}"],"orchestrator":["{}"]}},"name":"s"}}"#,
                u(6),
                u(5)
            )
        );
    }
}
