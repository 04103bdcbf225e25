//! Which external id role A's trust requires after this run. Pure: the argument and the
//! id role A's trust requires now go in, the choice and its one-line explanation come out.
//!
//! A forgotten flag must never weaken the trust: without `--external-id` the condition
//! already there is kept, and only `--external-id none` removes it (with a warning).

/// `--external-id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternalIdArg {
    /// Not given: keep what role A's trust requires now (or none, for a new role).
    Keep,
    /// `none`: remove the condition.
    Remove,
    Given(String),
    /// `auto`: keep the id role A's trust already requires, else generate one.
    Auto,
}

impl ExternalIdArg {
    /// Parses the flag's value; `check` validates a given id.
    pub fn parse(
        value: Option<&str>,
        check: impl Fn(&str) -> Result<(), String>,
    ) -> Result<ExternalIdArg, String> {
        Ok(match value {
            None => ExternalIdArg::Keep,
            Some("none") => ExternalIdArg::Remove,
            Some("auto") => ExternalIdArg::Auto,
            Some(id) => {
                check(id)?;
                ExternalIdArg::Given(id.to_string())
            }
        })
    }

    /// True when the choice depends on what role A's trust requires now.
    pub fn needs_current(&self) -> bool {
        !matches!(self, ExternalIdArg::Given(_))
    }
}

/// What this run does with the external id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// No condition, and none was there.
    None,
    /// The id role A's trust requires now stays.
    Kept(String),
    /// `--external-id ID`; `replaces` is the different id required now.
    Given {
        id: String,
        replaces: Option<String>,
    },
    /// `auto` on a trust without an id: a new random one.
    Generated(String),
    /// `none` on a trust that requires one: the condition goes.
    Removed,
}

impl Choice {
    /// The id role A's trust will require.
    pub fn id(&self) -> Option<&str> {
        match self {
            Choice::Kept(id) | Choice::Given { id, .. } | Choice::Generated(id) => Some(id),
            Choice::None | Choice::Removed => None,
        }
    }

    /// True when the trust gets weaker: worth a warning, not a progress line.
    pub fn weakens(&self) -> bool {
        matches!(self, Choice::Removed)
    }

    /// One line for the plan and the progress output. The id itself is in the printed
    /// config, never here.
    pub fn describe(&self) -> String {
        match self {
            Choice::None => "external id: none (role A's trust has no sts:ExternalId condition; --external-id auto adds one)".into(),
            Choice::Kept(_) => "external id: keeping the one role A's trust already requires (--external-id none removes it)".into(),
            Choice::Given { replaces: None, .. } => "external id: the one given with --external-id".into(),
            Choice::Given { replaces: Some(_), .. } => "external id: replacing the one role A's trust requires with the one given with --external-id".into(),
            Choice::Generated(_) => "external id: generated a new random one (--external-id auto)".into(),
            Choice::Removed => "external id: removing the sts:ExternalId condition from role A's trust (--external-id none): role B's credentials alone will then assume role A".into(),
        }
    }
}

/// Decides the external id from the argument and the id role A's trust requires now;
/// `generate` is called only when `auto` finds none.
pub fn choose<E>(
    arg: &ExternalIdArg,
    current: Option<String>,
    generate: impl FnOnce() -> Result<String, E>,
) -> Result<Choice, E> {
    Ok(match (arg, current) {
        (ExternalIdArg::Keep | ExternalIdArg::Auto, Some(id)) => Choice::Kept(id),
        (ExternalIdArg::Keep | ExternalIdArg::Remove, None) => Choice::None,
        (ExternalIdArg::Auto, None) => Choice::Generated(generate()?),
        (ExternalIdArg::Remove, Some(_)) => Choice::Removed,
        (ExternalIdArg::Given(id), current) => Choice::Given {
            id: id.clone(),
            replaces: current.filter(|c| c != id),
        },
    })
}

#[cfg(test)]
mod tests;
