# shellcheck shell=bash
#
# xacct's cache entries in this user's kernel keyring, so that test, demo and bench runs
# remove the entries they made, and never another entry of the user.
#
# xacct files every entry under the service "xacct" (src/store/keyring.rs) through the
# linux-keyutils-keyring-store default store: a "user" key described
# "keyring:<user>@<service>", linked into the uid's persistent keyring (and the session
# keyring of the process that wrote it). So an xacct entry is a user key of this uid
# described "keyring:*@xacct" in the persistent keyring.
#
# Secret Service entries need nothing here: the scripts point xacct at a private
# gnome-keyring whose files live in a temp dir that xacct_stop_all removes.
#
#   xacct_kernel_keys_mark     # before the run: this run is active
#   ...                        # the run adds entries
#   xacct_kernel_keys_sweep    # after it (xacct_stop_all calls it; a no-op unmarked)
#
# The persistent keyring is one per uid, shared by every run of the user at once (here
# the lead's and the helpers' test suites run side by side), and an entry's description
# is a hash that does not say which run made it. So runs take part in a protocol: the
# first run to start records the entries there are (the baseline), each run holds a
# shared lock while it is active, and the last one to end removes what is not in the
# baseline. A run that ends while another is active leaves its entries to that one, so
# no run deletes an entry a running test still needs. A real xacct of the same user
# caching during a run loses that cache entry (it is only a cache).

_XACCT_KEYS_HOLDER=""

# xacct_kernel_keys_list: prints "ID DESCRIPTION" for each xacct entry of this user.
xacct_kernel_keys_list() {
    command -v keyctl >/dev/null 2>&1 || return 1
    # A throw-away session keyring (keyctl session -): get_persistent links the
    # persistent keyring into it, not into the caller's session.
    # shellcheck disable=SC2016 # expanded by the inner shell
    keyctl session - bash -c '
        p=$(keyctl get_persistent @s) || exit 0
        for k in $(keyctl rlist "$p" 2>/dev/null); do
            d=$(keyctl rdescribe "$k" 2>/dev/null) || continue
            IFS=";" read -r type uid _ _ desc <<<"$d"
            if [[ $type == user && $uid == "$1" && $desc == keyring:*@xacct ]]; then
                printf "%s %s\n" "$k" "$desc"
            fi
        done' _ "$(id -u)" 2>/dev/null | grep -v '^Joined session keyring'
    return 0
}

# The protocol's files, one set per uid; not under $TMPDIR, which may differ per run.
_xacct_keys_dir() {
    local dir
    dir="/tmp/xacct-kernel-keys.$(id -u)"
    [[ -e "$dir" ]] || mkdir -m 700 "$dir" 2>/dev/null
    # Another user could have made it first: use it only when it is ours alone.
    [[ -d "$dir" && -O "$dir" && ! -L "$dir" ]] ||
        _xacct_die "$dir is not a directory of this user: remove it" || return
    printf '%s\n' "$dir"
}

# xacct_kernel_keys_mark: mark this run active (until xacct_kernel_keys_sweep or until
# this shell ends). Fails, and marks nothing, without keyctl or flock.
xacct_kernel_keys_mark() {
    local dir lock active i owner="$BASHPID"
    command -v keyctl >/dev/null 2>&1 && command -v flock >/dev/null 2>&1 ||
        _xacct_die "keyctl or flock missing (apt packages keyutils, util-linux): the run's kernel keyring entries will stay" ||
        return
    [[ -z "$_XACCT_KEYS_HOLDER" ]] || return 0
    dir="$(_xacct_keys_dir)" || return
    exec {lock}>>"$dir/mutex" && flock -x "$lock" || _xacct_die "cannot lock $dir/mutex" || return
    if flock -x -n "$dir/active" true; then
        # No run active: the entries there are now are the user's own.
        xacct_kernel_keys_list >"$dir/baseline.tmp" && mv "$dir/baseline.tmp" "$dir/baseline"
    fi
    if [[ -f "$dir/baseline" ]]; then
        # The shared lock is held by a process of its own, not by a descriptor of this
        # shell, which every child (moto, cargo, the tests) would inherit and keep open.
        # That process is tail, the lock's only holder, which ends with this shell even
        # when this shell is killed (--pid).
        (
            exec {lock}>&- {active}>>"$dir/active" </dev/null >/dev/null 2>&1
            flock -s "$active" && exec tail --pid="$owner" -f /dev/null
        ) &
        xacct_track_pid $!
        _XACCT_KEYS_HOLDER="$XACCT_TRACKED_ID"
        for ((i = 0; i < 50; i++)); do # ~5 s
            flock -x -n "$dir/active" true || break
            sleep 0.1
        done
    fi
    exec {lock}>&-
    [[ -n "$_XACCT_KEYS_HOLDER" ]] || _xacct_die "cannot record the kernel keyring baseline in $dir"
}

# xacct_kernel_keys_sweep: end this run's mark; the last active run removes the entries
# made since the first one started. Without a mark it does nothing.
xacct_kernel_keys_sweep() {
    [[ -n "$_XACCT_KEYS_HOLDER" ]] || return 0
    _xacct_stop "$_XACCT_KEYS_HOLDER"
    _XACCT_KEYS_HOLDER=""
    xacct_kernel_keys_sweep_idle
}

# xacct_kernel_keys_sweep_idle: when no run is active, remove the entries made since the
# baseline. Also for a parent whose marked child may have been killed (scripts/test).
xacct_kernel_keys_sweep_idle() {
    local dir lock id desc removed=0
    command -v keyctl >/dev/null 2>&1 && command -v flock >/dev/null 2>&1 || return 0
    dir="$(_xacct_keys_dir)" || return
    exec {lock}>>"$dir/mutex" && flock -x "$lock" || _xacct_die "cannot lock $dir/mutex" || return
    if [[ ! -f "$dir/baseline" ]]; then
        exec {lock}>&-
        return 0
    fi
    if ! flock -x -n "$dir/active" true; then
        _xacct_log "another run is active: it removes the kernel keyring entries when it ends"
        exec {lock}>&-
        return 0
    fi
    while read -r id desc; do
        [[ -n "$id" ]] || continue
        grep -qxF "$id $desc" "$dir/baseline" && continue
        # invalidate, not unlink: the key may also sit in a login session keyring. It
        # needs possession, which the persistent keyring linked into the session gives.
        # shellcheck disable=SC2016 # expanded by the inner shell
        if keyctl session - bash -c 'keyctl get_persistent @s >/dev/null && keyctl invalidate "$1"' \
            _ "$id" >/dev/null 2>&1; then
            removed=$((removed + 1))
        else
            _xacct_log "could not remove kernel keyring entry $id ($desc)"
        fi
    done < <(xacct_kernel_keys_list)
    rm -f "$dir/baseline"
    exec {lock}>&-
    if ((removed == 1)); then
        _xacct_log "removed the xacct kernel keyring entry made during the run"
    elif ((removed > 1)); then
        _xacct_log "removed the $removed xacct kernel keyring entries made during the run"
    fi
    return 0
}
