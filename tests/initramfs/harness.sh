# Test harness for the initramfs steps (sourced by steps.sh under busybox sh): a scratch
# directory, busybox applets first on PATH (the init's world), a loopback HTTP server with a
# /report endpoint that records every query, assertions, and a cleanup that unmounts and
# detaches everything the tests made.

SRC=${DROVER_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
INIT=$SRC/resources/initramfs/init
# iproute2 (for namespaces), not the busybox applet.
for IPROUTE in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do [ -x "$IPROUTE" ] && break; done
WORK=$(mktemp -d /tmp/drover-initramfs.XXXXXX)
mkdir -p "$WORK/bin" "$WORK/www/blobs" "$WORK/www/cgi-bin" "$WORK/www/report" "$WORK/www/config" \
    "$WORK/www/layer-source" "$WORK/www/layer-report"
busybox --install -s "$WORK/bin"
PATH="$WORK/bin:$PATH"
export PATH
PASSED=0
FAILED=0
FAILED_NAMES=
PORT=

# unmount_under DIR: innermost first (overlays, then layers, then the tmpfs under them).
unmount_under() {
    awk -v w="$1/" 'index($2 "/", w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
}

# background PID: a server a test started, stopped when the test ends.
background() {
    echo "$1" >>"$WORK/pids"
}

stop_background() {
    local pid
    for pid in $(cat "$WORK/pids" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    : >"$WORK/pids"
}

cleanup() {
    stop_background
    unmount_under "$WORK"
    for ns in $(cat "$WORK"/netns 2>/dev/null); do "$IPROUTE" netns del "$ns" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The report endpoint: busybox httpd runs /cgi-bin/index.cgi for a directory without an
# index.html, so /report (redirected to /report/) keeps its query string.
cat >"$WORK/www/cgi-bin/index.cgi" <<EOF
#!/bin/sh
case \$REQUEST_URI in
/report/*) echo "\$QUERY_STRING" >>"$WORK/reports.log"; printf 'Content-Type: text/plain\r\n\r\nok\n' ;;
/layer-report/*) echo "\$QUERY_STRING" >>"$WORK/layer-reports.log"; printf 'Content-Type: text/plain\r\n\r\n' ;;
/layer-source/*)
    # The tracker's answers, one per request, from \$WORK/tracker ('|' for a new line).
    echo "\$QUERY_STRING" >>"$WORK/layer-sources.log"
    a=\$(head -n 1 "$WORK/tracker"); sed -i 1d "$WORK/tracker"
    printf 'Content-Type: text/plain\r\n\r\n%s\n' "\$a" | tr '|' '\n' ;;
*) printf 'Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno\n' ;;
esac
EOF
chmod 0755 "$WORK/www/cgi-bin/index.cgi"

# start_httpd: serves $WORK/www on a free loopback port; sets PORT and SERVER.
start_httpd() {
    local p=$((20000 + $$ % 20000))
    while :; do
        busybox httpd -f -vv -p "127.0.0.1:$p" -h "$WORK/www" 2>>"$WORK/httpd.log" &
        background $!
        sleep 0.3
        if kill -0 $! 2>/dev/null; then
            PORT=$p
            SERVER=http://127.0.0.1:$p
            return 0
        fi
        p=$((p + 1))
    done
}

# put_blob FILE: stores FILE under its digest; prints the digest.
put_blob() {
    local d
    d=sha256:$(sha256sum "$1" | cut -d' ' -f1)
    cp "$1" "$WORK/www/blobs/$d"
    echo "$d"
}

# The D_* a parsed command line would give, pointing at the test server.
use_server() {
    D_SERVER=$SERVER D_MAC=52:54:00:12:34:56 D_BOOT=boot-1 D_TOKEN=tok.en-1 D_DEBUG=0
    D_REBOOT=0 D_TMPFS=64m D_INIT=/sbin/init D_IP= D_MODULES=
    D_MANIFEST=sha256:0000000000000000000000000000000000000000000000000000000000000000
}

fatal() {
    echo "  assertion failed: $*"
    exit 1
}

expect_eq() { # WANT GOT WHAT
    [ "$1" = "$2" ] || fatal "$3: expected '$1', got '$2'"
}

expect_contains() { # HAYSTACK NEEDLE WHAT
    case $1 in *"$2"*) ;; *) fatal "$3: '$1' does not contain '$2'" ;; esac
}

expect_file() { # PATH CONTENT
    [ -f "$1" ] || fatal "$1 is missing"
    expect_eq "$2" "$(cat "$1")" "content of $1"
}

# The mounts under the current test's directory: "TYPE PATH" per line.
our_mounts() {
    awk -v w="$PWD/" 'index($2, w) == 1 { print $3 " " $2 }' /proc/mounts
}

# run_test NAME: runs the function NAME in a subshell with a fresh DROVER_RUN and the init's
# functions loaded; prints PASS/FAIL and the output of failures.
run_test() {
    local name=$1 dir="$WORK/t/$1" started
    mkdir -p "$dir/run"
    started=$(date +%s)
    if (
        cd "$dir" || exit 1
        DROVER_RUN=$dir/run DROVER_INIT_LIB=1 DROVER_NEWROOT=$dir/newroot
        DROVER_SYSTEMD_NETWORK=$dir/systemd-network DROVER_FETCH_TRIES=3
        . "$INIT"
        "$name"
    ) >"$dir/output" 2>&1; then
        stop_background
        unmount_under "$dir"
        PASSED=$((PASSED + 1))
        echo "PASS $name ($(($(date +%s) - started)) s)"
    else
        stop_background
        unmount_under "$dir"
        FAILED=$((FAILED + 1))
        FAILED_NAMES="$FAILED_NAMES $name"
        echo "FAIL $name"
        sed 's/^/    /' "$dir/output"
    fi
}

finish() {
    echo "$PASSED passed, $FAILED failed${FAILED_NAMES:+:$FAILED_NAMES}"
    [ "$FAILED" -eq 0 ]
}

# The loop devices backed by files under DIR, one per line.
loops_under() {
    local f
    for f in /sys/block/loop*/loop/backing_file; do
        [ -r "$f" ] || continue
        case $(cat "$f") in "$1"*) f=${f#/sys/block/}; echo "/dev/${f%%/*}" ;; esac
    done
}

# flip_byte FILE OFFSET: inverts the lowest bit of one byte in place.
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
    printf "\\$(printf %o $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
