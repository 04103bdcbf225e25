# shellcheck shell=bash
#
# `scripts/package --check`: checks a built .deb. Sourced by scripts/package, which
# calls package_check DEB VERSION from the repository root. Every check prints
# "ok: ..." or "FAILED: ..." and the first failure exits non-zero; the last line is
# "package-check: N passed, 0 failed".

# Lintian warnings this package keeps, each with the reason (the check fails on any
# other warning, and on every error).
declare -A PKG_LINTIAN_KEPT=(
    # build.rs links xacct non-PIE: AWS clients start it on every credential refresh,
    # and the loader's relocation of a PIE was 46 % of a cache hit (BENCHMARKS.md). The
    # code is still position-independent, and libraries, heap and stack are still
    # randomised; only the binary's own image sits at a fixed address, and xacct's own
    # code forbids unsafe. XACCT_PIE=1 at build time gives a PIE.
    [hardening-no-pie]="non-PIE on purpose: relocating a PIE was 46 % of a cache hit"
)

PKG_PASSED=0
PKG_ROOT=""
PKG_INSTALLED=0

pkg_ok() {
    PKG_PASSED=$((PKG_PASSED + 1))
    printf 'ok: %s\n' "$*" >&2
}

pkg_fail() {
    printf 'FAILED: %s\n' "$*" >&2
    printf 'package-check: %d passed, 1 failed\n' "$PKG_PASSED"
    exit 1
}

# The EXIT trap: undo the install if a check failed half-way, remove the unpacked
# root, stop moto (services.sh), keep the exit status.
_pkg_cleanup() {
    local status=$?
    set +e
    if [[ "$PKG_INSTALLED" == 1 ]]; then
        dpkg --purge xacct >/dev/null 2>&1
    fi
    [[ -n "$PKG_ROOT" && -d "$PKG_ROOT" ]] && rm -rf "$PKG_ROOT"
    xacct_stop_all
    exit "$status"
}

