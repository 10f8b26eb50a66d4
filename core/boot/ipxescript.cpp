// Rendering iPXE scripts. iPXE splits a command line on whitespace, expands ${…} anywhere,
// treats "||" and "&&" as operators and "#" as a comment, and knows no quoting or escapes:
// so a catalog value can only be made safe by keeping the characters that mean nothing to
// iPXE, never by escaping.
#include "boot/ipxescript.h"

#include "boot/memtest.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(IpxeScript)
};

// Characters a kernel argument may carry through iPXE: no '$' (expansion), '|' and '&'
// (operators), '#' (comment), quotes and backslashes (the kernel's own quoting, which iPXE
// cannot pass through intact), and nothing outside printable ASCII.
bool isSafeArgChar(char16_t c)
{
    if (c < 0x21 || c > 0x7e)
        return false;
    switch (c) {
    case u'$':
    case u'|':
    case u'&':
    case u'#':
    case u'"':
    case u'\'':
    case u'\\':
    case u'`':
    case u';':
        return false;
    default:
        return true;
    }
}

bool isReserved(QStringView token)
{
    const qsizetype eq = token.indexOf(u'=');
    const QStringView key = eq < 0 ? token : token.left(eq);
    for (const char *reserved : kReservedKernelArgs) {
        if (key == QLatin1StringView(reserved))
            return true;
    }
    return false;
}

QByteArray line(const QString &text)
{
    return text.toLatin1() + '\n';
}

} // namespace

QStringList sanitizeKernelArgs(const QString &text, const QString &origin, QStringList *dropped)
{
    static const QRegularExpression whitespace(QStringLiteral("\\s+"));
    QStringList kept;
    for (const QString &token : text.split(whitespace, Qt::SkipEmptyParts)) {
        QString why;
        if (token.size() > 512) {
            why = Text::tr("longer than 512 characters");
        } else if (token.startsWith(QLatin1Char('-'))) {
            why = Text::tr("starts with '-', which iPXE would read as an option");
        } else if (isReserved(token)) {
            why = Text::tr("reserved for Drover");
        } else {
            for (QChar c : token) {
                if (!isSafeArgChar(c.unicode())) {
                    why = Text::tr("contains a character iPXE cannot pass on (%1)")
                              .arg(c.unicode() >= 0x21 && c.unicode() <= 0x7e
                                      ? QString(c)
                                      : QStringLiteral("U+%1").arg(int(c.unicode()), 4, 16, QLatin1Char('0')));
                    break;
                }
            }
        }
        if (why.isEmpty())
            kept.append(token);
        else if (dropped)
            dropped->append(
                Text::tr("kernel argument '%1' from %2 dropped: %3").arg(sanitizeScriptText(token, 60), origin, why));
    }
    return kept;
}

QString sanitizeScriptText(const QString &text, int maxLength)
{
    // Fold accents (ü → u) so translated messages stay readable on a BIOS console.
    const QString folded = text.normalized(QString::NormalizationForm_KD);
    QString out;
    out.reserve(qMin<qsizetype>(folded.size(), maxLength));
    for (QChar c : folded) {
        if (out.size() >= maxLength)
            break;
        const char16_t u = c.unicode();
        if (u == u' ' || u == u'\n' || u == u'\t' || u == u'\r')
            out.append(QLatin1Char(' '));
        else if (isSafeArgChar(u))
            out.append(c);
        else if (u == u'"' || u == u'\'' || u == u'`' || c.category() == QChar::Mark_NonSpacing)
            continue; // quotes iPXE cannot parse; the accent of a folded letter
        else
            out.append(QLatin1Char('?'));
    }
    return out.simplified();
}

QString sanitizeServerUrl(const QString &url)
{
    static const QRegularExpression valid(
        QStringLiteral("^http://(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9.-]{1,253})(:[0-9]{1,5})?\\z"));
    return valid.match(url).hasMatch() ? url : QString();
}

