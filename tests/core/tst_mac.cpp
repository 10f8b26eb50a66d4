#include "util/mac.h"

#include <QTest>

using namespace drover;

class TstMac : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void normalize_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected"); // empty: rejected
        QTest::newRow("colons") << QStringLiteral("52:54:00:12:34:56") << QStringLiteral("52:54:00:12:34:56");
        QTest::newRow("upper dashes") << QStringLiteral("52-54-00-AB-CD-EF") << QStringLiteral("52:54:00:ab:cd:ef");
        QTest::newRow("cisco") << QStringLiteral("5254.00ab.cdef") << QStringLiteral("52:54:00:ab:cd:ef");
        QTest::newRow("bare") << QStringLiteral("525400abcdef") << QStringLiteral("52:54:00:ab:cd:ef");
        QTest::newRow("short") << QStringLiteral("52:54:00:12:34") << QString();
        QTest::newRow("long") << QStringLiteral("52:54:00:12:34:56:78") << QString();
        QTest::newRow("not hex") << QStringLiteral("52:54:00:12:34:5g") << QString();
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("path") << QStringLiteral("../../etc/passwd") << QString();
    }
    void normalize()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        const auto mac = normalizeMac(input);
        QCOMPARE(mac.value_or(QString()), expected);
    }
};

QTEST_GUILESS_MAIN(TstMac)
#include "tst_mac.moc"
