#include "server/serverpanel.h"

#include "lab/lab.h"

#include <QFormLayout>
#include <QLabel>

namespace drover {

ServerPanel::ServerPanel(Lab *lab, QWidget *parent)
    : QWidget(parent)
    , m_lab(lab)
    , m_form(new QFormLayout(this))
{
    auto selectable = [this](const QString &text) {
        auto *label = new QLabel(text, this);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setWordWrap(true);
        return label;
    };
    Catalog *catalog = lab->catalog();
    m_form->addRow(tr("Data directory:"), selectable(lab->dataDir()));
    m_form->addRow(tr("Catalog:"),
        selectable(
            catalog->isPostgres() ? tr("PostgreSQL, %1").arg(catalog->url()) : tr("SQLite, %1").arg(catalog->url())));
    m_form->addRow(tr("Schema version:"), selectable(QString::number(catalog->schemaVersion())));
    m_form->addRow(tr("Image store:"), selectable(lab->storeDir()));
}

} // namespace drover
