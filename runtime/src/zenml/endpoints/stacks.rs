//! Stacks on the server: the stack a run is created on, registered with its components.

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::hooks::component::{ComponentInfo, ComponentKind};
use crate::zenml::endpoints::client::Client;
use crate::zenml::error::ZenmlError;
use crate::zenml::wire::bodies::NewStack;

impl Client {
    /// The server's id of the stack named `name` made of `components` (each registered as
    /// [`component_id`](Self::component_id) does): the stack of that name if the server has
    /// one, else one created now, so that the dashboard shows the components that report the
    /// metadata. `None` for components without an orchestrator, which a ZenML stack needs.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn stack_id(
        &mut self,
        name: &str,
        components: &[ComponentInfo],
    ) -> Result<Option<Uuid>, ZenmlError> {
        if !components
            .iter()
            .any(|c| c.kind == ComponentKind::Orchestrator)
        {
            return Ok(None);
        }
        if let Some(id) = self.find_stack(name)? {
            return Ok(Some(id));
        }
        let mut by_kind = BTreeMap::new();
        for component in components {
            let id = self.component_id(component)?;
            by_kind.insert(component.kind.as_str(), [id]);
        }
        let body = NewStack {
            components: by_kind,
            name,
        };
        self.post_or_find("/api/v1/stacks", &body, |client| client.find_stack(name))
            .map(Some)
    }

    /// The server's id of the stack named `name`, if it has one.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn find_stack(&mut self, name: &str) -> Result<Option<Uuid>, ZenmlError> {
        if name.is_empty() {
            return Ok(None);
        }
        self.first_id("/api/v1/stacks", &[("name", name)])
    }
}
