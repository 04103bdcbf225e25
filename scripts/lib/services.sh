#!/usr/bin/env bash
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
#   xacct_ensure_deps        # apt packages + Python venv (moto, awscli, boto3)
#   xacct_start_moto         # exports XACCT_TEST_MOTO_URL
#   xacct_start_moto_iam     # exports XACCT_TEST_MOTO_IAM_URL (managed policies)
#   xacct_start_keyring      # exports DBUS_SESSION_BUS_ADDRESS, XACCT_TEST_SECRET_SERVICE=1
#
# Exports XACCT_TEST_VENV (tests run "$XACCT_TEST_VENV/bin/aws", ".../python").
# Processes are stopped by their recorded PID only, never by name.

set -euo pipefail

_XACCT_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
XACCT_REPO="$(cd "$_XACCT_LIB_DIR/../.." && pwd)"
XACCT_TEST_VENV="${XACCT_TEST_VENV:-$XACCT_REPO/.venv-test}"
export XACCT_TEST_VENV

# PIDs to stop (in reverse order) and temp dirs to remove, by xacct_stop_all.
_XACCT_PIDS=()
_XACCT_TMPDIRS=()
_XACCT_TMP=""

_xacct_log() {
    printf 'xacct-test: %s\n' "$*" >&2
}

_xacct_die() {
    _xacct_log "ERROR: $*"
    return 1
}

# One private temp dir per shell that sourced this file (logs, sockets, keyrings).
_xacct_tmp() {
    if [[ -z "$_XACCT_TMP" || ! -d "$_XACCT_TMP" ]]; then
        _XACCT_TMP="$(mktemp -d "${TMPDIR:-/tmp}/xacct-test.XXXXXX")"
        _XACCT_TMPDIRS+=("$_XACCT_TMP")
    fi
}

_xacct_as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    else
        sudo "$@"
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
# Dependencies
# ---------------------------------------------------------------------------

xacct_ensure_deps() {
    _xacct_ensure_apt
    _xacct_ensure_venv
}

_xacct_ensure_apt() {
    local missing=0 cmd
    for cmd in gnome-keyring-daemon dbus-daemon dbus-send keyctl secret-tool strace flock python3; do
        if ! command -v "$cmd" >/dev/null 2>&1; then
            missing=1
        fi
    done
    local pkgs=(gnome-keyring dbus-daemon dbus libsecret-tools keyutils strace util-linux)
    if command -v python3 >/dev/null 2>&1; then
        if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
            missing=1
            pkgs+=(python3-venv)
        fi
    else
        pkgs+=(python3 python3-venv)
    fi
    if [[ "$missing" -eq 0 ]]; then
        return 0
    fi
    _xacct_log "installing apt packages: ${pkgs[*]}"
    _xacct_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    _xacct_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null
    for cmd in gnome-keyring-daemon dbus-daemon dbus-send keyctl secret-tool strace flock python3; do
        command -v "$cmd" >/dev/null 2>&1 || _xacct_die "$cmd still missing after apt-get install"
    done
}

