#include "server/serverpanel.h"

#include "boot/bootserver.h"
#include "boot/layertracker.h"
#include "catalog/catalog.h"
#include "lab/lab.h"
#include "main/readablecolor.h"
#include "server/statuslight.h"
#include "util/settingvalue.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace drover {

namespace {

constexpr BootService kServices[] = { BootService::Dhcp, BootService::Tftp, BootService::Http };

const QString kGroup = QStringLiteral("server/");

QHostAddress addressOrNull(const QLineEdit *edit)
{
    const QString text = edit->text().trimmed();
    return text.isEmpty() ? QHostAddress() : QHostAddress(text);
}

} // namespace

ServerPanel::ServerPanel(Lab *lab, QWidget *parent)
    : QWidget(parent)
    , m_lab(lab)
    , m_server(new BootServer(lab, this))
    , m_form(new QFormLayout)
    , m_mode(new QComboBox(this))
    , m_interface(new QComboBox(this))
    , m_httpPort(new QSpinBox(this))
    , m_tftpPort(new QSpinBox(this))
    , m_unknown(new QComboBox(this))
    , m_newImage(new QComboBox(this))
    , m_peers(new QCheckBox(this))
    , m_rangeStart(new QLineEdit(this))
    , m_rangeEnd(new QLineEdit(this))
    , m_netmask(new QLineEdit(this))
    , m_router(new QLineEdit(this))
    , m_rangeBox(new QWidget(this))
    , m_start(new QPushButton(this))
    , m_message(new QLabel(this))
    , m_counterTimer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);

    // Long choices ("Register them; boot the image for new machines, or wait") must not widen
    // the left column and squeeze the fleet: the combos show what fits, the popups show all.
    for (QComboBox *box : { m_mode, m_interface, m_unknown, m_newImage }) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(12);
    }

    // Settings.
    auto *settingsBox = new QGroupBox(tr("Boot server"), this);
    auto *settings = new QFormLayout(settingsBox);
    settings->setRowWrapPolicy(QFormLayout::WrapLongRows); // labels above the fields when narrow
    m_mode->setObjectName(QStringLiteral("dhcpMode"));
    m_mode->addItem(tr("Proxy — beside the lab's DHCP server"), QStringLiteral("proxy"));
    m_mode->addItem(tr("Full — Drover hands out addresses"), QStringLiteral("full"));
    m_mode->addItem(tr("Off — the lab's DHCP server points at Drover"), QStringLiteral("off"));
    settings->addRow(tr("DHCP:"), m_mode);

    m_interface->setObjectName(QStringLiteral("interface"));
    m_interface->setAccessibleName(tr("Interface"));
    auto *refresh = new QToolButton(this);
    refresh->setText(tr("Refresh"));
    refresh->setToolTip(tr("Read the host's network interfaces again"));
    auto *interfaceRow = new QHBoxLayout;
    interfaceRow->addWidget(m_interface, 1);
    interfaceRow->addWidget(refresh);
    settings->addRow(tr("Interface:"), interfaceRow);

    for (QSpinBox *port : { m_httpPort, m_tftpPort })
        port->setRange(1, 65535);
    m_httpPort->setObjectName(QStringLiteral("httpPort"));
    m_tftpPort->setObjectName(QStringLiteral("tftpPort"));
    settings->addRow(tr("HTTP port:"), m_httpPort);
    settings->addRow(tr("TFTP port:"), m_tftpPort);

    m_unknown->setObjectName(QStringLiteral("unknownPolicy"));
    m_unknown->addItem(tr("Ignore them"), QStringLiteral("ignore"));
    m_unknown->addItem(tr("Register them; boot the image for new machines, or wait"), QStringLiteral("register"));
    m_unknown->addItem(tr("Register them and boot the default image"), QStringLiteral("boot"));
    m_unknown->setToolTip(tr("Machines the catalog does not know yet. Shared by everyone using this catalog."));
    settings->addRow(tr("Unknown machines:"), m_unknown);
    m_newImage->setObjectName(QStringLiteral("newMachineImage"));
    m_newImage->setToolTip(tr("What a machine registered by its first boot boots until someone assigns it an image: "
                              "an inventory or burn-in image, or nothing (it waits in the New section). Only with "
                              "\"Register them\"."));
    settings->addRow(tr("New machines boot:"), m_newImage);
    m_peers->setObjectName(QStringLiteral("sharePeers"));
    m_peers->setText(tr("Machines fetch layers from &neighbours"));
    m_peers->setToolTip(tr("A machine that has verified a layer serves it to the others (port 8099), and Drover names "
                           "which neighbour each machine fetches from; every byte is still checked against the "
                           "image's digest, and Drover serves what no neighbour can. In the boot-storm simulator, 60 "
                           "machines switched on at once behind a gigabit uplink were ready 4 to 6 times sooner. From "
                           "each machine's next boot; shared by everyone using this catalog (`drover peers` sets the "
                           "numbers)."));
    settings->addRow(QString(), m_peers);

    auto *range = new QFormLayout(m_rangeBox);
    range->setContentsMargins(0, 0, 0, 0);
    m_rangeStart->setPlaceholderText(QStringLiteral("10.0.0.100"));
    m_rangeEnd->setPlaceholderText(QStringLiteral("10.0.0.199"));
    m_netmask->setPlaceholderText(QStringLiteral("255.255.255.0"));
    m_router->setPlaceholderText(tr("none"));
    range->addRow(tr("First address:"), m_rangeStart);
    range->addRow(tr("Last address:"), m_rangeEnd);
    range->addRow(tr("Netmask:"), m_netmask);
    range->addRow(tr("Router:"), m_router);
    settings->addRow(m_rangeBox);

    m_start->setObjectName(QStringLiteral("startServer"));
    settings->addRow(m_start);
    m_message->setObjectName(QStringLiteral("serverMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    settings->addRow(m_message);
    layout->addWidget(settingsBox);

    // Health: a light, a state and counters per service.
    auto *statusBox = new QGroupBox(tr("Services"), this);
    auto *grid = new QGridLayout(statusBox);
    const QString names[] = { tr("DHCP"), tr("TFTP"), tr("HTTP") };
    const char *keys[] = { "dhcp", "tftp", "http" };
    for (int i = 0; i < 3; ++i) {
        m_lights[i] = new QLabel(statusBox);
        m_lights[i]->setObjectName(QLatin1String(keys[i]) + QStringLiteral("Light"));
        m_lights[i]->setFixedSize(12, 12);
        m_states[i] = new QLabel(statusBox);
        m_states[i]->setObjectName(QLatin1String(keys[i]) + QStringLiteral("State"));
        m_states[i]->setWordWrap(true);
        m_counters[i] = new QLabel(statusBox);
        m_counters[i]->setObjectName(QLatin1String(keys[i]) + QStringLiteral("Counters"));
        m_counters[i]->setWordWrap(true);
        grid->addWidget(m_lights[i], 2 * i, 0, Qt::AlignVCenter);
        grid->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(names[i]), statusBox), 2 * i, 1);
        grid->addWidget(m_states[i], 2 * i, 2);
        grid->addWidget(m_counters[i], 2 * i + 1, 1, 1, 2);
    }
    grid->setColumnStretch(2, 1);
    layout->addWidget(statusBox);

    // Where the data lives.
    auto *dataBox = new QGroupBox(tr("Data"), this);
    dataBox->setLayout(m_form);
    auto selectable = [this](const QString &text) {
        auto *label = new QLabel(text, this);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setWordWrap(true);
        return label;
    };
    Catalog *catalog = lab->catalog();
    m_form->addRow(tr("Data directory:"), selectable(lab->dataDir()));
    m_form->addRow(tr("Catalog:"),
        selectable(
            catalog->isPostgres() ? tr("PostgreSQL, %1").arg(catalog->url()) : tr("SQLite, %1").arg(catalog->url())));
    m_form->addRow(tr("Schema version:"), selectable(QString::number(catalog->schemaVersion())));
    m_form->addRow(tr("Image store:"), selectable(lab->storeDir()));
    layout->addWidget(dataBox);
    layout->addStretch(1);

    refreshInterfaces();
    loadSettings();
    updateRangeVisibility();
    updateStatus();
    updateCounters();

    connect(refresh, &QToolButton::clicked, this, &ServerPanel::refreshInterfaces);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &ServerPanel::updateRangeVisibility);
    connect(m_start, &QPushButton::clicked, this, &ServerPanel::startOrStop);
    connect(m_unknown, &QComboBox::activated, this, [this] {
        if (Status s
            = m_lab->catalog()->setSetting(QStringLiteral("boot/unknown"), m_unknown->currentData().toString());
            !s)
            m_message->setText(s.error());
    });
    connect(m_peers, &QCheckBox::clicked, this, [this](bool on) {
        if (Status s = m_lab->catalog()->setSetting(
                QLatin1String(LayerTracker::kEnabledSetting), on ? QStringLiteral("on") : QStringLiteral("off"));
            !s)
            m_message->setText(s.error());
    });
    connect(m_newImage, &QComboBox::activated, this, [this] {
        if (Status s = m_lab->catalog()->setSetting(kNewMachineImageSetting, m_newImage->currentData().toString()); !s)
            m_message->setText(s.error());
    });
    connect(m_lab->catalog(), &Catalog::changed, this, [this](const QString &table) {
        if (table == QLatin1String("image") || table == QLatin1String("setting") || table == QLatin1String("*"))
            refreshNewMachineImages();
        if (table != QLatin1String("setting") && table != QLatin1String("*"))
            return;
        const int index
            = m_unknown->findData(m_lab->catalog()->setting(QStringLiteral("boot/unknown"), QStringLiteral("ignore")));
        if (index >= 0)
            m_unknown->setCurrentIndex(index);
        m_peers->setChecked(settingIsOn(m_lab->catalog()->setting(QLatin1String(LayerTracker::kEnabledSetting))));
    });
    connect(m_server, &BootServer::statusChanged, this, &ServerPanel::updateStatus);
    connect(m_server, &BootServer::startFinished, this, [this](bool ok, const QString &message) {
        if (ok) {
            m_message->setStyleSheet({});
            m_message->setText(m_server->httpBaseUrl().isEmpty()
                    ? tr("Running. Machines chain-load http://<this host>:%1/boot.ipxe").arg(m_httpPort->value())
                    : tr("Running. Machines chain-load %1/boot.ipxe").arg(m_server->httpBaseUrl()));
            saveSettings();
        } else {
            m_message->setStyleSheet(errorTextStyle());
            m_message->setText(message);
        }
        updateStatus();
    });
    // Counters change with every packet: the labels follow at most 5 times a second.
    m_counterTimer->setSingleShot(true);
    m_counterTimer->setInterval(200);
    connect(m_counterTimer, &QTimer::timeout, this, &ServerPanel::updateCounters);
    connect(m_server, &BootServer::countersChanged, this, [this] {
        if (!m_counterTimer->isActive())
            m_counterTimer->start();
    });
}

