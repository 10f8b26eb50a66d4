#include "server/serverstrip.h"

#include "boot/bootserver.h"
#include "main/readablecolor.h"
#include "server/statuslight.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QResizeEvent>
#include <QTimer>
#include <QToolButton>

namespace drover {

namespace {

// A one-line label that shortens its text with "…" instead of widening the window; the
// whole text stays in the tooltip.
class ElidingLabel final : public QLabel {
public:
    using QLabel::QLabel;
    void setFullText(const QString &text)
    {
        m_full = text;
        setToolTip(text);
        updateElided();
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QLabel::resizeEvent(event);
        updateElided();
    }
    QSize minimumSizeHint() const override { return { 0, QLabel::minimumSizeHint().height() }; }
    QSize sizeHint() const override
    {
        return { fontMetrics().horizontalAdvance(m_full) + 8, QLabel::sizeHint().height() };
    }

private:
    void updateElided() { setText(fontMetrics().elidedText(m_full, Qt::ElideRight, width())); }
    QString m_full;
};

QString uptime(qint64 seconds)
{
    const qint64 h = seconds / 3600, m = (seconds / 60) % 60, s = seconds % 60;
    return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
}

} // namespace

ServerStrip::ServerStrip(BootServer *server, QWidget *parent)
    : QFrame(parent)
    , m_server(server)
    , m_light(new QLabel(this))
    , m_summary(new ElidingLabel(this))
    , m_warning(new ElidingLabel(this))
    , m_settings(new QToolButton(this))
    , m_switch(new QToolButton(this))
    , m_clock(new QTimer(this))
    , m_throttle(new QTimer(this))
{
    setObjectName(QStringLiteral("serverStrip"));
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 3, 6, 3);
    m_light->setObjectName(QStringLiteral("serverStripLight"));
    m_light->setFixedSize(12, 12);
    m_summary->setObjectName(QStringLiteral("serverStripSummary"));
    m_summary->setAccessibleName(tr("Boot server status"));
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_warning->setObjectName(QStringLiteral("serverStripWarning"));
    m_warning->setAccessibleName(tr("DHCP warning"));
    m_warning->setStyleSheet(
        QStringLiteral("QLabel { %1 font-weight: bold; }").arg(readableTextStyle(QColor(0xb7, 0x1c, 0x1c))));
    m_warning->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_settings->setObjectName(QStringLiteral("serverStripSettings"));
    m_settings->setText(tr("Settings…"));
    m_settings->setToolTip(tr("Show the Server panel: DHCP mode, interface, ports and what the services do"));
    m_switch->setObjectName(QStringLiteral("serverStripSwitch"));
    m_switch->setCheckable(true);
    m_switch->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_switch->setMinimumWidth(fontMetrics().horizontalAdvance(tr("Stop serving")) + 24);
    layout->addWidget(m_light, 0, Qt::AlignVCenter);
    layout->addWidget(m_summary, 3);
    layout->addWidget(m_warning, 2);
    layout->addWidget(m_settings);
    layout->addWidget(m_switch);

    // The switch only asks: the panel starts with its settings or says why it cannot.
    connect(m_switch, &QToolButton::clicked, this, [this] {
        m_switch->setChecked(m_server->isRunning());
        Q_EMIT startStopRequested();
    });
    connect(m_settings, &QToolButton::clicked, this, &ServerStrip::settingsRequested);
    connect(m_server, &BootServer::statusChanged, this, &ServerStrip::refresh);
    connect(m_server, &BootServer::dhcpWarningChanged, this, &ServerStrip::refresh);
    connect(m_server, &BootServer::startFinished, this, [this](bool ok, const QString &message) {
        m_lastError = ok ? QString() : message;
        refresh();
    });
    m_throttle->setSingleShot(true);
    m_throttle->setInterval(200);
    connect(m_throttle, &QTimer::timeout, this, &ServerStrip::refresh);
    connect(m_server, &BootServer::countersChanged, this, [this] {
        if (!m_throttle->isActive())
            m_throttle->start();
    });
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &ServerStrip::refresh);
    refresh();
}

ServerStrip::~ServerStrip() = default;

void ServerStrip::setLastError(const QString &error)
{
    m_lastError = error;
    refresh();
}

QString ServerStrip::runningSummary() const
{
    const BootServerSettings s = m_server->settings();
    const QString where = s.interfaceName.isEmpty() ? tr("all interfaces") : s.interfaceName;
    const QString address = m_server->serverAddress().isNull() ? QString() : m_server->serverAddress().toString();
    QString dhcp;
    switch (s.dhcpMode) {
    case DhcpMode::Proxy:
        dhcp = tr("Proxy DHCP (ports %1, %2)").arg(s.dhcpPort).arg(s.dhcpProxyPort);
        break;
    case DhcpMode::Full:
        dhcp = tr("Full DHCP (port %1)").arg(s.dhcpPort);
        break;
    case DhcpMode::Off:
        dhcp = tr("DHCP off");
        break;
    }
    const QStringList parts {
        address.isEmpty() ? tr("Serving on %1").arg(where) : tr("Serving on %1 (%2)").arg(where, address),
        dhcp,
        s.tftpEnabled ? tr("TFTP %1").arg(s.tftpPort) : tr("TFTP off"),
        tr("HTTP %1").arg(m_server->http()->port()),
        tr("up %1").arg(uptime(m_server->startedAt().secsTo(QDateTime::currentDateTime()))),
        tr("%n boot(s) served", nullptr, int(qMin<quint64>(m_server->http()->counters().scripts, INT_MAX))),
    };
    return parts.join(QStringLiteral(" · "));
}

void ServerStrip::refresh()
{
    const bool running = m_server->isRunning();
    const bool starting = m_server->isStarting();
    QString color;
    QString state;
    if (running) {
        color = QStringLiteral("#2e7d32");
        state = QStringLiteral("running");
        m_fullSummary = runningSummary();
    } else if (starting) {
        color = QStringLiteral("#f9a825");
        state = QStringLiteral("starting");
        m_fullSummary = tr("Starting the boot server…");
    } else if (!m_lastError.isEmpty()) {
        color = QStringLiteral("#c62828");
        state = QStringLiteral("failed");
        m_fullSummary = tr("Not serving: %1").arg(m_lastError);
    } else {
        color = QStringLiteral("#9e9e9e");
        state = QStringLiteral("stopped");
        m_fullSummary = tr("Not serving: machines that netboot now get no image from this Drover");
    }
    m_light->setStyleSheet(statusLightStyle(QColor(color)));
    m_light->setProperty("state", state);
    m_light->setAccessibleName(running ? tr("Boot server: running") : tr("Boot server: not running"));
    static_cast<ElidingLabel *>(m_summary)->setFullText(m_fullSummary);
    const QString warning = running ? m_server->dhcpWarning() : QString();
    static_cast<ElidingLabel *>(m_warning)->setFullText(warning.isEmpty() ? QString() : tr("⚠ %1").arg(warning));
    m_warning->setVisible(!warning.isEmpty());
    m_switch->setChecked(running);
    m_switch->setEnabled(!starting);
    m_switch->setText(running ? tr("Stop serving") : tr("Start serving"));
    m_switch->setToolTip(running ? tr("Stop the boot server: machines that netboot get no answer from this Drover")
                                 : tr("Start the boot server with the Server panel's settings"));
    m_switch->setAccessibleName(m_switch->text());
    if (running && !m_clock->isActive())
        m_clock->start();
    else if (!running)
        m_clock->stop();
}

} // namespace drover
