// OciExport: an image's root as a container image, so the artefact that boots the machines can
// be run by podman, docker or crun first. The layers are unpacked bottom first, the top
// layer's overlayfs whiteouts and opaque directories applied, the kernel put back at
// /boot/vmlinuz-RELEASE (where an imported root keeps it), and the merged root written as one
// uncompressed layer by GNU tar in a reproducible form (sorted names, numeric owners, no
// access or change times): the same root always gives the same layer, and that layer's
// digest is the image's root digest. Written as an OCI image layout directory or, for a
// FILE.tar, an oci-archive; the layout or archive gets the image's build time as its own,
// which a later import takes for its source date. Needs root: the root keeps its owners and
// device nodes.
#pragma once

#include "store/digest.h"
#include "util/result.h"

#include <QString>

#include <atomic>
#include <functional>

namespace drover {

class ImageStore;

struct OciExportResult {
    Digest rootDigest; // the layer's sha256: the merged root's digest
    Digest manifestDigest; // the OCI manifest's
    qint64 bytes = 0; // the layer's size
};

using ExportLog = std::function<void(const QString &line)>;

// Writes `tag` from `store` to `target`: a new directory (an OCI image layout) or, when it
// ends in ".tar", an oci-archive. Nothing is left at `target` on failure.
Result<OciExportResult> exportOci(const ImageStore &store, const QString &tag, const QString &target,
    const std::atomic_bool &cancel, const ExportLog &log = {});

// Lays an unpacked upper layer over `root` as overlayfs would show it: a character device 0/0
// deletes its path, a directory with trusted.overlay.opaque="y" replaces the one below, and
// anything else replaces or joins what is there. Entries are moved out of `upper`.
Status mergeUpperLayer(const QString &upper, const QString &root);

} // namespace drover