ServerPanel::~ServerPanel() = default;

QLabel *ServerPanel::light(BootService service) const
{
    return m_lights[int(service)];
}

QLabel *ServerPanel::countersLabel(BootService service) const
{
    return m_counters[int(service)];
}

void ServerPanel::refreshInterfaces()
{
    const QString current = m_interface->currentData().toString();
    m_interface->clear();
    m_interface->addItem(tr("All interfaces (no DHCP in full mode)"), QString());
    for (const HostInterface &iface : BootServer::hostInterfaces()) {
        m_interface->addItem(iface.up ? iface.label : tr("%1 (down)").arg(iface.label), iface.name);
    }
    const int index = m_interface->findData(current);
    m_interface->setCurrentIndex(index >= 0 ? index : 0);
}

void ServerPanel::startOrStop()
{
    if (m_server->isRunning()) {
        m_server->stop();
        m_message->setStyleSheet({});
        m_message->setText(tr("Stopped."));
        updateStatus();
        updateCounters();
        return;
    }
    BootServerSettings s;
    s.dhcpMode = dhcpModeFromKey(m_mode->currentData().toString()).value_or(DhcpMode::Proxy);
    s.interfaceName = m_interface->currentData().toString();
    if (s.dhcpMode != DhcpMode::Off && s.interfaceName.isEmpty()) {
        // Said before starting, in full: which interfaces there are, and what each mode needs.
        QStringList choices;
        for (const HostInterface &iface : BootServer::hostInterfaces()) {
            if (iface.up && !iface.loopback && !iface.ipv4.isEmpty())
                choices.append(iface.label);
        }
        m_message->setStyleSheet(errorTextStyle());
        m_message->setText(choices.isEmpty()
                ? tr("DHCP tells machines where this server is, so it needs the interface of the lab network, "
                     "and none here is up with an IPv4 address. Connect the lab network (or set DHCP to Off and "
                     "let the lab's own DHCP point machines here), then press Refresh beside Interface.")
                : tr("DHCP tells machines where this server is, so it needs the interface of the lab network: "
                     "choose it under Interface (here: %1). Or set DHCP to Off if the lab's own DHCP points "
                     "machines here.")
                      .arg(choices.join(QStringLiteral("; "))));
        Q_EMIT startRefused(m_message->text());
        return;
    }
    s.httpPort = quint16(m_httpPort->value());
    s.tftpPort = quint16(m_tftpPort->value());
    s.rangeStart = addressOrNull(m_rangeStart);
    s.rangeEnd = addressOrNull(m_rangeEnd);
    s.subnetMask = addressOrNull(m_netmask);
    s.router = addressOrNull(m_router);
    m_message->setStyleSheet({});
    m_message->setText(
        s.dhcpMode == DhcpMode::Full ? tr("Looking for another DHCP server on the network…") : tr("Starting…"));
    m_start->setEnabled(false);
    m_server->startInBackground(s);
}

