#include "fleet/namingdialog.h"

#include "catalog/catalog.h"
#include "fleet/naming.h"
#include "main/readablecolor.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace drover {

NamingDialog::NamingDialog(Catalog *catalog, const QStringList &machines, QWidget *parent)
    : QDialog(parent)
    , m_catalog(catalog)
    , m_machines(machines)
    , m_pattern(new QLineEdit(QStringLiteral("lab-{n:02}"), this))
    , m_first(new QSpinBox(this))
    , m_labels(new QLineEdit(this))
    , m_preview(new QTreeWidget(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Name %n Machine(s)", nullptr, int(machines.size())));
    m_pattern->setToolTip(tr("{n} is the number, {n:02} the number with two digits: lab-{n:02} names the machines "
                             "lab-01, lab-02, … in the order shown"));
    m_first->setRange(0, 99999);
    m_first->setValue(1);
    m_first->setToolTip(tr("The number of the first machine"));
    m_labels->setPlaceholderText(tr("e.g. group=room-b, rack=2"));
    m_labels->setToolTip(tr("Labels every named machine gets, as KEY=VALUE separated by commas; group=NAME puts "
                            "them in a group"));
    m_preview->setHeaderLabels({ tr("Now"), tr("Will be") });
    m_preview->setRootIsDecorated(false);
    m_preview->setAccessibleName(tr("Preview of the new names"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(errorTextStyle());
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Name Machines"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Pattern:"), m_pattern);
    form->addRow(tr("&First number:"), m_first);
    form->addRow(tr("&Labels:"), m_labels);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_preview, 1);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_pattern, &QLineEdit::textChanged, this, &NamingDialog::updatePreview);
    connect(m_first, &QSpinBox::valueChanged, this, &NamingDialog::updatePreview);
    connect(m_labels, &QLineEdit::textChanged, this, &NamingDialog::updatePreview);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &NamingDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &NamingDialog::reject);
    updatePreview();
}

QList<std::pair<QString, QString>> NamingDialog::parsedLabels(QString *why) const
{
    QList<std::pair<QString, QString>> labels;
    for (const QString &part : m_labels->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString entry = part.trimmed();
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            *why = tr("'%1' is not KEY=VALUE").arg(entry);
            return {};
        }
        labels.append({ entry.left(eq).trimmed(), entry.mid(eq + 1).trimmed() });
    }
    return labels;
}

void NamingDialog::updatePreview()
{
    m_preview->clear();
    const auto names = expandNamePattern(m_pattern->text(), int(m_machines.size()), m_first->value());
    QString why = names ? QString() : names.error();
    if (names) {
        for (qsizetype i = 0; i < m_machines.size(); ++i) {
            const QString &name = names->at(i);
            new QTreeWidgetItem(m_preview, { m_machines.at(i), name });
            // Another machine (not one being renamed) has the name already.
            if (why.isEmpty() && !m_machines.contains(name) && m_catalog->machineByName(name))
                why = tr("a machine named %1 exists already: choose another pattern or first number").arg(name);
        }
    }
    if (why.isEmpty())
        parsedLabels(&why);
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty() && !m_machines.isEmpty());
}

void NamingDialog::accept()
{
    QString why;
    const auto labels = parsedLabels(&why);
    if (why.isEmpty()) {
        if (const auto named = nameMachines(*m_catalog, m_machines, m_pattern->text(), m_first->value(), labels);
            !named)
            why = named.error();
    }
    if (!why.isEmpty()) {
        m_problem->setText(why);
        m_problem->show();
        return;
    }
    QDialog::accept();
}

} // namespace drover
