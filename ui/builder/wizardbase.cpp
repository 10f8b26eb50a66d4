// The wizard's base page (name, version, Debian suite, mirror) and boot page (format, layer
// type, kernel arguments, prune rules).
#include "builder/moduleclasses.h"
#include "builder/wizardpages.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace drover {

namespace {

QStringList words(const QString &text)
{
    return text.split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
}

} // namespace

BasePage::BasePage(QWidget *parent)
    : DraftPage(parent)
    , m_name(new QLineEdit(this))
    , m_version(new QLineEdit(this))
    , m_description(new QLineEdit(this))
    , m_suite(new QComboBox(this))
    , m_architecture(new QComboBox(this))
    , m_components(new QLineEdit(this))
    , m_mirror(new QLineEdit(this))
{
    setTitle(tr("Base"));
    setSubTitle(tr("What the image is called and which Debian it is built from."));
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setToolTip(tr("Letters, digits, '.', '_' and '-', starting with a letter or digit"));
    m_version->setObjectName(QStringLiteral("version"));
    m_version->setPlaceholderText(tr("empty: the UTC time of the build"));
    m_version->setToolTip(tr("With the name, the tag NAME:VERSION; a published tag never changes"));
    m_description->setToolTip(tr("A line saying what the image is for"));
    m_suite->setObjectName(QStringLiteral("suite"));
    m_suite->setEditable(true);
    m_suite->addItems({ QStringLiteral("trixie"), QStringLiteral("bookworm"), QStringLiteral("sid") });
    m_suite->setToolTip(tr("Debian suite or codename: trixie is Debian 13, bookworm Debian 12, sid unstable"));
    m_architecture->addItem(QStringLiteral("amd64"));
    m_architecture->setToolTip(tr("Only amd64 for now"));
    m_components->setToolTip(tr("Archive components, separated by spaces: main, contrib, non-free-firmware …"));
    m_mirror->setObjectName(QStringLiteral("mirror"));
    m_mirror->setPlaceholderText(tr("empty: the host's apt configuration"));
    m_mirror->setToolTip(tr("An http://, https:// or file:// URL of a Debian mirror; empty uses the first "
                            "Debian source the build host's apt knows"));

    auto *form = new QFormLayout;
    form->addRow(tr("Nam&e:"), m_name);
    form->addRow(tr("&Version:"), m_version);
    form->addRow(tr("&Description:"), m_description);
    form->addRow(tr("Debian &suite:"), m_suite);
    form->addRow(tr("&Architecture:"), m_architecture);
    form->addRow(tr("&Components:"), m_components);
    form->addRow(tr("&Mirror:"), m_mirror);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1);
    layout->addWidget(m_error);
}

void BasePage::load(const RecipeDraft &draft)
{
    const Recipe &r = draft.recipe;
    m_name->setText(r.name);
    m_version->setText(r.version);
    m_description->setText(r.description);
    m_suite->setCurrentText(r.suite);
    m_architecture->setCurrentText(r.architecture);
    m_components->setText(r.components.join(QLatin1Char(' ')));
    m_mirror->setText(r.mirror);
}

void BasePage::store(RecipeDraft &draft) const
{
    Recipe &r = draft.recipe;
    r.name = m_name->text().trimmed();
    r.version = m_version->text().trimmed();
    r.description = m_description->text().trimmed();
    r.suite = m_suite->currentText().trimmed();
    r.architecture = m_architecture->currentText();
    r.components = words(m_components->text());
    r.mirror = m_mirror->text().trimmed();
}

bool BasePage::ownsField(const QString &field) const
{
    return field == QLatin1String("name") || field == QLatin1String("version") || field == QLatin1String("description")
        || field == QLatin1String("architecture") || field.startsWith(QLatin1String("distro"));
}