QStringList bootKernelArgs(const BootScriptInput &input, QStringList *warnings)
{
    const QString server = sanitizeServerUrl(input.serverUrl);
    if (server.isEmpty() && warnings)
        warnings->append(Text::tr("server URL '%1' is not http://host:port").arg(sanitizeScriptText(input.serverUrl)));
    QStringList args = sanitizeKernelArgs(input.imageArgs, Text::tr("the image"), warnings);
    args += sanitizeKernelArgs(input.groupArgs, Text::tr("the group"), warnings);
    args += sanitizeKernelArgs(input.machineArgs, Text::tr("the machine"), warnings);
    // Drover's own arguments last, built only from validated values.
    static const QRegularExpression hexId(QStringLiteral("^[0-9a-f]{1,64}\\z"));
    const QString mac = sanitizeScriptText(input.mac, 17).remove(QLatin1Char(' '));
    // cloud-init's NoCloud seed: "ds=nocloud" in the catalog's arguments becomes this boot's
    // own seed URL, which carries the boot id and token the NoCloud routes require. The ';'
    // is Drover's, inside one word: iPXE only treats a ';' standing alone as a separator
    // (GRUB's script quotes every argument).
    const bool bootIds = hexId.match(input.bootId).hasMatch() && hexId.match(input.token).hasMatch();
    for (QString &arg : args) {
        if (arg == QLatin1String("ds=nocloud") || arg == QLatin1String("ds=nocloud-net")) {
            arg = bootIds && !server.isEmpty()
                ? QStringLiteral("ds=nocloud;s=%1/nocloud/%2/%3/%4/")
                      .arg(server, QString(mac).remove(QLatin1Char(':')), input.bootId, input.token)
                : QStringLiteral("ds=nocloud");
        }
    }
    args << QStringLiteral("drover.server=") + server << QStringLiteral("drover.manifest=") + input.manifest.toString()
         << QStringLiteral("drover.mac=") + mac
         << QStringLiteral("drover.boot=") + (hexId.match(input.bootId).hasMatch() ? input.bootId : QString())
         << QStringLiteral("drover.token=") + (hexId.match(input.token).hasMatch() ? input.token : QString());
    if (input.peers)
        args << QStringLiteral("drover.peers=1");
    const qsizetype length = args.join(QLatin1Char(' ')).size();
    if (length > 2048 && warnings)
        warnings->append(Text::tr("the kernel command line is %1 characters; x86 kernels keep only 2048").arg(length));
    return args;
}

RenderedScript renderBootScript(const BootScriptInput &input)
{
    RenderedScript out;
    const QString server = sanitizeServerUrl(input.serverUrl);
    // iPXE names the initrd for the kernel's EFI stub; GRUB hands it over itself.
    const QStringList args = QStringList { QStringLiteral("initrd=initrd.img") } + bootKernelArgs(input, &out.warnings);
    out.kernelArgs = args.join(QLatin1Char(' '));

    const QString blobs = server + QStringLiteral("/blobs/");
    const int attempts = qBound(1, input.attempts, 100);
    const int delay = qBound(1, input.retryDelaySeconds, 3600);
    QByteArray &s = out.text;
    s += "#!ipxe\n";
    s += line(QStringLiteral("# Drover: %1 boots %2 (boot %3)")
            .arg(sanitizeScriptText(input.machine, 64), sanitizeScriptText(input.image, 160),
                sanitizeScriptText(input.bootId, 64)));
    s += line(QStringLiteral("echo Drover: %1")
            .arg(sanitizeScriptText(Text::tr("%1 boots %2").arg(input.machine, input.image))));
    if (!input.note.isEmpty())
        s += line(QStringLiteral("echo Drover: %1").arg(sanitizeScriptText(input.note)));
    if (input.delaySeconds > 0)
        s += line(QStringLiteral("sleep %1").arg(qMin(input.delaySeconds, 3600)));
    s += "set drover_tries:int32 0\n";
    s += ":drover_fetch\n";
    s += "inc drover_tries\n";
    // Named images: a retry replaces a half-loaded kernel instead of stacking a second one.
    s += line(QStringLiteral("kernel --name kernel.img %1%2 %3 || goto drover_retry")
            .arg(blobs, input.kernel.digest.toString(), out.kernelArgs));
    s += line(QStringLiteral("initrd --name initrd.img %1%2 || goto drover_retry")
            .arg(blobs, input.initrd.digest.toString()));
    s += "boot || goto drover_retry\n";
    s += ":drover_retry\n";
    s += line(QStringLiteral("iseq ${drover_tries} %1 && goto drover_again ||").arg(attempts));
    s += line(QStringLiteral("echo Drover: %1")
            .arg(sanitizeScriptText(Text::tr("download failed, trying again in %1 s").arg(delay))));
    s += line(QStringLiteral("sleep %1").arg(delay));
    s += "goto drover_fetch\n";
    s += ":drover_again\n";
    s += line(QStringLiteral("echo Drover: %1")
            .arg(sanitizeScriptText(Text::tr("%1 downloads failed, asking the server again").arg(attempts))));
    s += line(QStringLiteral("sleep %1").arg(delay));
    s += line(QStringLiteral("chain --replace --autofree %1/boot.ipxe || reboot").arg(server));
    return out;
}

