# shellcheck shell=bash
#
# Test services for xacct: a moto server (fake AWS), optionally a second moto
# with AWS managed IAM policies loaded, and a private D-Bus session bus with an
# unlocked gnome-keyring Secret Service.
#
# Source this file, then call (in the current shell, never in $(...), since
# the PIDs to stop are kept in shell variables):
#
#   trap xacct_stop_all EXIT; trap 'exit 130' INT; trap 'exit 143' TERM
#   # (or simply: xacct_install_traps)
#   xacct_kernel_keys_session "$0" "$@"  # optional, first: xacct_stop_all then
#                            # removes the kernel keyring entries the run made
#   xacct_ensure_deps        # apt packages + Python venv (moto, awscli, boto3)
#   xacct_start_moto         # exports XACCT_TEST_MOTO_URL
#   xacct_start_moto_iam     # exports XACCT_TEST_MOTO_IAM_URL (managed policies)
#   xacct_start_keyring      # exports DBUS_SESSION_BUS_ADDRESS, XACCT_TEST_SECRET_SERVICE=1
#
# Exports XACCT_TEST_VENV (tests run "$XACCT_TEST_VENV/bin/aws", ".../python").
# Processes are stopped by their recorded PID and start time only, never by name.
#
# It brings the rest of scripts/lib: deps.sh (apt, venv, Rust toolchain check),
# proc.sh (processes by PID and start time), kernel-keys.sh (removing the kernel
# keyring entries a run made) and timeout.sh (a time limit for a whole run).
#
# Sourcing leaves the caller's shell options (set -e, -u, pipefail) as they were.
# Every function returns non-zero on failure, under set -e or not: call them as
# plain commands (or `xacct_start_moto || exit`).

_XACCT_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
XACCT_REPO="$(cd "$_XACCT_LIB_DIR/../.." && pwd)"
XACCT_TEST_VENV="${XACCT_TEST_VENV:-$XACCT_REPO/.venv-test}"
export XACCT_TEST_VENV

# Processes to stop (PID:START, stopped in reverse order) and temp dirs to remove, by
# xacct_stop_all.
_XACCT_PIDS=()
_XACCT_TMPDIRS=()
_XACCT_TMP=""

_xacct_log() {
    printf 'xacct-test: %s\n' "$*" >&2
}

# Logs and returns 1, so `cmd || _xacct_die "why" || return` fails the calling
# function without relying on the caller's set -e.
_xacct_die() {
    _xacct_log "ERROR: $*"
    return 1
}

# shellcheck source=scripts/lib/proc.sh
source "$_XACCT_LIB_DIR/proc.sh" || return
# shellcheck source=scripts/lib/kernel-keys.sh
source "$_XACCT_LIB_DIR/kernel-keys.sh" || return
# shellcheck source=scripts/lib/deps.sh
source "$_XACCT_LIB_DIR/deps.sh" || return
# shellcheck source=scripts/lib/timeout.sh
source "$_XACCT_LIB_DIR/timeout.sh" || return

# One private temp dir per shell that sourced this file (logs, sockets, keyrings).
_xacct_tmp() {
    if [[ -z "$_XACCT_TMP" || ! -d "$_XACCT_TMP" ]]; then
        _XACCT_TMP="$(mktemp -d "${TMPDIR:-/tmp}/xacct-test.XXXXXX")" ||
            _xacct_die "mktemp failed" || return
        _XACCT_TMPDIRS+=("$_XACCT_TMP")
    fi
}

_xacct_python() {
    if [[ -x "$XACCT_TEST_VENV/bin/python" ]]; then
        printf '%s\n' "$XACCT_TEST_VENV/bin/python"
    else
        command -v python3
    fi
}

# ---------------------------------------------------------------------------
# moto
# ---------------------------------------------------------------------------

