#include "fleet/rolloutdialog.h"

#include "catalog/catalog.h"
#include "fleet/rollout.h"
#include "lab/lab.h"
#include "util/currentuser.h"
#include "vm/imagetest.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>

namespace drover {

RolloutDialog::RolloutDialog(Lab *lab, const QString &image, QWidget *parent)
    : QDialog(parent)
    , m_lab(lab)
    , m_image(image)
    , m_group(new QComboBox(this))
    , m_canary(new QLineEdit(QStringLiteral("1"), this))
    , m_wave(new QLineEdit(QStringLiteral("100%"), this))
    , m_bake(new QLineEdit(QStringLiteral("5m"), this))
    , m_maxFailures(new QSpinBox(this))
    , m_reboot(new QCheckBox(tr("Power-cycle each machine when it gets the image"), this))
    , m_requireTest(new QCheckBox(this))
    , m_testUefi(new QCheckBox(tr("Test with UEFI firmware (OVMF), as UEFI machines boot"), this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Roll Out %1").arg(image));
    QStringList groups;
    for (const Machine &m : lab->catalog()->machines()) {
        if (!m.group().isEmpty() && !groups.contains(m.group()))
            groups.append(m.group());
    }
    groups.sort();
    m_group->addItems(groups);
    m_canary->setToolTip(tr("Machines that get the image first, alone: a number (1) or a share of the group (10%)"));
    m_wave->setToolTip(tr("Machines per wave after the canaries: a number or a share of the group"));
    m_bake->setToolTip(tr("How long each wave must stay ready before the next starts: 90s, 5m, 1h"));
    m_maxFailures->setRange(0, 1000);
    m_maxFailures->setToolTip(tr("More failed machines than this stop the rollout and give every machine it "
                                 "touched its previous image back"));
    m_reboot->setToolTip(tr("Without it, machines get the image at their next reboot, whenever that is"));
    // The latest verdict on this image, so the admin knows whether "test first" costs a boot.
    const auto record = lastImageTest(*lab->catalog(), image);
    const QString when = record ? QLocale().toString(record->at, QLocale::ShortFormat) : QString();
    const QString firmware = record && record->uefi ? QStringLiteral("UEFI") : QStringLiteral("BIOS");
    m_requireTest->setText(!record ? tr("Test the image in a VM first (not tested yet: the boot server boots it once)")
            : record->passed
            ? tr("Require a passing test in a VM (passed on %1 with %2)").arg(when, firmware)
            : tr("Require a passing test in a VM (failed on %1 with %2: the rollout would stop)").arg(when, firmware));
    m_requireTest->setChecked(true);
    m_requireTest->setToolTip(tr("No machine gets the image before it reached ready in a throwaway virtual machine "
                                 "booted through this Drover; a failed test stops the rollout before any machine"));
    m_requireTest->setObjectName(QStringLiteral("rolloutRequireTest"));
    m_testUefi->setChecked(record && record->uefi);
    m_testUefi->setToolTip(tr("A verdict counts for the firmware it was reached with; the other one tests again"));
    connect(m_requireTest, &QCheckBox::toggled, m_testUefi, &QWidget::setEnabled);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: palette(highlight)"));
    m_error->setObjectName(QStringLiteral("rolloutError"));

    auto *form = new QFormLayout(this);
    form->addRow(tr("&Group:"), m_group);
    form->addRow(tr("&Canaries:"), m_canary);
    form->addRow(tr("&Wave size:"), m_wave);
    form->addRow(tr("&Bake time:"), m_bake);
    form->addRow(tr("&Stop after failures:"), m_maxFailures);
    form->addRow(m_reboot);
    form->addRow(m_requireTest);
    form->addRow(m_testUefi);
    form->addRow(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Start Rollout"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(!groups.isEmpty());
    if (groups.isEmpty())
        m_error->setText(tr("No machine is in a group yet: give machines the label group=NAME first."));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (startRollout())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

bool RolloutDialog::startRollout()
{
    auto canary = RolloutCount::parse(m_canary->text(), tr("Canaries"));
    auto wave = RolloutCount::parse(m_wave->text(), tr("Wave size"));
    auto bake = parseDuration(m_bake->text(), tr("Bake time"));
    const QString bad = !canary ? canary.error() : !wave ? wave.error() : !bake ? bake.error() : QString();
    if (!bad.isEmpty()) {
        m_error->setText(bad);
        return false;
    }
    auto r = planRollout(*m_lab->catalog(), m_group->currentText(), m_image, *canary, *wave, *bake,
        m_maxFailures->value(), m_reboot->isChecked(), currentUser());
    if (!r) {
        m_error->setText(r.error());
        return false;
    }
    r->requireTest = m_requireTest->isChecked();
    r->testUefi = r->requireTest && m_testUefi->isChecked();
    if (Status s = r->save(*m_lab->catalog()); !s) {
        m_error->setText(s.error());
        return false;
    }
    return true;
}

} // namespace drover
