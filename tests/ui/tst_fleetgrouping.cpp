// Grouping the fleet table by a label: the sections and their counts, sorting inside a
// section, the search hiding sections, live counts; the view's "Group by" combo, a selected
// header standing for its machines, collapsed sections surviving a refresh, and an image
// dropped on a section header.
#include "catalog/catalog.h"
#include "fleet/fleetactions.h"
#include "fleet/fleetfilter.h"
#include "fleet/fleetgrouping.h"
#include "fleet/fleetmodel.h"
#include "fleet/fleetview.h"
#include "images/imagemodel.h"
#include "main/mainwindow.h"
#include "testlab.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>
#include <QUndoStack>

using namespace drover;
using namespace drover::test;

namespace {

// One fleet model → sort/filter proxy → grouping model, as the view stacks them.
struct Stack {
    explicit Stack(Catalog *catalog)
        : fleet(catalog)
    {
        proxy.setSourceModel(&fleet);
        proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
        proxy.setFilterKeyColumn(-1);
        groups.setSourceModel(&proxy);
        proxy.sort(FleetModel::Name, Qt::AscendingOrder);
    }

    // Each top-level row as "header text|machine,machine", or "name" when flat.
    QStringList layout() const
    {
        QStringList rows;
        for (int r = 0; r < groups.rowCount(); ++r) {
            const QModelIndex top = groups.index(r, 0);
            if (!groups.isSection(top)) {
                rows.append(top.data(FleetModel::MachineNameRole).toString());
                continue;
            }
            QStringList names;
            for (int c = 0; c < groups.rowCount(top); ++c)
                names.append(groups.index(c, FleetModel::Name, top).data().toString());
            if (groups.machinesIn(top) != names)
                names.append(QStringLiteral("(machinesIn differs)"));
            rows.append(top.data().toString() + QLatin1Char('|') + names.join(QLatin1Char(',')));
        }
        return rows;
    }

    FleetModel fleet;
    QSortFilterProxyModel proxy;
    LabelGroupModel groups;
    QAbstractItemModelTester tester { &groups, QAbstractItemModelTester::FailureReportingMode::QtTest };
};

} // namespace

class TstFleetGrouping : public QObject {
    Q_OBJECT

    TestLab m_t;

    void addMachine(const QString &name, int n, const QMap<QString, QString> &labels, MachineState state)
    {
        Machine m;
        m.name = name;
        m.mac = QStringLiteral("52:54:00:00:00:%1").arg(n, 2, 10, QLatin1Char('0'));
        m.labels = labels;
        QVERIFY(m_t.lab->catalog()->addMachine(m).ok());
        if (state != MachineState::Unknown)
            QVERIFY(m_t.lab->catalog()
                    ->recordMachineSeen(name, state, state == MachineState::Ready ? QStringLiteral("ready") : QString(),
                        QStringLiteral("10.0.0.%1").arg(n))
                    .ok());
    }

