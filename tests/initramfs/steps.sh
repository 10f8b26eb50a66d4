#!/bin/sh
# Unit tests of Drover's init (resources/initramfs/init), step by step, on real files, a real
# HTTP server on loopback, real squashfs/erofs images on real loop devices under a real
# overlay, and a real DHCP exchange inside network namespaces. Runs as root under busybox sh
# (the init's shell): `busybox sh tests/initramfs/steps.sh [TEST…]`.

. "$(dirname "$0")/harness.sh"

MEDIA=application/vnd.drover.manifest.v1+json
ZERO=sha256:0000000000000000000000000000000000000000000000000000000000000000

# manifest FORMAT LAYERS_JSON: a manifest as core/store/manifest.cpp writes it (canonical:
# sorted keys, compact), with traps for a naive parser in "build" and "kernelArgs".
manifest() {
    printf '{"architecture":"amd64","build":{"layers":[{"digest":"sha256:bad"}],"note":"a \\"quoted\\" {text}"},'
    printf '"format":"%s","initrd":{"digest":"%s","size":1},"kernel":{"digest":"%s","size":2},' "$1" "$ZERO" "$ZERO"
    printf '"kernelArgs":"quiet x=\\"layers\\":[","layers":[%s],"mediaType":"%s","name":"lab",' "$2" "$MEDIA"
    printf '"recipeDigest":"%s","schemaVersion":1,"version":"1.0"}' "$ZERO"
}

layer_json() { # DIGEST SIZE TYPE ROLE
    printf '{"digest":"%s","role":"%s","size":%s,"type":"%s"}' "$1" "$4" "$2" "$3"
}

# ---------------------------------------------------------------------------- command line

test_parse_cmdline() {
    parse_cmdline "initrd=initrd.img  console=ttyS0 quiet drover.server=http://10.0.2.2:8080/ \
drover.manifest=sha256:$(printf 'ab%.0s' $(seq 32)) drover.mac=52-54-00-AB-cd-0F drover.boot=b-42 \
drover.token=Zx_9.~- drover.ip=10.1.2.3/24:10.1.2.1 drover.modules=igb,r8169 systemd.unit=x *" ||
        fatal "parse failed: $PARSE_ERROR"
    expect_eq http://10.0.2.2:8080 "$D_SERVER" server
    expect_eq "sha256:$(printf 'ab%.0s' $(seq 32))" "$D_MANIFEST" manifest
    expect_eq 52:54:00:ab:cd:0f "$D_MAC" "mac, lower case with colons"
    expect_eq b-42 "$D_BOOT" boot
    expect_eq Zx_9.~- "$D_TOKEN" token
    expect_eq 10.1.2.3/24:10.1.2.1 "$D_IP" ip
    expect_eq "igb r8169" "$D_MODULES" modules
    expect_eq "0 30 50% /sbin/init 0" "$D_DEBUG $D_REBOOT $D_TMPFS $D_INIT $D_PEERS" defaults
    parse_cmdline "drover.server=http://h drover.manifest=$ZERO drover.mac=00:11:22:33:44:55 \
drover.boot=1 drover.token=t drover.debug=1 drover.reboot=5 drover.tmpfs=2G init=/lib/systemd/systemd \
drover.peers=1" ||
        fatal "parse failed: $PARSE_ERROR"
    expect_eq "1 5 2G /lib/systemd/systemd 1" "$D_DEBUG $D_REBOOT $D_TMPFS $D_INIT $D_PEERS" overrides
}

test_parse_cmdline_refuses() {
    local good="drover.server=http://10.0.2.2:80 drover.manifest=$ZERO drover.mac=00:11:22:33:44:55 drover.boot=1 drover.token=t"
    local case
    while IFS='|' read -r case expected; do
        [ -n "$case" ] || continue
        if parse_cmdline "$good $case"; then
            fatal "'$case' was accepted"
        fi
        expect_contains "$PARSE_ERROR" "$expected" "error for '$case'"
    done <<EOF
drover.server=ftp://x|drover.server
drover.server=http://x;reboot|drover.server
drover.server=http://a'b|drover.server
drover.manifest=sha256:abc|drover.manifest
drover.manifest=md5:$(printf '0%.0s' $(seq 64))|drover.manifest
drover.mac=00:11:22:33:44|drover.mac
drover.token=a\$(reboot)|drover.token
drover.boot=|drover.boot is missing
drover.debug=yes|drover.debug
drover.peers=on|drover.peers
drover.reboot=-1|drover.reboot
drover.tmpfs=0|drover.tmpfs
drover.tmpfs=1T|drover.tmpfs
drover.ip=10.0.0.1|drover.ip
drover.ip=10.0.0.1/24:gw|drover.ip
init=sbin/init|init
EOF
    parse_cmdline "drover.manifest=$ZERO drover.mac=00:11:22:33:44:55 drover.boot=1 drover.token=t" &&
        fatal "accepted a command line without drover.server"
    expect_eq "drover.server is missing from the kernel command line" "$PARSE_ERROR" "missing server"
}

# ---------------------------------------------------------------------------- manifest

test_manifest_layers_in_order() {
    local base=sha256:$(printf 'b%.0s' $(seq 64)) top=sha256:$(printf 'c%.0s' $(seq 64))
    manifest layers "$(layer_json "$base" 123456789 squashfs base),$(layer_json "$top" 42 erofs top)" >m.json
    parse_manifest m.json || fatal "refused: $MANIFEST_ERROR"
    expect_eq "layers lab 1.0 2" "$M_FORMAT $M_NAME $M_VERSION $M_LAYERS" "fields"
    expect_eq "$base 123456789 squashfs base
$top 42 erofs top" "$(cat "$DROVER_RUN/layers")" "layers, bottom first"
    # The same manifest pretty-printed parses the same.
    sed 's/,"/,\n  "/g; s/{/{\n /g; s/":/" : /g' m.json >pretty.json
    cp "$DROVER_RUN/layers" compact.layers
    parse_manifest pretty.json || fatal "pretty manifest refused: $MANIFEST_ERROR"
    expect_eq "$(cat compact.layers)" "$(cat "$DROVER_RUN/layers")" "pretty-printed layers"
}

test_manifest_initramfs_format() {
    manifest initramfs "" >m.json
    parse_manifest m.json || fatal "refused: $MANIFEST_ERROR"
    expect_eq "initramfs 0" "$M_FORMAT $M_LAYERS" "format and layer count"
    [ -s "$DROVER_RUN/layers" ] && fatal "layers listed for an initramfs image"
    return 0
}

test_manifest_refuses() {
    local ok=sha256:$(printf 'd%.0s' $(seq 64))
    check_refused() { # EXPECTED (manifest in bad.json)
        parse_manifest bad.json && fatal "accepted: $(cat bad.json)"
        expect_contains "$MANIFEST_ERROR" "$1" "error"
    }
    manifest layers "$(layer_json "$ok" 1 squashfs base)" | sed "s#$MEDIA#application/json#" >bad.json
    check_refused "mediaType"
    manifest layers "$(layer_json "$ok" 1 squashfs base)" | sed 's/"schemaVersion":1/"schemaVersion":2/' >bad.json
    check_refused "schemaVersion '2'"
    manifest layers "$(layer_json sha256:abc 1 squashfs base)" >bad.json
    check_refused "layers[0].digest"
    manifest layers "$(layer_json "$ok" 1 squashfs base),$(layer_json "$ok" 1 ext4 top)" >bad.json
    check_refused "layers[1].type 'ext4'"
    manifest layers "$(layer_json "$ok" -1 squashfs base)" >bad.json
    check_refused "layers[0].size"
    manifest layers "" >bad.json
    check_refused "no layers"
    manifest tarball "" >bad.json
    check_refused "format 'tarball'"
    manifest layers "$(layer_json "$ok" 1 squashfs base)" | sed 's/"name":"lab"/"name":"..\/x"/' >bad.json
    check_refused "name or version"
    manifest layers "$(layer_json "$ok" 1 squashfs base)" >full.json
    head -c 200 full.json >bad.json
    check_refused "not valid JSON"
}

# ---------------------------------------------------------------------------- downloads