QByteArray renderChainScript(const QString &serverUrl)
{
    const QString server = sanitizeServerUrl(serverUrl);
    QByteArray s = "#!ipxe\n";
    // ${mac:hexhyp} keeps colons out of the path; :uristring percent-encodes the serial,
    // which is free text from the firmware.
    s += line(QStringLiteral("chain --replace --autofree %1/boot/${mac:hexhyp}.ipxe?uuid=${uuid}&arch=${buildarch}"
                             "&platform=${platform}&serial=${serial:uristring} || goto drover_failed")
            .arg(server));
    s += ":drover_failed\n";
    s += line(QStringLiteral("echo Drover: %1")
            .arg(sanitizeScriptText(Text::tr("cannot reach the boot server at %1, trying again in 10 s").arg(server))));
    s += "sleep 10\n";
    s += line(QStringLiteral("chain --replace --autofree %1/boot.ipxe || reboot").arg(server));
    return s;
}

QByteArray renderWaitScript(const QString &serverUrl, const QString &message, int retrySeconds)
{
    const QString server = sanitizeServerUrl(serverUrl);
    const int delay = qBound(1, retrySeconds, 86400);
    QByteArray s = "#!ipxe\n";
    s += line(QStringLiteral("echo Drover: %1").arg(sanitizeScriptText(message)));
    s += line(QStringLiteral("echo Drover: %1")
            .arg(sanitizeScriptText(Text::tr("asking the server again in %1 s").arg(delay))));
    s += line(QStringLiteral("sleep %1").arg(delay));
    s += line(QStringLiteral("chain --replace --autofree %1/boot.ipxe || reboot").arg(server));
    return s;
}

namespace {

// A target that did not start: say why, wait, and ask the server again.
QByteArray failedTail(const QString &server, const QString &why)
{
    QByteArray s = ":failed\n";
    s += line(QStringLiteral("echo Drover: %1").arg(sanitizeScriptText(why)));
    s += "sleep 30\n";
    s += line(QStringLiteral("chain --replace --autofree %1/boot.ipxe || reboot").arg(server));
    return s;
}

} // namespace

