// DraftPage (load, store, validate per page) and the wizard's start page.
#include "builder/buildwizard.h"
#include "builder/wizardpages.h"
#include "catalog/catalog.h"
#include "lab/lab.h"

#include "main/readablecolor.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace drover {

DraftPage::DraftPage(QWidget *parent)
    : QWizardPage(parent)
    , m_error(new QLabel(this))
{
    m_error->setObjectName(QStringLiteral("pageError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette p = m_error->palette();
    p.setColor(QPalette::WindowText, readableOn(QColor(0xb0, 0x20, 0x20), p.color(QPalette::Window)));
    m_error->setPalette(p);
    m_error->hide();
}

BuildWizard *DraftPage::buildWizard() const
{
    return qobject_cast<BuildWizard *>(wizard());
}

void DraftPage::initializePage()
{
    showError({});
    load(buildWizard()->draft());
}

void DraftPage::cleanupPage()
{
    // Back keeps what was typed here.
    store(buildWizard()->draft());
}

bool DraftPage::validatePage()
{
    RecipeDraft &draft = buildWizard()->draft();
    store(draft);
    const RecipeParse parse = draft.validate();
    QStringList mine;
    for (const RecipeIssue &issue : parse.issues) {
        if (ownsField(issue.field))
            mine.append(issue.field.isEmpty() ? issue.message : issue.field + QStringLiteral(": ") + issue.message);
    }
    showError(mine.join(QLatin1Char('\n')));
    return mine.isEmpty();
}

QString DraftPage::errorText() const
{
    return m_error->text();
}

void DraftPage::showError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

StartPage::StartPage(QWidget *parent)
    : DraftPage(parent)
    , m_fromTemplate(new QRadioButton(tr("A &template shipped with Drover:"), this))
    , m_fromImage(new QRadioButton(tr("The recipe of an &image in the catalog (its next version):"), this))
    , m_fromFile(new QRadioButton(tr("A recipe &file:"), this))
    , m_templates(new QComboBox(this))
    , m_images(new QComboBox(this))
    , m_file(new QLineEdit(this))
    , m_fromImport(new QRadioButton(tr("A &container image or root filesystem archive:"), this))
    , m_importKind(new QComboBox(this))
    , m_importPath(new QLineEdit(this))
    , m_kernelPackage(new QLineEdit(QStringLiteral("linux-image-amd64"), this))
    , m_kernelFrom(new QComboBox(this))
    , m_kernelImage(new QComboBox(this))
{
    setTitle(tr("Start From"));
    setSubTitle(tr("Every later page can change what you start from."));
    for (const QString &name : RecipeDraft::templateNames())
        m_templates->addItem(RecipeDraft::templateTitle(name), name);
    m_templates->setObjectName(QStringLiteral("templates"));
    m_templates->setToolTip(tr("Recipes that come with Drover; the Debian server is the reference recipe"));
    m_images->setObjectName(QStringLiteral("images"));
    m_images->setToolTip(tr("Images built here keep their recipe; the version is raised for the new build"));
    m_file->setObjectName(QStringLiteral("recipeFile"));
    m_file->setPlaceholderText(tr("path of a recipe .json"));
    m_file->setToolTip(tr("A recipe file; its files directory and scripts are taken from beside it"));
    auto *browse = new QPushButton(tr("&Browse…"), this);
    browse->setToolTip(tr("Choose a recipe file"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Recipe"), m_file->text(), tr("Recipes (*.json);;All files (*)"));
        if (!path.isEmpty()) {
            m_file->setText(path);
            m_fromFile->setChecked(true);
        }
    });
    m_importKind->setObjectName(QStringLiteral("importKind"));
    m_importKind->addItem(
        tr("Container image: OCI layout folder, oci-archive or docker-archive"), QStringLiteral("oci"));
    m_importKind->addItem(tr("Root filesystem archive: .tar, .tar.gz, .tar.xz, .tar.zst"), QStringLiteral("rootfs"));
    m_importKind->setToolTip(tr("What podman save, docker save or skopeo copy wrote, or a tar of a root file system"));
    m_importPath->setObjectName(QStringLiteral("importPath"));
    m_importPath->setPlaceholderText(tr("path of the image, archive or OCI layout folder"));
    m_kernelPackage->setObjectName(QStringLiteral("kernelPackage"));
    m_kernelPackage->setToolTip(tr("A container's root has no kernel: the image boots the kernel of this Debian "
                                   "package, of the suite on the next page. Leave it empty for a root with a kernel "
                                   "in /boot."));
    m_kernelFrom->setObjectName(QStringLiteral("kernelFrom"));
    m_kernelFrom->addItem(tr("A Debian package"), QStringLiteral("package"));
    m_kernelFrom->addItem(tr("Another image of this lab"), QStringLiteral("image"));
    m_kernelFrom->addItem(tr("The root's own /boot"), QStringLiteral("root"));
    m_kernelFrom->setToolTip(tr("Where the kernel and its modules come from; the manifest records it"));
    m_kernelImage->setObjectName(QStringLiteral("kernelImage"));
    m_kernelImage->setToolTip(tr("The image boots this image's kernel, with the modules that image kept"));
    auto showKernelChoice = [this] {
        const QString from = m_kernelFrom->currentData().toString();
        m_kernelPackage->setVisible(from == QLatin1String("package"));
        m_kernelImage->setVisible(from == QLatin1String("image"));
    };
    connect(m_kernelFrom, &QComboBox::currentIndexChanged, this, showKernelChoice);
    showKernelChoice();
    auto *browseImport = new QPushButton(tr("B&rowse…"), this);
    browseImport->setToolTip(tr("Choose the archive, or an OCI layout folder"));
    connect(browseImport, &QPushButton::clicked, this, [this] {
        const QString path
            = m_importKind->currentData().toString() == QLatin1String("oci") && QFileInfo(m_importPath->text()).isDir()
            ? QFileDialog::getExistingDirectory(this, tr("Open OCI Layout"), m_importPath->text())
            : QFileDialog::getOpenFileName(this, tr("Open Archive"), m_importPath->text(),
                  tr("Archives (*.tar *.tar.gz *.tgz *.tar.xz *.tar.zst);;All files (*)"));
        if (!path.isEmpty()) {
            m_importPath->setText(path);
            m_fromImport->setChecked(true);
        }
    });
    connect(m_importPath, &QLineEdit::textEdited, m_fromImport, [this] { m_fromImport->setChecked(true); });
    connect(m_importKind, &QComboBox::activated, m_fromImport, [this] { m_fromImport->setChecked(true); });
    m_fromTemplate->setChecked(true);
    connect(m_templates, &QComboBox::activated, m_fromTemplate, [this] { m_fromTemplate->setChecked(true); });
    connect(m_images, &QComboBox::activated, m_fromImage, [this] { m_fromImage->setChecked(true); });
    connect(m_file, &QLineEdit::textEdited, m_fromFile, [this] { m_fromFile->setChecked(true); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_fromTemplate);
    layout->addWidget(m_templates);
    layout->addSpacing(8);
    layout->addWidget(m_fromImage);
    layout->addWidget(m_images);
    layout->addSpacing(8);
    layout->addWidget(m_fromFile);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);
    layout->addLayout(fileRow);
    layout->addSpacing(8);
    layout->addWidget(m_fromImport);
    layout->addWidget(m_importKind);
    auto *importRow = new QHBoxLayout;
    importRow->addWidget(m_importPath, 1);
    importRow->addWidget(browseImport);
    layout->addLayout(importRow);
    auto *kernelRow = new QFormLayout;
    auto *kernelChoice = new QHBoxLayout;
    kernelChoice->addWidget(m_kernelFrom);
    kernelChoice->addWidget(m_kernelPackage, 1);
    kernelChoice->addWidget(m_kernelImage, 1);
    kernelRow->addRow(tr("&Kernel from:"), kernelChoice);
    qobject_cast<QLabel *>(kernelRow->labelForField(kernelChoice))->setBuddy(m_kernelFrom);
    layout->addLayout(kernelRow);
    layout->addStretch(1);
    layout->addWidget(m_error);
}

void StartPage::initializePage()
{
    showError({});
    const QString current = m_images->currentData().toString();
    const QString currentKernel = m_kernelImage->currentData().toString();
    m_images->clear();
    m_kernelImage->clear();
    for (const ImageRecord &image : buildWizard()->lab()->catalog()->images()) {
        if (!image.recipe.isEmpty())
            m_images->addItem(image.tag(), image.tag());
        m_kernelImage->addItem(image.tag(), image.tag());
    }
    if (const int i = m_kernelImage->findData(currentKernel); i >= 0)
        m_kernelImage->setCurrentIndex(i);
    if (m_images->count() == 0) {
        m_images->addItem(tr("(no image built here yet)"));
        m_fromImage->setEnabled(false);
        m_images->setEnabled(false);
        if (m_fromImage->isChecked())
            m_fromTemplate->setChecked(true);
    } else {
        m_fromImage->setEnabled(true);
        m_images->setEnabled(true);
        if (const int i = m_images->findData(current); i >= 0)
            m_images->setCurrentIndex(i);
    }
}

void StartPage::chooseImage(const QString &tag)
{
    initializePage();
    if (const int i = m_images->findData(tag); i >= 0) {
        m_images->setCurrentIndex(i);
        m_fromImage->setChecked(true);
    }
}

QString StartPage::selectionKey() const
{
    if (m_fromImage->isChecked())
        return QStringLiteral("image:") + m_images->currentData().toString();
    if (m_fromFile->isChecked())
        return QStringLiteral("file:") + m_file->text();
    if (m_fromImport->isChecked())
        return QStringLiteral("import:%1:%2:%3:%4:%5")
            .arg(m_importKind->currentData().toString(), m_kernelFrom->currentData().toString(),
                m_kernelPackage->text(), m_kernelImage->currentData().toString(), m_importPath->text());
    return QStringLiteral("template:") + m_templates->currentData().toString();
}

bool StartPage::validatePage()
{
    // Coming back here and going on again keeps the edits unless the choice changed.
    const QString key = selectionKey();
    if (key == m_loadedKey)
        return true;
    BuildWizard *w = buildWizard();
    Result<RecipeDraft> draft = Result<RecipeDraft>::failure(QString());
    if (m_fromImage->isChecked()) {
        const QString tag = m_images->currentData().toString();
        const auto record = w->lab()->catalog()->imageByTag(tag);
        if (!record) {
            showError(tr("The image %1 is no longer in the catalog.").arg(tag));
            return false;
        }
        // The wizard kept the files and scripts of images it built; the command line's
        // recipe directory is not known, so those come without them.
        draft = RecipeDraft::fromJson(record->recipe.toUtf8(), recipeDirFor(w->lab()->dataDir(), record->name), tag);
        if (draft) {
            Catalog *catalog = w->lab()->catalog();
            const QString name = draft->recipe.name;
            draft->recipe.version = nextVersion(record->version, [catalog, name](const QString &version) {
                return catalog->imageByTag(name + QLatin1Char(':') + version).has_value();
            });
        }
    } else if (m_fromFile->isChecked()) {
        if (m_file->text().trimmed().isEmpty()) {
            showError(tr("Choose a recipe file first."));
            return false;
        }
        draft = RecipeDraft::fromFile(m_file->text().trimmed());
    } else if (m_fromImport->isChecked()) {
        if (m_importPath->text().trimmed().isEmpty()) {
            showError(tr("Choose the container image or archive first."));
            return false;
        }
        const QString kernelFrom = m_kernelFrom->currentData().toString();
        const QString kernelImage = m_kernelImage->currentData().toString();
        if (kernelFrom == QLatin1String("image") && kernelImage.isEmpty()) {
            showError(tr("There is no image in this lab to take a kernel from; take a Debian package."));
            return false;
        }
        draft = RecipeDraft::fromImport(m_importKind->currentData().toString(), m_importPath->text().trimmed(),
            kernelFrom == QLatin1String("package") ? m_kernelPackage->text() : QString(),
            kernelFrom == QLatin1String("image") ? kernelImage : QString());
    } else {
        draft = RecipeDraft::fromTemplate(m_templates->currentData().toString());
    }
    if (!draft) {
        showError(draft.error());
        return false;
    }
    w->setDraft(*draft);
    m_loadedKey = key;
    showError({});
    return true;
}

} // namespace drover