test_fetch_streams_and_verifies() {
    start_httpd
    use_server
    head -c 3000000 /dev/urandom >blob
    local d
    d=$(put_blob blob)
    fetch_blob "$d" got "$(stat -c %s blob)" || fatal "fetch failed: $FETCH_ERROR"
    cmp blob got || fatal "fetched bytes differ"
    # Unknown size (the manifest) is fine; a wrong announced size is not.
    rm got
    fetch_blob "$d" got - || fatal "fetch without size failed: $FETCH_ERROR"
    rm got
    fetch_blob "$d" got 12 && fatal "a blob of the wrong size was accepted"
    expect_contains "$FETCH_ERROR" "size mismatch" "error"
    [ -e got ] && fatal "a refused blob was left behind"
    return 0
}

test_fetch_resumes_with_range() {
    start_httpd
    use_server
    head -c 2000000 /dev/urandom >blob
    local d
    d=$(put_blob blob)
    head -c 700000 blob >partial
    : >"$WORK/httpd.log"
    fetch_blob "$d" partial 2000000 || fatal "resume failed: $FETCH_ERROR"
    cmp blob partial || fatal "resumed bytes differ"
    grep -q 'response:206' "$WORK/httpd.log" || fatal "no ranged (206) request: $(cat "$WORK/httpd.log")"
    # A partial file whose bytes are wrong is caught by the digest and fetched afresh.
    head -c 700000 /dev/urandom >partial
    fetch_blob "$d" partial 2000000 || fatal "fresh retry after a bad resume failed: $FETCH_ERROR"
    cmp blob partial || fatal "bytes differ after a bad resume"
}

# A server that dies in the middle of a transfer: the init retries with backoff and resumes
# from the bytes it has, against the server that answers next on the same port.
test_fetch_interrupted_transfer_resumes() {
    local port=$((21000 + $$ % 20000)) d size
    head -c 1500000 /dev/urandom >blob
    d=$(put_blob blob)
    size=$(stat -c %s blob)
    { printf 'HTTP/1.1 200 OK\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' "$size"; head -c 400000 blob; } >cut.http
    printf '#!/bin/sh\nhead -n 1 >/dev/null\ncat %s/cut.http\n' "$PWD" >cut.sh
    chmod +x cut.sh
    # Another test of the same ctest run may hold the port: move on until nc keeps it.
    while :; do
        nc -l -p "$port" -e "$PWD/cut.sh" 2>/dev/null &
        background $!
        echo $! >nc.pid
        sleep 0.3
        kill -0 "$(cat nc.pid)" 2>/dev/null && break
        port=$((port + 1))
    done
    {
        while kill -0 "$(cat nc.pid)" 2>/dev/null; do sleep 0.1; done
        busybox httpd -f -vv -p "127.0.0.1:$port" -h "$WORK/www" 2>>"$WORK/httpd.log" &
        background $!
    } &
    background $!
    D_SERVER=http://127.0.0.1:$port D_MAC=52:54:00:12:34:56 D_BOOT=b D_TOKEN=t
    : >"$WORK/httpd.log"
    fetch_blob "$d" got "$size" || fatal "fetch failed: $FETCH_ERROR"
    cmp blob got || fatal "bytes differ after resuming"
    grep -q 'response:206' "$WORK/httpd.log" || fatal "the second attempt did not resume (no 206)"
    grep -q 'attempt 2/3' "$DROVER_RUN/init.log" || fatal "no retry logged: $(cat "$DROVER_RUN/init.log")"
}

test_fetch_gives_up_with_reason() {
    start_httpd
    use_server
    DROVER_FETCH_TRIES=2
    fetch_blob "sha256:$(printf 'e%.0s' $(seq 64))" got 10 && fatal "a missing blob was fetched"
    expect_contains "$FETCH_ERROR" "404" "error"
    expect_contains "$FETCH_ERROR" "gave up after 2 attempts" "error"
}

# ---------------------------------------------------------------------------- neighbours

# start_neighbour DIR: another machine's layer server (busybox httpd, as serve_layers runs
# it) on a free loopback port; sets NPORT.
start_neighbour() {
    local p=$((PORT + 1 + $(ls "$WORK" | wc -l)))
    while :; do
        busybox httpd -f -p "127.0.0.1:$p" -h "$1" 2>/dev/null &
        background $!
        sleep 0.3
        if kill -0 $! 2>/dev/null; then
            NPORT=$p
            return 0
        fi
        p=$((p + 1))
    done
}

test_shared_from_a_neighbour() {
    start_httpd
    : >"$WORK/layer-sources.log"
    : >"$WORK/layer-reports.log"
    use_server
    head -c 2000000 /dev/urandom >blob
    local d
    d=$(put_blob blob)
    # Drover has no copy: only the neighbour can have served it.
    rm "$WORK/www/blobs/$d"
    mkdir n
    cp blob "n/${d#sha256:}"
    start_neighbour "$PWD/n"
    echo "peer 127.0.0.1 $NPORT|server" >"$WORK/tracker"
    fetch_shared "$d" got 2000000 || fatal "fetch from the neighbour failed: $FETCH_ERROR"
    cmp blob got || fatal "bytes from the neighbour differ"
    expect_eq 127.0.0.1 "$SHARED_FROM" "served by"
    expect_eq "mac=52:54:00:12:34:56&boot=boot-1&token=tok.en-1&digest=$d" "$(cat "$WORK/layer-sources.log")" \
        "the question to the tracker"
}

# Wrong bytes, too few bytes, nobody listening: each reported as what it was, then Drover.
test_shared_bad_neighbours_fall_back() {
    start_httpd
    : >"$WORK/layer-sources.log"
    : >"$WORK/layer-reports.log"
    use_server
    head -c 1000000 /dev/urandom >blob
    local d bad short dead
    d=$(put_blob blob)
    mkdir wrong cut
    head -c 1000000 /dev/urandom >"wrong/${d#sha256:}"
    head -c 300000 blob >"cut/${d#sha256:}"
    start_neighbour "$PWD/wrong"
    bad=$NPORT
    start_neighbour "$PWD/cut"
    short=$NPORT
    dead=$((short + 100))
    printf 'peer 127.0.0.1 %s|server\npeer 127.0.0.1 %s|server\npeer 127.0.0.1 %s|server\nserver\n' \
        "$bad" "$short" "$dead" >"$WORK/tracker"
    fetch_shared "$d" got 1000000 || fatal "fetch failed: $FETCH_ERROR"
    cmp blob got || fatal "bytes differ"
    expect_eq "" "$SHARED_FROM" "served by (Drover)"
    expect_eq "bad-digest stalled unreachable" \
        "$(sed -n 's/.*&result=\([a-z-]*\)&from=127.0.0.1$/\1/p' "$WORK/layer-reports.log" | tr '\n' ' ' | sed 's/ $//')" \
        "the neighbours reported"
    expect_eq 4 "$(wc -l <"$WORK/layer-sources.log")" "questions to the tracker"
}

# "wait": asked again; a tracker that keeps a machine waiting past DROVER_PEER_WAIT, one
# that names something other than an address and port, and one that is not there (an older
# Drover, peers off) are all overruled by Drover's own copy.
test_shared_waits_and_overrules() {
    start_httpd
    : >"$WORK/layer-sources.log"
    : >"$WORK/layer-reports.log"
    use_server
    head -c 500000 /dev/urandom >blob
    local d
    d=$(put_blob blob)
    printf 'wait 100\nwait 100\nserver\n' >"$WORK/tracker"
    fetch_shared "$d" got 500000 || fatal "fetch after waiting failed: $FETCH_ERROR"
    expect_eq 3 "$(wc -l <"$WORK/layer-sources.log")" "questions after two waits"
    rm got
    DROVER_PEER_WAIT=1
    printf 'wait 5000\n' >"$WORK/tracker"
    fetch_shared "$d" got 500000 || fatal "fetch after a long wait failed: $FETCH_ERROR"
    grep -q '/blobs/' "$WORK/httpd.log" || fatal "not fetched from Drover"
    rm got
    printf 'peer http://elsewhere/evil 80|server\n' >"$WORK/tracker"
    fetch_shared "$d" got 500000 || fatal "fetch after a bad answer failed: $FETCH_ERROR"
    grep -q 'named no usable neighbour' "$DROVER_RUN/init.log" || fatal "bad answer not logged"
    rm got "$WORK/tracker"
    fetch_shared "$d" got 500000 || fatal "fetch without a tracker failed: $FETCH_ERROR"
    cmp blob got || fatal "bytes differ"
}

