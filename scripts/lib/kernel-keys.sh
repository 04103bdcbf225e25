# shellcheck shell=bash
#
# xacct's cache entries in the kernel keyring, so that test, demo and bench runs remove
# the entries they made, and never another entry of the user.
#
# xacct files every entry under the service "xacct" (src/store/keyring.rs) through the
# linux-keyutils-keyring-store default store: a "user" key described
# "keyring:<user>@<service>", added to the session keyring of the process and linked
# into the uid's persistent keyring; a read links the key into the reader's session
# keyring again. So an xacct entry is a user key of this uid described "keyring:*@xacct".
#
# The persistent keyring is one per uid, shared by every run of the user at once (the
# lead's and the helpers' suites run side by side here), and a description is a hash
# that does not say which run made it. So a run gets a session keyring of its own,
# inherited by every process it starts: the xacct entries linked there are the run's,
# and only those are removed.
#
#   xacct_kernel_keys_session "$0" "$@"   # first, before starting anything: re-runs
#                                         # the script in a session keyring of its own
#                                         # (exec: traps set so far are lost)
#   ...                                   # the run adds entries
#   xacct_kernel_keys_sweep               # xacct_stop_all calls it
#
# Secret Service entries need nothing here: the scripts point xacct at a private
# gnome-keyring whose files live in a temp dir that xacct_stop_all removes.
#
# Sourced by services.sh (which defines _xacct_log and _xacct_die); it defines functions
# only and leaves the caller's shell options alone.

# xacct_kernel_keys_session SCRIPT [ARGS...]: return when this shell runs in a session
# keyring made for this run; otherwise exec SCRIPT ARGS in a new one.
xacct_kernel_keys_session() {
    # keyctl is needed now; the services' other packages are asked for with it, so
    # that without apt one message lists them all.
    xacct_ensure_apt || return
    local now
    now="$(keyctl id @s 2>/dev/null)" || now=""
    if [[ "${_XACCT_KEYS_SESSION:-}" == new ]]; then
        [[ -n "$now" ]] ||
            _xacct_die "keyctl session did not give this run a session keyring" || return
        export _XACCT_KEYS_SESSION="$now"
        return 0
    fi
    # A script started by a run that has one already: its entries are that run's.
    [[ -z "${_XACCT_KEYS_SESSION:-}" || "$_XACCT_KEYS_SESSION" != "$now" ]] || return 0
    # Where keyctl is refused (a container's seccomp profile may block it) xacct
    # cannot use the kernel keyring either: run on without a session, sweep nothing.
    if ! keyctl session - true >/dev/null 2>&1; then
        _xacct_log "no kernel keyring here (keyctl session - fails): nothing to clean up in it"
        return 0
    fi
    # keyctl joins a new anonymous session keyring and execs SCRIPT in it (same PID).
    # Its "Joined session keyring" line goes to /dev/null, SCRIPT gets stderr back.
    # shellcheck disable=SC2016 # expanded by the inner shell
    exec env _XACCT_KEYS_SESSION=new keyctl session - \
        bash -c 'exec 2>&3 3>&-; exec "$@"' _ "$@" 3>&2 2>/dev/null
}

# xacct_kernel_keys_sweep: remove the xacct entries linked into this run's session
# keyring. Does nothing outside one (xacct_kernel_keys_session was not called).
xacct_kernel_keys_sweep() {
    local run me id type uid desc removed=0
    run="${_XACCT_KEYS_SESSION:-}"
    if [[ -z "$run" || "$run" == new ]] || ! command -v keyctl >/dev/null 2>&1 ||
        [[ "$(keyctl id @s 2>/dev/null)" != "$run" ]]; then
        return 0
    fi
    me="$(id -u)"
    for id in $(keyctl rlist @s 2>/dev/null); do
        IFS=';' read -r type uid _ _ desc < <(keyctl rdescribe "$id" 2>/dev/null) || continue
        [[ "$type" == user && "$uid" == "$me" && "$desc" == keyring:*@xacct ]] || continue
        # invalidate, not unlink: it goes from the persistent keyring too.
        if keyctl invalidate "$id" >/dev/null 2>&1; then
            removed=$((removed + 1))
        else
            _xacct_log "could not remove kernel keyring entry $id ($desc)"
        fi
    done
    if ((removed == 1)); then
        _xacct_log "removed the xacct kernel keyring entry this run made"
    elif ((removed > 1)); then
        _xacct_log "removed the $removed xacct kernel keyring entries this run made"
    fi
    return 0
}
