// AddMachineDialog: name, MAC and group of a machine to add to the catalog by hand.
#pragma once

#include "catalog/records.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace drover {

class Catalog;

class AddMachineDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AddMachineDialog)
public:
    explicit AddMachineDialog(Catalog *catalog, QWidget *parent = nullptr);

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *macEdit() const { return m_mac; }
    QLineEdit *groupEdit() const { return m_group; }
    QString errorText() const;

public Q_SLOTS:
    void accept() override;

private:
    void validate();

    Catalog *m_catalog;
    QLineEdit *m_name;
    QLineEdit *m_mac;
    QLineEdit *m_group;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};

} // namespace drover
