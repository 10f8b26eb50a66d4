// currentUser: the name history and the log record for the person at the keyboard.
#include "util/currentuser.h"

#include <QTest>

#include <unistd.h>

using namespace drover;

class TstCurrentUser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fromEnvironment_data()
    {
        QTest::addColumn<QStringList>("variables"); // NAME=VALUE
        QTest::addColumn<unsigned>("uid");
        QTest::addColumn<QString>("expected");
        QTest::newRow("user") << QStringList { QStringLiteral("USER=anna") } << 1000u << QStringLiteral("anna");
        QTest::newRow("sudo: the user who ran it")
            << QStringList { QStringLiteral("USER=root"), QStringLiteral("SUDO_USER=anna") } << 0u
            << QStringLiteral("anna");
        QTest::newRow("SUDO_USER ignored when not root") << QStringList { QStringLiteral("USER=ben"),
            QStringLiteral("SUDO_USER=anna") } << 1000u << QStringLiteral("ben");
        QTest::newRow("logname") << QStringList { QStringLiteral("LOGNAME=carl") } << 1000u << QStringLiteral("carl");
        QTest::newRow("blank is none") << QStringList { QStringLiteral("USER= "), QStringLiteral("LOGNAME=dora") }
                                       << 1000u << QStringLiteral("dora");
        QTest::newRow("no environment: the account of uid 0") << QStringList {} << 0u << QStringLiteral("root");
    }

    void fromEnvironment()
    {
        QFETCH(QStringList, variables);
        QFETCH(unsigned, uid);
        QFETCH(QString, expected);
        QProcessEnvironment env;
        for (const QString &v : std::as_const(variables))
            env.insert(v.section(QLatin1Char('='), 0, 0), v.section(QLatin1Char('='), 1));
        QCOMPARE(currentUser(env, uid), expected);
    }

    void thisProcess() { QVERIFY(!currentUser().isEmpty()); }
};

QTEST_GUILESS_MAIN(TstCurrentUser)
#include "tst_currentuser.moc"
