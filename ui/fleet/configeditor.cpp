// The Configuration tab: JSON and form in step, validation, save over a revision, preview.
#include "fleet/configeditor.h"

#include "catalog/catalog.h"
#include "machineconfig/machinerender.h"
#include "main/readablecolor.h"
#include "util/currentuser.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QStandardItemModel>
#include <QVBoxLayout>

namespace drover {

namespace {

QLabel *errorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setStyleSheet(errorTextStyle());
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->hide();
    return label;
}

void setError(QLabel *label, const QStringList &lines)
{
    label->setText(lines.join(QLatin1Char('\n')));
    label->setVisible(!lines.isEmpty());
}

enum NetworkRow { NetworkImage, NetworkDhcp, NetworkStatic };

} // namespace

ConfigEditor::ConfigEditor(Catalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_catalog(catalog)
    , m_scopeBox(new QComboBox(this))
    , m_hostname(new QLineEdit(this))
    , m_hostnameError(errorLabel(this))
    , m_network(new QComboBox(this))
    , m_address(new QLineEdit(this))
    , m_gateway(new QLineEdit(this))
    , m_dns(new QLineEdit(this))
    , m_networkError(errorLabel(this))
    , m_json(new QPlainTextEdit(this))
    , m_jsonError(errorLabel(this))
    , m_save(new QPushButton(tr("Save"), this))
    , m_revert(new QPushButton(tr("Revert"), this))
    , m_status(new QLabel(this))
    , m_preview(new QPlainTextEdit(this))
{
    m_scopeBox->addItem(tr("This machine"));
    m_scopeBox->addItem(tr("Its group"));
    m_hostname->setPlaceholderText(tr("the machine's name; templates: {{name}}, {{label.KEY}}"));
    m_network->addItem(tr("As the image and the boot set it"));
    m_network->addItem(tr("DHCP"));
    m_network->addItem(tr("Static address"));
    m_address->setPlaceholderText(tr("10.0.0.5/24 or 10.0.0.{{label.host}}/24"));
    m_gateway->setPlaceholderText(tr("10.0.0.1 (optional)"));
    m_dns->setPlaceholderText(tr("10.0.0.1, 10.0.0.2 (optional)"));
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_json->setFont(fixed);
    m_json->setPlaceholderText(
        tr("No configuration. Example:\n"
           "{\n  \"hostname\": \"{{name}}.lab.example\",\n"
           "  \"users\": [ { \"name\": \"alice\", \"uid\": 1001, \"groups\": [\"sudo\"],\n"
           "      \"keys\": [\"ssh-ed25519 AAAA… alice@lab\"] } ],\n"
           "  \"files\": [ { \"path\": \"/etc/motd\", \"content\": \"Hello from {{name}}\\n\", "
           "\"template\": true } ],\n"
           "  \"scripts\": [ { \"name\": \"10-hello\", \"body\": \"#!/bin/sh\\necho hi\\n\" } ]\n}"));
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(fixed);
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_status->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Edit:"), m_scopeBox);
    form->addRow(tr("Host name:"), m_hostname);
    form->addRow(QString(), m_hostnameError);
    form->addRow(tr("Network:"), m_network);
    form->addRow(tr("Address:"), m_address);
    form->addRow(tr("Gateway:"), m_gateway);
    form->addRow(tr("DNS:"), m_dns);
    form->addRow(QString(), m_networkError);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_status, 1);
    buttons->addWidget(m_revert);
    buttons->addWidget(m_save);
    auto *editorBox = new QWidget(this);
    auto *editorLayout = new QVBoxLayout(editorBox);
    editorLayout->setContentsMargins(0, 0, 0, 0);
    editorLayout->addLayout(form);
    auto *jsonLabel = new QLabel(tr("All of it as JSON — users and their ssh keys, files, scripts here:"), editorBox);
    jsonLabel->setWordWrap(true); // the details area is narrow beside the fleet
    editorLayout->addWidget(jsonLabel);
    editorLayout->addWidget(m_json, 1);
    editorLayout->addWidget(m_jsonError);
    editorLayout->addLayout(buttons);
    auto *previewBox = new QGroupBox(tr("As the machine will receive it"), this);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->addWidget(m_preview);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(editorBox);
    splitter->addWidget(previewBox);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_scopeBox, &QComboBox::activated, this,
        [this](int row) { setScope(row == 1 ? TargetKind::Group : TargetKind::Machine); });
    connect(m_json, &QPlainTextEdit::textChanged, this, &ConfigEditor::jsonEdited);
    for (QLineEdit *edit : { m_hostname, m_address, m_gateway, m_dns })
        connect(edit, &QLineEdit::textEdited, this, &ConfigEditor::formEdited);
    connect(m_network, &QComboBox::activated, this, &ConfigEditor::formEdited);
    connect(m_save, &QPushButton::clicked, this, &ConfigEditor::save);
    connect(m_revert, &QPushButton::clicked, this, &ConfigEditor::revert);
    connect(catalog, &Catalog::changed, this, &ConfigEditor::catalogChanged);
    setMachine({});
}