# The layers this machine verified, served read-only by an unprivileged busybox httpd.
test_serve_layers() {
    local port=$((23000 + $$ % 20000)) pid
    mkdir -p "$DROVER_RUN/layers.d/verified"
    chmod 0700 "$DROVER_RUN" "$DROVER_RUN/layers.d"
    cp "$(readlink -f /proc/$$/exe)" "$DROVER_RUN/busybox"
    head -c 100000 /dev/urandom >"$DROVER_RUN/layers.d/verified/abcd"
    chmod 0444 "$DROVER_RUN/layers.d/verified/abcd"
    echo secret >"$DROVER_RUN/boot.env"
    chmod 0600 "$DROVER_RUN/boot.env"
    DROVER_PEER_PORT=$port
    serve_layers
    pid=$(pgrep -f "httpd -p $port")
    [ -n "$pid" ] || fatal "no httpd on port $port: $(cat "$DROVER_RUN/init.log")"
    for p in $pid; do background "$p"; done
    expect_eq 65534 "$(stat -c %u /proc/"$(echo "$pid" | head -n 1)")" "the server's user"
    wget -q -O got "http://127.0.0.1:$port/abcd" || fatal "the layer was not served"
    cmp got "$DROVER_RUN/layers.d/verified/abcd" || fatal "served bytes differ"
    wget -q -O - "http://127.0.0.1:$port/../boot.env" 2>/dev/null && fatal "the token was served"
    # A second call starts nothing more.
    serve_layers
    expect_eq "$pid" "$(pgrep -f "httpd -p $port")" "servers"
    expect_eq 1 "$PEER_SERVING" "serving"
    # A port that is taken: no server, and PEER_SERVING stays unset (the layer is not claimed).
    PEER_HTTPD= PEER_SERVING=
    serve_layers
    expect_eq "" "$PEER_SERVING" "serving on a taken port"
    grep -q "cannot serve layers to neighbours on port $port" "$DROVER_RUN/init.log" || fatal "the failure is not logged"
}

# ---------------------------------------------------------------------------- layers

# make_layers: base.sqfs and top.sqfs, where top shadows one file of base.
make_layers() {
    mkdir -p base/etc base/usr/bin base/sbin top/etc
    echo base >base/etc/os-release
    echo "from base" >base/etc/shared
    echo "delete me" >base/etc/doomed
    printf '#!/bin/sh\necho tool\n' >base/usr/bin/tool
    echo init >base/sbin/init
    echo "from top" >top/etc/shared
    echo top >top/etc/top-only
    mksquashfs base base.sqfs -quiet -noappend -comp zstd >/dev/null || fatal "mksquashfs base"
    mksquashfs top top.sqfs -quiet -noappend -comp zstd >/dev/null || fatal "mksquashfs top"
}