_xacct_ensure_venv() {
    local req="$XACCT_REPO/scripts/test-requirements.txt"
    local stamp="$XACCT_TEST_VENV/.xacct-requirements.stamp"
    [[ -f "$req" ]] || _xacct_die "missing $req"

    if [[ -e "$XACCT_TEST_VENV" ]] && ! "$XACCT_TEST_VENV/bin/python" -c 'pass' >/dev/null 2>&1; then
        _xacct_log "venv at $XACCT_TEST_VENV is broken: recreating"
        rm -rf "$XACCT_TEST_VENV"
    fi
    if [[ ! -x "$XACCT_TEST_VENV/bin/python" ]]; then
        _xacct_log "creating venv $XACCT_TEST_VENV"
        python3 -m venv "$XACCT_TEST_VENV"
    fi

    local want have=""
    want="$(
        {
            sha256sum <"$req"
            "$XACCT_TEST_VENV/bin/python" -c 'import sys; print(sys.version)'
        } | sha256sum | cut -d' ' -f1
    )"
    [[ -f "$stamp" ]] && have="$(cat "$stamp")"
    if [[ "$want" == "$have" ]]; then
        return 0
    fi
    _xacct_log "installing Python test tools from $req (takes ~40 s)"
    rm -f "$stamp"
    "$XACCT_TEST_VENV/bin/python" -m pip install -q --disable-pip-version-check \
        -r "$req" >&2
    local tool
    for tool in moto_server aws python; do
        [[ -x "$XACCT_TEST_VENV/bin/$tool" ]] || _xacct_die "venv lacks bin/$tool"
    done
    printf '%s\n' "$want" >"$stamp"
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
    _xacct_tmp
    [[ -x "$XACCT_TEST_VENV/bin/moto_server" ]] || _xacct_die "no moto_server: run xacct_ensure_deps first"

    local attempt port pid log url i
    for attempt in 1 2 3; do
        port="$(_xacct_free_port)"
        log="$_XACCT_TMP/$name.log"
        url="http://127.0.0.1:$port"
        # Never MOTO_ACCOUNT_ID on the server; managed policies only when asked.
        # The recorder (tests count IAM calls with it) writes to its cwd unless told.
        env -u MOTO_ACCOUNT_ID -u MOTO_IAM_LOAD_MANAGED_POLICIES \
            MOTO_RECORDER_FILEPATH="$_XACCT_TMP/$name.recording" "$@" \
            "$XACCT_TEST_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" \
            >"$log" 2>&1 </dev/null &
        pid=$!
        _XACCT_PIDS+=("$pid")
        for ((i = 0; i < 120; i++)); do # ~30 s
            if ! _xacct_alive "$pid"; then
                break
            fi
            if _xacct_http_ok "$url/moto-api/"; then
                export "$var=$url"
                _xacct_log "$name up at $url (pid $pid, log $log)"
                return 0
            fi
            sleep 0.25
        done
        if _xacct_alive "$pid"; then
            _xacct_stop_pid "$pid"
            _xacct_log "$name did not answer on $url within 30 s; log:"
            tail -n 20 "$log" >&2 || true
            return 1
        fi
        wait "$pid" 2>/dev/null || true
        _xacct_log "$name exited early (attempt $attempt, port $port); log:"
        tail -n 20 "$log" >&2 || true
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
    _xacct_tmp
    local dir="$_XACCT_TMP/keyring"
    mkdir -p "$dir/data" "$dir/run"
    chmod 700 "$dir" "$dir/run"

    # A bus of our own, without service directories: nothing gets
    # auto-activated behind our back (no untracked daemons, no prompter).
    cat >"$dir/bus.conf" <<EOF
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
EOF
    # --nofork in the background: it stays our child, so it is reaped on stop.
    dbus-daemon --config-file="$dir/bus.conf" --nofork --print-address=1 \
        >"$dir/dbus.out" 2>"$dir/dbus.err" </dev/null &
    local bus_pid=$! addr="" i
    _XACCT_PIDS+=("$bus_pid")
    for ((i = 0; i < 40; i++)); do # ~10 s
        addr="$(sed -n 1p "$dir/dbus.out" 2>/dev/null || true)"
        [[ -n "$addr" ]] && break
        _xacct_alive "$bus_pid" || break
        sleep 0.25
    done
    if [[ -z "$addr" ]]; then
        cat "$dir/dbus.err" >&2 || true
        _xacct_die "dbus-daemon did not start"
    fi
    export DBUS_SESSION_BUS_ADDRESS="$addr"

    # The keyring files and control socket live in our temp dir (only for the
    # daemon: the tests' own XDG_* variables are left alone), so a login
    # keyring in $HOME with another password never gets in the way.
    printf '%s' 'xacct-test-keyring-password' >"$dir/password"
    XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir/run" \
        gnome-keyring-daemon --foreground --unlock --components=secrets \
        <"$dir/password" >"$dir/gnome-keyring.log" 2>&1 &
    local kr_pid=$!
    _XACCT_PIDS+=("$kr_pid")

    for ((i = 0; i < 60; i++)); do # ~15 s
        if ! _xacct_alive "$kr_pid"; then
            cat "$dir/gnome-keyring.log" >&2 || true
            _xacct_die "gnome-keyring-daemon exited"
        fi
        if _xacct_bus_name_has_owner org.freedesktop.secrets; then
            break
        fi
        sleep 0.25
    done
    _xacct_bus_name_has_owner org.freedesktop.secrets ||
        _xacct_die "org.freedesktop.secrets did not appear on the bus within 15 s"

    _xacct_verify_keyring
    export XACCT_TEST_SECRET_SERVICE=1
    _xacct_log "secret service up on $DBUS_SESSION_BUS_ADDRESS (dbus pid $bus_pid, gnome-keyring pid $kr_pid)"
}

