#include "main/firstrunguide.h"

#include "boot/bootserver.h"
#include "catalog/catalog.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace drover {

FirstRunGuide::FirstRunGuide(Catalog *catalog, BootServer *server, QWidget *parent)
    : QWidget(parent)
    , m_catalog(catalog)
    , m_server(server)
    , m_image(new QPushButton(tr("&New Image…"), this))
    , m_serve(new QPushButton(tr("&Start the Boot Server"), this))
    , m_virtual(new QPushButton(tr("Add &Virtual Machines…"), this))
    , m_machine(new QPushButton(tr("&Add Machine…"), this))
{
    setObjectName(QStringLiteral("firstRunGuide"));
    setAccessibleName(tr("First steps"));
    auto *title = new QLabel(tr("This lab is empty. Three steps to the first boot:"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    const QString texts[3] = {
        tr("Build an image from a recipe (Debian, a template), or import a container image or root file "
           "system archive."),
        tr("Start the boot server, so that machines on the lab network find it when they network-boot."),
        tr("Power on a machine on the lab network (it appears here), or add a virtual one on this computer."),
    };
    m_image->setToolTip(tr("Open the build wizard (Ctrl+Shift+N)"));
    m_serve->setToolTip(tr("Start serving with the Server panel's settings"));
    m_virtual->setToolTip(tr("Create virtual machines that network-boot from this server"));
    m_machine->setToolTip(tr("Add a machine by its MAC address (Ctrl+N)"));
    QWidget *buttons[3] = { m_image, m_serve, nullptr };
    auto *grid = new QGridLayout;
    grid->setColumnStretch(1, 1);
    for (int i = 0; i < 3; ++i) {
        m_marks[i] = new QLabel(this);
        m_marks[i]->setObjectName(QStringLiteral("step%1").arg(i + 1));
        auto *text = new QLabel(texts[i], this);
        text->setWordWrap(true);
        grid->addWidget(m_marks[i], i, 0, Qt::AlignTop);
        grid->addWidget(text, i, 1);
        if (buttons[i]) {
            grid->addWidget(buttons[i], i, 2, Qt::AlignTop);
        } else {
            auto *both = new QHBoxLayout;
            both->addWidget(m_virtual);
            both->addWidget(m_machine);
            grid->addLayout(both, i, 2, Qt::AlignTop);
        }
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 24, 24, 24);
    layout->addStretch(1);
    layout->addWidget(title);
    layout->addLayout(grid);
    layout->addStretch(2);

    connect(m_image, &QPushButton::clicked, this, &FirstRunGuide::newImageRequested);
    connect(m_serve, &QPushButton::clicked, this, &FirstRunGuide::startServerRequested);
    connect(m_virtual, &QPushButton::clicked, this, &FirstRunGuide::addVirtualMachinesRequested);
    connect(m_machine, &QPushButton::clicked, this, &FirstRunGuide::addMachineRequested);
    // Only the tables it counts: boot events change many times a second in a boot storm.
    connect(m_catalog, &Catalog::changed, this, [this](const QString &table) {
        if (table == QLatin1String("image") || table == QLatin1String("machine") || table == QLatin1String("*"))
            refresh();
    });
    connect(m_server, &BootServer::statusChanged, this, &FirstRunGuide::refresh);
    refresh();
}

bool FirstRunGuide::stepDone(int step) const
{
    return step >= 0 && step < 3 && m_done[step];
}

void FirstRunGuide::refresh()
{
    m_done[0] = !m_catalog->images().isEmpty();
    m_done[1] = m_server->isRunning();
    m_done[2] = !m_catalog->machines().isEmpty();
    for (int i = 0; i < 3; ++i) {
        m_marks[i]->setText(m_done[i] ? QStringLiteral("✔") : QStringLiteral("%1.").arg(i + 1));
        m_marks[i]->setToolTip(m_done[i] ? tr("Done") : tr("To do"));
        m_marks[i]->setAccessibleName(m_done[i] ? tr("Step %1: done").arg(i + 1) : tr("Step %1: to do").arg(i + 1));
    }
    m_serve->setText(m_done[1] ? tr("&Serving") : tr("&Start the Boot Server"));
    m_serve->setEnabled(!m_done[1]);
}

} // namespace drover
