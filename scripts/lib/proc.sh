# shellcheck shell=bash
#
# Processes for xacct's scripts, named by PID *and* start time: once a PID has been
# reaped the kernel may give it to an unrelated process, so a PID alone is never
# signalled. Linux only (/proc), like the rest of scripts/.
#
# Sourced (by services.sh); it defines functions only and leaves the caller's shell
# options alone.

# _xacct_proc_stat PID: prints "STATE START" (start = clock ticks after boot) of PID, or
# fails when there is no such process.
_xacct_proc_stat() {
    local line fields
    { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
    # The command name (field 2) may hold spaces and parentheses: cut after the last ") ".
    read -r -a fields <<<"${line##*) }"
    # fields[0] is field 3 (state), fields[19] is field 22 (starttime).
    [[ -n "${fields[19]:-}" ]] || return 1
    printf '%s %s\n' "${fields[0]}" "${fields[19]}"
}

# xacct_proc_id PID: prints "PID:START", the name to keep instead of a bare PID.
xacct_proc_id() {
    local stat
    stat="$(_xacct_proc_stat "$1")" || return 1
    printf '%s:%s\n' "$1" "${stat#* }"
}

# xacct_proc_is ID: true while the process named by ID (PID:START) exists, zombie or
# not: the same PID with another start time is someone else.
xacct_proc_is() {
    local stat
    stat="$(_xacct_proc_stat "${1%%:*}")" || return 1
    [[ "${stat#* }" == "${1#*:}" ]]
}

# xacct_proc_running ID: like xacct_proc_is, but an exited process (a zombie, not yet
# reaped) does not count.
xacct_proc_running() {
    local stat
    stat="$(_xacct_proc_stat "${1%%:*}")" || return 1
    [[ "${stat#* }" == "${1#*:}" && "${stat%% *}" != Z ]]
}

# xacct_proc_signal SIG ID: sends SIG to the process named by ID, only if it is still
# that process. Fails when it is gone.
xacct_proc_signal() {
    xacct_proc_is "$2" || return 1
    kill -s "$1" "${2%%:*}" 2>/dev/null
}

# xacct_proc_descendants PID: prints the ID (PID:START) of every process below PID,
# parents before children. Processes that left PID's process group or session
# (setsid) are still found; orphans already re-parented to init are not.
xacct_proc_descendants() {
    local -A kids=()
    local f line pid ppid queue=("$1") fields child
    for f in /proc/[0-9]*/stat; do
        { read -r line <"$f"; } 2>/dev/null || continue
        pid="${f#/proc/}"
        pid="${pid%/stat}"
        read -r -a fields <<<"${line##*) }"
        ppid="${fields[1]:-}"
        [[ -n "$ppid" && -n "${fields[19]:-}" ]] || continue
        kids[$ppid]+=" $pid:${fields[19]}"
    done
    while ((${#queue[@]} > 0)); do
        pid="${queue[0]}"
        queue=("${queue[@]:1}")
        for child in ${kids[$pid]:-}; do
            printf '%s\n' "$child"
            queue+=("${child%%:*}")
        done
    done
}