QString ConfigEditor::target() const
{
    return m_scope == TargetKind::Group ? m_group : m_machine;
}

void ConfigEditor::setMachine(const QString &name)
{
    if (name == m_machine && !name.isEmpty()) {
        catalogChanged(QStringLiteral("*"));
        return;
    }
    m_machine = name;
    m_scope = TargetKind::Machine;
    load();
}

void ConfigEditor::setScope(TargetKind scope)
{
    if (scope == m_scope)
        return;
    m_scope = scope;
    load();
}

void ConfigEditor::revert()
{
    load();
}

void ConfigEditor::load()
{
    const auto machine = m_machine.isEmpty() ? std::nullopt : m_catalog->machineByName(m_machine);
    m_group = machine ? machine->group() : QString();
    if (m_scope == TargetKind::Group && m_group.isEmpty())
        m_scope = TargetKind::Machine;
    setEnabled(machine.has_value());
    m_scopeBox->setItemText(0, machine ? tr("This machine (%1)").arg(machine->name) : tr("This machine"));
    m_scopeBox->setItemText(1,
        m_group.isEmpty() ? tr("Its group (label the machine group=NAME to give it one)")
                          : tr("Its group (%1)").arg(m_group));
    if (auto *model = qobject_cast<QStandardItemModel *>(m_scopeBox->model()))
        model->item(1)->setEnabled(!m_group.isEmpty());
    m_scopeBox->setCurrentIndex(m_scope == TargetKind::Group ? 1 : 0);
    const auto record = machine ? m_catalog->config(m_scope, target()) : std::nullopt;
    m_revision = record ? record->revision : 0;
    m_loadedText = record ? record->body : QString();
    if (record) {
        m_status->setText(tr("Revision %1, saved by %2 on %3")
                .arg(record->revision)
                .arg(record->updatedBy.isEmpty() ? tr("someone") : record->updatedBy,
                    QLocale().toString(record->updatedAt.toLocalTime(), QLocale::ShortFormat)));
    } else {
        m_status->setText(machine ? tr("No configuration stored") : QString());
    }
    m_status->setStyleSheet(QString());
    m_modified = false;
    m_json->setPlainText(m_loadedText); // validates, fills the form and the preview
    m_modified = false;
    updateButtons();
}

void ConfigEditor::catalogChanged(const QString &table)
{
    if (m_machine.isEmpty()
        || (table != QLatin1String("config") && table != QLatin1String("machine") && table != QLatin1String("*")))
        return;
    const auto machine = m_catalog->machineByName(m_machine);
    if (!machine) {
        m_machine.clear();
        load();
        return;
    }
    const auto record = m_catalog->config(m_scope, target());
    const qint64 stored = record ? record->revision : 0;
    if (machine->group() != m_group || stored != m_revision) {
        if (!m_modified) {
            load();
            return;
        }
        m_status->setText(tr("Changed by %1 since you loaded it (now revision %2): Save will be refused; Revert "
                             "loads the new version")
                .arg(record ? record->updatedBy : tr("someone else"))
                .arg(stored));
        m_status->setStyleSheet(errorTextStyle());
    }
    jsonEdited(); // the other configuration or the machine's labels may have changed
}