test_layers_fetched_verified_mounted() {
    start_httpd
    use_server
    make_layers
    local base top root=$DROVER_NEWROOT loops l
    base=$(put_blob base.sqfs)
    top=$(put_blob top.sqfs)
    manifest layers "$(layer_json "$base" "$(stat -c %s base.sqfs)" squashfs base),$(layer_json "$top" "$(stat -c %s top.sqfs)" squashfs top)" >m.json
    parse_manifest m.json || fatal "manifest: $MANIFEST_ERROR"
    fetch_layers
    expect_contains "$FETCH_SUMMARY" "2 layers" "summary"
    mount_layers "$root"
    # The merged root takes the upper directory's mode: 0755, or no non-root service of the
    # image can reach a single file.
    expect_eq 755 "$(stat -c %a "$root")" "mode of the merged root"
    expect_file "$root/etc/shared" "from top"
    expect_file "$root/etc/os-release" base
    expect_file "$root/etc/top-only" top
    expect_eq tool "$(sh "$root/usr/bin/tool")" "a base program runs"
    # The upper tmpfs is writable and has the size asked for; the layers stay untouched.
    echo written >"$root/etc/new" || fatal "the root is not writable"
    expect_file "$DROVER_RUN/rw/upper/etc/new" written
    rm "$root/etc/doomed" || fatal "cannot delete a base file through the overlay"
    [ -e "$root/etc/doomed" ] && fatal "deleted file still visible"
    expect_file "$DROVER_RUN/lower/0/etc/doomed" "delete me"
    touch "$DROVER_RUN/lower/0/x" 2>/dev/null && fatal "a lower layer is writable"
    expect_eq 65536 "$(df -k "$DROVER_RUN/rw" | awk 'NR == 2 { print $2 }')" "upper tmpfs size (KiB)"
    # Both loop devices are read-only and backed by the verified copies.
    loops=$(loops_under "$DROVER_RUN/layers.d/verified")
    expect_eq 2 "$(echo "$loops" | wc -l)" "loop devices"
    for l in $loops; do
        expect_eq 1 "$(cat "/sys/block/${l#/dev/}/ro")" "$l read-only"
    done
    expect_eq "overlay $root" "$(our_mounts | grep " $root\$")" "overlay mounted"
}

test_erofs_and_squashfs_mix() {
    start_httpd
    use_server
    make_layers
    mkfs.erofs -zlz4 base.erofs base >/dev/null 2>&1 || fatal "mkfs.erofs"
    local base top
    base=$(put_blob base.erofs)
    top=$(put_blob top.sqfs)
    manifest layers "$(layer_json "$base" "$(stat -c %s base.erofs)" erofs base),$(layer_json "$top" "$(stat -c %s top.sqfs)" squashfs top)" >m.json
    parse_manifest m.json || fatal "manifest: $MANIFEST_ERROR"
    fetch_layers
    mount_layers "$DROVER_NEWROOT"
    expect_file "$DROVER_NEWROOT/etc/shared" "from top"
    expect_file "$DROVER_NEWROOT/etc/os-release" base
    our_mounts | grep "^erofs $DROVER_RUN/lower/0\$" >/dev/null || fatal "base is not erofs: $(our_mounts)"
}

# The flipped byte: the layer is refused with its digest reported, fetched only once (a fresh
# download that mismatches is not retried), and nothing is ever mounted from it.
test_flipped_byte_is_refused_and_never_mounted() {
    start_httpd
    use_server
    make_layers
    local base top flipped
    base=$(put_blob base.sqfs)
    top=$(put_blob top.sqfs)
    cp base.sqfs flipped.sqfs
    flip_byte flipped.sqfs $(($(stat -c %s base.sqfs) / 2))
    cmp -s base.sqfs flipped.sqfs && fatal "the byte did not flip"
    cp flipped.sqfs "$WORK/www/blobs/$base"
    manifest layers "$(layer_json "$base" "$(stat -c %s base.sqfs)" squashfs base),$(layer_json "$top" "$(stat -c %s top.sqfs)" squashfs top)" >m.json
    parse_manifest m.json || fatal "manifest: $MANIFEST_ERROR"
    : >"$WORK/httpd.log"
    : >"$WORK/reports.log"
    (fetch_layers) && fatal "a corrupt layer was accepted"
    grep "FAILED (fetched)" "$DROVER_RUN/init.log" | grep "$base digest mismatch" >/dev/null ||
        fatal "no digest mismatch logged: $(cat "$DROVER_RUN/init.log")"
    expect_eq 1 "$(grep -c "url:/blobs/$base" "$WORK/httpd.log")" "downloads of the corrupt layer"
    grep -q "phase=failed&digest=$(urlencode "$ZERO")&detail=fetched%3A%20layer%20$(echo "$base" | sed 's/:/%3A/')%20digest%20mismatch" "$WORK/reports.log" ||
        fatal "failure not reported with the digest: $(cat "$WORK/reports.log")"
    [ -n "$(ls "$DROVER_RUN/layers.d/verified")" ] && fatal "something reached verified/"
    [ -n "$(ls "$DROVER_RUN/layers.d/partial")" ] && fatal "the corrupt bytes were kept"
    (mount_layers "$DROVER_NEWROOT") && fatal "mount_layers mounted unverified layers"
    grep -q "was not verified; refusing to mount it" "$DROVER_RUN/init.log" || fatal "no refusal logged"
    our_mounts | grep -v "^tmpfs $DROVER_RUN/layers.d\$" && fatal "something was mounted"
    [ -n "$(loops_under "$PWD")" ] && fatal "a loop device was set up"
    return 0
}

# ---------------------------------------------------------------------------- firmware

test_firmware_facts() {
    DROVER_SYSFS=$PWD/sys
    mkdir -p sys
    firmware_facts
    expect_eq "BIOS" "$FIRMWARE_FACTS" "no /sys/firmware/efi"
    # The SecureBoot variable as efivarfs shows it: attributes (4 bytes), then the value.
    mkdir -p sys/firmware/efi/efivars sys/kernel/security
    var=sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
    printf '\006\000\000\000\001' >"$var"
    echo "none [integrity] confidentiality" >sys/kernel/security/lockdown
    firmware_facts
    expect_eq "UEFI, Secure Boot on, lockdown integrity" "$FIRMWARE_FACTS" "Secure Boot on"
    printf '\006\000\000\000\000' >"$var"
    echo "[none] integrity confidentiality" >sys/kernel/security/lockdown
    firmware_facts
    expect_eq "UEFI, Secure Boot off, lockdown none" "$FIRMWARE_FACTS" "Secure Boot off"
    # A kernel without efivarfs and securityfs: its log decides, or nobody does.
    rm -f "$var" sys/kernel/security/lockdown
    dmesg() { echo "[    0.000000] secureboot: Secure boot enabled"; }
    firmware_facts
    expect_eq "UEFI, Secure Boot on" "$FIRMWARE_FACTS" "from the kernel log"
    dmesg() { echo "nothing of interest"; }
    firmware_facts
    expect_eq "UEFI, Secure Boot unknown" "$FIRMWARE_FACTS" "nothing to tell"
}

# ---------------------------------------------------------------------------- inventory

# The hardware collector on a made-up sysfs and /proc: what the files say comes out as the
# report's lines; loop devices, CD drives, lo and NICs without a link add nothing wrong; a
# control character in a DMI string is dropped, not sent.
test_inventory_collects() {
    DROVER_SYSFS=$PWD/sys DROVER_PROCFS=$PWD/proc
    local dmi=sys/class/dmi/id
    mkdir -p $dmi proc sys/block/vda/device sys/block/vda/queue sys/block/sda/device sys/block/sda/queue \
        sys/block/loop0 sys/block/sr0/device sys/class/net/eth0/device sys/class/net/eth1/device sys/class/net/lo \
        sys/bus/pci/drivers/e1000
    echo "ACME" >$dmi/sys_vendor
    printf 'Lab PC\0333\n' >$dmi/product_name
    echo "SN-0042" >$dmi/product_serial
    echo "8d3b0c1e-0000-4000-8000-000000000042" >$dmi/product_uuid
    echo "SeaBIOS" >$dmi/bios_vendor
    echo "1.16.3" >$dmi/bios_version
    printf 'processor\t: 0\nmodel name\t: ACME CPU @ 3.0GHz\nphysical id\t: 0\ncpu cores\t: 2\n\n' >proc/cpuinfo
    printf 'processor\t: 1\nmodel name\t: ACME CPU @ 3.0GHz\nphysical id\t: 0\ncpu cores\t: 2\n\n' >>proc/cpuinfo
    printf 'MemTotal:        2014520 kB\nMemFree:          100000 kB\n' >proc/meminfo
    echo "QM-DISK-1" >sys/block/vda/serial
    echo 2097152 >sys/block/vda/size
    echo 1 >sys/block/vda/queue/rotational
    echo "QEMU HARDDISK   " >sys/block/sda/device/model
    printf '\000\200\000\010SATA-777' >sys/block/sda/device/vpd_pg80
    echo 1024 >sys/block/sda/size
    echo 0 >sys/block/sda/queue/rotational
    echo 8 >sys/block/loop0/size
    echo 2 >sys/block/sr0/size
    echo 52:54:00:12:34:56 >sys/class/net/eth0/address
    echo 1000 >sys/class/net/eth0/speed
    echo 0x8086 >sys/class/net/eth0/device/vendor
    echo 0x100e >sys/class/net/eth0/device/device
    ln -s ../../../bus/pci/drivers/e1000 sys/class/net/eth0/device/driver
    echo 52:54:00:12:34:57 >sys/class/net/eth1/address
    echo -1 >sys/class/net/eth1/speed
    echo 00:00:00:00:00:00 >sys/class/net/lo/address
    inventory inventory.txt || fatal "inventory failed"
    local tab
    tab=$(printf '\t')
    for want in "system.vendor${tab}ACME" "system.product${tab}Lab PC3" "system.serial${tab}SN-0042" \
        "firmware.vendor${tab}SeaBIOS" "firmware.mode${tab}bios" "cpu.model${tab}ACME CPU @ 3.0GHz" \
        "cpu.sockets${tab}1" "cpu.cores${tab}2" "cpu.threads${tab}2" "memory.kib${tab}2014520" \
        "disk.0.name${tab}sda" "disk.0.model${tab}QEMU HARDDISK" "disk.0.serial${tab}SATA-777" "disk.0.bytes${tab}524288" \
        "disk.0.rotational${tab}0" "disk.1.name${tab}vda" "disk.1.serial${tab}QM-DISK-1" "disk.1.bytes${tab}1073741824" \
        "disk.1.rotational${tab}1" "nic.0.name${tab}eth0" "nic.0.mac${tab}52:54:00:12:34:56" "nic.0.driver${tab}e1000" \
        "nic.0.pci${tab}8086:100e" "nic.0.speed_mbps${tab}1000" "nic.1.mac${tab}52:54:00:12:34:57"; do
        grep -qxF "$want" inventory.txt || fatal "inventory lacks '$want': $(cat inventory.txt)"
    done
    ! grep -q "loop0\|sr0\|nic.2\|nic.1.speed" inventory.txt || fatal "inventory has what it should not: $(cat inventory.txt)"
    ! grep -q "$(printf '\033')" inventory.txt || fatal "a control character reached the report"
}

# ---------------------------------------------------------------------------- reporting

test_urlencode() {
    expect_eq "AZaz09-._~" "$(urlencode "AZaz09-._~")" "unreserved"
    expect_eq "a%20b%2Fc%3Fd%26e%3Df%25g%2Bh%3A" "$(urlencode "a b/c?d&e=f%g+h:")" "reserved"
    expect_eq "%C3%A9%E2%80%A6%27%22%0A" "$(urlencode "é…'\"
")" "utf-8, quotes, newline"
    expect_eq "" "$(urlencode "")" "empty"
}

test_report_and_fail() {
    start_httpd
    use_server
    : >"$WORK/reports.log"
    report mounted "2 layers & a tmpfs of 50%" || fatal "report failed"
    expect_eq "mac=52%3A54%3A00%3A12%3A34%3A56&boot=boot-1&token=tok.en-1&phase=mounted&digest=$(echo $ZERO | sed 's/:/%3A/')&detail=2%20layers%20%26%20a%20tmpfs%20of%2050%25" \
        "$(cat "$WORK/reports.log")" "report query"
    : >"$WORK/reports.log"
    (fail configured "cannot write /etc/x") && fatal "fail returned success"
    expect_contains "$(cat "$WORK/reports.log")" "phase=failed&" "failure phase"
    expect_contains "$(cat "$WORK/reports.log")" "detail=configured%3A%20cannot%20write%20%2Fetc%2Fx" "failure detail"
    # A server that refuses (4xx) is not asked again; one that does not answer is, a few
    # times; either way the report gives up without failing the boot.
    local started
    started=$(date +%s)
    D_SERVER=$SERVER/elsewhere DROVER_REPORT_TRIES=3
    report configured x && fatal "a refused report succeeded"
    [ $(($(date +%s) - started)) -le 1 ] || fatal "a refused report was retried"
    grep -q "could not report configured to $SERVER/elsewhere: .*404" "$DROVER_RUN/init.log" ||
        fatal "refusal not logged: $(cat "$DROVER_RUN/init.log")"
    D_SERVER=http://127.0.0.1:1 DROVER_REPORT_TRIES=2
    report ready x && fatal "a report to nowhere succeeded"
    expect_eq 2 "$(grep -c 'Connection refused' "$DROVER_RUN/wget.log")" "attempts at a closed port"
    grep -q "could not report ready" "$DROVER_RUN/init.log" || fatal "unreported failure not logged"
}

# ---------------------------------------------------------------------------- configuration

# image_root DIR: the /etc of a small Debian-like image, with /var/run a symlink out of it.
image_root() {
    mkdir -p "$1/etc" "$1/home" "$1/root" "$1/var" "$WORK/outside"
    printf 'root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000::/home/bob:/bin/sh\n' >"$1/etc/passwd"
    printf 'root:x:0:\nsudo:x:27:\nadm:x:4:bob\nbob:x:1000:\n' >"$1/etc/group"
    printf 'root:*:19000:0:99999:7:::\nbob:*:19000:0:99999:7:::\n' >"$1/etc/shadow"
    printf 'root:*::\nsudo:*::\nadm:*::bob\nbob:!::\n' >"$1/etc/gshadow"
    printf '127.0.0.1 localhost\n127.0.1.1 image\n' >"$1/etc/hosts"
    echo image >"$1/etc/hostname"
    ln -s "$WORK/outside" "$1/var/run"
}

b64() { printf '%s' "$1" | base64 -w 0; }

test_config_applied() {
    local root=$PWD/image
    image_root "$root"
    cat >config <<EOF2
drover-config 1
# comments and blank lines are ignored

hostname pc-07.lab.example
user alice 1001 /bin/bash sudo,adm,nosuchgroup
password alice \$6\$salt\$abc/def.GHI
key alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZha2Uga2V5 alice@lab
key root ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJvb3Qga2V5 admin
file 0640 alice:alice /etc/alice/app.conf $(b64 "name=pc-07
labels=gpu,room-2")
file 0644 0:0 /etc/motd -
file 0644 root:root /etc/systemd/network/10-lab.network $(b64 "[Match]
Name=eth0")
script 10-first $(b64 '#!/bin/sh
echo first')
script 05-second $(b64 'echo second')
EOF2
    apply_config "$root" config || fatal "refused: $CONFIG_ERROR"
    expect_eq "hostname pc-07.lab.example, 1 users, 2 keys, 3 files, 2 scripts" "$CONFIG_SUMMARY" summary
    expect_file "$root/etc/hostname" pc-07.lab.example
    expect_eq "127.0.0.1 localhost
127.0.1.1 pc-07.lab.example pc-07" "$(cat "$root/etc/hosts")" hosts
    grep -qx 'alice:x:1001:1001::/home/alice:/bin/bash' "$root/etc/passwd" || fatal "passwd: $(cat "$root/etc/passwd")"
    grep -qx 'alice:x:1001:' "$root/etc/group" || fatal "no alice group"
    grep -qx 'sudo:x:27:alice' "$root/etc/group" || fatal "alice not in sudo"
    grep -qx 'adm:x:4:bob,alice' "$root/etc/group" || fatal "alice not in adm"
    grep -qx 'alice:\$6\$salt\$abc/def.GHI::0:99999:7:::' "$root/etc/shadow" || fatal "shadow: $(cat "$root/etc/shadow")"
    grep -qx 'alice:!::' "$root/etc/gshadow" || fatal "no gshadow entry"
    expect_eq "700 1001:1001" "$(stat -c '%a %u:%g' "$root/home/alice")" "home"
    expect_file "$root/home/alice/.ssh/authorized_keys" "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZha2Uga2V5 alice@lab"
    expect_eq "600 1001:1001" "$(stat -c '%a %u:%g' "$root/home/alice/.ssh/authorized_keys")" "authorized_keys"
    expect_eq "700 1001:1001" "$(stat -c '%a %u:%g' "$root/home/alice/.ssh")" ".ssh"
    expect_file "$root/root/.ssh/authorized_keys" "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJvb3Qga2V5 admin"
    expect_file "$root/etc/alice/app.conf" "name=pc-07
labels=gpu,room-2"
    expect_eq "640 1001:1001" "$(stat -c '%a %u:%g' "$root/etc/alice/app.conf")" "file mode and owner"
    [ -f "$root/etc/motd" ] && [ ! -s "$root/etc/motd" ] || fatal "empty file not written"
    expect_file "$root/etc/systemd/network/10-lab.network" "[Match]
Name=eth0"
    expect_eq "01-10-first 02-05-second" "$(ls "$DROVER_RUN/scripts" | tr '\n' ' ' | sed 's/ $//')" "scripts in order"
    expect_eq "first" "$("$DROVER_RUN/scripts/01-10-first")" "script content"
    # An existing user keeps its entry; its keys are added.
    printf 'drover-config 1\nuser bob 1000 /bin/sh -\nkey bob ssh-rsa AAAAB3 bob\n' >config2
    apply_config "$root" config2 || fatal "refused: $CONFIG_ERROR"
    expect_eq 1 "$(grep -c '^bob:' "$root/etc/passwd")" "bob entries"
}

test_config_refuses() {
    local root=$PWD/image line
    image_root "$root"
    while IFS='|' read -r line expected; do
        [ -n "$line" ] || continue
        printf 'drover-config 1\n%s\n' "$line" >config
        apply_config "$root" config && fatal "accepted: $line"
        expect_contains "$CONFIG_ERROR" "$expected" "error for '$line'"
    done <<EOF2
file 0644 0:0 /etc/../../escape $(b64 x)|unsafe path
file 0644 0:0 etc/relative $(b64 x)|unsafe path
file 0644 0:0 /var/run/escape $(b64 x)|unsafe path
file 0644 0:0 /etc $(b64 x)|unsafe path
file 0644 0:0 /etc/a;b $(b64 x)|unsafe path
file 0644 0:0 /run/x $(b64 x)|unsafe path
file 0644 nobody:0 /etc/x $(b64 x)|unknown owner
file 9644 0:0 /etc/x $(b64 x)|not octal
file 0644 0:0 /etc/x not*base64|not base64
file 0644 0:0 /etc/x|line 2
hostname bad_name!|not a valid host name
user Alice 1001 /bin/sh -|malformed
user carol 1000 /bin/sh -|uid 1000 is taken
user dave 0 /bin/sh -|malformed
password nobody \$6\$x|no such user
key nobody ssh-ed25519 AAAA|no such user
script ../x $(b64 x)|malformed
EOF2
    [ -z "$(ls "$WORK/outside")" ] || fatal "a file was written through a symlink: $(ls "$WORK/outside")"
    [ -e "$PWD/escape" ] || [ -e "$root/../escape" ] && fatal "a file escaped the root"
    printf 'drover-config 2\nhostname x\n' >config
    apply_config "$root" config && fatal "accepted version 2"
    expect_contains "$CONFIG_ERROR" "not a drover-config 1 file" "version error"
    : >config
    apply_config "$root" config && fatal "accepted an empty configuration"
    expect_contains "$CONFIG_ERROR" "not a drover-config 1 file: empty" "empty error"
    expect_file "$root/etc/hostname" image
}

test_config_fetched_or_skipped() {
    start_httpd
    use_server
    local root=$PWD/image
    image_root "$root"
    printf 'drover-config 1\nhostname from-server\n' >"$WORK/www/config/52:54:00:12:34:56"
    write_net_env eth0 10.0.2.15/24 10.0.2.2 10.0.2.3 dhcp
    : >"$WORK/httpd.log"
    configure "$root"
    expect_file "$root/etc/hostname" from-server
    grep -q 'url:/config/52:54:00:12:34:56' "$WORK/httpd.log" || fatal "no config request: $(cat "$WORK/httpd.log")"
    expect_eq "# Written by Drover's init: the boot NIC as the init configured it.
[Match]
MACAddress=52:54:00:12:34:56

[Network]
KeepConfiguration=yes
DHCP=ipv4

[DHCPv4]
ClientIdentifier=mac" "$(cat "$DROVER_SYSTEMD_NETWORK/99-drover-boot.network")" "networkd file"
    # No configuration on the server: the image boots as built.
    rm "$WORK/www/config/52:54:00:12:34:56"
    echo image >"$root/etc/hostname"
    configure "$root"
    expect_contains "$CONFIG_SUMMARY" "(404)" "summary"
    expect_file "$root/etc/hostname" image
    grep -q "no configuration for this machine" "$DROVER_RUN/init.log" || fatal "skip not logged"
    # Static addressing gives a static networkd file.
    write_net_env eth0 10.9.0.5/16 10.9.0.1 "" static
    write_network_default
    grep -qx 'Address=10.9.0.5/16' "$DROVER_SYSTEMD_NETWORK/99-drover-boot.network" || fatal "no static address"
    grep -qx 'Gateway=10.9.0.1' "$DROVER_SYSTEMD_NETWORK/99-drover-boot.network" || fatal "no gateway"
}

# ---------------------------------------------------------------------------- network

# in_ns NAME CMD…: CMD in the network namespace NAME (`ip -n` needs a remountable /, which a
# chroot lacks).
in_ns() {
    local ns=$1
    shift
    nsenter --net="/run/netns/$ns" "$@"
}

# netns_pair: a namespace "srv" running udhcpd on one end of a veth pair and a namespace
# "cli" holding the other end (MAC 52:54:00:aa:bb:cc) plus a decoy interface.
netns_pair() {
    local id s c
    id=$(echo "$PWD" | cksum | cut -c1-6)
    s=drs$id c=drc$id
    echo "$s $c" >>"$WORK/netns"
    "$IPROUTE" netns add "$s" && "$IPROUTE" netns add "$c" || fatal "ip netns add"
    "$IPROUTE" link add vs$id netns "$s" type veth peer name vc$id netns "$c" address 52:54:00:aa:bb:cc || fatal "veth"
    in_ns "$c" "$IPROUTE" link add dc$id address 52:54:00:00:00:01 type veth peer name dp$id
    in_ns "$s" "$IPROUTE" addr add 10.55.0.1/24 dev vs$id
    in_ns "$s" "$IPROUTE" link set vs$id up
    cat >udhcpd.conf <<EOF2
start 10.55.0.100
end 10.55.0.110
interface vs$id
lease_file $PWD/leases
pidfile $PWD/udhcpd.pid
opt subnet 255.255.255.0
opt router 10.55.0.1
opt dns 10.55.0.53
EOF2
    : >leases
    nsenter --net="/run/netns/$s" busybox udhcpd -f udhcpd.conf >udhcpd.log 2>&1 &
    background $!
    NS_CLI=$c
    NIC=vc$id
}

# in_cli CMDS: runs CMDS inside the client namespace with the init's functions loaded, and a
# sysfs that shows that namespace's interfaces (`ip netns exec` cannot remount /sys in a chroot).
in_cli() {
    mkdir -p sys
    is_mounted "$PWD/sys" || nsenter --net="/run/netns/$NS_CLI" mount -t sysfs sysfs "$PWD/sys" || fatal "sysfs"
    nsenter --net="/run/netns/$NS_CLI" busybox sh -c \
        "DROVER_RUN=$DROVER_RUN DROVER_SYSFS=$PWD/sys DROVER_MODULES_DIR=$PWD/no-modules DROVER_INIT_LIB=1 DROVER_NIC_WAIT=1; . $INIT; $1"
}

# The configuration is gone once applied, and what the image's root gets from it is written
# with the image's usual modes, not the init's private umask.
test_config_removed_once_applied() {
    start_httpd
    use_server
    local root=$PWD/image
    image_root "$root"
    printf 'drover-config 1\nhostname secretive\nfile 0644 root:root /etc/newdir/app.conf %s\n' \
        "$(b64 'token=abc')" >"$WORK/www/config/52:54:00:12:34:56"
    write_net_env eth0 10.0.2.15/24 10.0.2.2 10.0.2.3 dhcp
    umask 022
    configure "$root"
    expect_file "$root/etc/hostname" secretive
    [ ! -e "$DROVER_RUN/config.txt" ] || fatal "config.txt still in $DROVER_RUN"
    [ ! -e "$DROVER_RUN/config.d" ] || fatal "config.d still in $DROVER_RUN"
    expect_eq 755 "$(stat -c %a "$root/etc/newdir")" "a directory the configuration made"
    expect_eq 644 "$(stat -c %a "$root/etc/hostname")" "hostname file"
    expect_eq 0022 "$(umask)" "umask after configure"
}

# /proc/cmdline as the running system sees it has no token; the rest is unchanged.
test_token_hidden_from_cmdline() {
    local line
    printf 'quiet drover.server=http://10.0.2.2:8080 drover.token=0123456789abcdef console=ttyS0\n' >cmdline
    DROVER_CMDLINE=$PWD/cmdline hide_token
    read -r line <cmdline
    umount "$PWD/cmdline"
    expect_eq "quiet drover.server=http://10.0.2.2:8080 drover.token=hidden console=ttyS0" "$line" "cmdline seen"
    case $line in *0123456789abcdef*) fatal "token still readable" ;; esac
    expect_eq 444 "$(stat -c %a "$DROVER_RUN/cmdline")" "copy mode"
    # Without a token nothing is mounted.
    printf 'quiet\n' >cmdline2
    DROVER_CMDLINE=$PWD/cmdline2 hide_token
    awk -v f="$PWD/cmdline2" '$2 == f { exit 1 }' /proc/mounts || fatal "mounted over a cmdline without a token"
}

test_network_dhcp_on_the_nic_with_the_mac() {
    netns_pair
    in_cli "D_MAC=52:54:00:aa:bb:cc D_IP=; net_up" || fatal "net_up failed: $(cat "$DROVER_RUN/init.log")"
    . "$DROVER_RUN/net.env"
    expect_eq "$NIC 10.55.0.1 10.55.0.53 dhcp" "$DROVER_IF $DROVER_GW $DROVER_DNS $DROVER_NET" "net.env"
    case $DROVER_IP in 10.55.0.1[01][0-9]/24) ;; *) fatal "address $DROVER_IP not from the pool" ;; esac
    in_ns "$NS_CLI" "$IPROUTE" addr show dev "$NIC" | grep "inet $DROVER_IP" >/dev/null || fatal "address not on $NIC"
    in_ns "$NS_CLI" "$IPROUTE" route | grep "default via 10.55.0.1 dev $NIC" >/dev/null || fatal "no default route: $(in_ns "$NS_CLI" "$IPROUTE" route)"
    grep -q "network: $NIC (52:54:00:aa:bb:cc) $DROVER_IP via 10.55.0.1 (DHCP" "$DROVER_RUN/init.log" ||
        fatal "no network line: $(cat "$DROVER_RUN/init.log")"
}

test_network_static_and_missing_nic() {
    netns_pair
    in_cli "D_MAC=52:54:00:aa:bb:cc D_IP=10.55.0.9/24:10.55.0.1; net_up" || fatal "static net_up failed"
    in_ns "$NS_CLI" "$IPROUTE" addr show dev "$NIC" | grep "inet 10.55.0.9/24" >/dev/null || fatal "static address not set"
    in_ns "$NS_CLI" "$IPROUTE" route | grep "default via 10.55.0.1 dev $NIC" >/dev/null || fatal "no default route: $(in_ns "$NS_CLI" "$IPROUTE" route; in_ns "$NS_CLI" "$IPROUTE" addr)"
    in_cli "D_MAC=52:54:00:99:99:99 D_IP=; net_up" && fatal "found a NIC that does not exist"
    grep -q "no network interface has MAC 52:54:00:99:99:99 (have:.*$NIC=52:54:00:aa:bb:cc" \
        "$DROVER_RUN/init.log" || fatal "missing NIC not explained: $(cat "$DROVER_RUN/init.log")"
}

# ---------------------------------------------------------------------------- ready

# booted_run: $DROVER_RUN as the init leaves it for the image's ready script, reporting to
# the test server.
booted_run() {
    local run=$DROVER_RUN
    start_httpd
    use_server
    cp "$INIT" "$run/init.sh"
    # (command -v names busybox's own applet "busybox", not a file.)
    cp "$(which busybox)" "$run/busybox"
    mkdir -p "$run/bin" "$run/scripts"
    "$run/busybox" --install -s "$run/bin"
    M_NAME=lab M_VERSION=1.0 M_FORMAT=layers
    write_net_env eth0 10.0.2.15/24 10.0.2.2 "" dhcp
    write_boot_env
    printf '{"format":"layers"}' >"$run/manifest.json" # the bytes it booted: their digest is reported
}

test_ready_runs_scripts_once_and_reports() {
    local run=$DROVER_RUN
    booted_run
    printf '#!/bin/sh\necho ran >>%s/ran\necho "hello from $(basename $0)"\n' "$PWD" >"$run/scripts/01-hello"
    chmod 0700 "$run/scripts/01-hello"
    : >"$WORK/reports.log"
    DROVER_RUN=$run sh "$SRC/resources/initramfs/ready" >ready.out 2>&1 || fatal "ready failed: $(cat ready.out)"
    expect_file "$run/scripts.out/01-hello.log" "hello from 01-hello"
    local q
    q=$(cat "$WORK/reports.log")
    expect_contains "$q" "phase=ready&" "phase"
    expect_contains "$q" "boot=boot-1&token=tok.en-1" "boot and token"
    expect_contains "$q" "mem_used_kib%3D" "memory"
    expect_contains "$q" "image%3Dlab%3A1.0" "image"
    expect_contains "$q" "scripts%3D01-hello%3D0" "scripts"
    expect_contains "$q" "digest=sha256%3A$(sha256sum "$run/manifest.json" | cut -d' ' -f1)&" "digest of the booted manifest"
    DROVER_RUN=$run sh "$SRC/resources/initramfs/ready" >ready.out 2>&1 || fatal "second ready failed"
    expect_eq 1 "$(wc -l <ran)" "script runs"
    # A failing script makes the boot a failure, with its output.
    rm "$run/scripts.done"
    printf '#!/bin/sh\necho broken >&2\nexit 3\n' >"$run/scripts/02-broken"
    chmod 0700 "$run/scripts/02-broken"
    : >"$WORK/reports.log"
    DROVER_RUN=$run sh "$SRC/resources/initramfs/ready" >ready.out 2>&1 && fatal "ready succeeded despite a failing script"
    expect_contains "$(cat "$WORK/reports.log")" "phase=failed&" "phase"
    expect_contains "$(cat "$WORK/reports.log")" "script%2002-broken%20exited%203%3A%20broken" "detail"
    # The image's own readiness check fails: a failure with its output, every time.
    rm "$run/scripts/02-broken"
    mkdir -p checks
    printf '#!/bin/sh
echo "nginx is not answering"
exit 7
' >checks/10-web
    chmod 0755 checks/10-web
    : >"$WORK/reports.log"
    DROVER_READY_CHECKS=$PWD/checks DROVER_RUN=$run sh "$SRC/resources/initramfs/ready" >ready.out 2>&1 \
        && fatal "ready succeeded despite a failing check"
    expect_contains "$(cat "$WORK/reports.log")" "phase=failed&" "phase"
    expect_contains "$(cat "$WORK/reports.log")" "check%2010-web%20exited%207%3A%20nginx%20is%20not%20answering" "check detail"
    printf '#!/bin/sh
exit 0
' >checks/10-web
    : >"$WORK/reports.log"
    DROVER_READY_CHECKS=$PWD/checks DROVER_RUN=$run sh "$SRC/resources/initramfs/ready" >ready.out 2>&1 \
        || fatal "ready failed with a passing check: $(cat ready.out)"
    expect_contains "$(cat "$WORK/reports.log")" "phase=ready&" "phase"
    # Not booted by Drover: nothing to do.
    DROVER_RUN=$PWD/nowhere sh "$SRC/resources/initramfs/ready" >ready.out 2>&1 || fatal "ready failed without boot.env"
}

# ---------------------------------------------------------------------------- test suite

# make_suite DIR: a burn-in of three tests: one passes with metrics (and lines that only look
# like metrics), one fails with its complaint on stderr, one says too much. A plain file and
# a directory in DIR are not tests. Each test counts its runs in $PWD/ran.
make_suite() {
    mkdir -p "$1/lib"
    cat >"$1/10-pass" <<EOF2
#!/bin/sh
echo 10 >>$PWD/ran
echo starting
echo "drover-metric bogo_ops_per_s=1234.5"
echo "drover-metric memory_mib=2048"
echo "drover-metric Upper_Case=1"
echo "drover-metric unit=12MiB"
sleep 0.3
printf 'tab\there\r\n'
echo
echo "cpu-memory: 2 threads, 2048 MiB, passed"
EOF2
    cat >"$1/20-fail" <<EOF2
#!/bin/sh
echo 20 >>$PWD/ran
echo "drover-metric on_stderr=1" >&2
echo "disk sda: read error at sector 8" >&2
echo "disk-read: 1 of 1 disks failed" >&2
exit 3
EOF2
    cat >"$1/30-chatty" <<EOF2
#!/bin/sh
echo 30 >>$PWD/ran
i=0
while [ \$i -lt 40 ]; do echo "drover-metric m\$i=\$i"; i=\$((i + 1)); done
i=0
while [ \$i -lt 100 ]; do echo "line \$i: é and some words to fill the report"; i=\$((i + 1)); done
EOF2
    chmod 0755 "$1/10-pass" "$1/20-fail" "$1/30-chatty"
    echo "not a test" >"$1/README"
}

# The report as the server gets it, with each duration_ms replaced by D once checked to be a
# number of milliseconds (in steps of 10: the kernel's uptime has centiseconds).
durations_masked() {
    awk -F '\t' '$1 ~ /\.duration_ms$/ { if ($2 !~ /^[0-9]*0$/) { print "bad duration " $2; exit 1 } $2 = "D" }
        { print $1 "\t" $2 }' "$1"
}

# run_tests runs every test in name order whatever the others did, and writes the report:
# names, results, metrics (the exact form only, at most 32), and the tail of the rest.
test_tests_run_and_report() {
    local tab out tail
    tab=$(printf '\t')
    make_suite suite
    run_tests "$PWD/suite" tests.txt && fatal "run_tests succeeded with a failing test"
    expect_eq "3 1  20-fail" "$TESTS_RUN $TESTS_FAILED $TESTS_FAILED_NAMES" "counts"
    expect_eq "10 20 30" "$(cat ran | tr '\n' ' ' | sed 's/ $//')" "run order"
    tail=$(awk 'BEGIN { for (i = 0; i < 100; i++) s = s (i ? " / " : "") "line " i ": é and some words to fill the report"
        s = substr(s, length(s) - 399); sub(/^[\200-\277]+/, "", s); print s }')
    out=$(durations_masked tests.txt) || fatal "$out"
    expect_eq "suite${tab}burn-in
test.0.name${tab}10-pass
test.0.result${tab}pass
test.0.duration_ms${tab}D
test.0.metric${tab}bogo_ops_per_s=1234.5
test.0.metric${tab}memory_mib=2048
test.0.output${tab}starting / drover-metric Upper_Case=1 / drover-metric unit=12MiB / tab here / cpu-memory: 2 threads, 2048 MiB, passed
test.1.name${tab}20-fail
test.1.result${tab}fail
test.1.duration_ms${tab}D
test.1.output${tab}disk sda: read error at sector 8 / disk-read: 1 of 1 disks failed
test.2.name${tab}30-chatty
test.2.result${tab}pass
test.2.duration_ms${tab}D
$(i=0; while [ $i -lt 32 ]; do echo "test.2.metric${tab}m$i=$i"; i=$((i + 1)); done)
test.2.output${tab}$tail" "$out" "report"
    [ "$(printf '%s' "$tail" | wc -c)" -le 400 ] && [ "$(printf '%s' "$tail" | wc -c)" -ge 390 ] ||
        fatal "output tail of $(printf '%s' "$tail" | wc -c) bytes"
    [ "$(awk -F '\t' '$1 == "test.0.duration_ms" { print $2 }' tests.txt)" -ge 300 ] || fatal "10-pass slept 0.3 s: $(cat tests.txt)"
    # The logs keep everything, metrics and stderr included.
    grep -qx "drover-metric memory_mib=2048" "$DROVER_RUN/tests.out/10-pass.log" || fatal "10-pass.log: $(cat "$DROVER_RUN/tests.out/10-pass.log")"
    grep -qx "disk sda: read error at sector 8" "$DROVER_RUN/tests.out/20-fail.log" || fatal "20-fail.log lacks stderr"
    expect_eq "10-pass.log 20-fail.log 30-chatty.log" "$(ls "$DROVER_RUN/tests.out" | tr '\n' ' ' | sed 's/ $//')" "logs"
    grep -q "test 20-fail: fail (exit 3, " "$DROVER_RUN/init.log" || fatal "no result logged: $(cat "$DROVER_RUN/init.log")"
    # All passing; the suite's name from the environment. The server refuses a whole report
    # for one name it does not take or one invisible character (a zero-width space, a C1
    # control, a byte order mark): they do not reach it.
    rm suite/20-fail
    printf '#!/bin/sh\nprintf "a\\342\\200\\213b\\302\\205c\\357\\273\\277d \\302\\251\\n"\n' >"suite/40 odd+name"
    chmod 0755 "suite/40 odd+name"
    DROVER_TEST_SUITE="accept ance" run_tests "$PWD/suite" tests.txt || fatal "run_tests failed without a failing test"
    expect_eq "suite${tab}accept_ance" "$(head -n 1 tests.txt)" "suite"
    expect_eq "test.2.name${tab}40_odd_name
test.2.output${tab}abcd ©" "$(grep '^test\.2\.\(name\|output\)' tests.txt)" "a test with an odd name and output"
    # Nothing to run: no report at all.
    rm -f tests.txt
    mkdir empty
    run_tests "$PWD/empty" tests.txt
    expect_eq 2 $? "status without tests"
    run_tests "$PWD/nowhere" tests.txt
    expect_eq 2 $? "status without a directory"
    [ ! -e tests.txt ] || fatal "a report without tests"
}

# fake_wget RUN MODE: the init the ready script sources gets a wget that records POST /tests
# (MODE ok) or is refused as by a server without that route (MODE refuse); everything else
# goes to busybox's wget. (A wget script first on PATH would not do: busybox sh runs its own
# applets before anything on PATH.)
fake_wget() {
    cat >>"$1/init.sh" <<EOF2

wget() {
    local a prev= post=
    for a; do [ "\$prev" = --post-file ] && post=\$a; prev=\$a; done
    case \$prev in
    */tests\\?*)
        echo "\$prev" >>"$PWD/tests.urls"
        [ "$2" = ok ] || { echo "wget: server returned error: HTTP/1.1 404 Not Found" >&2; return 1; }
        cp "\$post" "$PWD/tests.posted"
        return 0 ;;
    esac
    command wget "\$@"
}
EOF2
}

