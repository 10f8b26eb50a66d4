// drover-fleetbench: the catalog at scale as the window meets it (issue 18), each figure
// beside a floor measured in the same run:
//  open       FleetModel + FleetView constructed, shown and painted with every machine's row,
//             against the plain SQL SELECT of the same rows through QSqlQuery (what any
//             model must read first);
//  window     the MainWindow as a user opens it: constructed, shown, the fleet painted, and
//             the log holding the newest `backlog` boot events from CatalogEventFeed;
//  keystroke  a search typed one key at a time into FleetView::search(), each key timed
//             until the filtered rows are final and the table repainted, against a
//             QSortFilterProxyModel (sorted, fixed string) over a QStandardItemModel of the
//             same machine names; then the same searches with the table grouped by label.
// Runs on the offscreen platform; prints key=value lines (medians and maxima, in ms) like
// drover-httpload.
//
//   drover-fleetbench [--db URL] [--rounds N] DATA_DIR
#include "fleet/fleetfilter.h"
#include "fleet/fleetmodel.h"
#include "fleet/fleetview.h"
#include "lab/lab.h"
#include "log/logmodel.h"
#include "main/mainwindow.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeView>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace drover;

namespace {

int fail(const QString &why)
{
    std::fprintf(stderr, "drover-fleetbench: %s\n", qPrintable(why));
    return 1;
}

double msSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

// Prints NAME_median_ms and NAME_max_ms of the samples.
void report(const char *name, QList<double> samples)
{
    if (samples.isEmpty())
        return;
    std::sort(samples.begin(), samples.end());
    const qsizetype n = samples.size();
    const double median = n % 2 ? samples.at(n / 2) : (samples.at(n / 2 - 1) + samples.at(n / 2)) / 2;
    std::printf("%s_median_ms=%.2f\n%s_max_ms=%.2f\n%s_samples=%lld\n", name, median, name, samples.last(), name,
        static_cast<long long>(n));
}

// Spins the event loop until `done` says so (or 30 s pass: then the figure shows it).
void waitFor(const std::function<bool()> &done)
{
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < 30000)
        QApplication::processEvents(QEventLoop::AllEvents, 5);
}

// A widget's first paint: the figure ends when the user could see the rows.
class PaintProbe final : public QObject {
public:
    explicit PaintProbe(QWidget *widget) { widget->installEventFilter(this); }
    bool painted = false;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            painted = true;
        return QObject::eventFilter(watched, event);
    }
};

