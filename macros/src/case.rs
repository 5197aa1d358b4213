//! `rename_all` rules, with serde's names.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

pub const RULES: &[(&str, RenameRule)] = &[
    ("lowercase", RenameRule::Lower),
    ("UPPERCASE", RenameRule::Upper),
    ("PascalCase", RenameRule::Pascal),
    ("camelCase", RenameRule::Camel),
    ("snake_case", RenameRule::Snake),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
    ("kebab-case", RenameRule::Kebab),
    ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebab),
];

impl RenameRule {
    pub fn from_name(name: &str) -> Option<Self> {
        RULES.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
    }

    /// Applies the rule to a field name written in `snake_case`, as Rust field names are.
    pub fn apply(self, field: &str) -> String {
        match self {
            Self::Lower | Self::Snake => field.to_ascii_lowercase(),
            Self::Upper | Self::ScreamingSnake => field.to_ascii_uppercase(),
            Self::Kebab => field.to_ascii_lowercase().replace('_', "-"),
            Self::ScreamingKebab => field.to_ascii_uppercase().replace('_', "-"),
            Self::Pascal | Self::Camel => {
                let mut out = String::with_capacity(field.len());
                let mut upper = self == Self::Pascal;
                for c in field.chars() {
                    if c == '_' {
                        upper = true;
                    } else if upper {
                        out.extend(c.to_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RenameRule;

    #[test]
    fn rules_match_serde() {
        let cases = [
            (RenameRule::Lower, "run_id", "run_id"),
            (RenameRule::Upper, "run_id", "RUN_ID"),
            (RenameRule::Pascal, "mlflow_run_id", "MlflowRunId"),
            (RenameRule::Camel, "mlflow_run_id", "mlflowRunId"),
            (RenameRule::Snake, "run_id", "run_id"),
            (RenameRule::ScreamingSnake, "run_id", "RUN_ID"),
            (RenameRule::Kebab, "run_id", "run-id"),
            (RenameRule::ScreamingKebab, "run_id", "RUN-ID"),
        ];
        for (rule, input, output) in cases {
            assert_eq!(rule.apply(input), output, "{rule:?}");
        }
    }
}
