//! The body of ZenML's `POST /api/v1/run-metadata`, as ZenML's own client sends it.

use uuid::Uuid;

use crate::map::metadata::Metadata;
use crate::runs::resource::Resource;
use crate::value::json::write::write_str;

/// One `POST /api/v1/run-metadata` request: one component's metadata for some resources.
///
/// ```
/// use run_metadata::zenml::RunMetadataRequest;
/// use run_metadata::Resource;
/// use run_metadata::{metadata, StorageSize};
/// use uuid::Uuid;
///
/// let values = metadata! { "size" => StorageSize::new(1024) };
/// let body = RunMetadataRequest::new(Uuid::nil(), Resource::pipeline_run(Uuid::max()), &values)
///     .to_json();
/// assert!(body.contains(r#""values":{"size":1024},"types":{"size":"StorageSize"}"#));
/// ```
#[derive(Clone, Debug)]
pub struct RunMetadataRequest<'a> {
    /// The project the resources belong to.
    pub project: Uuid,
    /// Where the metadata goes.
    pub resources: Vec<Resource>,
    /// The component that reports it, if any.
    pub stack_component_id: Option<Uuid>,
    /// The metadata.
    pub values: &'a Metadata,
    /// The step that publishes it, if any.
    pub publisher_step_id: Option<Uuid>,
}

impl<'a> RunMetadataRequest<'a> {
    /// A request attaching `values` to `resource` in `project`, from no particular component.
    #[must_use]
    pub fn new(project: Uuid, resource: Resource, values: &'a Metadata) -> Self {
        Self {
            project,
            resources: vec![resource],
            stack_component_id: None,
            values,
            publisher_step_id: None,
        }
    }

    /// Sets the reporting component.
    #[must_use]
    pub fn with_stack_component(mut self, id: Uuid) -> Self {
        self.stack_component_id = Some(id);
        self
    }

    /// The JSON body, fields in the order ZenML's client writes them.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Keys twice (values and types), ~16 bytes of value and ~12 of tag each, and the frame.
        let keys: usize = self.values.keys().map(str::len).sum();
        let mut out = String::with_capacity(256 + 2 * keys + 32 * self.values.len());
        out.push_str("{\"project\":");
        write_uuid(&mut out, Some(self.project));
        out.push_str(",\"resources\":[");
        for (i, r) in self.resources.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"id\":");
            write_uuid(&mut out, Some(r.id));
            out.push_str(",\"type\":");
            write_str(&mut out, r.kind.as_str());
            out.push('}');
        }
        out.push_str("],\"stack_component_id\":");
        write_uuid(&mut out, self.stack_component_id);
        out.push_str(",\"values\":");
        self.values.write_json(&mut out);
        out.push_str(",\"types\":");
        self.values.write_types_json(&mut out);
        out.push_str(",\"publisher_step_id\":");
        write_uuid(&mut out, self.publisher_step_id);
        out.push('}');
        out
    }
}

fn write_uuid(out: &mut String, id: Option<Uuid>) {
    match id {
        Some(id) => {
            out.push('"');
            out.push_str(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
            out.push('"');
        }
        None => out.push_str("null"),
    }
}
