// `drover image test NAME:VERSION [--uefi|--secure-boot] [--timeout S]`: boots the image in a throwaway
// virtual machine through Drover's own boot path and says pass or fail, with the time to
// ready and the reason (core/vm/imagetest.h). Exit code 0 on pass, 1 on fail.
#include "cli/cli.h"
#include "vm/imagetest.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonObject>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ImageTestVerb)
};

int imageTest(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("uefi"), Text::tr("Boot with UEFI firmware (OVMF) instead of BIOS.") });
    p.addOption({ QStringLiteral("secure-boot"),
        Text::tr("Boot with UEFI and Secure Boot on (Microsoft's keys): shim, GRUB and the image's signed kernel.") });
    p.addOption({ QStringLiteral("timeout"), Text::tr("Fail when not ready after this many seconds (default 600)."),
        QStringLiteral("S") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    bool ok = true;
    const int timeout = p.isSet(QStringLiteral("timeout")) ? p.value(QStringLiteral("timeout")).toInt(&ok) : 600;
    if (!ok || timeout <= 0)
        return usageError(ctx,
            Text::tr("drover: --timeout: '%1' is not a number of seconds").arg(p.value(QStringLiteral("timeout"))));
    ImageTest test(ctx.lab);
    test.setSecureBoot(p.isSet(QStringLiteral("secure-boot")));
    QEventLoop loop;
    ImageTestResult result;
    QObject::connect(&test, &ImageTest::progress, &loop, [&ctx](const QString &phase) {
        if (!ctx.json)
            ctx.err << "  " << phase << Qt::endl;
    });
    QObject::connect(&test, &ImageTest::finished, &loop, [&](const ImageTestResult &r) {
        result = r;
        loop.quit();
    });
    QString error;
    if (!test.start(p.positionalArguments().first(), p.isSet(QStringLiteral("uefi")), timeout, &error))
        return fail(ctx, error);
    loop.exec();
    if (ctx.json) {
        printJson(ctx,
            QJsonObject { { QStringLiteral("image"), result.image }, { QStringLiteral("passed"), result.passed },
                { QStringLiteral("seconds"), result.seconds }, { QStringLiteral("reason"), result.reason } });
    } else {
        ctx.out << (result.passed
                ? Text::tr("PASS %1: ready after %2 s").arg(result.image).arg(result.seconds, 0, 'f', 1)
                : Text::tr("FAIL %1 after %2 s: %3")
                      .arg(result.image)
                      .arg(result.seconds, 0, 'f', 1)
                      .arg(result.reason))
                << Qt::endl;
        if (result.passed)
            ctx.out << "  " << result.reason << Qt::endl;
        else if (!result.console.isEmpty())
            ctx.out << Text::tr("the console's last lines:") << '\n' << result.console.right(800) << Qt::endl;
    }
    return result.passed ? ExitOk : ExitError;
}

} // namespace

QList<Verb> imageTestVerbs()
{
    return { { { QStringLiteral("image"), QStringLiteral("test") },
        QStringLiteral("NAME:VERSION [--uefi|--secure-boot] [--timeout S]"),
        Text::tr("Boot an image in a throwaway virtual machine through this Drover's boot path: pass or fail, "
                 "with the time to ready and the reason."),
        imageTest } };
}

} // namespace drover