# The ready script runs the suite once per boot after the scripts, posts the report, and a
# failure fails the boot before the readiness checks; a server that does not take the
# report changes nothing; no suite, no report.
test_ready_runs_tests_once() {
    local run=$DROVER_RUN q
    booted_run
    fake_wget "$run" ok
    make_suite suite
    mkdir -p checks
    printf '#!/bin/sh\necho checked >>%s/checked\n' "$PWD" >checks/10-check
    chmod 0755 checks/10-check
    : >"$WORK/reports.log"
    DROVER_TESTS=$PWD/suite DROVER_READY_CHECKS=$PWD/checks DROVER_RUN=$run sh "$SRC/resources/initramfs/ready" \
        >ready.out 2>&1 && fatal "ready succeeded despite a failing test: $(cat ready.out)"
    [ -f tests.posted ] || fatal "no report posted: $(cat "$run/init.log")"
    expect_eq "$(cat "$run/tests.txt")" "$(cat tests.posted)" "the report posted"
    expect_contains "$(cat tests.posted)" "test.1.name	20-fail" "report"
    expect_eq "/tests?mac=52%3A54%3A00%3A12%3A34%3A56&boot=boot-1&token=tok.en-1" "$(sed 's|^http://[^/]*||' tests.urls)" "POST URL"
    q=$(cat "$WORK/reports.log")
    expect_contains "$q" "phase=failed&" "phase"
    expect_contains "$q" "detail=burn-in%3A%201%20of%203%20tests%20failed%3A%2020-fail" "failure detail"
    case $q in *phase=ready*) fatal "ready reported after a failed test" ;; esac
    [ ! -e checked ] || fatal "the readiness checks ran after a failed test"
    # The unit restarted: no second run, no second report, the boot still fails.
    : >"$WORK/reports.log"
    DROVER_TESTS=$PWD/suite DROVER_READY_CHECKS=$PWD/checks DROVER_RUN=$run sh "$SRC/resources/initramfs/ready" \
        >ready.out 2>&1 && fatal "a restarted ready succeeded after a failed test"
    expect_eq 3 "$(wc -l <ran)" "test runs"
    expect_eq 1 "$(wc -l <tests.urls)" "reports posted"
    expect_contains "$(cat "$WORK/reports.log")" "detail=burn-in%3A%201%20of%203%20tests%20failed" "failure again"
    # A new boot where all pass, with a server that answers 404 to /tests: logged, and ready.
    rm -f "$run/tests.done" suite/20-fail
    fake_wget "$run" refuse
    : >"$WORK/reports.log"
    DROVER_TESTS=$PWD/suite DROVER_READY_CHECKS=$PWD/checks DROVER_RUN=$run sh "$SRC/resources/initramfs/ready" \
        >ready.out 2>&1 || fatal "ready failed with passing tests: $(cat ready.out)"
    expect_contains "$(cat "$WORK/reports.log")" "phase=ready&" "phase"
    grep -q "could not report the test results: .*404" "$run/init.log" || fatal "refusal not logged: $(cat "$run/init.log")"
    expect_eq 1 "$(wc -l <checked)" "checks after passing tests"
    # An image without tests: nothing posted, nothing else changes.
    rm -f "$run/tests.done" tests.urls
    fake_wget "$run" ok
    : >"$WORK/reports.log"
    DROVER_TESTS=$PWD/nowhere DROVER_READY_CHECKS=$PWD/checks DROVER_RUN=$run sh "$SRC/resources/initramfs/ready" \
        >ready.out 2>&1 || fatal "ready failed without tests: $(cat ready.out)"
    [ ! -e tests.urls ] || fatal "posted a report without tests"
    expect_contains "$(cat "$WORK/reports.log")" "phase=ready&" "phase without tests"
}

