// libFuzzer target: the iPXE script renderer with catalog values taken from the input. Any
// input must give a script whose lines are the renderer's own commands, in printable ASCII,
// with a kernel line free of '$', quotes, '#', "&&" and extra "||" — the properties that
// stop a catalog value from injecting iPXE commands.
#include "boot/ipxescript.h"

#include <QStringList>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace drover;

namespace {

const QStringList kCommands = { QStringLiteral("#!ipxe"), QStringLiteral("#"), QStringLiteral("echo"),
    QStringLiteral("set"), QStringLiteral(":drover_fetch"), QStringLiteral("inc"), QStringLiteral("kernel"),
    QStringLiteral("initrd"), QStringLiteral("boot"), QStringLiteral(":drover_retry"), QStringLiteral("iseq"),
    QStringLiteral("sleep"), QStringLiteral("goto"), QStringLiteral(":drover_again"), QStringLiteral("chain"),
    QStringLiteral("exit"), QStringLiteral(":drover_failed") };

void check(const QByteArray &script, bool bootScript)
{
    for (char c : script) {
        if (c != '\n' && (c < 0x20 || c > 0x7e))
            std::abort();
    }
    for (const QByteArray &line : script.split('\n')) {
        if (line.isEmpty())
            continue;
        const QString command = QString::fromLatin1(line).section(QLatin1Char(' '), 0, 0);
        if (!kCommands.contains(command))
            std::abort();
        if (line.startsWith("echo ") && (line.contains('$') || line.contains("||") || line.contains("&&")))
            std::abort();
        if (bootScript && line.startsWith("kernel ")) {
            if (line.contains('$') || line.contains('"') || line.contains('\'') || line.contains('#')
                || line.contains("&&") || line.count("||") != 1)
                std::abort();
            // Drover's own arguments appear once each: no catalog value adds or overrides one.
            for (const char *key :
                { "initrd=", "drover.server=", "drover.manifest=", "drover.mac=", "drover.boot=", "drover.token=" }) {
                int count = 0;
                for (const QByteArray &token : line.split(' '))
                    count += token.startsWith(key) ? 1 : 0;
                if (count != 1)
                    std::abort();
            }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // The input, split on 0xff bytes, feeds the fields the catalog and the client control.
    const QList<QByteArray> parts = QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)).split('\xff');
    auto part = [&](int i) { return i < parts.size() ? QString::fromUtf8(parts.at(i)) : QString(); };
    BootScriptInput in;
    in.serverUrl = part(6).isEmpty() ? QStringLiteral("http://10.0.0.1:8080") : part(6);
    in.mac = QStringLiteral("52:54:00:12:34:56");
    in.machine = part(0);
    in.image = part(1);
    in.imageArgs = part(2);
    in.groupArgs = part(3);
    in.machineArgs = part(4);
    in.note = part(5);
    in.manifest = Digest::fromHex(QString(64, QLatin1Char('a')));
    in.kernel = BlobRef { Digest::fromHex(QString(64, QLatin1Char('b'))), 1 };
    in.initrd = BlobRef { Digest::fromHex(QString(64, QLatin1Char('c'))), 1 };
    in.bootId = QStringLiteral("0123456789abcdef");
    in.token = QStringLiteral("0123456789abcdef0123456789abcdef");
    check(renderBootScript(in).text, true);
    check(renderWaitScript(in.serverUrl, in.machine), false);
    check(renderExitScript(in.image), false);
    check(renderChainScript(in.serverUrl), false);
    return 0;
}