void ServerPanel::updateStatus()
{
    const bool running = m_server->isRunning();
    const bool starting = m_server->isStarting();
    m_start->setText(running ? tr("Stop") : tr("Start"));
    m_start->setEnabled(!starting);
    for (QWidget *w : { static_cast<QWidget *>(m_mode), static_cast<QWidget *>(m_interface),
             static_cast<QWidget *>(m_httpPort), static_cast<QWidget *>(m_tftpPort), m_rangeBox })
        w->setEnabled(!running && !starting);
    for (BootService service : kServices) {
        const int i = int(service);
        const ServiceStatus status = m_server->status(service);
        QString color = QStringLiteral("#9e9e9e");
        QString state;
        QString key;
        switch (status.state) {
        case ServiceState::Running:
            color = QStringLiteral("#2e7d32");
            state = tr("running, %1").arg(status.message);
            key = QStringLiteral("running");
            break;
        case ServiceState::Failed:
            color = QStringLiteral("#c62828");
            state = tr("failed: %1").arg(status.message);
            key = QStringLiteral("failed");
            break;
        case ServiceState::Stopped:
            if (starting) {
                color = QStringLiteral("#f9a825");
                state = tr("starting…");
                key = QStringLiteral("starting");
            } else if (running && service == BootService::Dhcp) {
                state = tr("off");
                key = QStringLiteral("off");
            } else {
                state = tr("stopped");
                key = QStringLiteral("stopped");
            }
            break;
        }
        m_lights[i]->setStyleSheet(statusLightStyle(QColor(color)));
        m_lights[i]->setProperty("state", key);
        m_lights[i]->setToolTip(state);
        // A coloured dot says nothing to a screen reader: the service and its state do.
        static const char *const kServiceNames[] = { "DHCP", "TFTP", "HTTP" };
        m_lights[i]->setAccessibleName(QStringLiteral("%1: %2").arg(QLatin1String(kServiceNames[i]), state));
        m_states[i]->setText(state);
    }
}