    static void drop(QTreeView *table, const QModelIndex &index, QMimeData *data)
    {
        table->scrollTo(index);
        const QRect rect = table->visualRect(index).intersected(table->viewport()->rect());
        QVERIFY(!rect.isEmpty());
        // Enter first: QApplication delivers move and drop to the widget the enter accepted.
        QDragEnterEvent enter(rect.center(), Qt::CopyAction, data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(table->viewport(), &enter);
        QVERIFY(enter.isAccepted());
        QDragMoveEvent move(rect.center(), Qt::CopyAction, data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(table->viewport(), &move);
        QVERIFY(move.isAccepted());
        QDropEvent event(rect.center(), Qt::CopyAction, data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(table->viewport(), &event);
    }

    // A stand-in fleet in `source`'s rows: pc-0000…, named with `digits` digits, state row % 5,
    // label group=g(row % groups); every `unlabelled`th row without the label and every
    // `fresh`th row New (0: none).
    static void fillFleet(QStandardItemModel &source, int digits, int groups, int unlabelled, int fresh)
    {
        for (int row = 0; row < source.rowCount(); ++row) {
            auto *item = new QStandardItem(QStringLiteral("pc-%1").arg(row, digits, 10, QLatin1Char('0')));
            item->setData(item->text(), FleetModel::MachineNameRole);
            item->setData(row % 5, FleetModel::StateRole);
            item->setData(fresh > 0 && row % fresh == 0, FleetModel::NewRole);
            if (unlabelled == 0 || row % unlabelled != 0)
                item->setData(QVariantMap { { QStringLiteral("group"), QStringLiteral("g%1").arg(row % groups) } },
                    FleetModel::LabelsRole);
            source.setItem(row, 0, item);
        }
    }

    static QModelIndex sectionOf(const LabelGroupModel *groups, const QString &value)
    {
        for (int r = 0; r < groups->rowCount(); ++r) {
            if (groups->isSection(groups->index(r, 0)) && groups->sectionValue(groups->index(r, 0)) == value)
                return groups->index(r, 0);
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase() { isolateSettings(QStringLiteral("drover-test-fleetgrouping")); }

    void init()
    {
        QSettings().remove(QStringLiteral("fleet/groupBy"));
        m_t = sqliteLab();
        const QString group = QStringLiteral("group");
        const QString room = QStringLiteral("room");
        addMachine(QStringLiteral("pc-a1"), 1, { { group, QStringLiteral("a") }, { room, QStringLiteral("r1") } },
            MachineState::Ready);
        addMachine(QStringLiteral("pc-a2"), 2, { { group, QStringLiteral("a") } }, MachineState::Failed);
        addMachine(QStringLiteral("pc-b1"), 3, { { group, QStringLiteral("b") }, { QStringLiteral("aisle"), {} } },
            MachineState::Ready);
        addMachine(QStringLiteral("pc-n1"), 4, { { room, QStringLiteral("r1") } }, MachineState::Unknown);
        addMachine(QStringLiteral("pc-n2"), 5, {}, MachineState::Booting);
        for (const char *v : { "1", "2" }) {
            QVERIFY(m_t.lab->catalog()
                    ->addImage(ImageRecord { 0, QStringLiteral("deb"), QString::fromLatin1(v),
                        QStringLiteral("sha256:") + QString(64, QLatin1Char(v[0])), 10, {}, {}, {} })
                    .ok());
        }
    }

    void cleanup()
    {
        m_t = TestLab();
        QSettings().remove(QStringLiteral("fleet/groupBy"));
        QVERIFY(QApplication::topLevelWidgets().isEmpty());
    }

    void sections_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QStringList>("rows");
        QTest::newRow("flat") << QString()
                              << QStringList { QStringLiteral("pc-a1"), QStringLiteral("pc-a2"),
                                     QStringLiteral("pc-b1"), QStringLiteral("pc-n1"), QStringLiteral("pc-n2") };
        QTest::newRow("group") << QStringLiteral("group")
                               << QStringList {
                                      QStringLiteral("group: a — 2 machine(s), 1 ready, 1 failed|pc-a1,pc-a2"),
                                      QStringLiteral("group: b — 1 machine(s), 1 ready|pc-b1"),
                                      QStringLiteral("(no group) — 2 machine(s), 1 booting, 1 unknown|pc-n1,pc-n2"),
                                  };
        QTest::newRow("room") << QStringLiteral("room")
                              << QStringList {
                                     QStringLiteral("room: r1 — 2 machine(s), 1 ready, 1 unknown|pc-a1,pc-n1"),
                                     QStringLiteral(
                                         "(no room) — 3 machine(s), 1 ready, 1 booting, 1 failed|pc-a2,pc-b1,pc-n2"),
                                 };
        // An empty value cannot name a section: those machines are "without" the label.
        QTest::newRow("empty value") << QStringLiteral("aisle")
                                     << QStringList { QStringLiteral(
                                            "(no aisle) — 5 machine(s), 2 ready, 1 booting, 1 failed, 1 unknown|"
                                            "pc-a1,pc-a2,pc-b1,pc-n1,pc-n2") };
    }

    void sections()
    {
        QFETCH(QString, key);
        QFETCH(QStringList, rows);
        Stack s(m_t.lab->catalog());
        s.groups.setGroupKey(key);
        QCOMPARE(s.layout(), rows);
        // Headers carry no machine name: nothing acts on a header by mistake.
        const QModelIndex first = s.groups.index(0, 0);
        QCOMPARE(first.data(FleetModel::MachineNameRole).isValid(), key.isEmpty());
        QCOMPARE(s.groups.isSection(first), !key.isEmpty());
        // Back to flat: the plain table again.
        s.groups.setGroupKey({});
        QCOMPARE(s.groups.rowCount(), 5);
        QVERIFY(!s.groups.parent(s.groups.index(4, 0)).isValid());
    }

    // Machines registered by their first boot sit in a New section first, whatever their
    // labels, until someone names them; the section is not a label value.
    void newMachinesFirst()
    {
        Machine m;
        m.name = QStringLiteral("new-525400000009");
        m.mac = QStringLiteral("52:54:00:00:00:09");
        m.isNew = true;
        m.labels.insert(QStringLiteral("group"), QStringLiteral("a"));
        QVERIFY(m_t.lab->catalog()->addMachine(m).ok());
        Stack s(m_t.lab->catalog());
        s.groups.setGroupKey(QStringLiteral("group"));
        const QStringList layout = s.layout();
        QCOMPARE(layout.value(0),
            QStringLiteral(
                "New: registered by their first boot, not yet named — 1 machine(s), 1 unknown|new-525400000009"));
        QCOMPARE(layout.value(1), QStringLiteral("group: a — 2 machine(s), 1 ready, 1 failed|pc-a1,pc-a2"));
        const QModelIndex section = s.groups.index(0, 0);
        QVERIFY(s.groups.isNewSection(section));
        QVERIFY(s.groups.sectionValue(section).isEmpty()); // a drop on it assigns to its machines, not a group
        const QModelIndex noGroup = s.groups.index(s.groups.rowCount() - 1, 0); // "(no group)", last
        QVERIFY(!s.groups.isNewSection(noGroup) && s.groups.sectionValue(noGroup).isEmpty());
        QVERIFY(s.groups.sectionId(section) != s.groups.sectionId(noGroup));
        QCOMPARE(s.groups.machinesIn(section), QStringList { QStringLiteral("new-525400000009") });
        // Named: it joins its group's section.
        QVERIFY(m_t.lab->catalog()->renameMachines({ { m.name, QStringLiteral("pc-a3") } }).ok());
        QTRY_COMPARE(s.layout().value(0),
            QStringLiteral("group: a — 3 machine(s), 1 ready, 1 failed, 1 unknown|pc-a1,pc-a2,pc-a3"));
    }

    void sortWithinSections()
    {
        Stack s(m_t.lab->catalog());
        s.groups.setGroupKey(QStringLiteral("group"));
        s.groups.sort(FleetModel::Name, Qt::DescendingOrder);
        QCOMPARE(s.layout(),
            (QStringList { QStringLiteral("group: a — 2 machine(s), 1 ready, 1 failed|pc-a2,pc-a1"),
                QStringLiteral("group: b — 1 machine(s), 1 ready|pc-b1"),
                QStringLiteral("(no group) — 2 machine(s), 1 booting, 1 unknown|pc-n2,pc-n1") }));
        // Sorting keeps a selected machine selected (the layout change maps it).
        QItemSelectionModel selection(&s.groups);
        const QModelIndex a = sectionOf(&s.groups, QStringLiteral("a"));
        selection.select(s.groups.index(1, 0, a), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(
            selection.selectedRows().value(0).data(FleetModel::MachineNameRole).toString(), QStringLiteral("pc-a1"));
        s.groups.sort(FleetModel::Name, Qt::AscendingOrder);
        QCOMPARE(selection.selectedRows().size(), 1);
        QCOMPARE(selection.selectedRows().value(0).row(), 0);
        QCOMPARE(
            selection.selectedRows().value(0).data(FleetModel::MachineNameRole).toString(), QStringLiteral("pc-a1"));
    }

    void searchHidesSections_data()
    {
        QTest::addColumn<QString>("search");
        QTest::addColumn<QStringList>("rows");
        QTest::newRow("one machine") << QStringLiteral("pc-b")
                                     << QStringList { QStringLiteral("group: b — 1 machine(s), 1 ready|pc-b1") };
        QTest::newRow("by label") << QStringLiteral("room=r1")
                                  << QStringList { QStringLiteral("group: a — 1 machine(s), 1 ready|pc-a1"),
                                         QStringLiteral("(no group) — 1 machine(s), 1 unknown|pc-n1") };
        QTest::newRow("nothing") << QStringLiteral("no-such-machine") << QStringList {};
    }

    void searchHidesSections()
    {
        QFETCH(QString, search);
        QFETCH(QStringList, rows);
        Stack s(m_t.lab->catalog());
        s.groups.setGroupKey(QStringLiteral("group"));
        s.proxy.setFilterFixedString(search);
        QCOMPARE(s.layout(), rows);
        s.proxy.setFilterFixedString({});
        QCOMPARE(s.groups.rowCount(), 3);
        QCOMPARE(s.groups.rowCount(sectionOf(&s.groups, QStringLiteral("a"))), 2);
    }

    // FleetFilter's search keeps one text per row between keystrokes: it finds the rows Qt's
    // own fixed-string filter over every column finds, and a catalog change is searched anew.
    void searchFindsWhatQtsFilterFinds()
    {
        FleetModel fleet(m_t.lab->catalog());
        FleetFilter search;
        search.setSourceModel(&fleet);
        search.sort(FleetModel::Name);
        QSortFilterProxyModel qt;
        qt.setSourceModel(&fleet);
        qt.setFilterCaseSensitivity(Qt::CaseInsensitive);
        qt.setFilterKeyColumn(-1);
        qt.sort(FleetModel::Name);
        const auto names = [](const QAbstractItemModel &model) {
            QStringList rows;
            for (int r = 0; r < model.rowCount(); ++r)
                rows.append(model.index(r, 0).data(FleetModel::MachineNameRole).toString());
            return rows;
        };
        for (const QString &text : { QStringLiteral("pc"), QStringLiteral("PC-B"), QStringLiteral("room=r1"),
                 QStringLiteral("r1"), QStringLiteral("10.0.0.3"), QStringLiteral("52:54:00:00:00:0"),
                 QStringLiteral("a"), QStringLiteral("no-such-machine"), QString() }) {
            search.setSearch(text);
            qt.setFilterFixedString(text);
            QCOMPARE(names(search), names(qt));
        }
        search.setSearch(QStringLiteral("room=r1"));
        QCOMPARE(names(search), (QStringList { QStringLiteral("pc-a1"), QStringLiteral("pc-n1") }));
        // The catalog changes under the search: pc-n2 joins room r1 and is found.
        QVERIFY(
            m_t.lab->catalog()->setLabel(QStringLiteral("pc-n2"), QStringLiteral("room"), QStringLiteral("r1")).ok());
        QTRY_COMPARE(
            names(search), (QStringList { QStringLiteral("pc-a1"), QStringLiteral("pc-n1"), QStringLiteral("pc-n2") }));
    }

    void countsFollowTheCatalog()
    {
        Stack s(m_t.lab->catalog());
        s.groups.setGroupKey(QStringLiteral("group"));
        Catalog *c = m_t.lab->catalog();
        // pc-a2 boots fine now; pc-n1 joins group b.
        QVERIFY(
            c->recordMachineSeen(
                 QStringLiteral("pc-a2"), MachineState::Ready, QStringLiteral("ready"), QStringLiteral("10.0.0.2"))
                .ok());
        QTRY_COMPARE(s.layout().value(0), QStringLiteral("group: a — 2 machine(s), 2 ready|pc-a1,pc-a2"));
        QVERIFY(c->setLabel(QStringLiteral("pc-n1"), QStringLiteral("group"), QStringLiteral("b")).ok());
        QTRY_COMPARE(s.layout().value(1), QStringLiteral("group: b — 2 machine(s), 1 ready, 1 unknown|pc-b1,pc-n1"));
        QCOMPARE(s.layout().value(2), QStringLiteral("(no group) — 1 machine(s), 1 booting|pc-n2"));
    }

    void tenThousandRows()
    {
        // 10,000 machines in 50 groups, in a tree view as the fleet table shows them: grouping,
        // sorting and a search give the right sections. The times are printed, not asserted
        // (a shared machine's timings are not a test result).
        QStandardItemModel source(10000, FleetModel::ColumnCount);
        fillFleet(source, 5, 50, 0, 0);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&source);
        proxy.setFilterKeyColumn(0);
        LabelGroupModel groups;
        groups.setSourceModel(&proxy);
        QTreeView view;
        view.setUniformRowHeights(true);
        view.setModel(&groups);
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QElapsedTimer timer;
        timer.start();
        groups.setGroupKey(QStringLiteral("group"));
        for (int row = 0; row < groups.rowCount(); ++row) {
            view.setFirstColumnSpanned(row, {}, true);
            view.expand(groups.index(row, 0));
        }
        QCoreApplication::processEvents();
        const qint64 grouping = timer.restart();
        QCOMPARE(groups.rowCount(), 50);
        QCOMPARE(groups.rowCount(groups.index(0, 0)), 200);
        proxy.sort(0, Qt::DescendingOrder);
        QCoreApplication::processEvents();
        const qint64 sorting = timer.restart();
        QCOMPARE(groups.index(0, 0, groups.index(0, 0)).data().toString(), QStringLiteral("pc-09950"));
        proxy.setFilterFixedString(QStringLiteral("pc-0999"));
        QCoreApplication::processEvents();
        const qint64 searching = timer.restart();
        QCOMPARE(groups.rowCount(), 10);
        qInfo("10,000 rows: grouping %lld ms, sorting %lld ms, a search %lld ms", grouping, sorting, searching);
    }

    // A search hides and shows rows in many separate runs (every machine with a 5 in its
    // name); the sections change in place for each run. After every search they must be
    // what a rebuild from scratch gives, header counts included; the tables stay consistent
    // (QAbstractItemModelTester), flat and grouped, and a selected machine stays selected.
    void searchInRunsMatchesARebuild_data()
    {
        QTest::addColumn<bool>("bulk");
        QTest::newRow("run by run") << false;
        // As FleetView wires FleetFilter's search to it: one layout change per search.
        QTest::newRow("in bulk") << true;
    }

    void searchInRunsMatchesARebuild()
    {
        QFETCH(bool, bulk);
        QStandardItemModel source(1000, FleetModel::ColumnCount);
        fillFleet(source, 4, 7, 11, 97);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&source);
        proxy.setFilterKeyColumn(0);
        proxy.sort(0, Qt::DescendingOrder);
        LabelGroupModel grouped;
        grouped.setSourceModel(&proxy);
        grouped.setGroupKey(QStringLiteral("group"));
        QAbstractItemModelTester groupedTester(&grouped, QAbstractItemModelTester::FailureReportingMode::QtTest);
        LabelGroupModel flat;
        flat.setSourceModel(&proxy);
        QAbstractItemModelTester flatTester(&flat, QAbstractItemModelTester::FailureReportingMode::QtTest);

        const auto describe = [](const LabelGroupModel &groups) {
            QStringList rows;
            for (int r = 0; r < groups.rowCount(); ++r) {
                const QModelIndex top = groups.index(r, 0);
                QStringList names;
                for (int c = 0; c < groups.rowCount(top); ++c)
                    names.append(groups.index(c, 0, top).data(FleetModel::MachineNameRole).toString());
                rows.append(top.data().toString() + QLatin1Char('|') + names.join(QLatin1Char(',')));
            }
            return rows;
        };
        const auto name = [](const QModelIndex &index) { return index.data(FleetModel::MachineNameRole).toString(); };
        // pc-0500: a 5 in its name, group g3, never hidden by the searches below.
        const auto find = [&](const LabelGroupModel &groups, const QString &machine) {
            for (int r = 0; r < groups.rowCount(); ++r) {
                const QModelIndex top = groups.index(r, 0);
                if (!groups.isSection(top)) {
                    if (name(top) == machine)
                        return top;
                    continue;
                }
                for (int c = 0; c < groups.rowCount(top); ++c) {
                    if (name(groups.index(c, 0, top)) == machine)
                        return groups.index(c, 0, top);
                }
            }
            return QModelIndex();
        };
        QItemSelectionModel groupedSelection(&grouped);
        groupedSelection.select(
            find(grouped, QStringLiteral("pc-0500")), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QItemSelectionModel flatSelection(&flat);
        flatSelection.select(
            find(flat, QStringLiteral("pc-0500")), QItemSelectionModel::Select | QItemSelectionModel::Rows);

        const auto search = [&](const QString &text) {
            if (bulk) {
                grouped.beginBulkChange();
                flat.beginBulkChange();
            }
            proxy.setFilterFixedString(text);
            if (bulk) {
                grouped.endBulkChange();
                flat.endBulkChange();
            }
        };
        for (const char *text : { "5", "05", "0", "", "50", "5", "", "00" }) {
            QSignalSpy layouts(&grouped, &QAbstractItemModel::layoutChanged);
            search(QString::fromLatin1(text));
            // "5" after "" hides rows in hundreds of runs; in bulk they are one layout change.
            if (bulk)
                QCOMPARE_LE(layouts.size(), 1);
            else if (QString::fromLatin1(text) == QStringLiteral("00"))
                QCOMPARE_GT(layouts.size(), 1);
            LabelGroupModel fresh;
            fresh.setSourceModel(&proxy);
            fresh.setGroupKey(QStringLiteral("group"));
            QCOMPARE(describe(grouped), describe(fresh));
            QCOMPARE(flat.rowCount(), proxy.rowCount());
            for (int r = 0; r < flat.rowCount(); ++r)
                QCOMPARE(name(flat.index(r, 0)), name(proxy.index(r, 0)));
            QCOMPARE(groupedSelection.selectedRows().size(), 1);
            QCOMPARE(name(groupedSelection.selectedRows().value(0)), QStringLiteral("pc-0500"));
            QCOMPARE(groupedSelection.selectedRows().value(0), find(grouped, QStringLiteral("pc-0500")));
            QCOMPARE(flatSelection.selectedRows().size(), 1);
            QCOMPARE(name(flatSelection.selectedRows().value(0)), QStringLiteral("pc-0500"));
        }
        // A section emptied by the search is gone, and comes back when the search is cleared.
        search(QStringLiteral("pc-0001"));
        QCOMPARE(describe(grouped), QStringList { QStringLiteral("group: g1 — 1 machine(s), 1 booting|pc-0001") });
        QVERIFY(groupedSelection.selectedRows().isEmpty());
        search({});
        QCOMPARE(grouped.rowCount(), 9); // New, g0…g6, (no group)
    }

    void comboListsTheKeysAndRemembers()
    {
        FleetModel fleet(m_t.lab->catalog());
        {
            FleetView view(&fleet);
            QComboBox *combo = view.groupBy();
            QStringList items;
            for (int i = 0; i < combo->count(); ++i)
                items.append(combo->itemText(i));
            // "group" first, then the others by name.
            QCOMPARE(items,
                (QStringList { QStringLiteral("(none)"), QStringLiteral("group"), QStringLiteral("aisle"),
                    QStringLiteral("room") }));
            QVERIFY(!combo->toolTip().isEmpty());
            QCOMPARE(view.groupKey(), QString());
            QVERIFY(!view.table()->rootIsDecorated());
            QCOMPARE(view.table()->model()->rowCount(), 5);

            combo->setCurrentIndex(combo->findText(QStringLiteral("room")));
            QCOMPARE(view.groupKey(), QStringLiteral("room"));
            QVERIFY(view.table()->rootIsDecorated());
            QCOMPARE(view.table()->model()->rowCount(), 2);
            QVERIFY(view.table()->isFirstColumnSpanned(0, {}));
            QVERIFY(view.table()->isExpanded(view.table()->model()->index(0, 0)));

            // A key that appears in the catalog appears in the combo.
            QVERIFY(m_t.lab->catalog()
                    ->setLabel(QStringLiteral("pc-n2"), QStringLiteral("rack"), QStringLiteral("r9"))
                    .ok());
            QTRY_COMPARE(combo->count(), 5);
            QCOMPARE(combo->itemText(3), QStringLiteral("rack")); // by name: aisle, rack, room
            QCOMPARE(combo->currentText(), QStringLiteral("room")); // the choice stays
        }
        // A new view (the next start) comes back grouped the same way.
        FleetView again(&fleet);
        QCOMPARE(again.groupKey(), QStringLiteral("room"));
        QCOMPARE(again.groupBy()->currentText(), QStringLiteral("room"));
        again.setGroupKey({});
        QCOMPARE(again.groupBy()->currentIndex(), 0);
        QCOMPARE(QSettings().value(QStringLiteral("fleet/groupBy")).toString(), QString());
    }

    void headerSelectsItsMachines()
    {
        FleetModel fleet(m_t.lab->catalog());
        FleetView view(&fleet);
        view.setGroupKey(QStringLiteral("group"));
        QTreeView *table = view.table();
        auto *groups = view.groups();
        const QModelIndex a = sectionOf(groups, QStringLiteral("a"));
        const QModelIndex none = sectionOf(groups, QString());
        table->selectionModel()->select(a, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(view.selectedMachines(), (QStringList { QStringLiteral("pc-a1"), QStringLiteral("pc-a2") }));
        // A header and one of its machines: each machine once; another machine added.
        table->selectionModel()->select(
            groups->index(0, 0, a), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        table->selectionModel()->select(
            groups->index(1, 0, none), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(view.selectedMachines(),
            (QStringList { QStringLiteral("pc-a1"), QStringLiteral("pc-a2"), QStringLiteral("pc-n2") }));
        // The search narrows a header to the machines it shows.
        table->selectionModel()->clearSelection();
        view.search()->setText(QStringLiteral("pc-a2"));
        const QModelIndex narrowed = sectionOf(groups, QStringLiteral("a"));
        table->selectionModel()->select(narrowed, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(view.selectedMachines(), QStringList { QStringLiteral("pc-a2") });
    }

    void collapsedSectionsSurviveARefresh()
    {
        FleetModel fleet(m_t.lab->catalog());
        FleetView view(&fleet);
        view.resize(900, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setGroupKey(QStringLiteral("group"));
        QTreeView *table = view.table();
        auto *groups = view.groups();
        table->collapse(sectionOf(groups, QStringLiteral("b")));
        QVERIFY(!table->isExpanded(sectionOf(groups, QStringLiteral("b"))));
        // The catalog changes: the models reset; b stays collapsed, the others open.
        QSignalSpy reset(groups, &QAbstractItemModel::modelReset);
        QVERIFY(m_t.lab->catalog()
                ->recordMachineSeen(
                    QStringLiteral("pc-n1"), MachineState::Ready, QStringLiteral("ready"), QStringLiteral("10.0.0.4"))
                .ok());
        QTRY_VERIFY(!reset.isEmpty());
        QVERIFY(!table->isExpanded(sectionOf(groups, QStringLiteral("b"))));
        QVERIFY(table->isExpanded(sectionOf(groups, QStringLiteral("a"))));
        QVERIFY(table->isExpanded(sectionOf(groups, QString())));
        // A section the search hid comes back expanded.
        view.search()->setText(QStringLiteral("pc-b"));
        QCOMPARE(groups->rowCount(), 1);
        view.search()->clear();
        QCOMPARE(groups->rowCount(), 3);
        QVERIFY(table->isExpanded(sectionOf(groups, QStringLiteral("a"))));
        QVERIFY(table->isFirstColumnSpanned(sectionOf(groups, QStringLiteral("a")).row(), {}));
        // Expanded again, it is remembered open.
        table->expand(sectionOf(groups, QStringLiteral("b")));
        fleet.reload();
        QVERIFY(table->isExpanded(sectionOf(groups, QStringLiteral("b"))));
    }

    void dropOnSectionHeader_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("group"); // the group assigned, if any
        QTest::addColumn<QStringList>("machines"); // the machines assigned one by one
        QTest::addColumn<int>("changes");
        QTest::newRow("group a") << QStringLiteral("group") << QStringLiteral("a") << QStringLiteral("a")
                                 << QStringList {} << 2;
        QTest::newRow("no group") << QStringLiteral("group") << QString() << QString()
                                  << QStringList { QStringLiteral("pc-n1"), QStringLiteral("pc-n2") } << 2;
        QTest::newRow("room r1") << QStringLiteral("room") << QStringLiteral("r1") << QString()
                                 << QStringList { QStringLiteral("pc-a1"), QStringLiteral("pc-n1") } << 2;
    }

    void dropOnSectionHeader()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, group);
        QFETCH(QStringList, machines);
        QFETCH(int, changes);
        MainWindow w(m_t.lab.get());
        w.resize(1400, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QList<PlannedChange> confirmed;
        int asked = 0;
        w.fleetActions()->setConfirm([&confirmed, &asked](const QString &, const QList<PlannedChange> &planned) {
            confirmed = planned;
            ++asked;
            return true;
        });
        FleetView *view = w.fleetView();
        view->setGroupKey(key);
        const QModelIndex section = sectionOf(view->groups(), value);
        QVERIFY(section.isValid());
        QMimeData data;
        data.setData(ImageModel::mimeType(), "deb:2");
        drop(view->table(), section, &data);
        QCOMPARE(asked, 1);
        QCOMPARE(confirmed.size(), changes);
        Catalog *c = m_t.lab->catalog();
        const auto groupAssignment = c->currentAssignment(TargetKind::Group, value);
        QCOMPARE(groupAssignment.has_value() && !value.isEmpty(), !group.isEmpty());
        if (!group.isEmpty())
            QCOMPARE(groupAssignment->image, QStringLiteral("deb:2"));
        for (const QString &name : { QStringLiteral("pc-a1"), QStringLiteral("pc-a2"), QStringLiteral("pc-b1"),
                 QStringLiteral("pc-n1"), QStringLiteral("pc-n2") }) {
            const auto own = c->currentAssignment(TargetKind::Machine, name);
            QCOMPARE(bool(own), machines.contains(name));
        }
        // Undo takes it back, as for any assignment.
        QVERIFY(w.undoStack()->canUndo());
        w.undoStack()->undo();
        QVERIFY(!c->currentAssignment(TargetKind::Group, QStringLiteral("a")));
        QVERIFY(!c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-n1")));
    }

    void dropOnMachineWhileGrouped()
    {
        MainWindow w(m_t.lab.get());
        w.resize(1400, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.fleetActions()->setConfirm([](const QString &, const QList<PlannedChange> &) { return true; });
        FleetView *view = w.fleetView();
        view->setGroupKey(QStringLiteral("group"));
        const QModelIndex a = sectionOf(view->groups(), QStringLiteral("a"));
        QMimeData data;
        data.setData(ImageModel::mimeType(), "deb:1");
        drop(view->table(), view->groups()->index(1, FleetModel::Status, a), &data);
        Catalog *c = m_t.lab->catalog();
        QCOMPARE(c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-a2"))->image, QStringLiteral("deb:1"));
        QVERIFY(!c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-a1")));
        QVERIFY(!c->currentAssignment(TargetKind::Group, QStringLiteral("a")));
    }
};

QTEST_MAIN(TstFleetGrouping)
#include "tst_fleetgrouping.moc"
