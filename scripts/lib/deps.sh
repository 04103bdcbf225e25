# shellcheck shell=bash
#
# What xacct's tests, demo and bench need outside Rust: apt packages (Debian/Ubuntu)
# and a Python venv with moto, the AWS CLI v1 and boto3 ($XACCT_TEST_VENV).
#
# Sourced by services.sh (which defines _xacct_log, _xacct_die and XACCT_REPO); it
# defines functions only and leaves the caller's shell options alone. Every function
# returns non-zero on failure whether or not the caller runs under set -e.

# Commands the services need, as COMMAND:DEBIAN-PACKAGE.
_XACCT_APT_NEEDS=(
    gnome-keyring-daemon:gnome-keyring dbus-daemon:dbus-daemon dbus-send:dbus
    keyctl:keyutils secret-tool:libsecret-tools strace:strace flock:util-linux
    python3:python3
)

# xacct_ensure_rust cargo [rustfmt] [clippy]: cargo and the named components are
# installed; otherwise one line that names what is missing and how to install it.
# Checked before any apt or pip step, so a machine without Rust fails in a second.
xacct_ensure_rust() {
    local comp missing=() want=""
    for comp in "$@"; do
        [[ "$comp" == cargo ]] || want+="${want:+ }$comp"
    done
    if ! command -v cargo >/dev/null 2>&1; then
        if [[ -x "${HOME:-}/.cargo/bin/cargo" ]]; then
            _xacct_die "cargo is not on PATH, but ~/.cargo/bin/cargo exists: run '. \"\$HOME/.cargo/env\"' (or add ~/.cargo/bin to PATH) and rerun"
        else
            _xacct_die "cargo not found: install Rust with rustup (https://rustup.rs)${want:+, then run: rustup component add $want}"
        fi
        return 1
    fi
    for comp in "$@"; do
        case "$comp" in
        cargo) ;;
        rustfmt) cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt) ;;
        clippy) cargo clippy --version >/dev/null 2>&1 || missing+=(clippy) ;;
        *) _xacct_die "xacct_ensure_rust: unknown component $comp" || return ;;
        esac
    done
    ((${#missing[@]} == 0)) && return 0
    local names="${missing[*]}"
    names="${names// / and }"
    if command -v rustup >/dev/null 2>&1; then
        _xacct_die "$names not installed (cargo is): run: rustup component add ${missing[*]}"
    else
        _xacct_die "$names not installed (cargo is): install with rustup (rustup component add ${missing[*]}) or your distribution's package"
    fi
}

_xacct_as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    else
        sudo "$@"
    fi
}

# xacct_apt_install PKG...: apt-get install the packages, or say what to install by hand.
xacct_apt_install() {
    (($# > 0)) || return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        _xacct_die "apt-get not found: the automatic install supports Debian/Ubuntu (apt) only; install these packages (Debian names) by hand, then rerun: $*"
        return 1
    fi
    if [[ "$(id -u)" -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
        _xacct_die "installing $* needs root or sudo: run as root: apt-get install $*"
        return 1
    fi
    _xacct_log "installing apt packages: $*"
    _xacct_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null ||
        _xacct_die "apt-get update failed" || return
    _xacct_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
        _xacct_die "apt-get install $* failed" || return
}

# xacct_ensure_apt [COMMAND:PACKAGE...]: the services' commands plus the given ones;
# installs the packages of those missing.
xacct_ensure_apt() {
    _xacct_ensure_commands "${_XACCT_APT_NEEDS[@]}" "$@"
}

# _xacct_ensure_commands COMMAND:PACKAGE...: installs the packages of the missing commands.
_xacct_ensure_commands() {
    local needs=("$@") pkgs=() need
    for need in "${needs[@]}"; do
        command -v "${need%%:*}" >/dev/null 2>&1 || pkgs+=("${need#*:}")
    done
    # Debian splits venv and ensurepip out of python3.
    if ! command -v python3 >/dev/null 2>&1 ||
        ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        pkgs+=(python3-venv)
    fi
    ((${#pkgs[@]} > 0)) || return 0
    xacct_apt_install "${pkgs[@]}" || return
    for need in "${needs[@]}"; do
        command -v "${need%%:*}" >/dev/null 2>&1 ||
            _xacct_die "${need%%:*} still missing after apt-get install ${need#*:}" || return
    done
}

# xacct_rm_venv DIR: rm -rf DIR, but only when it looks like a Python venv (has
# pyvenv.cfg) and is neither / nor $HOME: DIR comes from the environment
# (XACCT_TEST_VENV, XACCT_BENCH_VENV), where a slip must not cost a home directory.
xacct_rm_venv() {
    local dir="${1:-}" real home
    [[ -n "$dir" ]] || _xacct_die "xacct_rm_venv: no directory given" || return
    [[ -e "$dir" || -L "$dir" ]] || return 0
    real="$(cd -P -- "$dir" 2>/dev/null && pwd)" || real=""
    home="$(cd -P -- "${HOME:-/}" 2>/dev/null && pwd)" || home=""
    local why=""
    if [[ -z "$real" || "$real" == / ]]; then
        why="it is /"
    elif [[ "$real" == "$home" ]]; then
        why="it is \$HOME"
    elif [[ ! -f "$dir/pyvenv.cfg" ]]; then
        why="it has no pyvenv.cfg, so it is not a Python venv"
    fi
    if [[ -n "$why" ]]; then
        _xacct_die "refusing to rm -rf $dir: $why (point the variable that named it elsewhere)"
        return 1
    fi
    rm -rf -- "$dir"
}

# xacct_ensure_venv: the venv at $XACCT_TEST_VENV with scripts/test-requirements.txt,
# re-installed only when that file or the venv's Python changes.
xacct_ensure_venv() {
    local req="$XACCT_REPO/scripts/test-requirements.txt"
    local stamp="$XACCT_TEST_VENV/.xacct-requirements.stamp"
    [[ -f "$req" ]] || _xacct_die "missing $req" || return

    if [[ -e "$XACCT_TEST_VENV" ]] && ! "$XACCT_TEST_VENV/bin/python" -c 'pass' >/dev/null 2>&1; then
        _xacct_log "venv at $XACCT_TEST_VENV is broken: recreating"
        xacct_rm_venv "$XACCT_TEST_VENV" || return
    fi
    if [[ ! -x "$XACCT_TEST_VENV/bin/python" ]]; then
        _xacct_log "creating venv $XACCT_TEST_VENV"
        python3 -m venv "$XACCT_TEST_VENV" || _xacct_die "python3 -m venv failed" || return
    fi

    local pyver want have=""
    pyver="$("$XACCT_TEST_VENV/bin/python" -c 'import sys; print(sys.version)')" ||
        _xacct_die "$XACCT_TEST_VENV/bin/python does not run" || return
    want="$({
        sha256sum <"$req"
        printf '%s\n' "$pyver"
    } | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp" ]]; then
        have="$(cat "$stamp")"
    fi
    if [[ "$want" == "$have" ]]; then
        return 0
    fi
    _xacct_log "installing Python test tools from $req (takes ~40 s)"
    rm -f "$stamp"
    "$XACCT_TEST_VENV/bin/python" -m pip install -q --disable-pip-version-check \
        -r "$req" >&2 || _xacct_die "pip install -r $req failed" || return
    local tool
    for tool in moto_server aws python; do
        [[ -x "$XACCT_TEST_VENV/bin/$tool" ]] || _xacct_die "venv lacks bin/$tool" || return
    done
    printf '%s\n' "$want" >"$stamp"
}

# xacct_ensure_deps: the services' apt packages, then the venv.
xacct_ensure_deps() {
    _xacct_ensure_commands "${_XACCT_APT_NEEDS[@]}" || return
    xacct_ensure_venv
}