// What the search box is given, one key at a time: a name, a label (a hidden column), a MAC
// and an image tag — the things the placeholder text offers to search by.
const QStringList kSearches { QStringLiteral("bench-0421"), QStringLiteral("room-3"), QStringLiteral("02:00:00:00:1f"),
    QStringLiteral("bench:1") };

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    // The window remembers layouts and choices; the bench must neither read a user's nor
    // leave its own behind.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("drover-fleetbench"));
    QSettings().clear();

    QStringList args = app.arguments();
    QString url;
    int rounds = 5;
    for (int i = 1; i + 1 < args.size();) {
        if (args.at(i) == QLatin1String("--db")) {
            url = args.at(i + 1);
        } else if (args.at(i) == QLatin1String("--rounds")) {
            rounds = qMax(1, args.at(i + 1).toInt());
        } else {
            ++i;
            continue;
        }
        args.remove(i, 2);
    }
    if (args.size() < 2)
        return fail(QStringLiteral("usage: drover-fleetbench [--db URL] [--rounds N] DATA_DIR"));
    auto lab = Lab::open(LabOptions { args.at(1), url });
    if (!lab)
        return fail(lab.error());
    Catalog *catalog = lab.value()->catalog();

    // Baseline (a): every machine row by plain SQL, each value read, nothing kept.
    QList<double> selectMs;
    int machines = 0;
    for (int r = 0; r < rounds; ++r) {
        QElapsedTimer timer;
        timer.start();
        QSqlQuery q(catalog->database());
        if (!q.exec(QStringLiteral("SELECT id, name, mac, uuid, serial, vendor, state, phase, address, last_seen, "
                                   "current_image, last_good_image, failed_attempts, is_new, revision, firmware, "
                                   "firmware_arch, secure_boot, boot_protocol, boot_loader, hardware_changed, "
                                   "burnin_failed FROM machine ORDER BY name")))
            return fail(q.lastError().text());
        int rows = 0;
        while (q.next()) {
            for (int c = 0; c < 22; ++c)
                (void)q.value(c);
            ++rows;
        }
        selectMs.append(msSince(timer));
        machines = rows;
    }
    std::printf("machines=%d\n", machines);
    report("select", selectMs);

    // (a) the fleet table opens: model and view from nothing to painted rows.
    QList<double> modelMs;
    QList<double> openMs;
    for (int r = 0; r < rounds; ++r) {
        QElapsedTimer timer;
        timer.start();
        auto model = std::make_unique<FleetModel>(catalog);
        modelMs.append(msSince(timer));
        auto view = std::make_unique<FleetView>(model.get());
        view->resize(1280, 800);
        PaintProbe probe(view->table()->viewport());
        view->show();
        waitFor([&] { return probe.painted && view->proxy()->rowCount() == model->rowCount(); });
        openMs.append(msSince(timer));
        if (model->rowCount() != machines)
            return fail(QStringLiteral("the fleet shows %1 rows of %2").arg(model->rowCount()).arg(machines));
    }
    report("model", modelMs);
    report("open", openMs);

    // (a) the main window: its fleet painted, then the log's backlog of boot events shown.
    QList<double> windowMs;
    QList<double> logMs;
    for (int r = 0; r < rounds; ++r) {
        QElapsedTimer timer;
        timer.start();
        auto window = std::make_unique<MainWindow>(lab.value().get());
        window->resize(1280, 800);
        PaintProbe probe(window->fleetView()->table()->viewport());
        window->show();
        waitFor([&] { return probe.painted; });
        windowMs.append(msSince(timer));
        // LogModel shows appended entries at its next flush, 100 ms at most after the first.
        LogModel *log = window->findChild<LogModel *>();
        if (!log)
            return fail(QStringLiteral("the main window has no log model"));
        waitFor([&] { return log->rowCount() > 0; });
        logMs.append(msSince(timer));
        std::printf("log_rows=%d\n", log->rowCount());
    }
    report("window", windowMs);
    report("window_log", logMs);

    // (b) keystrokes into the fleet's search, and the same into Qt's plain proxy.
    FleetModel model(catalog);
    FleetView view(&model);
    view.resize(1280, 800);
    view.show();
    waitFor([&] { return view.isVisible(); });
    QApplication::processEvents();
    QStandardItemModel names;
    for (int row = 0; row < model.rowCount(); ++row)
        names.appendRow(new QStandardItem(model.machineAt(row).name));
    QSortFilterProxyModel plain;
    plain.setSourceModel(&names);
    plain.setFilterCaseSensitivity(Qt::CaseInsensitive);
    plain.sort(0);
    // The fleet's own filter with no view and no sections on it: the filtering alone, apart
    // from what the grouping model and the tree do with the rows it removes.
    FleetFilter bare;
    bare.setSourceModel(&model);
    bare.sort(FleetModel::Name);
    QList<double> keyMs;
    QList<double> groupedMs;
    QList<double> plainMs;
    QList<double> bareMs;
    // The same searches in the flat table (the default), then grouped by the `group` label
    // (benchseed's ten rooms: ten sections of 1,000 machines), where each removed or inserted
    // run of rows also changes the sections.
    for (const QString &groupKey : { QString(), QStringLiteral("group") }) {
        view.setGroupKey(groupKey);
        QApplication::processEvents();
        const bool grouped = !groupKey.isEmpty();
        QList<double> &viewMs = grouped ? groupedMs : keyMs;
        for (int r = 0; r < rounds; ++r) {
            for (const QString &search : kSearches) {
                view.search()->clear();
                plain.setFilterFixedString(QString());
                bare.setSearch(QString());
                QApplication::processEvents();
                QStringList keys; // the first round's keystrokes one by one: which key costs what
                QStringList bareKeys;
                for (qsizetype k = 1; k <= search.size(); ++k) {
                    QElapsedTimer timer;
                    timer.start();
                    // The line edit filters as it changes (no debounce timer): the key's work is
                    // done when insert() returns; the repaint is what the user waits for next.
                    view.search()->insert(search.at(k - 1));
                    QApplication::processEvents();
                    view.table()->viewport()->repaint();
                    viewMs.append(msSince(timer));
                    keys.append(QString::number(viewMs.last(), 'f', 1));
                    if (grouped)
                        continue;
                    timer.restart();
                    plain.setFilterFixedString(search.left(k));
                    plainMs.append(msSince(timer));
                    timer.restart();
                    bare.setSearch(search.left(k));
                    bareMs.append(msSince(timer));
                    bareKeys.append(QString::number(bareMs.last(), 'f', 1));
                }
                if (r == 0) {
                    const QString name = QString(search).replace(QLatin1Char(':'), QLatin1Char('_'));
                    const char *prefix = grouped ? "grouped_search" : "search";
                    std::printf("%s_%s_rows=%d\n%s_%s_keys_ms=%s\n", prefix, qPrintable(name), view.proxy()->rowCount(),
                        prefix, qPrintable(name), qPrintable(keys.join(QLatin1Char(' '))));
                    if (!grouped)
                        std::printf("filter_only_search_%s_keys_ms=%s\n", qPrintable(name),
                            qPrintable(bareKeys.join(QLatin1Char(' '))));
                }
            }
        }
    }
    std::printf("keystroke_debounce_ms=0\n");
    report("keystroke", keyMs);
    report("grouped_keystroke", groupedMs);
    report("plain_keystroke", plainMs);
    report("filter_only_keystroke", bareMs);
    return 0;
}
