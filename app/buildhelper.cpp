// drover-build-helper: builds an image as root for a desktop user's Drover, run by pkexec
// (polkit action org.drover.build) only; the conversation is in core/builder/buildhelper.h.
// It links no GUI code, and takes nothing from its command line.
#include "builder/buildhelper.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    bool ok = false;
    const uint caller = qEnvironmentVariable("PKEXEC_UID").toUInt(&ok);
    if (!ok || argc != 1) {
        std::fputs("drover-build-helper: Drover runs this through pkexec when it builds an image for a user who is "
                   "not root; it takes no arguments\n",
            stderr);
        return 2;
    }
    // The caller's language (pkexec keeps the locale variables): its messages end up in the
    // caller's window or terminal. English with its plural forms where there is none.
    QTranslator own;
    if (own.load(QLocale::system(), QStringLiteral("drover"), QStringLiteral("_"), QStringLiteral(":/i18n"))
        || own.load(QStringLiteral(":/i18n/drover_en")))
        QCoreApplication::installTranslator(&own);
    QTranslator qt;
    if (qt.load(QLocale::system(), QStringLiteral("qtbase"), QStringLiteral("_"),
            QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(&qt);
    // pkexec keeps no environment but a few locale variables, so DROVER_HELPER_DIR is a
    // test's choice or root's own, never the caller's.
    drover::BuildHelper helper({ caller, qEnvironmentVariable("DROVER_HELPER_DIR") });
    QObject::connect(&helper, &drover::BuildHelper::finished, &app, [](int code) { QCoreApplication::exit(code); });
    QTimer::singleShot(0, &helper, &drover::BuildHelper::start);
    return QCoreApplication::exec();
}
