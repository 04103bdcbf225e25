use super::*;

fn never() -> Result<String, String> {
    Err("generate must not be called".into())
}

#[test]
fn a_forgotten_flag_keeps_the_condition() {
    let kept = choose(&ExternalIdArg::Keep, Some("e-1".into()), never).unwrap();
    assert_eq!(kept, Choice::Kept("e-1".into()));
    assert_eq!(kept.id(), Some("e-1"));
    assert!(kept.describe().contains("keeping"), "{}", kept.describe());
    assert_eq!(
        choose(&ExternalIdArg::Keep, None, never).unwrap(),
        Choice::None
    );
}

#[test]
fn none_removes_it_with_a_warning_and_only_when_there_is_one() {
    let removed = choose(&ExternalIdArg::Remove, Some("e-1".into()), never).unwrap();
    assert_eq!(removed, Choice::Removed);
    assert_eq!(removed.id(), None);
    assert!(removed.weakens());
    assert!(removed.describe().contains("--external-id none"));
    let nothing = choose(&ExternalIdArg::Remove, None, never).unwrap();
    assert_eq!(nothing, Choice::None);
    assert!(!nothing.weakens());
}

#[test]
fn auto_keeps_or_generates_and_a_given_id_says_what_it_replaces() {
    assert_eq!(
        choose(&ExternalIdArg::Auto, Some("e-1".into()), never).unwrap(),
        Choice::Kept("e-1".into())
    );
    assert_eq!(
        choose(&ExternalIdArg::Auto, None, || Ok::<_, String>("new".into())).unwrap(),
        Choice::Generated("new".into())
    );
    let given = ExternalIdArg::Given("e-2".into());
    let replacing = choose(&given, Some("e-1".into()), never).unwrap();
    assert_eq!(replacing.id(), Some("e-2"));
    assert!(replacing.describe().contains("replacing"));
    let same = choose(&given, Some("e-2".into()), never).unwrap();
    assert!(!same.describe().contains("replacing"));
}

#[test]
fn parsing_knows_none_and_auto() {
    let ok = |_: &str| Ok(());
    assert_eq!(ExternalIdArg::parse(None, ok), Ok(ExternalIdArg::Keep));
    assert_eq!(
        ExternalIdArg::parse(Some("none"), ok),
        Ok(ExternalIdArg::Remove)
    );
    assert_eq!(
        ExternalIdArg::parse(Some("auto"), ok),
        Ok(ExternalIdArg::Auto)
    );
    assert_eq!(
        ExternalIdArg::parse(Some("x y"), |_| Err("bad".into())),
        Err("bad".to_string())
    );
    assert!(!ExternalIdArg::Given("a1".into()).needs_current());
    assert!(ExternalIdArg::Keep.needs_current());
}
