// MachineConfig: what a machine is given at each boot besides its image — host name, users
// and their ssh keys, files, once-per-boot scripts and the network — edited per machine and
// per group, stored in the catalog as JSON, merged (group first, the machine wins) and
// rendered for the machine (machinerender.h). Parsing never throws anything away silently:
// every problem is a ConfigIssue naming the JSON field, so the UI can put it next to the
// field and the CLI can print it.
#pragma once

#include "catalog/records.h"
#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace drover {

class Catalog;

struct ConfigUser {
    QString name;
    int uid = 0; // 0: no `user` line; the user must exist in the image (root, say)
    QString shell; // empty: /bin/bash when the user is created
    QStringList groups; // existing groups of the image it joins
    QString passwordHash; // crypt(3) hash; empty: no password (keys only)
    QStringList keys; // authorized_keys lines
};

struct ConfigFile {
    QString path;
    QString mode = QStringLiteral("0644");
    QString owner = QStringLiteral("root:root");
    QString content; // text, or base64 when `base64`
    bool base64 = false;
    bool templated = false; // {{name}}, {{mac}}, {{ip}}, {{label.KEY}} filled in per machine
};

struct ConfigScript {
    QString name;
    QString body;
};

struct ConfigNetwork {
    enum class Mode { Unset, Dhcp, Static };
    Mode mode = Mode::Unset;
    QString address; // static: A.B.C.D/PREFIX (templates allowed)
    QString gateway; // static, optional
    QStringList dns; // optional, both modes
};

struct MachineConfig {
    QString hostname; // template; empty: the machine's name
    QList<ConfigUser> users;
    QList<ConfigFile> files;
    QList<ConfigScript> scripts;
    ConfigNetwork network;

    bool isEmpty() const;
    QJsonObject toJson() const;
    QByteArray toJsonText() const; // indented, what the catalog stores
};

struct ConfigIssue {
    QString field; // "users[1].uid", "files[0].path", "hostname", "" for the whole document
    QString message;
};

// "field: message" lines, one per issue.
QString issuesText(const QList<ConfigIssue> &issues);

struct ParsedConfig {
    MachineConfig config;
    QList<ConfigIssue> issues;
    bool ok() const { return issues.isEmpty(); }
};

// Parses and checks everything that does not depend on a machine: names, paths, modes,
// hashes, keys, duplicates. Unknown keys are issues (a typo must not vanish). Besides
// "users", a top-level "keys": { "USER": ["KEYLINE", …] } adds keys to that user's entry
// (or makes one, for a user the image has, like root); toJson() writes them under "users".
ParsedConfig parseMachineConfig(const QByteArray &json);
ParsedConfig parseMachineConfig(const QJsonObject &object);
QList<ConfigIssue> validateMachineConfig(const MachineConfig &config);

// Group first, then the machine: hostname and network of the machine win when set; users
// merge by name (the machine's fields win, keys are the union), files by path and scripts
// by name (the machine's entry replaces the group's in place; new ones follow).
MachineConfig mergeMachineConfigs(const MachineConfig &group, const MachineConfig &machine);

// The rules the init applies (docs/machine-side.md), checked here first.
namespace configrules {
bool isHostname(const QString &name);
bool isUserName(const QString &name);
bool isShell(const QString &shell);
bool isPasswordHash(const QString &hash);
bool isKeyLine(const QString &line);
bool isMode(const QString &mode);
bool isOwner(const QString &owner);
bool isScriptName(const QString &name);
// Empty when the path is acceptable, else why not.
QString pathProblem(const QString &path);
bool isIpv4(const QString &text);
bool isIpv4Prefix(const QString &text); // A.B.C.D/P
} // namespace configrules

// The configuration that applies to `machine`, merged from its group's and its own, with
// the records it came from; nullopt when neither has one. Fails when a stored body does not
// parse (it was written by a newer Drover, or by hand).
struct EffectiveConfig {
    MachineConfig config;
    QList<ConfigRecord> sources; // group first
};
Result<std::optional<EffectiveConfig>> effectiveConfig(const Catalog &catalog, const Machine &machine);

} // namespace drover
