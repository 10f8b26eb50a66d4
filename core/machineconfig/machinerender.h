// Rendering a MachineConfig for one machine: templates filled in from the machine's record,
// then the `drover-config 1` file the init applies (docs/machine-side.md), or cloud-init's
// NoCloud meta-data, user-data and network-config for images that carry cloud-init. Nothing
// is evaluated: a template is {{name}}, {{mac}}, {{ip}} or {{label.KEY}}, replaced by text;
// anything else between {{ and }} is an error naming where it was found.
#pragma once

#include "catalog/records.h"
#include "machineconfig/machineconfig.h"
#include "util/result.h"

#include <QByteArray>
#include <QMap>
#include <QString>

namespace drover {

struct RenderContext {
    QString name;
    QString mac; // aa:bb:cc:dd:ee:ff
    QString ip; // the machine's IPv4 address; empty when not known
    QMap<QString, QString> labels;
    QString provenance; // for the header comment: "group lab r3, machine pc-07 r2"

    // From the catalog's record; `ip` overrides the last address seen (the boot path knows
    // the address the request came from).
    static RenderContext of(const Machine &machine, const QString &ip = {});
};

// Fills in the placeholders of `text`; `where` names the field in the error ("file /etc/x").
Result<QString> renderTemplate(const QString &text, const RenderContext &context, const QString &where);

struct RenderedConfig {
    QByteArray text; // the drover-config 1 file
    QString hostname; // as rendered; empty when the image keeps its own
    QString summary; // "hostname pc-07, 1 users, 2 keys, 3 files, 1 scripts", as the init says it
};

// The path of the systemd-networkd file that carries `network`.
QString networkFilePath();

// The drover-config 1 file for the machine. With no hostname in the configuration the
// machine's name is its host name (when it is a valid one).
Result<RenderedConfig> renderDroverConfig(const MachineConfig &config, const RenderContext &context);

struct NoCloudData {
    QByteArray metaData;
    QByteArray userData;
    QByteArray networkConfig;
};

// cloud-init's NoCloud files from the same configuration (JSON, which is YAML, so no value
// can break out of its string).
Result<NoCloudData> renderNoCloud(const MachineConfig &config, const RenderContext &context);

} // namespace drover
