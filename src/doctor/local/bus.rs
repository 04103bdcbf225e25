//! What the session bus says about the Secret Service, for the keyring check to explain
//! `auto`'s choice: which bus address (zbus's own rule: DBUS_SESSION_BUS_ADDRESS, else
//! `$XDG_RUNTIME_DIR/bus`, else `/run/user/<uid>/bus`), whether it answers, whether
//! `org.freedesktop.secrets` is there, and whether its default collection is locked.
//!
//! Asked the way `cache::store` asks (NameHasOwner without activation, the `Locked`
//! property of the default alias), so the explanation matches the store's behaviour.

/// What was found, in the order it is looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bus {
    /// No address in the environment and no socket at the fallback path.
    NoAddress { runtime_bus: String },
    /// An address, but no connection (`why`: zbus's error).
    Unreachable { address: String, why: String },
    /// The bus answers; nobody owns org.freedesktop.secrets.
    NoService { address: String },
    /// The Secret Service answers; `locked` is its default collection's state.
    Service { address: String, locked: bool },
}

impl Bus {
    /// Why `auto` would not use the Secret Service (`None`: it would).
    pub fn why_not(&self) -> Option<String> {
        match self {
            Bus::NoAddress { runtime_bus } => Some(format!(
                "no session bus (DBUS_SESSION_BUS_ADDRESS unset, no {runtime_bus})"
            )),
            Bus::Unreachable { address, why } => Some(format!(
                "the session bus at {address} does not answer ({why})"
            )),
            Bus::NoService { address } => {
                Some(format!("no Secret Service on the session bus at {address}"))
            }
            Bus::Service {
                address,
                locked: true,
            } => Some(format!(
                "the Secret Service on {address} has its default collection locked"
            )),
            Bus::Service { locked: false, .. } => None,
        }
    }
}

/// An address as shown: without its `guid=` and other parameters after the first comma.
pub fn shown(address: &str) -> String {
    address.split(',').next().unwrap_or_default().to_string()
}

#[cfg(target_os = "linux")]
pub fn facts() -> Bus {
    let env = std::env::var("DBUS_SESSION_BUS_ADDRESS")
        .ok()
        .filter(|a| !a.is_empty());
    let address = match env {
        Some(a) => shown(&a),
        None => {
            let runtime = std::env::var("XDG_RUNTIME_DIR")
                .unwrap_or_else(|_| format!("/run/user/{}", rustix::process::geteuid().as_raw()));
            let socket = format!("{runtime}/bus");
            if !std::path::Path::new(&socket).exists() {
                return Bus::NoAddress {
                    runtime_bus: socket,
                };
            }
            format!("unix:path={socket}")
        }
    };
    let conn = match zbus::blocking::Connection::session() {
        Ok(c) => c,
        Err(e) => {
            return Bus::Unreachable {
                address,
                why: e.to_string(),
            };
        }
    };
    let owned = (|| -> zbus::Result<bool> {
        let proxy = zbus::blocking::fdo::DBusProxy::new(&conn)?;
        let name = zbus::names::BusName::try_from("org.freedesktop.secrets")?;
        Ok(proxy.name_has_owner(name)?)
    })();
    match owned {
        Ok(true) => {}
        Ok(false) => return Bus::NoService { address },
        Err(e) => {
            return Bus::Unreachable {
                address,
                why: e.to_string(),
            };
        }
    }
    let locked = (|| -> zbus::Result<bool> {
        let proxy = zbus::blocking::fdo::PropertiesProxy::builder(&conn)
            .destination("org.freedesktop.secrets")?
            .path("/org/freedesktop/secrets/aliases/default")?
            .build()?;
        let iface = zbus::names::InterfaceName::try_from("org.freedesktop.Secret.Collection")?;
        Ok(bool::try_from(proxy.get(iface, "Locked")?).unwrap_or(false))
    })();
    Bus::Service {
        address,
        // As the store does: a service without the alias or property counts as unlocked.
        locked: locked.unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_auto_passes_the_secret_service_by() {
        let a = "unix:path=/run/user/1001/bus".to_string();
        let table = [
            (
                Bus::NoAddress {
                    runtime_bus: "/run/user/1001/bus".into(),
                },
                Some("no session bus (DBUS_SESSION_BUS_ADDRESS unset, no /run/user/1001/bus)"),
            ),
            (
                Bus::Unreachable {
                    address: a.clone(),
                    why: "refused".into(),
                },
                Some("the session bus at unix:path=/run/user/1001/bus does not answer (refused)"),
            ),
            (
                Bus::NoService { address: a.clone() },
                Some("no Secret Service on the session bus at unix:path=/run/user/1001/bus"),
            ),
            (
                Bus::Service {
                    address: a.clone(),
                    locked: true,
                },
                Some(
                    "the Secret Service on unix:path=/run/user/1001/bus has its default collection locked",
                ),
            ),
            (
                Bus::Service {
                    address: a,
                    locked: false,
                },
                None,
            ),
        ];
        for (bus, want) in table {
            assert_eq!(bus.why_not().as_deref(), want, "{bus:?}");
        }
        assert_eq!(
            shown("unix:abstract=/tmp/dbus-x,guid=0123"),
            "unix:abstract=/tmp/dbus-x"
        );
    }
}