_xacct_free_port() {
    "$(_xacct_python)" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# _xacct_http_ok URL: true when GET URL answers 2xx within 2 s.
_xacct_http_ok() {
    "$(_xacct_python)" - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    sys.exit(0 if 200 <= r.status < 300 else 1)
PY
}

# _xacct_launch_moto NAME VARNAME [ENV=VALUE...]: start moto_server on a free
# loopback port, wait until it answers, export VARNAME=http://127.0.0.1:PORT.
_xacct_launch_moto() {
    local name="$1" var="$2"
    shift 2
    _xacct_tmp || return
    [[ -x "$XACCT_TEST_VENV/bin/moto_server" ]] ||
        _xacct_die "no moto_server: run xacct_ensure_deps first" || return

    local attempt port id log url i
    for attempt in 1 2 3; do
        port="$(_xacct_free_port)" || _xacct_die "no free port" || return
        log="$_XACCT_TMP/$name.log"
        url="http://127.0.0.1:$port"
        # Never MOTO_ACCOUNT_ID on the server; managed policies only when asked.
        # The recorder (tests count IAM calls with it) writes to its cwd unless told.
        env -u MOTO_ACCOUNT_ID -u MOTO_IAM_LOAD_MANAGED_POLICIES \
            MOTO_RECORDER_FILEPATH="$_XACCT_TMP/$name.recording" "$@" \
            "$XACCT_TEST_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" \
            >"$log" 2>&1 </dev/null &
        xacct_track_pid $!
        id="$XACCT_TRACKED_ID"
        for ((i = 0; i < 120; i++)); do # ~30 s
            if [[ -z "$id" ]] || ! xacct_proc_running "$id"; then
                break
            fi
            if _xacct_http_ok "$url/moto-api/"; then
                export "$var=$url"
                _xacct_log "$name up at $url (pid ${id%%:*}, log $log)"
                return 0
            fi
            sleep 0.25
        done
        if [[ -n "$id" ]] && xacct_proc_running "$id"; then
            _xacct_stop "$id"
            _xacct_log "$name did not answer on $url within 30 s; log:"
            tail -n 20 "$log" >&2
            return 1
        fi
        # It exited: reap and forget it, so that xacct_stop_all never signals its PID,
        # which the kernel may hand to another process from now on.
        _xacct_stop "$id"
        _xacct_log "$name exited early (attempt $attempt, port $port); log:"
        tail -n 20 "$log" >&2
    done
    _xacct_die "could not start $name"
}

xacct_start_moto() {
    _xacct_launch_moto moto XACCT_TEST_MOTO_URL
}

# A second server with AWS managed policies loaded (attaching e.g.
# arn:aws:iam::aws:policy/ReadOnlyAccess works there). Its /moto-api/data.json
# is ~10 MB and slow: count calls on the plain server.
xacct_start_moto_iam() {
    _xacct_launch_moto moto-iam XACCT_TEST_MOTO_IAM_URL MOTO_IAM_LOAD_MANAGED_POLICIES=true
}

# ---------------------------------------------------------------------------
# Secret Service (private D-Bus session + gnome-keyring)
# ---------------------------------------------------------------------------

_xacct_bus_name_has_owner() {
    dbus-send --session --print-reply --reply-timeout=2000 \
        --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:"$1" 2>/dev/null |
        grep -q 'boolean true'
}

xacct_start_keyring() {
    _xacct_tmp || return
    local dir="$_XACCT_TMP/keyring"
    # Never run on with an empty or missing dir: the paths below would be at /.
    [[ -n "$_XACCT_TMP" ]] && mkdir -p "$dir/data" "$dir/run" && chmod 700 "$dir" "$dir/run" ||
        _xacct_die "cannot create $dir" || return

    # A bus of our own, without service directories: nothing gets
    # auto-activated behind our back (no untracked daemons, no prompter).
    cat >"$dir/bus.conf" <<BUSCONF || return
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
BUSCONF
    # --nofork in the background: it stays our child, so it is reaped on stop.
    dbus-daemon --config-file="$dir/bus.conf" --nofork --print-address=1 \
        >"$dir/dbus.out" 2>"$dir/dbus.err" </dev/null &
    local bus_id addr="" i
    xacct_track_pid $!
    bus_id="$XACCT_TRACKED_ID"
    for ((i = 0; i < 40; i++)); do # ~10 s
        addr="$(sed -n 1p "$dir/dbus.out" 2>/dev/null)" || addr=""
        [[ -n "$addr" ]] && break
        if [[ -z "$bus_id" ]] || ! xacct_proc_running "$bus_id"; then
            break
        fi
        sleep 0.25
    done
    if [[ -z "$addr" ]]; then
        cat "$dir/dbus.err" >&2
        _xacct_die "dbus-daemon did not start"
        return 1
    fi
    export DBUS_SESSION_BUS_ADDRESS="$addr"

    # The keyring files and control socket live in our temp dir (only for the
    # daemon: the tests' own XDG_* variables are left alone), so a login
    # keyring in $HOME with another password never gets in the way.
    printf '%s' 'xacct-test-keyring-password' >"$dir/password" || return
    XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir/run" \
        gnome-keyring-daemon --foreground --unlock --components=secrets \
        <"$dir/password" >"$dir/gnome-keyring.log" 2>&1 &
    local kr_id
    xacct_track_pid $!
    kr_id="$XACCT_TRACKED_ID"

    for ((i = 0; i < 60; i++)); do # ~15 s
        if [[ -z "$kr_id" ]] || ! xacct_proc_running "$kr_id"; then
            cat "$dir/gnome-keyring.log" >&2
            _xacct_die "gnome-keyring-daemon exited"
            return 1
        fi
        if _xacct_bus_name_has_owner org.freedesktop.secrets; then
            break
        fi
        sleep 0.25
    done
    _xacct_bus_name_has_owner org.freedesktop.secrets ||
        _xacct_die "org.freedesktop.secrets did not appear on the bus within 15 s" || return

    _xacct_verify_keyring || return
    export XACCT_TEST_SECRET_SERVICE=1
    _xacct_log "secret service up on $DBUS_SESSION_BUS_ADDRESS (dbus pid ${bus_id%%:*}, gnome-keyring pid ${kr_id%%:*})"
}

# The default alias must be the unlocked "login" collection, and a
# store/lookup/clear round trip must work without prompting.
_xacct_verify_keyring() {
    local alias locked probe got
    alias="$(dbus-send --session --print-reply --reply-timeout=5000 \
        --dest=org.freedesktop.secrets /org/freedesktop/secrets \
        org.freedesktop.Secret.Service.ReadAlias string:default)" ||
        _xacct_die "ReadAlias default failed" || return
    [[ "$alias" == *'/org/freedesktop/secrets/collection/login"'* ]] ||
        _xacct_die "default collection is not login: $alias" || return
    locked="$(dbus-send --session --print-reply --reply-timeout=5000 \
        --dest=org.freedesktop.secrets /org/freedesktop/secrets/collection/login \
        org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked)" ||
        _xacct_die "cannot read Locked of the login collection" || return
    [[ "$locked" == *'boolean false'* ]] || _xacct_die "login collection is locked" || return

    probe="probe-$$-$RANDOM"
    printf '%s' "$probe" |
        timeout 10 secret-tool store --label='xacct test probe' xacct-test-probe "$probe" ||
        _xacct_die "secret-tool store failed" || return
    got="$(timeout 10 secret-tool lookup xacct-test-probe "$probe")" ||
        _xacct_die "secret-tool lookup failed" || return
    [[ "$got" == "$probe" ]] || _xacct_die "secret-tool lookup returned '$got'" || return
    timeout 10 secret-tool clear xacct-test-probe "$probe" ||
        _xacct_die "secret-tool clear failed" || return
    if timeout 10 secret-tool lookup xacct-test-probe "$probe" >/dev/null 2>&1; then
        _xacct_die "secret-tool clear left the item"
        return 1
    fi
}

# ---------------------------------------------------------------------------
# Teardown
# ---------------------------------------------------------------------------

# xacct_track_pid PID: have xacct_stop_all stop PID, and set XACCT_TRACKED_ID to its ID
# (PID:START). Call it in the current shell, not in $(...). Fails when PID has already
# gone (then there is nothing to stop).
xacct_track_pid() {
    XACCT_TRACKED_ID="$(xacct_proc_id "$1")" || {
        XACCT_TRACKED_ID=""
        return 1
    }
    _XACCT_PIDS+=("$XACCT_TRACKED_ID")
}

# _xacct_stop ID: TERM, then KILL after ~5 s, the process named by ID (PID:START), reap
# it, and forget it. A process that is gone is not signalled: its PID may be someone
# else's by now.
_xacct_stop() {
    local id="$1" i kept=()
    [[ -n "$id" ]] || return 0
    if xacct_proc_signal TERM "$id"; then
        for ((i = 0; i < 50; i++)); do # ~5 s
            xacct_proc_running "$id" || break
            sleep 0.1
        done
        if xacct_proc_running "$id"; then
            _xacct_log "pid ${id%%:*} ignored SIGTERM: sending SIGKILL"
            xacct_proc_signal KILL "$id"
        fi
        # Reap it if it is our child. Only here: a process that was gone already has
        # been reaped by bash, and its PID may be another child's now.
        wait "${id%%:*}" 2>/dev/null
    fi
    for i in "${_XACCT_PIDS[@]}"; do
        [[ "$i" == "$id" ]] || kept+=("$i")
    done
    _XACCT_PIDS=("${kept[@]}")
    return 0
}

xacct_stop_all() {
    local status=$? i
    # Clean up all the way even under the caller's set -e; `local -` restores the
    # caller's options on return.
    local -
    set +e
    for ((i = ${#_XACCT_PIDS[@]} - 1; i >= 0; i--)); do
        _xacct_stop "${_XACCT_PIDS[i]}"
    done
    _XACCT_PIDS=()
    for i in "${_XACCT_TMPDIRS[@]}"; do
        [[ -n "$i" && -d "$i" ]] && rm -rf "$i"
    done
    _XACCT_TMPDIRS=()
    _XACCT_TMP=""
    xacct_kernel_keys_sweep
    unset XACCT_TEST_MOTO_URL XACCT_TEST_MOTO_IAM_URL XACCT_TEST_SECRET_SERVICE
    return "$status"
}

# EXIT runs the cleanup; INT/TERM turn into an exit (which runs it once).
xacct_install_traps() {
    trap xacct_stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