# The default alias must be the unlocked "login" collection, and a
# store/lookup/clear round trip must work without prompting.
_xacct_verify_keyring() {
    local alias locked probe got
    alias="$(dbus-send --session --print-reply --reply-timeout=5000 \
        --dest=org.freedesktop.secrets /org/freedesktop/secrets \
        org.freedesktop.Secret.Service.ReadAlias string:default)" ||
        _xacct_die "ReadAlias default failed"
    [[ "$alias" == *'/org/freedesktop/secrets/collection/login"'* ]] ||
        _xacct_die "default collection is not login: $alias"
    locked="$(dbus-send --session --print-reply --reply-timeout=5000 \
        --dest=org.freedesktop.secrets /org/freedesktop/secrets/collection/login \
        org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked)" ||
        _xacct_die "cannot read Locked of the login collection"
    [[ "$locked" == *'boolean false'* ]] || _xacct_die "login collection is locked"

    probe="probe-$$-$RANDOM"
    printf '%s' "$probe" |
        timeout 10 secret-tool store --label='xacct test probe' xacct-test-probe "$probe" ||
        _xacct_die "secret-tool store failed"
    got="$(timeout 10 secret-tool lookup xacct-test-probe "$probe")" ||
        _xacct_die "secret-tool lookup failed"
    [[ "$got" == "$probe" ]] || _xacct_die "secret-tool lookup returned '$got'"
    timeout 10 secret-tool clear xacct-test-probe "$probe" ||
        _xacct_die "secret-tool clear failed"
    if timeout 10 secret-tool lookup xacct-test-probe "$probe" >/dev/null 2>&1; then
        _xacct_die "secret-tool clear left the item"
    fi
}

# ---------------------------------------------------------------------------
# Teardown
# ---------------------------------------------------------------------------

# True while PID runs (a zombie, exited but not yet reaped, does not count).
_xacct_alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != Z ]]
}

_xacct_stop_pid() {
    local pid="$1" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do # ~5 s
        _xacct_alive "$pid" || break
        sleep 0.1
    done
    if _xacct_alive "$pid"; then
        _xacct_log "pid $pid ignored SIGTERM: sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    # Reap it if it is our child (a no-op for the forked dbus-daemon).
    wait "$pid" 2>/dev/null || true
}

xacct_stop_all() {
    local status=$? i
    set +e
    for ((i = ${#_XACCT_PIDS[@]} - 1; i >= 0; i--)); do
        _xacct_stop_pid "${_XACCT_PIDS[i]}"
    done
    _XACCT_PIDS=()
    for i in "${_XACCT_TMPDIRS[@]}"; do
        [[ -n "$i" && -d "$i" ]] && rm -rf "$i"
    done
    _XACCT_TMPDIRS=()
    _XACCT_TMP=""
    unset XACCT_TEST_MOTO_URL XACCT_TEST_MOTO_IAM_URL XACCT_TEST_SECRET_SERVICE
    return "$status"
}

# EXIT runs the cleanup; INT/TERM turn into an exit (which runs it once).
xacct_install_traps() {
    trap xacct_stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
