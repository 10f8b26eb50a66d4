#!/usr/bin/env bash
# A container image that tries to write outside the image's root, imported by the real drover
# with the real GNU tar: its lower layer makes "etc" a symlink to a directory of the host, its
# upper layer holds "etc/pwned". The import must be refused naming the entry, and nothing may
# appear in the host's directory. A third run shows the same layers are fine when the upper
# layer brings "etc/" itself (the symlink is replaced, not followed): that build then fails
# later, for want of a kernel, which says the layers were accepted.
#   tests/builder/import_escape.sh DROVER     (as root, inside the build root)
set -euo pipefail
drover=${1:?usage: import_escape.sh DROVER}
[[ $(id -u) == 0 ]] || { echo "import_escape.sh: needs root (the builder does)"; exit 1; }
work=$(mktemp -d /tmp/drover-import-escape.XXXXXX)
trap 'rm -rf "$work"' EXIT
outside=$work/host-etc
mkdir -p "$outside"

# layout DIR WITH_DIR_ENTRY: an OCI layout of two layers, as above.
layout() {
  python3 - "$1" "$outside" "$2" <<'PY'
import hashlib, io, json, os, sys, tarfile
out, outside, with_dir = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)
def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, digest), "wb").write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}
def layer(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, kind, content in members:
            info = tarfile.TarInfo(name)
            if kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, content
                t.addfile(info)
            elif kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                t.addfile(info)
            else:
                data = content.encode()
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()
lower = layer([("etc", "link", outside), ("sbin/init", "file", "#!/bin/sh\n")])
upper = layer(([("etc/", "dir", None)] if with_dir else []) + [("etc/pwned", "file", "written by the image\n")])
layers = [dict(blob(l), mediaType="application/vnd.oci.image.layer.v1.tar") for l in (lower, upper)]
config = dict(blob(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
    "diff_ids": [l["digest"] for l in layers]}}).encode()), mediaType="application/vnd.oci.image.config.v1+json")
manifest = dict(blob(json.dumps({"schemaVersion": 2, "config": config, "layers": layers}).encode()),
    mediaType="application/vnd.oci.image.manifest.v1+json")
json.dump({"schemaVersion": 2, "manifests": [manifest]}, open(os.path.join(out, "index.json"), "w"))
open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion": "1.0.0"}')
PY
}

layout "$work/escape" 0
if "$drover" --data "$work/data" image import-oci "$work/escape" --tag escape:1 --cache "$work/cache" >"$work/out" 2>&1; then
  cat "$work/out"; echo "FAIL: the escaping image was imported"; exit 1
fi
grep -q "writes etc/pwned through a symlink of a lower layer" "$work/out" || { cat "$work/out"; echo "FAIL: no reason given"; exit 1; }
[[ ! -e $outside/pwned ]] || { echo "FAIL: the image wrote $outside/pwned"; exit 1; }
echo "refused: $(grep -o 'the layer .*' "$work/out" | head -n 1 | cut -c1-160)"

layout "$work/replaced" 1
if "$drover" --data "$work/data" image import-oci "$work/replaced" --tag replaced:1 --cache "$work/cache" >"$work/out" 2>&1; then
  cat "$work/out"; echo "FAIL: an image without a kernel was published"; exit 1
fi
grep -q "no kernel in /boot" "$work/out" || { cat "$work/out"; echo "FAIL: the layers were not accepted"; exit 1; }
[[ ! -e $outside/pwned ]] || { echo "FAIL: the image wrote $outside/pwned"; exit 1; }
echo "PASS: refused the write through the symlink; accepted the layer that replaces it"
