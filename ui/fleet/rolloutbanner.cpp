#include "fleet/rolloutbanner.h"

#include "catalog/catalog.h"
#include "fleet/rolloutengine.h"
#include "lab/lab.h"
#include "power/machinepower.h"
#include "util/currentuser.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace drover {

RolloutBanner::RolloutBanner(Lab *lab, QWidget *parent)
    : QFrame(parent)
    , m_lab(lab)
    , m_rows(new QVBoxLayout(this))
{
    setObjectName(QStringLiteral("rolloutBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, p.color(QPalette::AlternateBase));
    setPalette(p);
    m_rows->setContentsMargins(6, 4, 6, 4);
    m_confirm = [this](const QString &group) {
        return QMessageBox::question(this, tr("Abort Rollout"),
                   tr("Abort the rollout to %1? Every machine it changed gets its previous image back at its next "
                      "boot.")
                       .arg(group),
                   QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };
    // Deferred and coalesced: a change can come from a click on a button refresh() replaces.
    auto *later = new QTimer(this);
    later->setSingleShot(true);
    later->setInterval(100);
    connect(later, &QTimer::timeout, this, &RolloutBanner::refresh);
    connect(lab->catalog(), &Catalog::changed, this, [later](const QString &table) {
        if (table == QLatin1String("setting") || table == QLatin1String("machine") || table == QLatin1String("*"))
            later->start();
    });
    // Bake times pass without any catalog change.
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &RolloutBanner::refresh);
    timer->start(5000);
    refresh();
}

QStringList RolloutBanner::lines() const
{
    QStringList out;
    for (const QLabel *label : findChildren<QLabel *>(QStringLiteral("rolloutText")))
        out.append(label->text());
    return out;
}

void RolloutBanner::refresh()
{
    while (QLayoutItem *item = m_rows->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    int shown = 0;
    for (const Rollout &r : Rollout::all(*m_lab->catalog())) {
        if (!r.active())
            continue;
        m_rows->addWidget(rowFor(r));
        ++shown;
    }
    setVisible(shown > 0);
}

QWidget *RolloutBanner::rowFor(const Rollout &r)
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *text = new QLabel(row);
    text->setObjectName(QStringLiteral("rolloutText"));
    text->setText(tr("%1 rolling out %2 to %3 — wave %4 of %5, %6 of %7 machines done, %8 failed")
            .arg(r.state == Rollout::State::Paused ? tr("Paused:") : tr("Rollout:"), r.image, r.group)
            .arg(r.currentWave + 1)
            .arg(r.waves())
            .arg(r.finished())
            .arg(r.machines.size())
            .arg(r.failures()));
    text->setToolTip(r.message);
    auto *bar = new QProgressBar(row);
    bar->setRange(0, int(r.machines.size()));
    bar->setValue(r.finished());
    bar->setMaximumWidth(160);
    bar->setFormat(tr("%v/%m"));
    const bool paused = r.state == Rollout::State::Paused;
    auto *toggle = new QPushButton(paused ? tr("&Resume") : tr("&Pause"), row);
    toggle->setObjectName(QStringLiteral("rolloutToggle"));
    toggle->setToolTip(paused ? tr("Continue with the next machines") : tr("Assign no further machines for now"));
    auto *abort = new QPushButton(tr("&Abort…"), row);
    abort->setObjectName(QStringLiteral("rolloutAbort"));
    abort->setToolTip(tr("Stop and give every machine the rollout changed its previous image back"));
    const QString group = r.group;
    connect(toggle, &QPushButton::clicked, this,
        [this, group, paused] { act(group, paused ? QStringLiteral("resume") : QStringLiteral("pause")); });
    connect(abort, &QPushButton::clicked, this, [this, group] { act(group, QStringLiteral("abort")); });
    layout->addWidget(text, 1);
    layout->addWidget(bar);
    layout->addWidget(toggle);
    layout->addWidget(abort);
    return row;
}

void RolloutBanner::act(const QString &group, const QString &what)
{
    Catalog *catalog = m_lab->catalog();
    Status s;
    if (what == QLatin1String("pause")) {
        s = pauseRollout(*catalog, group);
    } else if (what == QLatin1String("resume")) {
        s = resumeRollout(*catalog, group);
    } else {
        if (m_confirm && !m_confirm(group))
            return;
        const QString who = currentUser();
        s = abortRollout(*catalog, group, who, [this, catalog, who](const Machine &machine) {
            (void)powerMachineAsync(catalog, machine, PowerAction::Cycle, who, this, {});
        });
    }
    const QString done = what == QLatin1String("pause") ? tr("paused")
        : what == QLatin1String("resume")               ? tr("resumed")
                                                        : tr("aborted; machines get their previous image back");
    Q_EMIT message(s ? tr("Rollout to %1 %2").arg(group, done) : s.error());
    Q_EMIT performed(s ? tr("rollout to %1 %2").arg(group, done) : s.error(), !s);
    QTimer::singleShot(0, this, &RolloutBanner::refresh); // not now: the clicked button is in a row it replaces
}

} // namespace drover