# The files the package must hold, as dpkg-deb -c prints them (./usr/...).
_pkg_expected_files() {
    local page
    echo ./usr/bin/xacct
    for page in man/*.1; do
        echo "./usr/share/man/man1/$(basename "$page").gz"
    done
    echo ./usr/share/bash-completion/completions/xacct
    echo ./usr/share/zsh/vendor-completions/_xacct
    echo ./usr/share/fish/vendor_completions.d/xacct.fish
    local doc
    for doc in README.md LICENSE-MIT LICENSE-APACHE copyright changelog.gz; do
        echo "./usr/share/doc/xacct/$doc"
    done
}

_pkg_check_contents() {
    local deb="$1" listing path
    listing="$(dpkg-deb -c "$deb" | awk '{ print $NF }')" || pkg_fail "dpkg-deb -c $deb"
    printf '%s\n' "$listing" >&2
    while read -r path; do
        grep -qxF -- "$path" <<<"$listing" || pkg_fail "dpkg-deb -c: $path is not in the package"
        pkg_ok "contains $path"
    done < <(_pkg_expected_files)
    if grep -E '^\./usr/share/man/.*\.[0-9]$' <<<"$listing"; then
        pkg_fail "dpkg-deb -c: a man page above is not gzipped"
    fi
    pkg_ok "every man page is gzipped"
}

_pkg_ensure_lintian() {
    command -v lintian >/dev/null 2>&1 && return 0
    printf 'installing lintian (apt)\n' >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends lintian >/dev/null
    command -v lintian >/dev/null 2>&1 || pkg_fail "lintian still missing after apt-get install"
}

_pkg_check_lintian() {
    local deb="$1" out line tag
    _pkg_ensure_lintian
    # Lintian's own exit code only covers the severity given to --fail-on; the
    # tags are judged here so that a kept warning needs a written reason.
    out="$(lintian --fail-on none --display-level '>=info' "$deb" 2>&1)" ||
        pkg_fail "lintian did not run: $out"
    printf '%s\n' "${out:-(lintian: no tags)}" >&2
    while IFS= read -r line; do
        [[ -z "$line" ]] && continue
        case "$line" in
        E:*) pkg_fail "lintian error: $line" ;;
        W:*)
            tag="$(awk '{ print $3 }' <<<"$line")"
            [[ -n "${PKG_LINTIAN_KEPT[$tag]:-}" ]] ||
                pkg_fail "lintian warning without a reason in PKG_LINTIAN_KEPT: $line"
            ;;
        esac
    done <<<"$out"
    pkg_ok "lintian: no errors, no unexplained warnings"
}

_pkg_check_unpacked() {
    local deb="$1" version="$2" root out err page commit
    PKG_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/xacct-deb.XXXXXX")"
    root="$PKG_ROOT/root"
    dpkg-deb -x "$deb" "$root" || pkg_fail "dpkg-deb -x $deb"

    out="$("$root/usr/bin/xacct" --version)" || pkg_fail "usr/bin/xacct --version exited non-zero"
    printf '%s\n' "$out" >&2
    [[ "$out" == "xacct $version (keyring stores: "*")" ]] ||
        pkg_fail "usr/bin/xacct --version printed '$out', expected 'xacct $version (keyring stores: ...)'"
    # build.rs names the commit only for a checkout of its own (.git right here).
    if [[ -e .git ]] && commit="$(git rev-parse --short HEAD 2>/dev/null)"; then
        [[ "$out" == *"; commit $commit)" ]] ||
            pkg_fail "usr/bin/xacct --version does not name the commit $commit: '$out'"
    fi
    pkg_ok "usr/bin/xacct --version: $out"

    if readelf -S --wide "$root/usr/bin/xacct" | grep -Eq ' \.(symtab|debug_[a-z]+) '; then
        pkg_fail "usr/bin/xacct is not stripped (readelf -S shows .symtab or .debug_*)"
    fi
    pkg_ok "usr/bin/xacct is stripped"

    for page in "$root"/usr/share/man/man1/*.gz; do
        err="$(MANPAGER=cat MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)" ||
            pkg_fail "man -l $(basename "$page") exited non-zero: $err"
        [[ -z "$err" ]] || pkg_fail "man -l $(basename "$page") warned: $err"
        pkg_ok "man -l renders $(basename "$page")"
    done

    err="$(bash -n "$root/usr/share/bash-completion/completions/xacct" 2>&1)" ||
        pkg_fail "bash -n rejects the bash completion: $err"
    pkg_ok "bash -n accepts the bash completion"
}

_pkg_xacct_named_files() {
    find /usr /etc /var/lib/dpkg/info -xdev -name '*xacct*' 2>/dev/null | sort
}

# As root: install, run credential-process against moto as an unprivileged user, purge.
_pkg_check_install() {
    local deb="$1" listing user=xacct-test home out err path left
    [[ "$(id -u)" == 0 ]] ||
        pkg_fail "the install test runs dpkg -i and useradd: run scripts/package --check as root (CI is root)"
    if dpkg-query -W -f='${Status}' xacct 2>/dev/null | grep -q ' installed$'; then
        pkg_fail "xacct is installed already: remove it (dpkg --purge xacct), this check installs and purges it"
    fi
    [[ ! -e /usr/bin/xacct ]] || pkg_fail "/usr/bin/xacct exists outside the package: move it away first"
    listing="$(dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\.||')"
    # Anything named after xacct that the package (or a maintainer script) could leave.
    local before after
    before="$(_pkg_xacct_named_files)"

    PKG_INSTALLED=1
    dpkg -i "$deb" >&2 || pkg_fail "dpkg -i $deb"
    [[ -x /usr/bin/xacct ]] || pkg_fail "dpkg -i left no /usr/bin/xacct"
    pkg_ok "dpkg -i installed /usr/bin/xacct"

    id -u "$user" >/dev/null 2>&1 || useradd -m "$user" || pkg_fail "useradd -m $user"
    home="$(getent passwd "$user" | cut -d: -f6)"

    xacct_ensure_deps
    xacct_start_moto

    err="$PKG_ROOT/credential-process.stderr"
    printf '$ runuser -u %s -- env -i HOME=%s PATH=/usr/bin:/bin AWS_ENDPOINT_URL=%s ... xacct --keyring none credential-process --role-arn arn:aws:iam::111111111111:role/x --region us-east-1\n' \
        "$user" "$home" "$XACCT_TEST_MOTO_URL" >&2
    # cd /: the user cannot be expected to read the repository's directory.
    out="$(cd / && timeout 60 runuser -u "$user" -- env -i HOME="$home" PATH=/usr/bin:/bin \
        AWS_ENDPOINT_URL="$XACCT_TEST_MOTO_URL" AWS_ACCESS_KEY_ID=AKIAXACCTPKGTEST0001 \
        AWS_SECRET_ACCESS_KEY=xacct-package-check-dummy \
        xacct --keyring none credential-process \
        --role-arn arn:aws:iam::111111111111:role/x --region us-east-1 2>"$err")" ||
        pkg_fail "xacct credential-process as $user failed: $(cat "$err")"
    [[ ! -s "$err" ]] || printf 'stderr: %s\n' "$(cat "$err")" >&2
    # Only the non-secret fields are printed.
    python3 - "$out" <<'PY' || pkg_fail "credential-process printed no valid credential JSON"
import json, re, sys
d = json.loads(sys.argv[1])
problems = []
if d.get("Version") != 1:
    problems.append("Version is not 1")
for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
    if not isinstance(d.get(k), str) or not d[k]:
        problems.append(k + " is missing")
if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", str(d.get("Expiration"))):
    problems.append("Expiration is not RFC 3339 UTC: %r" % d.get("Expiration"))
if d.get("AccountId") != "111111111111":
    problems.append("AccountId is %r, not 111111111111" % d.get("AccountId"))
print("credential JSON: Version=%s AccessKeyId=%s Expiration=%s AccountId=%s "
      "SecretAccessKey=<%d chars> SessionToken=<%d chars>" % (
          d.get("Version"), d.get("AccessKeyId"), d.get("Expiration"), d.get("AccountId"),
          len(d.get("SecretAccessKey") or ""), len(d.get("SessionToken") or "")), file=sys.stderr)
if problems:
    print("; ".join(problems), file=sys.stderr)
    sys.exit(1)
PY
    pkg_ok "xacct credential-process as $user (installed /usr/bin/xacct, moto) printed credentials"

    dpkg --purge xacct >&2 || pkg_fail "dpkg --purge xacct"
    PKG_INSTALLED=0
    [[ ! -e /usr/bin/xacct ]] || pkg_fail "dpkg --purge left /usr/bin/xacct"
    if left="$(dpkg -L xacct 2>/dev/null)" && [[ -n "$left" ]]; then
        pkg_fail "dpkg -L xacct still lists files after the purge: $left"
    fi
    while read -r path; do
        [[ -z "$path" || "$path" == */ ]] && continue
        [[ ! -e "$path" ]] || pkg_fail "dpkg --purge left $path"
    done <<<"$listing"
    [[ ! -e /usr/share/doc/xacct ]] || pkg_fail "dpkg --purge left /usr/share/doc/xacct"
    after="$(_pkg_xacct_named_files)"
    [[ "$after" == "$before" ]] ||
        pkg_fail "dpkg --purge left files named after xacct: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
    pkg_ok "dpkg --purge xacct left nothing behind (no /usr/bin/xacct, dpkg -L empty, no packaged file)"
}

package_check() {
    local deb="$1" version="$2"
    # shellcheck source=scripts/lib/services.sh
    source scripts/lib/services.sh
    trap _pkg_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    printf '\n==> check: dpkg-deb -c lists every file\n' >&2
    _pkg_check_contents "$deb"
    printf '\n==> check: lintian\n' >&2
    _pkg_check_lintian "$deb"
    printf '\n==> check: the unpacked package (dpkg-deb -x)\n' >&2
    _pkg_check_unpacked "$deb" "$version"
    printf '\n==> check: install, credential-process as an unprivileged user, purge\n' >&2
    _pkg_check_install "$deb"
    printf 'package-check: %d passed, 0 failed\n' "$PKG_PASSED"
}