void ServerPanel::updateCounters()
{
    const QLocale locale;
    const DhcpServer::Counters dhcp = m_server->dhcp()->counters();
    const TftpServer::Counters tftp = m_server->tftp()->counters();
    const HttpBootServer::Counters http = m_server->http()->counters();
    m_counters[int(BootService::Dhcp)]->setText(tr("%1 received, %2 answered, %3 ignored, %4 dropped")
            .arg(dhcp.received)
            .arg(dhcp.answered)
            .arg(dhcp.ignored)
            .arg(dhcp.dropped));
    m_counters[int(BootService::Tftp)]->setText(tr("%1 transfers, %2 active, %3 errors, %4 dropped")
            .arg(tftp.transfers)
            .arg(tftp.active)
            .arg(tftp.errors)
            .arg(tftp.dropped));
    m_counters[int(BootService::Http)]->setText(
        tr("%1 requests: %2 scripts, %3 downloads, %4 reports, %5 errors; %6 open, %7 sent")
            .arg(http.requests)
            .arg(http.scripts)
            .arg(http.blobs)
            .arg(http.reports)
            .arg(http.errors)
            .arg(http.active)
            .arg(locale.formattedDataSize(qint64(http.bytesSent))));
}

void ServerPanel::updateRangeVisibility()
{
    m_rangeBox->setVisible(m_mode->currentData().toString() == QLatin1String("full"));
}

