#include "main/addmachinedialog.h"

#include "catalog/catalog.h"
#include "util/mac.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace drover {

AddMachineDialog::AddMachineDialog(Catalog *catalog, QWidget *parent)
    : QDialog(parent)
    , m_catalog(catalog)
    , m_name(new QLineEdit(this))
    , m_mac(new QLineEdit(this))
    , m_group(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Add Machine"));
    m_name->setPlaceholderText(tr("pc-01"));
    m_mac->setPlaceholderText(tr("52:54:00:12:34:56"));
    m_mac->setToolTip(tr("The MAC address of the network card the machine boots from"));
    m_group->setPlaceholderText(tr("optional, e.g. room-a"));
    m_group->setToolTip(tr("Machines in a group can be assigned an image together"));
    m_error->setForegroundRole(QPalette::PlaceholderText);
    m_error->setWordWrap(true);
    auto *form = new QFormLayout(this);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&MAC address:"), m_mac);
    form->addRow(tr("&Group:"), m_group);
    form->addRow(m_error);
    form->addRow(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &AddMachineDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &AddMachineDialog::reject);
    for (QLineEdit *edit : { m_name, m_mac })
        connect(edit, &QLineEdit::textChanged, this, &AddMachineDialog::validate);
    validate();
}

QString AddMachineDialog::errorText() const
{
    return m_error->text();
}

void AddMachineDialog::validate()
{
    QString error;
    if (m_name->text().trimmed().isEmpty())
        error = tr("Give the machine a name.");
    else if (!normalizeMac(m_mac->text()))
        error = tr("Enter a MAC address such as 52:54:00:12:34:56.");
    m_error->setText(error);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}

void AddMachineDialog::accept()
{
    Machine m;
    m.name = m_name->text().trimmed();
    m.mac = normalizeMac(m_mac->text()).value_or(QString());
    if (!m_group->text().trimmed().isEmpty())
        m.labels.insert(QStringLiteral("group"), m_group->text().trimmed());
    auto added = m_catalog->addMachine(m);
    if (!added) {
        m_error->setText(added.error());
        return;
    }
    QDialog::accept();
}

} // namespace drover
