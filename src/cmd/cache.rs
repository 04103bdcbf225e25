//! `xacct cache list` and `xacct cache clear`, driven by the non-secret index
//! (`cache::index`), since keyrings cannot be enumerated.

use crate::cache::index::{self as cache_index, IndexEntry};
use crate::cache::store::{self, CredentialStore, StoreError};
use crate::cli::{CacheArgs, CacheClearArgs, CacheCommand, CacheListArgs, RoleArgs, StoreKind};
use crate::error::Error;
use crate::report::{self, Row};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(args: &CacheArgs, kind: StoreKind) -> Result<ExitCode, Error> {
    match &args.command {
        CacheCommand::List(a) => list(a),
        CacheCommand::Clear(a) => clear(a, kind),
    }?;
    Ok(ExitCode::SUCCESS)
}

fn index_dir() -> Result<PathBuf, Error> {
    crate::cache::lock::default_dir().ok_or_else(|| {
        Error::Runtime(
            "no runtime or cache directory for the cache index; set XDG_RUNTIME_DIR or HOME".into(),
        )
    })
}

/// Opens each store the index names once per run (a Secret Service connection is slow).
#[derive(Default)]
struct Stores {
    open: BTreeMap<String, Option<Box<dyn CredentialStore>>>,
}

impl Stores {
    fn get(&mut self, name: &str) -> Option<&dyn CredentialStore> {
        self.open
            .entry(name.to_string())
            .or_insert_with(|| {
                let kind = <StoreKind as clap::ValueEnum>::from_str(name, false).ok()?;
                match store::open(kind) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::info!("cannot open the {name} store: {e}");
                        None
                    }
                }
            })
            .as_deref()
    }
}

fn list(args: &CacheListArgs) -> Result<(), Error> {
    let dir = index_dir()?;
    let index = cache_index::load(&dir);
    let mut stores = Stores::default();
    // The index is a hint: entries whose store no longer has them are dropped from it.
    let mut present = Vec::new();
    let mut gone: Vec<IndexEntry> = Vec::new();
    for e in &index.entries {
        let p = match stores.get(&e.store).map(|s| s.get(&e.key)) {
            Some(Ok(Some(_))) | Some(Err(StoreError::Corrupt)) => Some(true),
            Some(Ok(None)) => Some(false),
            Some(Err(StoreError::Unavailable(why) | StoreError::Full(why))) => {
                tracing::info!(
                    "cannot check {} in {}: {why}",
                    cache_index::short(&e.key),
                    e.store
                );
                None
            }
            None => None,
        };
        if p == Some(false) {
            tracing::info!(
                "dropping {} ({}) from the index: no longer in {}",
                cache_index::short(&e.key),
                e.role_arn,
                e.store
            );
            gone.push(e.clone());
        } else {
            present.push((e, p));
        }
    }
    if !gone.is_empty() {
        cache_index::update(&dir, |i| {
            for g in &gone {
                i.remove(&g.key, &g.store);
            }
        });
    }
    let text = if args.json {
        let entries: Vec<&IndexEntry> = present.iter().map(|(e, _)| *e).collect();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&entries).expect("plain strings serialize")
        )
    } else if present.is_empty() {
        tracing::info!("no cached credentials in the index");
        String::new()
    } else {
        let rows: Vec<Row<'_>> = present
            .iter()
            .map(|(e, p)| Row {
                entry: e,
                present: *p,
            })
            .collect();
        report::cache_table(&rows, chrono::Utc::now())
    };
    crate::ui::stdout(&text)
}

fn has_role_options(r: &RoleArgs) -> bool {
    r.profile.is_some()
        || r.role_arn.is_some()
        || r.source_profile.is_some()
        || r.external_id.is_some()
        || r.session_name.is_some()
        || r.duration.is_some()
        || r.region.is_some()
        || r.mfa_serial.is_some()
        || r.source_identity.is_some()
        || !r.tags.is_empty()
}

fn clear(args: &CacheClearArgs, kind: StoreKind) -> Result<(), Error> {
    if args.all && has_role_options(&args.role) {
        return Err(Error::Usage(
            "cache clear takes either --all or role options, not both".into(),
        ));
    }
    let dir = index_dir()?;
    let mut stores = Stores::default();
    // (key, store) pairs to delete.
    let targets: Vec<(String, String)> = if args.all {
        cache_index::load(&dir)
            .entries
            .into_iter()
            .map(|e| (e.key, e.store))
            .collect()
    } else if has_role_options(&args.role) {
        let settings = super::resolve_settings(&args.role)?;
        let key = crate::cache::key::cache_key(&settings);
        // The chosen store, plus any other store the index says holds the key.
        let chosen = match kind {
            StoreKind::None => None,
            kind => store::open(kind)
                .map_err(|e| Error::Runtime(format!("cannot open the credential cache: {e}")))?
                .map(|s| s.name().to_string())
                // `auto` with no working store: nothing to delete from.
                .filter(|name| name != "none"),
        };
        let mut t: Vec<(String, String)> = cache_index::load(&dir)
            .entries
            .into_iter()
            .filter(|e| e.key == key)
            .map(|e| (e.key, e.store))
            .collect();
        if let Some(name) = chosen
            && !t.iter().any(|(_, s)| s == &name)
        {
            t.push((key, name));
        }
        t
    } else {
        return Err(Error::Usage(
            "cache clear needs --all, or role options (--profile NAME or --role-arn ARN ...) naming the entry".into(),
        ));
    };
    let mut cleared = Vec::new();
    let mut failed = 0;
    let mut removed = 0;
    for (key, name) in &targets {
        // Counted only when the store still had it (a stale index entry is just dropped).
        let had = stores
            .get(name)
            .is_some_and(|s| !matches!(s.get(key), Ok(None)));
        match stores.get(name).map(|s| s.delete(key)) {
            Some(Ok(())) => {
                removed += usize::from(had);
                cleared.push((key.clone(), name.clone()));
            }
            Some(Err(e)) => {
                crate::ui::warn(&format!(
                    "cannot delete {} from {name}: {e}",
                    cache_index::short(key)
                ));
                failed += 1;
            }
            None => {
                crate::ui::warn(&format!(
                    "cannot delete {} from {name}: the store cannot be opened",
                    cache_index::short(key)
                ));
                failed += 1;
            }
        }
    }
    cache_index::update(&dir, |i| {
        for (key, name) in &cleared {
            i.remove(key, name);
        }
    });
    let plural = if removed == 1 { "entry" } else { "entries" };
    crate::ui::progress(&format!("cleared {removed} cached {plural}"));
    if failed > 0 {
        return Err(Error::Runtime(format!(
            "{failed} entr{} could not be deleted; unlock or start the store and retry",
            if failed == 1 { "y" } else { "ies" }
        )));
    }
    Ok(())
}