BootPage::BootPage(QWidget *parent)
    : DraftPage(parent)
    , m_format(new QComboBox(this))
    , m_layerType(new QComboBox(this))
    , m_compression(new QComboBox(this))
    , m_kernelArgs(new QLineEdit(this))
    , m_pruneDocs(new QCheckBox(tr("Leave out &documentation (/usr/share/doc, info pages)"), this))
    , m_pruneMan(new QCheckBox(tr("Leave out &man pages"), this))
    , m_locales(new QLineEdit(this))
{
    setTitle(tr("Boot Options"));
    setSubTitle(tr("How machines receive the image, and what is left out of it."));
    m_format->addItem(tr("Layers: base and top layer fetched by Drover's init (default)"), QStringLiteral("layers"));
    m_format->addItem(tr("Initramfs: the whole root in the initramfs, for machines that cannot fetch layers"),
        QStringLiteral("initramfs"));
    m_format->setObjectName(QStringLiteral("format"));
    m_format->setToolTip(tr("Layers boot faster and share the base layer between versions"));
    m_layerType->addItem(tr("squashfs (zstd)"), QStringLiteral("squashfs"));
    m_layerType->addItem(tr("erofs (lz4hc)"), QStringLiteral("erofs"));
    m_layerType->setObjectName(QStringLiteral("layerType"));
    m_layerType->setToolTip(tr("File system of the layers"));
    // The settings BENCHMARKS.md measured on the reference image; a recipe naming another
    // keeps it (load adds it as an entry of its own).
    m_compression->setObjectName(QStringLiteral("compression"));
    m_compression->addItem(tr("Default: zstd level 3 (fastest build)"), QString());
    m_compression->addItem(
        tr("Smaller: zstd level 19, 1 MiB blocks (slower build, the same boot time)"), QStringLiteral("zstd:19:1M"));
    m_compression->addItem(
        tr("Smallest: xz with the x86 filter (slowest build, more CPU at boot)"), QStringLiteral("xz-x86:1M"));
    m_compression->setToolTip(tr("Smaller layers mean fewer bytes for every machine at every boot, at the cost of "
                                 "build time; erofs layers are always lz4hc"));
    connect(m_layerType, &QComboBox::currentIndexChanged, this,
        [this] { m_compression->setEnabled(m_layerType->currentData().toString() != QLatin1String("erofs")); });
    m_kernelArgs->setObjectName(QStringLiteral("kernelArgs"));
    m_kernelArgs->setToolTip(tr("Kernel command line; the boot server adds Drover's own arguments"));
    m_pruneDocs->setToolTip(tr("Copyright files stay"));
    m_locales->setPlaceholderText(tr("none; * keeps all"));
    m_locales->setToolTip(tr("Translations to keep in /usr/share/locale, e.g. \"de pt_BR\"; * keeps all"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Format:"), m_format);
    form->addRow(tr("&Layer type:"), m_layerType);
    form->addRow(tr("La&yer compression:"), m_compression);
    form->addRow(tr("&Kernel arguments:"), m_kernelArgs);
    form->addRow(tr("Locales to kee&p:"), m_locales);
    auto *modules = new QGroupBox(tr("Kernel module classes to keep"), this);
    modules->setToolTip(tr("Modules outside these classes are deleted; what kept modules need stays"));
    auto *grid = new QGridLayout(modules);
    for (const QString &cls : moduleClasses()) {
        auto *box = new QCheckBox(cls, modules);
        box->setObjectName(QStringLiteral("module-") + cls);
        box->setProperty("moduleClass", cls);
        box->setToolTip(moduleClassDescription(cls));
        m_moduleClasses.append(box); // in the classes' order, which the recipe keeps
    }
    // The finer classes of ordinary PCs on rows of their own above the broad ones: a lab picks
    // what its machines have from the first, or a whole kind of hardware from the second.
    constexpr int columns = 5;
    int row = 0;
    for (const bool forPcs : { true, false }) {
        grid->addWidget(new QLabel(forPcs ? tr("Ordinary PCs and laptops:") : tr("Whole kinds of hardware:"), modules),
            row++, 0, 1, columns);
        int column = 0;
        for (QCheckBox *box : std::as_const(m_moduleClasses)) {
            if (moduleClassForPcs(box->property("moduleClass").toString()) != forPcs)
                continue;
            grid->addWidget(box, row, column);
            if (++column == columns) {
                column = 0;
                ++row;
            }
        }
        if (column != 0)
            ++row;
    }
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_pruneDocs);
    layout->addWidget(m_pruneMan);
    layout->addWidget(modules);
    layout->addStretch(1);
    layout->addWidget(m_error);
}

void BootPage::load(const RecipeDraft &draft)
{
    const Recipe &r = draft.recipe;
    m_format->setCurrentIndex(qMax(0, m_format->findData(r.format)));
    m_layerType->setCurrentIndex(qMax(0, m_layerType->findData(r.layerType)));
    constexpr int fixedCompressions = 3;
    while (m_compression->count() > fixedCompressions)
        m_compression->removeItem(m_compression->count() - 1);
    if (m_compression->findData(r.compression) < 0)
        m_compression->addItem(tr("As the recipe says: %1").arg(r.compression), r.compression);
    m_compression->setCurrentIndex(m_compression->findData(r.compression));
    m_kernelArgs->setText(r.kernelArgs);
    m_pruneDocs->setChecked(r.pruneDocs);
    m_pruneMan->setChecked(r.pruneMan);
    m_locales->setText(r.keepLocales.join(QLatin1Char(' ')));
    for (QCheckBox *box : std::as_const(m_moduleClasses))
        box->setChecked(r.kernelModules.contains(box->property("moduleClass").toString()));
}

void BootPage::store(RecipeDraft &draft) const
{
    Recipe &r = draft.recipe;
    r.format = m_format->currentData().toString();
    r.layerType = m_layerType->currentData().toString();
    r.compression = m_compression->isEnabled() ? m_compression->currentData().toString() : QString();
    r.kernelArgs = m_kernelArgs->text().simplified();
    r.pruneDocs = m_pruneDocs->isChecked();
    r.pruneMan = m_pruneMan->isChecked();
    r.keepLocales = words(m_locales->text());
    r.kernelModules.clear();
    for (QCheckBox *box : m_moduleClasses) {
        if (box->isChecked())
            r.kernelModules.append(box->property("moduleClass").toString());
    }
}

bool BootPage::ownsField(const QString &field) const
{
    return field == QLatin1String("kernelArgs") || field == QLatin1String("format")
        || field == QLatin1String("layerType") || field == QLatin1String("compression")
        || field.startsWith(QLatin1String("prune")) || field == QLatin1String("sourceDateEpoch");
}

} // namespace drover