void ConfigEditor::jsonEdited()
{
    const QString text = m_json->toPlainText();
    m_modified = text != m_loadedText;
    std::optional<MachineConfig> edited;
    QList<ConfigIssue> issues;
    if (!text.trimmed().isEmpty()) {
        const ParsedConfig parsed = parseMachineConfig(text.toUtf8());
        issues = parsed.issues;
        const bool structural = issues.isEmpty() || !issues.first().field.isEmpty();
        if (structural)
            edited = parsed.config;
        if (structural && !m_syncing) {
            const MachineConfig &c = parsed.config;
            // Only what differs, so a field being typed in keeps its cursor.
            auto set = [](QLineEdit *edit, const QString &value) {
                if (edit->text().trimmed() != value)
                    edit->setText(value);
            };
            set(m_hostname, c.hostname);
            m_network->setCurrentIndex(c.network.mode == ConfigNetwork::Mode::Static ? NetworkStatic
                    : c.network.mode == ConfigNetwork::Mode::Dhcp                    ? NetworkDhcp
                                                                                     : NetworkImage);
            set(m_address, c.network.address);
            set(m_gateway, c.network.gateway);
            if (c.network.dns != m_dns->text().split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
                m_dns->setText(c.network.dns.join(QStringLiteral(", ")));
        }
    } else if (!m_syncing) {
        for (QLineEdit *edit : { m_hostname, m_address, m_gateway, m_dns })
            edit->clear();
        m_network->setCurrentIndex(NetworkImage);
    }
    const bool staticNet = m_network->currentIndex() == NetworkStatic;
    m_address->setEnabled(staticNet);
    m_gateway->setEnabled(staticNet);
    showIssues(issues);
    updatePreview(issues.isEmpty() ? edited : std::nullopt);
    if (!issues.isEmpty())
        m_preview->setPlainText(tr("Fix the problems shown above to see what the machine will receive."));
    updateButtons();
}

void ConfigEditor::formEdited()
{
    const QString text = m_json->toPlainText();
    QJsonObject object;
    if (!text.trimmed().isEmpty()) {
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
        if (!doc.isObject()) {
            setError(m_jsonError, { tr("The JSON below is not valid: fix it before using the form.") });
            return;
        }
        object = doc.object();
    }
    const QString host = m_hostname->text().trimmed();
    if (host.isEmpty())
        object.remove(QStringLiteral("hostname"));
    else
        object.insert(QStringLiteral("hostname"), host);
    const int mode = m_network->currentIndex();
    if (mode == NetworkImage && m_dns->text().trimmed().isEmpty()) {
        object.remove(QStringLiteral("network"));
    } else {
        QJsonObject net { { QStringLiteral("mode"),
            mode == NetworkStatic ? QStringLiteral("static") : QStringLiteral("dhcp") } };
        if (mode == NetworkStatic) {
            if (!m_address->text().trimmed().isEmpty())
                net.insert(QStringLiteral("address"), m_address->text().trimmed());
            if (!m_gateway->text().trimmed().isEmpty())
                net.insert(QStringLiteral("gateway"), m_gateway->text().trimmed());
        }
        QStringList dns;
        for (const QString &d : m_dns->text().split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
            dns.append(d);
        if (!dns.isEmpty())
            net.insert(QStringLiteral("dns"), QJsonArray::fromStringList(dns));
        object.insert(QStringLiteral("network"), net);
    }
    m_syncing = true;
    m_json->setPlainText(
        object.isEmpty() && text.trimmed().isEmpty() ? QString() : QString::fromUtf8(QJsonDocument(object).toJson()));
    m_syncing = false;
}

void ConfigEditor::showIssues(const QList<ConfigIssue> &issues)
{
    QStringList host;
    QStringList net;
    QStringList rest;
    for (const ConfigIssue &i : issues) {
        if (i.field == QLatin1String("hostname"))
            host.append(i.message);
        else if (i.field.startsWith(QLatin1String("network")))
            net.append(i.field == QLatin1String("network") ? i.message
                                                           : QStringLiteral("%1: %2").arg(i.field.mid(8), i.message));
        else
            rest.append(i.field.isEmpty() ? i.message : QStringLiteral("%1: %2").arg(i.field, i.message));
    }
    setError(m_hostnameError, host);
    setError(m_networkError, net);
    setError(m_jsonError, rest);
}

void ConfigEditor::updatePreview(const std::optional<MachineConfig> &edited)
{
    const auto machine = m_machine.isEmpty() ? std::nullopt : m_catalog->machineByName(m_machine);
    if (!machine) {
        m_preview->clear();
        return;
    }
    // The scope being edited as it stands in the editor, the other one as stored.
    std::optional<MachineConfig> group;
    std::optional<MachineConfig> own;
    QStringList sources;
    auto stored = [&](TargetKind kind, const QString &name) -> std::optional<MachineConfig> {
        const auto record = name.isEmpty() ? std::nullopt : m_catalog->config(kind, name);
        if (!record)
            return std::nullopt;
        sources.append(kind == TargetKind::Group ? tr("group %1 r%2").arg(name).arg(record->revision)
                                                 : tr("machine %1 r%2").arg(name).arg(record->revision));
        return parseMachineConfig(record->body.toUtf8()).config;
    };
    const bool blank = m_json->toPlainText().trimmed().isEmpty();
    if (m_scope == TargetKind::Group) {
        group = blank ? std::nullopt : edited;
        if (group)
            sources.append(
                m_modified ? tr("group %1 (unsaved)").arg(m_group) : tr("group %1 r%2").arg(m_group).arg(m_revision));
        own = stored(TargetKind::Machine, machine->name);
    } else {
        group = stored(TargetKind::Group, m_group);
        own = blank ? std::nullopt : edited;
        if (own)
            sources.append(m_modified ? tr("machine %1 (unsaved)").arg(machine->name)
                                      : tr("machine %1 r%2").arg(machine->name).arg(m_revision));
    }
    if (!group && !own) {
        m_preview->setPlainText(
            tr("# No configuration for %1: it boots its image as built (the server answers 404).").arg(machine->name));
        return;
    }
    RenderContext context = RenderContext::of(*machine);
    context.provenance = sources.join(QStringLiteral(", "));
    const auto rendered = renderDroverConfig(
        mergeMachineConfigs(group.value_or(MachineConfig()), own.value_or(MachineConfig())), context);
    m_preview->setPlainText(rendered
            ? QString::fromUtf8(rendered->text)
            : tr("# Cannot render the configuration for %1:\n# %2").arg(machine->name, rendered.error()));
}

void ConfigEditor::updateButtons()
{
    m_save->setEnabled(m_modified);
    m_revert->setEnabled(m_modified);
}

bool ConfigEditor::save()
{
    if (m_machine.isEmpty() || target().isEmpty())
        return false;
    const QString text = m_json->toPlainText();
    if (text.trimmed().isEmpty()) {
        if (m_revision > 0) {
            if (Status s = m_catalog->removeConfig(m_scope, target(), m_revision); !s) {
                m_status->setText(tr("Not removed: %1").arg(s.error()));
                m_status->setStyleSheet(errorTextStyle());
                return false;
            }
        }
        load();
        Q_EMIT saved(0);
        return true;
    }
    const ParsedConfig parsed = parseMachineConfig(text.toUtf8());
    if (!parsed.ok()) {
        showIssues(parsed.issues);
        m_status->setText(tr("Not saved: fix the problems shown"));
        m_status->setStyleSheet(errorTextStyle());
        return false;
    }
    auto record = m_catalog->setConfig(
        m_scope, target(), QString::fromUtf8(parsed.config.toJsonText()), m_revision, currentUser());
    if (!record) {
        m_status->setText(tr("Not saved: %1").arg(record.error()));
        m_status->setStyleSheet(errorTextStyle());
        return false;
    }
    load();
    Q_EMIT saved(record->revision);
    return true;
}

} // namespace drover
