// drover: parses the global options, then runs a command-line verb, the headless server, or
// the main window on the same core.
#include "boot/bootserver.h"
#include "cli/cli.h"
#include "lab/lab.h"
#include "log/logthrottle.h"
#include "main/mainwindow.h"
#include "runtime/filelimit.h"
#include "runtime/signalwatcher.h"
#include "util/currentuser.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QTextStream>
#include <QTimer>
#include <QTranslator>

#include <cstdio>
#include <memory>

using namespace drover;

namespace {

struct GlobalOptions {
    QString dataDir;
    QString catalogUrl;
    QString lang;
    bool json = false;
    bool headless = false;
    QStringList verbArgs;
    // --headless boot server flags, checked by bootSettingsFromFlags
    BootFlags boot;
};

// The global options; descriptions are translated when built after the translators.
struct GlobalParser {
    Q_DECLARE_TR_FUNCTIONS(main)
public:
    QCommandLineOption help { QStringList { QStringLiteral("h"), QStringLiteral("help") }, tr("Show this help.") };
    QCommandLineOption version { QStringLiteral("version"), tr("Show the version.") };
    QCommandLineOption data { QStringLiteral("data"), tr("Data directory (default ~/.local/share/drover)."),
        QStringLiteral("DIR") };
    QCommandLineOption db { QStringLiteral("db"), tr("Catalog: a SQLite file or postgresql://user@host/database."),
        QStringLiteral("URL") };
    QCommandLineOption lang { QStringLiteral("lang"), tr("Language, e.g. de (default: the system's)."),
        QStringLiteral("LANG") };
    QCommandLineOption json { QStringLiteral("json"), tr("Print listings as JSON.") };
    QCommandLineOption headless { QStringLiteral("headless"),
        tr("Run the boot server without a window until SIGTERM.") };
    QCommandLineOption dhcp { QStringLiteral("dhcp"), tr("With --headless: DHCP mode proxy (default), full or off."),
        QStringLiteral("MODE") };
    QCommandLineOption interfaceName { QStringLiteral("interface"), tr("With --headless: the lab's network interface."),
        QStringLiteral("IF") };
    QCommandLineOption httpPort { QStringLiteral("http-port"), tr("With --headless: HTTP port (default 8080)."),
        QStringLiteral("N") };
    QCommandLineOption tftpPort { QStringLiteral("tftp-port"), tr("With --headless: TFTP port (default 69)."),
        QStringLiteral("N") };
    QCommandLineOption unknown { QStringLiteral("unknown"),
        tr("With --headless: unknown machines are ignored, registered, or registered and booted "
           "(ignore|register|boot; default: the catalog's setting)."),
        QStringLiteral("POLICY") };
    QCommandLineOption range { QStringLiteral("range"),
        tr("With --headless --dhcp full: the addresses handed out, FIRST-LAST (default: .100-.199 of the "
           "interface's subnet)."),
        QStringLiteral("RANGE") };
    QCommandLineOption screenshot { QStringLiteral("screenshot"),
        tr("Open the window, save a picture of it to FILE and quit (for the docs)."), QStringLiteral("FILE") };

