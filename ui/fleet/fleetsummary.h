// FleetSummary: the lab at a glance, one line in the status bar — how many machines, and how
// many of them are ready, booting, failed, offline or not booted yet. Follows the catalog, so
// boots served by another Drover on it count too.
#pragma once

#include <QLabel>
#include <QTimer>

namespace drover {

class Catalog;

class FleetSummary final : public QLabel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetSummary)
public:
    explicit FleetSummary(Catalog *catalog, QWidget *parent = nullptr);

    void refresh();

private:
    Catalog *m_catalog;
    QTimer m_coalesce;
};

} // namespace drover
