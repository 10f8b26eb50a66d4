#include "boot/grubscript.h"

#include "boot/memtest.h"

#include <QCoreApplication>
#include <QUrl>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(GrubScript)
};

// One word, literally: sanitized values hold no quote, so single quotes need no escape.
QString quoted(const QString &text)
{
    QString t = text;
    t.remove(QLatin1Char('\''));
    return QLatin1Char('\'') + t + QLatin1Char('\'');
}

QByteArray line(const QString &text)
{
    return text.toLatin1() + '\n';
}

QByteArray echo(const QString &message)
{
    return line(QStringLiteral("echo %1").arg(quoted(QStringLiteral("Drover: ") + sanitizeScriptText(message))));
}

} // namespace

QString grubHttpDevice(const QString &serverUrl)
{
    const QString server = sanitizeServerUrl(serverUrl);
    if (server.isEmpty())
        return {};
    const QUrl url(server);
    if (url.host().contains(QLatin1Char(':')))
        return {};
    // GRUB 2.12 takes the port after a colon; "(http,host,port)" is silently another host.
    return QStringLiteral("(http,%1:%2)").arg(url.host()).arg(url.port(80));
}

QByteArray renderGrubBootstrap(quint16 httpPort, const QString &device)
{
    // A loop, not configfile calling itself: GRUB nests every configfile and stops at a
    // small depth. The machine's configuration is sourced: it boots, or returns here (after
    // failed downloads, or a wait) and the server is asked again.
    QByteArray s = "# Drover: this machine's configuration comes from Drover's HTTP server.\n";
    s += "set timeout=0\n";
    s += "while true; do\n";
    s += "  " + echo(Text::tr("asking the boot server what this machine boots"));
    // GRUB's own variables: the server it loaded this file from, and the NIC it booted by.
    const QString server = device.isEmpty() ? QStringLiteral("(http,${net_default_server}:%1)").arg(httpPort) : device;
    s += line(QStringLiteral("  source %1/boot/${net_default_mac}.grub").arg(server));
    s += "  " + echo(Text::tr("no answer from the boot server, asking again in 10 s"));
    s += "  sleep 10\n";
    s += "done\n";
    return s;
}

RenderedScript renderGrubBootScript(const BootScriptInput &input)
{
    RenderedScript out;
    const QStringList args = bootKernelArgs(input, &out.warnings);
    out.kernelArgs = args.join(QLatin1Char(' '));
    const QString device = grubHttpDevice(input.serverUrl);
    if (device.isEmpty())
        out.warnings.append(
            Text::tr("server URL '%1' cannot be named in GRUB").arg(sanitizeScriptText(input.serverUrl)));
    QStringList quotedArgs;
    for (const QString &arg : args)
        quotedArgs.append(quoted(arg));
    const int attempts = qBound(1, input.attempts, 100);
    const int delay = qBound(1, input.retryDelaySeconds, 3600);
    QStringList tries;
    for (int i = 1; i <= attempts; ++i)
        tries.append(QString::number(i));

    QByteArray &s = out.text;
    s += line(QStringLiteral("# Drover: %1 boots %2 (boot %3)")
            .arg(sanitizeScriptText(input.machine, 64), sanitizeScriptText(input.image, 160),
                sanitizeScriptText(input.bootId, 64)));
    s += echo(Text::tr("%1 boots %2").arg(input.machine, input.image));
    if (!input.note.isEmpty())
        s += echo(input.note);
    if (input.delaySeconds > 0)
        s += line(QStringLiteral("sleep %1").arg(qMin(input.delaySeconds, 3600)));
    s += line(QStringLiteral("for drover_try in %1; do").arg(tries.join(QLatin1Char(' '))));
    s += line(QStringLiteral("  if linux %1/blobs/%2 %3; then")
            .arg(device, input.kernel.digest.toString(), quotedArgs.join(QLatin1Char(' '))));
    s += line(QStringLiteral("    if initrd %1/blobs/%2; then").arg(device, input.initrd.digest.toString()));
    s += "      boot\n";
    s += "    fi\n";
    s += "  fi\n";
    s += "  " + echo(Text::tr("download failed, trying again in %1 s").arg(delay));
    s += line(QStringLiteral("  sleep %1").arg(delay));
    s += "done\n";
    // Back in the bootstrap's loop, which asks the server again.
    s += echo(Text::tr("%1 downloads failed, asking the server again").arg(attempts));
    s += line(QStringLiteral("sleep %1").arg(delay));
    return out;
}