QByteArray renderTargetScript(
    const QString &serverUrl, const QString &machine, const BootTarget &target, const QString &isoDigest)
{
    const QString server = sanitizeServerUrl(serverUrl);
    const QString name = sanitizeScriptText(machine, 64);
    QByteArray s = "#!ipxe\n";
    switch (target.kind) {
    case BootTargetKind::LocalDisk:
        s += line(QStringLiteral("echo Drover: %1")
                .arg(sanitizeScriptText(Text::tr("%1 boots from its local disk").arg(name))));
        s += "iseq ${platform} pcbios && sanboot --no-describe --drive 0x80 ||\n";
        // A non-zero status: UEFI's boot manager then tries the next boot option rather than
        // stopping at its menu.
        s += "exit 1\n";
        return s;
    case BootTargetKind::Memtest:
        s += line(QStringLiteral("echo Drover: %1").arg(sanitizeScriptText(Text::tr("%1 runs memtest86+").arg(name))));
        s += "iseq ${platform} efi && goto efi ||\n";
        s += line(QStringLiteral("kernel %1/%2 console=ttyS0,115200 || goto failed")
                .arg(server, QLatin1String(MemtestFiles::biosName)));
        s += "boot || goto failed\n";
        s += ":efi\n";
        s += line(QStringLiteral("chain %1/%2 console=ttyS0,115200 || goto failed")
                .arg(server, QLatin1String(MemtestFiles::efiName)));
        s += failedTail(
            server, Text::tr("memtest86+ did not start (is Debian's memtest86+ package installed on the server?)"));
        return s;
    case BootTargetKind::Iso: {
        const QString iso = sanitizeScriptText(target.iso, 64);
        s += line(
            QStringLiteral("echo Drover: %1").arg(sanitizeScriptText(Text::tr("%1 boots the ISO %2").arg(name, iso))));
        // iPXE reads the ISO with HTTP range requests and presents it as a CD-ROM: BIOS boots
        // its El Torito image, UEFI the loader in its EFI boot image. The URL names the digest, so
        // every read of one boot gets the same bytes.
        s += line(QStringLiteral("sanboot --no-describe %1/blobs/%2 || goto failed").arg(server, isoDigest));
        s += failedTail(server, Text::tr("the ISO %1 did not boot: it must boot from a CD-ROM").arg(iso));
        return s;
    }
    case BootTargetKind::Menu:
        break; // renderMenuScript: it needs the machine's entries
    }
    return s;
}

QByteArray renderMenuScript(
    const QString &serverUrl, const QString &machine, const QList<MenuEntry> &entries, int timeoutSeconds)
{
    const QString server = sanitizeServerUrl(serverUrl);
    QByteArray s = "#!ipxe\n";
    if (entries.isEmpty())
        return renderWaitScript(serverUrl, Text::tr("the boot menu of %1 has no entries").arg(machine));
    s += line(QStringLiteral("menu Drover: %1")
            .arg(sanitizeScriptText(Text::tr("%1 - choose what to boot").arg(sanitizeScriptText(machine, 64)))));
    int number = 0;
    for (const MenuEntry &e : entries) {
        // Keys are Drover's own ("image", a target's key); labels may hold catalog text.
        ++number;
        s += line(QStringLiteral("item --key %1 %2 %1. %3")
                .arg(number)
                .arg(sanitizeScriptText(e.key, 80), sanitizeScriptText(e.label, 80)));
    }
    const QString first = sanitizeScriptText(entries.constFirst().key, 80);
    s += line(QStringLiteral("choose --timeout %1 --default %2 drover_choice || set drover_choice %2")
            .arg(qint64(qBound(1, timeoutSeconds, 3600)) * 1000)
            .arg(first));
    s += line(QStringLiteral("chain --replace --autofree %1/boot/${mac:hexhyp}.ipxe?uuid=${uuid}&arch=${buildarch}"
                             "&platform=${platform}&serial=${serial:uristring}&choice=${drover_choice} || goto "
                             "drover_failed")
            .arg(server));
    s += ":drover_failed\n";
    s += "sleep 10\n";
    s += line(QStringLiteral("chain --replace --autofree %1/boot.ipxe || reboot").arg(server));
    return s;
}

QByteArray renderExitScript(const QString &message)
{
    QByteArray s = "#!ipxe\n";
    s += line(QStringLiteral("echo Drover: %1").arg(sanitizeScriptText(message)));
    s += "exit\n";
    return s;
}

} // namespace drover
