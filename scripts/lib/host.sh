# shellcheck shell=bash
#
# The unprivileged user the host tests (tests/it/host.rs) run xacct as, the way a cron
# job runs it: `xacct-test`, with the kernel's default key quota for a non-root user.
#
#   xacct_host_user    # creates the user when missing (needs root), removes the xacct
#                      # entries its earlier runs left in the kernel keyring, and again
#                      # when the script exits (added to the EXIT trap, after what is
#                      # there: call it after xacct_install_traps)
#
# The tests remove their entries themselves; this catches a run that was killed. Entries
# also expire by themselves (xacct gives each a kernel timeout), so nothing lingers long.
#
# Sourced by scripts/test and scripts/with-services after services.sh (which provides
# _xacct_log and _xacct_as_root); it defines functions only.

XACCT_HOST_USER=xacct-test

xacct_host_user() {
    if ! id "$XACCT_HOST_USER" >/dev/null 2>&1; then
        _xacct_log "creating the unprivileged test user $XACCT_HOST_USER"
        _xacct_as_root useradd --create-home --shell /bin/sh "$XACCT_HOST_USER" ||
            { _xacct_log "ERROR: useradd $XACCT_HOST_USER failed"; return 1; }
    fi
    xacct_host_keys_sweep
    local prev
    prev="$(trap -p EXIT)"
    prev="${prev#"trap -- '"}"
    prev="${prev%"' EXIT"}"
    # shellcheck disable=SC2064 # the current trap is expanded now, on purpose
    trap "${prev:-:}; xacct_host_keys_sweep" EXIT
}

# Invalidates the xacct entries (user keys described keyring:*@xacct) in the test
# user's persistent keyring. Keeps the exit status it was called with.
xacct_host_keys_sweep() {
    local status=$?
    id "$XACCT_HOST_USER" >/dev/null 2>&1 || return "$status"
    # shellcheck disable=SC2016 # expanded by the user's shell
    _xacct_as_root runuser -u "$XACCT_HOST_USER" -- keyctl session - sh -c '
        p="$(keyctl get_persistent @s)" || exit 0
        for id in $(keyctl rlist "$p"); do
            case "$(keyctl rdescribe "$id" 2>/dev/null)" in
                "user;"*";keyring:"*"@xacct") keyctl invalidate "$id" ;;
            esac
        done' >/dev/null 2>&1 ||
        _xacct_log "could not remove the xacct kernel keyring entries of $XACCT_HOST_USER"
    return "$status"
}