QByteArray renderGrubWaitScript(const QString &message, int retrySeconds)
{
    const int delay = qBound(1, retrySeconds, 86400);
    QByteArray s = echo(message);
    s += echo(Text::tr("asking the server again in %1 s").arg(delay));
    s += line(QStringLiteral("sleep %1").arg(delay));
    return s;
}

QByteArray renderGrubTargetScript(
    const QString &device, const QString &machine, const BootTarget &target, const QString &isoDigest)
{
    const QString name = sanitizeScriptText(machine, 64);
    QByteArray s;
    switch (target.kind) {
    case BootTargetKind::LocalDisk:
        s += echo(Text::tr("%1 boots from its local disk").arg(name));
        // chainloader hands the new image the device of $root, not of the file it names: with
        // root still the network, the disk's loader would look for its files there.
        s += "if search --no-floppy --file --set=root /EFI/BOOT/BOOTX64.EFI; then\n";
        s += "  chainloader /EFI/BOOT/BOOTX64.EFI\n";
        s += "  boot\n";
        s += "fi\n";
        s += "exit 1\n";
        return s;
    case BootTargetKind::Memtest:
        s += echo(Text::tr("%1 runs memtest86+").arg(name));
        if (!device.isEmpty()) {
            s += line(QStringLiteral("chainloader %1/%2 console=ttyS0,115200")
                    .arg(device, QLatin1String(MemtestFiles::efiName)));
            s += "boot\n";
        }
        s += echo(Text::tr("memtest86+ did not start: it is not signed, so it runs only with Secure Boot off"));
        s += "sleep 30\n";
        return s;
    case BootTargetKind::Iso: {
        const QString iso = sanitizeScriptText(target.iso, 64);
        s += echo(Text::tr("%1 boots the ISO %2").arg(name, iso));
        if (!device.isEmpty() && !isoDigest.isEmpty()) {
            // GRUB cannot present an ISO to the firmware as a CD-ROM; it reads it as a loop
            // device and runs the loopback.cfg that live ISOs carry for exactly this.
            const QString path = QStringLiteral("/blobs/") + isoDigest;
            // Not inside an if: GRUB then prints why the loop device failed on the console.
            s += line(QStringLiteral("loopback drover_iso %1%2").arg(device, path));
            s += "if [ -f (drover_iso)/boot/grub/loopback.cfg ]; then\n";
            s += "  set root=(drover_iso)\n";
            s += line(QStringLiteral("  set iso_path=%1").arg(path));
            s += "  export iso_path\n";
            s += "  configfile /boot/grub/loopback.cfg\n";
            s += "else\n";
            s += "  "
                + echo(Text::tr("the ISO %1 could not be read, or has no /boot/grub/loopback.cfg: GRUB cannot "
                                "start it; with secure boot off for this machine, iPXE boots it as a CD-ROM")
                        .arg(iso));
            s += "fi\n";
            s += "loopback -d drover_iso\n";
        }
        s += "sleep 30\n";
        return s;
    }
    case BootTargetKind::Menu:
        break; // renderGrubMenuLauncher: it needs the machine's entries
    }
    return s;
}

QByteArray renderGrubMenuLauncher(const QString &device, const QString &mac)
{
    if (device.isEmpty())
        return renderGrubWaitScript(Text::tr("the boot menu needs the server's IPv4 address"));
    return line(QStringLiteral("configfile %1/boot/%2.grub?show=menu").arg(device, sanitizeScriptText(mac, 17)));
}

QByteArray renderGrubMenuScript(
    const QString &device, const QString &mac, const QList<MenuEntry> &entries, int timeoutSeconds)
{
    if (entries.isEmpty() || device.isEmpty())
        return renderGrubWaitScript(Text::tr("this machine's boot menu has no entries"));
    QByteArray s = line(QStringLiteral("set timeout=%1").arg(qBound(1, timeoutSeconds, 3600)));
    s += "set default=0\n";
    for (const MenuEntry &e : entries) {
        s += line(QStringLiteral("menuentry %1 {").arg(quoted(sanitizeScriptText(e.label, 80))));
        s += line(QStringLiteral("  source %1/boot/%2.grub?choice=%3")
                .arg(device, sanitizeScriptText(mac, 17), sanitizeScriptText(e.key, 80)));
        s += "}\n";
    }
    return s;
}

QByteArray renderGrubExitScript(const QString &message)
{
    QByteArray s = echo(message);
    s += "sleep 3\n";
    s += "exit\n";
    return s;
}

} // namespace drover