    void build(QCommandLineParser &parser) const
    {
        parser.setApplicationDescription(tr("Drover: stateless machines, images chosen at boot."));
        parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
        for (const auto &option : { help, version, data, db, lang, json, headless, screenshot, dhcp, interfaceName,
                 httpPort, tftpPort, unknown, range })
            parser.addOption(option);
        parser.addPositionalArgument(tr("command"), tr("A command; see Commands below."), tr("[command [args…]]"));
    }
};

QString helpText(const QCommandLineParser &parser)
{
    QString usage = parser.helpText();
    usage.replace(QCoreApplication::arguments().constFirst(), QStringLiteral("drover"));
    return usage + QCoreApplication::translate("main", "\nCommands:\n") + verbHelp(allVerbs());
}

void installTranslators(QCoreApplication &app, const QString &lang)
{
    const QLocale locale = lang.isEmpty() ? QLocale::system() : QLocale(lang);
    auto *own = new QTranslator(&app);
    // Without a translation for the locale (the C locale too), English with its plural
    // forms: "1 machine", not "1 machine(s)".
    if (own->load(locale, QStringLiteral("drover"), QStringLiteral("_"), QStringLiteral(":/i18n"))
        || own->load(QStringLiteral(":/i18n/drover_en")))
        QCoreApplication::installTranslator(own);
    auto *qt = new QTranslator(&app);
    if (qt->load(
            locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

int runVerb(const GlobalOptions &options)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    const QList<Verb> verbs = allVerbs();
    const Verb *verb = findVerb(verbs, options.verbArgs);
    if (!verb) {
        err << QCoreApplication::translate("main", "drover: unknown command '%1'; see drover --help")
                   .arg(options.verbArgs.join(QLatin1Char(' ')))
            << Qt::endl;
        return ExitUsage;
    }
    auto lab = Lab::open(LabOptions { options.dataDir, options.catalogUrl });
    if (!lab) {
        err << "drover: " << lab.error() << Qt::endl;
        return ExitError;
    }
    const QString who = currentUser();
    CliContext ctx { lab->get(), options.verbArgs, out, err, options.json, who };
    return verb->run(ctx, *verb);
}

int runHeadless(QCoreApplication &app, const GlobalOptions &options)
{
    QTextStream err(stderr);
    auto settings = bootSettingsFromFlags(options.boot);
    if (!settings) {
        err << "drover: " << settings.error() << Qt::endl;
        return ExitUsage;
    }
    auto lab = Lab::open(LabOptions { options.dataDir, options.catalogUrl });
    if (!lab) {
        err << "drover: " << lab.error() << Qt::endl;
        return ExitError;
    }
    // Buffered, flushed 5 times a second, and throttled: a boot storm logs thousands of
    // lines a second (LogThrottle says how many get through).
    LogThrottle throttle;
    QTimer flush;
    QObject::connect(&flush, &QTimer::timeout, &app, [&err, &throttle] {
        if (const int held = throttle.takeSuppressed(QDateTime::currentMSecsSinceEpoch()))
            err << QDateTime::currentDateTime().toString(Qt::ISODateWithMs) << " info server: "
                << QCoreApplication::translate(
                       "main", "… and %n more info line(s) not shown (drover events has them all)", nullptr, held)
                << '\n';
        err.flush();
    });
    flush.start(200);
    QObject::connect(lab->get()->log(), &LogBus::entryPosted, &app, [&err, &throttle](const LogEntry &e) {
        if (e.severity == Severity::Debug || !throttle.admit(e, QDateTime::currentMSecsSinceEpoch()))
            return;
        err << e.time.toLocalTime().toString(Qt::ISODateWithMs) << ' ' << severityName(e.severity) << ' ' << e.source
            << (e.machine.isEmpty() ? QString() : QLatin1Char(' ') + e.machine) << ": " << e.text << '\n';
        if (e.severity >= Severity::Warning)
            err.flush();
    });
    SignalWatcher signals_;
    QObject::connect(&signals_, &SignalWatcher::terminationRequested, &app, [&app, &lab](int signal) {
        lab->get()->log()->post(Severity::Info, QStringLiteral("server"),
            QCoreApplication::translate("main", "signal %1: stopping").arg(signal));
        app.quit();
    });
    lab->get()->log()->post(Severity::Info, QStringLiteral("server"),
        QCoreApplication::translate("main", "Drover %1 running headless on %2")
            .arg(QStringLiteral(DROVER_VERSION), lab->get()->dataDir()));
    BootServer server(lab->get());
    if (Status started = server.start(settings.value()); !started) {
        QCoreApplication::processEvents(); // deliver the log lines so far
        err << "drover: " << started.error() << Qt::endl;
        return ExitError;
    }
    const int code = app.exec();
    server.stop();
    lab->get()->log()->post(Severity::Info, QStringLiteral("server"), QCoreApplication::translate("main", "stopped"));
    QCoreApplication::processEvents();
    err.flush();
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
    // Before any server opens a socket: the boot server logs the limit it got when it starts.
    (void)raiseFileLimit();
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args.append(QString::fromLocal8Bit(argv[i]));

    // Global options come before the command; everything from the command on is its own.
    QCommandLineParser parser;
    GlobalParser global;
    global.build(parser);

    // --json may also follow the command, as scripts tend to write it.
    QStringList globalArgs = args;
    bool jsonAnywhere = false;
    const qsizetype jsonAt = globalArgs.indexOf(QStringLiteral("--json"), 1);
    if (jsonAt > 0) {
        jsonAnywhere = true;
        globalArgs.removeAt(jsonAt);
    }
    if (!parser.parse(globalArgs)) {
        std::fprintf(stderr, "drover: %s\n", qPrintable(parser.errorText()));
        return ExitUsage;
    }
    GlobalOptions options { parser.value(global.data), parser.value(global.db), parser.value(global.lang),
        jsonAnywhere || parser.isSet(global.json), parser.isSet(global.headless), parser.positionalArguments(),
        BootFlags { parser.value(global.dhcp), parser.value(global.interfaceName), parser.value(global.httpPort),
            parser.value(global.tftpPort), parser.value(global.unknown), parser.value(global.range) } };
    for (const QCommandLineOption *serverOption :
        { &global.dhcp, &global.interfaceName, &global.httpPort, &global.tftpPort, &global.unknown, &global.range }) {
        if (parser.isSet(*serverOption) && !options.headless) {
            std::fprintf(stderr, "drover: --%s needs --headless\n", qPrintable(serverOption->names().constFirst()));
            return ExitUsage;
        }
    }

    QCoreApplication::setApplicationName(QStringLiteral("drover"));
    QCoreApplication::setOrganizationName(QStringLiteral("drover"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DROVER_VERSION));

    if (parser.isSet(global.version)) {
        std::printf("drover %s\n", DROVER_VERSION);
        return ExitOk;
    }
    if (parser.isSet(global.help) || !options.verbArgs.isEmpty() || options.headless) {
        QCoreApplication app(argc, argv);
        installTranslators(app, options.lang);
        if (parser.isSet(global.help)) {
            // Built again now that the translators are installed.
            QCommandLineParser translated;
            GlobalParser().build(translated);
            std::printf("%s", qPrintable(helpText(translated)));
            return ExitOk;
        }
        return options.verbArgs.isEmpty() ? runHeadless(app, options) : runVerb(options);
    }

    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("Drover"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/drover.svg")));
    installTranslators(app, options.lang);
    auto lab = Lab::open(LabOptions { options.dataDir, options.catalogUrl });
    if (!lab) {
        std::fprintf(stderr, "drover: %s\n", qPrintable(lab.error()));
        return ExitError;
    }
    MainWindow window(lab->get());
    window.show();
    if (const QString file = parser.value(global.screenshot); !file.isEmpty()) {
        // Let the layout settle and the models load before taking the picture.
        QTimer::singleShot(1500, &window, [&window, file] {
            const bool saved = window.grab().save(file);
            std::fprintf(saved ? stdout : stderr, "%s %s\n", saved ? "saved" : "cannot save", qPrintable(file));
            QCoreApplication::exit(saved ? ExitOk : ExitError);
        });
    }
    return app.exec();
}
