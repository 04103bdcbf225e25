# shellcheck shell=bash
#
# A time limit for a whole run (scripts/test), so that a hung test fails instead of
# hanging CI.
#
# Not coreutils' timeout(1): it moves the command into a process group of its own, so
# Ctrl-C no longer reaches it and a sudo password prompt stops it (SIGTTIN); with
# --foreground it signals only the command's own process, not the tree below it. Here
# the command stays in the foreground, and a watchdog running beside it stops the whole
# tree (also what left the process group, e.g. through setsid) when the time is up.
#
# Sourced by services.sh (which defines _xacct_log, and sources proc.sh); it defines
# functions only and leaves the caller's shell options alone.

# xacct_seconds DURATION: prints DURATION (N, Ns, Nm or Nh) in seconds; fails on
# anything else.
xacct_seconds() {
    [[ "$1" =~ ^([0-9]+)([smh]?)$ ]] || return 1
    local n=$((10#${BASH_REMATCH[1]}))
    case "${BASH_REMATCH[2]}" in
    m) n=$((n * 60)) ;;
    h) n=$((n * 3600)) ;;
    esac
    printf '%s\n' "$n"
}

# xacct_timeout SECONDS GRACE CMD [ARGS...]: runs CMD in the foreground. After SECONDS,
# sends TERM to CMD and to every process below it, waits up to GRACE seconds for them to
# clean up (CMD's traps run: services stopped by PID), then KILLs what is left. Returns
# CMD's status, or 124 when the time ran out. SECONDS 0 means no limit.
xacct_timeout() {
    local limit="$1" grace="$2" self="$BASHPID" root flag watchdog status=0
    shift 2
    if ((limit == 0)); then
        "$@" || status=$?
        return "$status"
    fi
    # Not $BASHPID inside $(...): that is the command substitution's own subshell.
    root="$(xacct_proc_id "$self")" || return 1
    flag="$(mktemp "${TMPDIR:-/tmp}/xacct-timeout.XXXXXX")" || return 1
    _xacct_watchdog "$root" "$limit" "$grace" "$flag" &
    watchdog=$!
    "$@" || status=$?
    if [[ -s "$flag" ]]; then
        # Let the watchdog finish: it KILLs what outlived the grace period.
        wait "$watchdog"
        status=124
    else
        kill -TERM "$watchdog" 2>/dev/null
        wait "$watchdog" 2>/dev/null
    fi
    rm -f "$flag"
    return "$status"
}

# _xacct_watchdog ROOT-ID SECONDS GRACE FLAG: run beside ROOT (the shell that started
# it); when SECONDS have passed, write FLAG and stop every process below ROOT but this
# watchdog.
_xacct_watchdog() {
    local root="$1" limit="$2" grace="$3" flag="$4" me="$BASHPID" deadline i id
    local -a ids
    deadline=$((SECONDS + limit))
    while ((SECONDS < deadline)); do
        # ROOT gone (killed outright): its tree is no longer below it; nothing to do.
        xacct_proc_is "$root" || return 0
        sleep 1 >/dev/null 2>&1
    done
    printf 'timeout\n' >"$flag"
    _xacct_log "time limit of ${limit}s reached: stopping the run (TERM, then KILL after ${grace}s)"
    mapfile -t ids < <(_xacct_watchdog_targets "${root%%:*}" "$me")
    for id in "${ids[@]}"; do
        xacct_proc_signal TERM "$id"
    done
    for ((i = 0; i < grace; i++)); do
        _xacct_any_running "${ids[@]}" || break
        sleep 1 >/dev/null 2>&1
    done
    # What TERM did not end, and whatever the clean-up itself left hanging below ROOT.
    mapfile -t -O "${#ids[@]}" ids < <(_xacct_watchdog_targets "${root%%:*}" "$me")
    for id in "${ids[@]}"; do
        if xacct_proc_running "$id"; then
            _xacct_log "pid ${id%%:*} outlived SIGTERM by ${grace}s: sending SIGKILL"
            xacct_proc_signal KILL "$id"
        fi
    done
    return 0
}

# _xacct_any_running ID...: true when one of the processes still runs.
_xacct_any_running() {
    local id
    for id in "$@"; do
        xacct_proc_running "$id" && return 0
    done
    return 1
}

# _xacct_watchdog_targets ROOT-PID WATCHDOG-PID: the IDs of the processes below ROOT,
# except the watchdog and its own children.
_xacct_watchdog_targets() {
    local -A skip=(["$2"]=1)
    local id
    while read -r id; do
        skip[${id%%:*}]=1
    done < <(xacct_proc_descendants "$2")
    while read -r id; do
        [[ -n "${skip[${id%%:*}]:-}" ]] || printf '%s\n' "$id"
    done < <(xacct_proc_descendants "$1")
}
