// ConfigEditor: the Configuration tab of the machine details pane. It edits the selected
// machine's own configuration or its group's (core/machineconfig) as JSON, with a form for
// the common fields (host name, network) kept in step with the text, shows each problem
// next to its field, saves over the revision it loaded (another admin's change is never
// overwritten) and shows, read-only, the drover-config file the machine will receive —
// group and machine merged, templates filled in — including unsaved edits.
#pragma once

#include "catalog/records.h"
#include "machineconfig/machineconfig.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace drover {

class Catalog;

class ConfigEditor final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigEditor)
public:
    explicit ConfigEditor(Catalog *catalog, QWidget *parent = nullptr);

    // Shows `name`'s configuration; the same machine again only picks up changes made
    // elsewhere, keeping unsaved edits.
    void setMachine(const QString &name);
    QString machine() const { return m_machine; }
    // Which configuration is edited: the machine's own, or its group's.
    TargetKind scope() const { return m_scope; }
    void setScope(TargetKind scope);
    bool isModified() const { return m_modified; }

    QComboBox *scopeBox() const { return m_scopeBox; }
    QLineEdit *hostnameEdit() const { return m_hostname; }
    QComboBox *networkBox() const { return m_network; }
    QLineEdit *addressEdit() const { return m_address; }
    QLineEdit *gatewayEdit() const { return m_gateway; }
    QLineEdit *dnsEdit() const { return m_dns; }
    QPlainTextEdit *jsonEdit() const { return m_json; }
    QPlainTextEdit *preview() const { return m_preview; }
    QLabel *hostnameError() const { return m_hostnameError; }
    QLabel *networkError() const { return m_networkError; }
    QLabel *jsonError() const { return m_jsonError; }
    QLabel *status() const { return m_status; }
    QPushButton *saveButton() const { return m_save; }
    QPushButton *revertButton() const { return m_revert; }

public Q_SLOTS:
    bool save();
    void revert();

Q_SIGNALS:
    void saved(qint64 revision);

private:
    void load(); // from the catalog, dropping edits
    void catalogChanged(const QString &table);
    void jsonEdited();
    void formEdited();
    void showIssues(const QList<ConfigIssue> &issues);
    void updatePreview(const std::optional<MachineConfig> &edited);
    void updateButtons();
    QString target() const;

    Catalog *m_catalog;
    QString m_machine;
    QString m_group;
    TargetKind m_scope = TargetKind::Machine;
    qint64 m_revision = 0; // of what was loaded; 0: none stored
    QString m_loadedText;
    bool m_modified = false;
    bool m_syncing = false; // form and text updating each other

    QComboBox *m_scopeBox;
    QLineEdit *m_hostname;
    QLabel *m_hostnameError;
    QComboBox *m_network;
    QLineEdit *m_address;
    QLineEdit *m_gateway;
    QLineEdit *m_dns;
    QLabel *m_networkError;
    QPlainTextEdit *m_json;
    QLabel *m_jsonError;
    QPushButton *m_save;
    QPushButton *m_revert;
    QLabel *m_status;
    QPlainTextEdit *m_preview;
};

} // namespace drover