void ServerPanel::saveSettings() const
{
    QSettings settings;
    settings.setValue(kGroup + QStringLiteral("dhcp"), m_mode->currentData());
    settings.setValue(kGroup + QStringLiteral("interface"), m_interface->currentData());
    settings.setValue(kGroup + QStringLiteral("httpPort"), m_httpPort->value());
    settings.setValue(kGroup + QStringLiteral("tftpPort"), m_tftpPort->value());
    settings.setValue(kGroup + QStringLiteral("rangeStart"), m_rangeStart->text());
    settings.setValue(kGroup + QStringLiteral("rangeEnd"), m_rangeEnd->text());
    settings.setValue(kGroup + QStringLiteral("netmask"), m_netmask->text());
    settings.setValue(kGroup + QStringLiteral("router"), m_router->text());
}

void ServerPanel::loadSettings()
{
    // Host-specific choices live in QSettings; the unknown-machine policy in the catalog,
    // shared with every Drover using it.
    QSettings settings;
    const int mode = m_mode->findData(settings.value(kGroup + QStringLiteral("dhcp"), QStringLiteral("proxy")));
    m_mode->setCurrentIndex(mode >= 0 ? mode : 0);
    // Never chosen here before: the lab's interface when one stands out, so that Start with the
    // defaults serves (proxy DHCP must tell machines this server's address).
    const QString savedInterface = settings.contains(kGroup + QStringLiteral("interface"))
        ? settings.value(kGroup + QStringLiteral("interface")).toString()
        : BootServer::labInterface(BootServer::hostInterfaces());
    const int iface = m_interface->findData(savedInterface);
    m_interface->setCurrentIndex(iface >= 0 ? iface : 0);
    m_httpPort->setValue(settings.value(kGroup + QStringLiteral("httpPort"), 8080).toInt());
    m_tftpPort->setValue(settings.value(kGroup + QStringLiteral("tftpPort"), 69).toInt());
    m_rangeStart->setText(settings.value(kGroup + QStringLiteral("rangeStart")).toString());
    m_rangeEnd->setText(settings.value(kGroup + QStringLiteral("rangeEnd")).toString());
    m_netmask->setText(settings.value(kGroup + QStringLiteral("netmask")).toString());
    m_router->setText(settings.value(kGroup + QStringLiteral("router")).toString());
    const int unknown
        = m_unknown->findData(m_lab->catalog()->setting(QStringLiteral("boot/unknown"), QStringLiteral("ignore")));
    m_unknown->setCurrentIndex(unknown >= 0 ? unknown : 0);
    m_peers->setChecked(settingIsOn(m_lab->catalog()->setting(QLatin1String(LayerTracker::kEnabledSetting))));
    refreshNewMachineImages();
}

void ServerPanel::refreshNewMachineImages()
{
    const QString current = m_lab->catalog()->setting(kNewMachineImageSetting);
    m_newImage->clear();
    m_newImage->addItem(tr("Nothing: they wait for an admin"), QString());
    for (const ImageRecord &image : m_lab->catalog()->images())
        m_newImage->addItem(image.tag(), image.tag());
    const int index = m_newImage->findData(current);
    m_newImage->setCurrentIndex(index >= 0 ? index : 0);
}

} // namespace drover
