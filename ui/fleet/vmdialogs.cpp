#include "fleet/vmdialogs.h"

#include "lab/lab.h"
#include "vm/virtuallab.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace drover {

AddVmDialog::AddVmDialog(Lab *lab, QWidget *parent)
    : QDialog(parent)
    , m_lab(lab)
    , m_count(new QSpinBox(this))
    , m_group(new QLineEdit(QStringLiteral("demo"), this))
    , m_uefi(new QCheckBox(tr("UEFI firmware (OVMF) instead of BIOS"), this))
    , m_memory(new QSpinBox(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Add Virtual Machines"));
    m_count->setRange(1, 32);
    m_count->setValue(3);
    m_memory->setRange(256, 16384);
    m_memory->setSingleStep(256);
    m_memory->setValue(1536);
    m_memory->setSuffix(tr(" MiB"));
    m_group->setToolTip(tr("The machines join this group: assign it an image, or roll one out to it"));
    m_error->setWordWrap(true);
    auto *form = new QFormLayout(this);
    form->addRow(new QLabel(tr("qemu machines on this computer that netboot from Drover, with their own network. "
                               "They run while the boot server runs."),
        this));
    form->addRow(tr("&How many:"), m_count);
    form->addRow(tr("&Group:"), m_group);
    form->addRow(tr("&Memory each:"), m_memory);
    form->addRow(m_uefi);
    form->addRow(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Add"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (addMachines())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

bool AddVmDialog::addMachines()
{
    auto added = addVirtualMachines(m_lab, m_count->value(), QStringLiteral("vm"), m_group->text().trimmed(),
        m_uefi->isChecked(), m_memory->value());
    if (!added) {
        m_error->setText(added.error());
        return false;
    }
    m_added = *added;
    return true;
}

ConsoleView::ConsoleView(const QString &machine, const QString &logFile, QWidget *parent)
    : QDialog(parent)
    , m_file(logFile)
    , m_text(new QPlainTextEdit(this))
{
    setWindowTitle(tr("Console of %1").arg(machine));
    setAttribute(Qt::WA_DeleteOnClose);
    resize(900, 560);
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setMaximumBlockCount(5000);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &ConsoleView::refresh);
    timer->start(1000);
    refresh();
}

QString ConsoleView::text() const
{
    return m_text->toPlainText();
}

void ConsoleView::refresh()
{
    QFile f(m_file);
    if (!f.open(QIODevice::ReadOnly)) {
        m_text->setPlainText(tr("No console output yet (%1).").arg(m_file));
        m_size = -1;
        return;
    }
    if (f.size() == m_size)
        return;
    // The last 64 KiB, without the terminal's escape sequences.
    m_size = f.size();
    f.seek(qMax<qint64>(0, m_size - 65536));
    static const QRegularExpression escapes(QStringLiteral("\\x1b(\\[[0-9;?=!]*[A-Za-z]|[()][0-9A-Za-z]|[=>78])|\\r"));
    QString text = QString::fromUtf8(f.readAll()).remove(escapes);
    const bool atEnd = m_text->verticalScrollBar()->value() == m_text->verticalScrollBar()->maximum();
    m_text->setPlainText(text);
    if (atEnd)
        m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
}

} // namespace drover