# The burn-in recipe's SMART and link-speed tests on a made-up machine: a disk whose SMART
# says FAILED and a link slower than the threshold fail, naming the disk and the NIC; a
# healthy disk, a disk without SMART and a fast enough link pass with their metrics.
test_burnin_smart_and_nic() {
    local tests=$SRC/examples/recipes/burnin-files/usr/lib/drover/tests.d out
    mkdir -p bin sys/block/sda/device sys/block/vda/device sys/block/loop0 sys/class/net/eth0/device \
        sys/class/net/lo
    cat >bin/smartctl <<'EOF2'
#!/bin/sh
if [ "$2" = /dev/sda ]; then
    echo "SMART overall-health self-assessment test result: ${SDA_HEALTH:-PASSED}"
    [ "${SDA_HEALTH:-PASSED}" = PASSED ] || exit 8
else
    echo "$2: Unable to detect device type"
    exit 1
fi
EOF2
    printf '#!/bin/sh\nexit 1\n' >bin/ethtool
    chmod +x bin/smartctl bin/ethtool
    echo 1 >sys/class/net/eth0/carrier
    echo 100 >sys/class/net/eth0/speed

    out=$(PATH=$PWD/bin:$PATH SYSFS=$PWD/sys sh "$tests/30-smart") || fatal "30-smart failed healthy disks: $out"
    printf '%s\n' "$out" | grep -qx "drover-metric smart_disks_checked=1" || fatal "30-smart metrics: $out"
    printf '%s\n' "$out" | grep -q "^vda: no SMART verdict" || fatal "30-smart did not note vda: $out"
    out=$(SDA_HEALTH=FAILED PATH=$PWD/bin:$PATH SYSFS=$PWD/sys sh "$tests/30-smart") &&
        fatal "30-smart passed a disk whose SMART says FAILED: $out"
    printf '%s\n' "$out" | tail -n 1 | grep -q "^smart: FAIL: SMART health FAILED: sda" || fatal "30-smart: $out"

    echo MIN_NIC_MBPS=100 >burnin.conf
    out=$(BURNIN_CONF=$PWD/burnin.conf PATH=$PWD/bin:$PATH SYSFS=$PWD/sys sh "$tests/40-nic-speed") ||
        fatal "40-nic-speed failed a 100 Mb/s link against 100: $out"
    printf '%s\n' "$out" | grep -qx "drover-metric eth0.speed_mbps=100" || fatal "40-nic-speed metrics: $out"
    echo MIN_NIC_MBPS=1000 >burnin.conf
    out=$(BURNIN_CONF=$PWD/burnin.conf PATH=$PWD/bin:$PATH SYSFS=$PWD/sys sh "$tests/40-nic-speed") &&
        fatal "40-nic-speed passed a 100 Mb/s link against 1000: $out"
    expect_eq "nic-speed: FAIL: eth0 100 Mb/s < MIN_NIC_MBPS 1000" "$(printf '%s\n' "$out" | tail -n 1)" "slow link"
    echo MIN_NIC_MBPS=lots >burnin.conf
    out=$(BURNIN_CONF=$PWD/burnin.conf PATH=$PWD/bin:$PATH SYSFS=$PWD/sys sh "$tests/40-nic-speed") &&
        fatal "40-nic-speed took MIN_NIC_MBPS=lots: $out"
    printf '%s\n' "$out" | grep -q "is not a whole number" || fatal "40-nic-speed, bad threshold: $out"
}

# ---------------------------------------------------------------------------- main

[ "$(id -u)" = 0 ] || { echo "the initramfs steps need root (loop devices, mounts, namespaces)"; exit 1; }
if [ $# -gt 0 ]; then
    tests=$*
else
    tests=$(grep -o '^test_[a-z_]*' "$0")
fi
for t in $tests; do
    run_test "$t"
done
finish
