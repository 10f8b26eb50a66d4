// LogThrottle: in a boot storm the terminal gets a budget of info lines per second and one
// line saying how many more there were; warnings and errors always get through.
#include "log/logthrottle.h"

#include <QTest>

using namespace drover;

class TstLogThrottle : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void storm()
    {
        LogThrottle throttle(100);
        LogEntry info;
        info.severity = Severity::Info;
        LogEntry warning;
        warning.severity = Severity::Warning;
        int shown = 0;
        for (int i = 0; i < 5000; ++i)
            shown += throttle.admit(info, 10'000 + i / 10) ? 1 : 0; // 5,000 lines within 0.5 s
        QCOMPARE(shown, 100);
        QVERIFY(throttle.admit(warning, 10'400)); // never held back
        QCOMPARE(throttle.takeSuppressed(10'600), 0); // the second is still open
        QCOMPARE(throttle.takeSuppressed(11'000), 4900);
        QCOMPARE(throttle.takeSuppressed(11'200), 0); // reported once
        // A quiet second later: everything passes again.
        for (int i = 0; i < 50; ++i)
            QVERIFY(throttle.admit(info, 12'000 + i));
        QCOMPARE(throttle.takeSuppressed(13'000), 0);
    }

    void heldBackCountedWhenTheNextSecondStarts()
    {
        LogThrottle throttle(1);
        LogEntry info;
        QVERIFY(throttle.admit(info, 0));
        QVERIFY(!throttle.admit(info, 10));
        QVERIFY(!throttle.admit(info, 20));
        QVERIFY(throttle.admit(info, 1500)); // the next second's budget
        QCOMPARE(throttle.takeSuppressed(1600), 2);
    }
};

QTEST_GUILESS_MAIN(TstLogThrottle)
#include "tst_logthrottle.moc"
