#include "images/imagepanel.h"

#include "catalog/catalog.h"
#include "images/boottargetlist.h"
#include "images/imagemodel.h"
#include "images/storetask.h"
#include "lab/lab.h"
#include "main/columnlayout.h"
#include "main/emptystate.h"
#include "store/bundle.h"
#include "store/imagestore.h"
#include "store/isofile.h"
#include "store/storegc.h"
#include "store/storeverify.h"
#include "util/currentuser.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressDialog>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace drover {

ImagePanel::ImagePanel(Lab *lab, ImageModel *model, QWidget *parent)
    : QWidget(parent)
    , m_lab(lab)
    , m_model(model)
    , m_table(new QTableView(this))
    , m_task(new StoreTask(this))
    , m_confirm([this](const QString &title, const QString &text) {
        return QMessageBox::question(this, title, text) == QMessageBox::Yes;
    })
{
    m_table->setObjectName(QStringLiteral("imageTable"));
    m_table->setAccessibleName(tr("Images"));
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    {
        const QFontMetrics metrics = m_table->fontMetrics();
        const auto fit = [&metrics, model](int column) {
            return metrics.horizontalAdvance(model->headerData(column, Qt::Horizontal).toString()) + 24;
        };
        for (int column : { ImageModel::Version, ImageModel::Machines, ImageModel::Tested })
            m_table->setColumnWidth(column, fit(column));
        m_table->setColumnWidth(ImageModel::Size, metrics.horizontalAdvance(QStringLiteral("999.9 MiB")) + 24);
        // The name takes what the others leave: the left column is narrow beside the fleet.
        m_table->horizontalHeader()->setStretchLastSection(false);
        m_table->horizontalHeader()->setSectionResizeMode(ImageModel::Name, QHeaderView::Stretch);
        m_table->horizontalHeader()->setMinimumSectionSize(metrics.horizontalAdvance(QStringLiteral("debian")) + 24);
    }
    // Columns chosen from the header's context menu and remembered. Size and when it was made
    // start hidden, so name, version, use and test fit the left column.
    (new ColumnLayout(m_table->horizontalHeader(), QStringLiteral("images/columns"), ImageModel::Name, this))
        ->restore({ ImageModel::Size, ImageModel::Created });
    m_table->setDragEnabled(true);
    m_table->setDragDropMode(QAbstractItemView::DragOnly);
    m_table->setToolTip(tr("Drag an image onto machines in the fleet table to assign it"));
    connect(m_table, &QAbstractItemView::doubleClicked, this, &ImagePanel::showDetails);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &ImagePanel::showContextMenu);

    auto *bar = new QToolBar(this);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto add = [this, bar](const QString &text, const QString &tip, auto slot) {
        QAction *action = bar->addAction(text, this, slot);
        action->setToolTip(tip);
        return action;
    };
    add(tr("New…"), tr("Build a new image with the build wizard"), &ImagePanel::newImageRequested);
    add(tr("Details"), tr("Manifest, layers and recipe of the selected image"), &ImagePanel::showDetails);
    add(tr("Import…"), tr("Import an image bundle (.tar); you can also drop one on the window"),
        &ImagePanel::chooseAndImport);
    add(tr("Export…"), tr("Write the selected image to a bundle (.tar) for another lab or a USB stick"),
        &ImagePanel::chooseAndExport);
    add(tr("Verify"), tr("Re-hash every blob of the selected image (all images when none is selected)"),
        &ImagePanel::verifySelected);
    add(tr("Delete"), tr("Delete the selected image; refused while machines use it"), &ImagePanel::deleteSelected);
    add(tr("Clean Up…"), tr("Free the space of blobs no image uses any more"), &ImagePanel::cleanUp);
    add(tr("Add ISO…"), tr("Add a bootable ISO; drag it from the list below onto machines to boot it"),
        &ImagePanel::chooseAndAddIso);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(bar);
    layout->addWidget(new EmptyState(m_table, model,
        tr("No images yet.\n\nBuild one with the build wizard: New… above, or Images › New Image… "
           "(Ctrl+Shift+N); or import an image bundle (.tar) from another lab: Import… or drop it here."),
        this));
    auto *targets = new BootTargetList(lab->catalog(), this);
    connect(targets, &BootTargetList::removeIsoRequested, this, &ImagePanel::removeIso);
    layout->addWidget(targets);

    connect(m_task, &StoreTask::progress, this, [this](qint64 done, qint64 total) {
        if (!m_progress)
            return;
        // QProgressDialog takes int: show per mille.
        m_progress->setMaximum(1000);
        m_progress->setValue(total > 0 ? int(done * 1000 / total) : 0);
        m_progress->setLabelText(
            tr("%1 of %2").arg(QLocale().formattedDataSize(done), QLocale().formattedDataSize(total)));
    });
}

QString ImagePanel::selectedTag() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(ImageModel::TagRole).toString();
}

bool ImagePanel::selectTag(const QString &tag)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QModelIndex index = m_model->index(row, 0);
        if (index.data(ImageModel::TagRole).toString() == tag) {
            m_table->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            m_table->scrollTo(index);
            return true;
        }
    }
    return false;
}

void ImagePanel::showContextMenu(const QPoint &pos)
{
    const QString tag = selectedTag();
    const auto record = tag.isEmpty() ? std::nullopt : m_lab->catalog()->imageByTag(tag);
    QMenu menu(this);
    QAction *next = menu.addAction(tr("New &Version…"), this, [this, tag] { Q_EMIT newVersionRequested(tag); });
    next->setEnabled(record && !record->recipe.isEmpty());
    next->setToolTip(tr("Open the build wizard on this image's recipe, with the next version"));
    menu.addAction(tr("&New Image…"), this, &ImagePanel::newImageRequested);
    menu.addAction(tr("&Roll Out to a Group…"), this, [this, tag] { Q_EMIT rolloutRequested(tag); })
        ->setEnabled(!tag.isEmpty());
    QAction *test = menu.addAction(tr("&Test in a VM"), this, [this, tag] { Q_EMIT testRequested(tag); });
    test->setEnabled(!tag.isEmpty());
    test->setToolTip(tr("Boot this image in a throwaway virtual machine: does it reach ready?"));
    menu.addSeparator();
    menu.addAction(tr("&Details"), this, &ImagePanel::showDetails)->setEnabled(!tag.isEmpty());
    menu.addAction(tr("&Export…"), this, &ImagePanel::chooseAndExport)->setEnabled(!tag.isEmpty());
    menu.addAction(tr("&Verify"), this, &ImagePanel::verifySelected);
    menu.addAction(tr("De&lete"), this, &ImagePanel::deleteSelected)->setEnabled(!tag.isEmpty());
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

void ImagePanel::runTask(const QString &title, std::function<Status(const std::function<bool(qint64, qint64)> &)> work,
    std::function<void()> onSuccess)
{
    if (m_task->isRunning()) {
        Q_EMIT message(tr("Another image operation is still running."));
        return;
    }
    m_progress = new QProgressDialog(title, tr("Cancel"), 0, 0, this);
    m_progress->setWindowTitle(title);
    m_progress->setAttribute(Qt::WA_DeleteOnClose);
    m_progress->setMinimumDuration(300);
    connect(m_progress, &QProgressDialog::canceled, m_task, &StoreTask::cancel);
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_task, &StoreTask::finished, this,
        [this, title, connection, onSuccess = std::move(onSuccess)](const QString &error) {
            disconnect(*connection);
            if (m_progress) {
                m_progress->close();
                m_progress = nullptr;
            }
            if (!error.isEmpty())
                report(title, error, true);
            else if (onSuccess)
                onSuccess();
            else
                Q_EMIT performed(tr("%1: done").arg(title));
            Q_EMIT taskFinished(error);
        });
    m_task->start(std::move(work));
}

void ImagePanel::report(const QString &title, const QString &text, bool problem)
{
    Q_EMIT message(text.section(QLatin1Char('\n'), 0, 0));
    Q_EMIT performed(tr("%1: %2").arg(title, text.section(QLatin1Char('\n'), 0, 0)), problem);
    auto *box = new QMessageBox(
        problem ? QMessageBox::Warning : QMessageBox::Information, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // not exec(): the window keeps working
}

void ImagePanel::chooseAndImport()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Import Image Bundle"), QString(), tr("Image bundles (*.tar);;All files (*)"));
    if (!path.isEmpty())
        importFile(path);
}

void ImagePanel::importFile(const QString &path)
{
    const QString store = m_lab->storeDir();
    Catalog *catalog = m_lab->catalog();
    auto result = std::make_shared<ImportResult>();
    runTask(
        tr("Importing %1").arg(path),
        [store, catalog, path, result](const auto &progress) {
            auto imported = importBundle(ImageStore(store), catalog, path, progress);
            if (!imported)
                return Status::failure(imported.error());
            *result = imported.value();
            return Status();
        },
        [this, result] {
            const QString text
                = tr("Imported %1 (%2)")
                      .arg(result->tags.join(QStringLiteral(", ")), QLocale().formattedDataSize(result->bytes));
            Q_EMIT message(text);
            Q_EMIT performed(text);
        });
}

void ImagePanel::chooseAndAddIso()
{
    const QString path
        = QFileDialog::getOpenFileName(this, tr("Add ISO"), QString(), tr("ISO images (*.iso *.ISO);;All files (*)"));
    if (!path.isEmpty())
        addIso(path);
}

void ImagePanel::addIso(const QString &path)
{
    const QString store = m_lab->storeDir();
    Catalog *catalog = m_lab->catalog();
    const QString name = defaultIsoName(path);
    const QString who = currentUser();
    auto result = std::make_shared<IsoRecord>();
    runTask(
        tr("Adding %1").arg(path),
        [store, catalog, path, name, who, result](const auto &progress) {
            const qint64 total = QFileInfo(path).size();
            auto added = addIsoFile(
                *catalog, store, path, name, who, [&progress, total](qint64 done) { return progress(done, total); });
            if (!added)
                return Status::failure(added.error());
            *result = added.value();
            return Status();
        },
        [this, result] {
            Q_EMIT message(tr("Added the ISO %1 (%2): drag it from the boot targets onto machines to boot it")
                    .arg(result->name, QLocale().formattedDataSize(result->size)));
            Q_EMIT performed(tr("Added the ISO %1 (%2)").arg(result->name, QLocale().formattedDataSize(result->size)));
        });
}

void ImagePanel::removeIso(const QString &name)
{
    if (!m_confirm(
            tr("Remove %1").arg(name), tr("Remove the ISO %1? Its bytes are freed by the next clean up.").arg(name)))
        return;
    if (Status s = m_lab->catalog()->removeIso(name); !s)
        report(tr("Remove %1").arg(name), s.error(), true);
    else
        Q_EMIT message(tr("Removed the ISO %1").arg(name));
    Q_EMIT performed(tr("Removed the ISO %1").arg(name));
}

void ImagePanel::chooseAndExport()
{
    const QString tag = selectedTag();
    if (tag.isEmpty()) {
        Q_EMIT message(tr("Select an image to export first."));
        return;
    }
    QString name = tag;
    name.replace(QLatin1Char(':'), QLatin1Char('_'));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export %1").arg(tag), name + QStringLiteral(".tar"), tr("Image bundles (*.tar)"));
    if (!path.isEmpty())
        exportTo(tag, path);
}

void ImagePanel::exportTo(const QString &tag, const QString &path)
{
    const QString store = m_lab->storeDir();
    const auto record = m_lab->catalog()->imageByTag(tag);
    const QString recipe = record ? record->recipe : QString();
    runTask(tr("Exporting %1").arg(tag), [store, tag, path, recipe](const auto &progress) {
        return Status::from(exportBundle(ImageStore(store), tag, path, recipe, progress));
    });
}

void ImagePanel::verifySelected()
{
    const QString tag = selectedTag();
    const QString store = m_lab->storeDir();
    auto result = std::make_shared<VerifyReport>();
    runTask(
        tag.isEmpty() ? tr("Verifying all images") : tr("Verifying %1").arg(tag),
        [store, tag, result](const auto &progress) {
            auto verified
                = verifyImages(ImageStore(store), tag.isEmpty() ? QStringList() : QStringList { tag }, progress);
            if (!verified)
                return Status::failure(verified.error());
            *result = verified.value();
            return Status();
        },
        [this, result] {
            if (result->ok()) {
                report(tr("Verify"),
                    tr("All %n blob(s) of %1 are whole (%2).", nullptr, result->blobs)
                        .arg(result->images.join(QStringLiteral(", ")), QLocale().formattedDataSize(result->bytes)),
                    false);
                return;
            }
            QStringList lines;
            for (const BlobProblem &p : std::as_const(result->problems))
                lines.append(tr("%1\n    used by %2").arg(p.message, p.images.join(QStringLiteral(", "))));
            report(tr("Verify"),
                tr("%n blob(s) are corrupt or missing:\n\n%1", nullptr, int(result->problems.size()))
                    .arg(lines.join(QLatin1Char('\n'))),
                true);
        });
}

void ImagePanel::deleteSelected()
{
    const QString tag = selectedTag();
    if (tag.isEmpty())
        return;
    Catalog *catalog = m_lab->catalog();
    if (const QStringList users = catalog->usersOfImage(tag); !users.isEmpty()) {
        report(tr("Delete %1").arg(tag),
            tr("%1 cannot be deleted: it is in use by %2.").arg(tag, users.join(QStringLiteral(", "))), true);
        return;
    }
    if (!m_confirm(
            tr("Delete %1").arg(tag), tr("Delete the image %1? Its blobs are freed by the next clean up.").arg(tag)))
        return;
    if (Status s = catalog->removeImage(tag); !s) {
        report(tr("Delete %1").arg(tag), s.error(), true);
        return;
    }
    if (Status s = ImageStore(m_lab->storeDir()).removeTag(tag); !s)
        report(tr("Delete %1").arg(tag), s.error(), true);
    else {
        Q_EMIT message(tr("Deleted %1").arg(tag));
        Q_EMIT performed(tr("Deleted %1").arg(tag));
    }
}

void ImagePanel::cleanUp()
{
    const QString store = m_lab->storeDir();
    Catalog *catalog = m_lab->catalog();
    auto plan = std::make_shared<GcReport>();
    runTask(
        tr("Looking for unused blobs"),
        [store, catalog, plan](const auto &) {
            auto dry = collectGarbage(
                ImageStore(store), GcOptions { 3600, true, catalogRoots(*catalog), catalogBlobs(*catalog) });
            if (!dry)
                return Status::failure(dry.error());
            *plan = dry.value();
            return Status();
        },
        [this, store, catalog, plan] {
            const qsizetype count = plan->blobs.size() + plan->tempFiles.size();
            if (count == 0) {
                report(tr("Clean Up"), tr("Nothing to free: every blob is used by an image."), false);
                return;
            }
            if (!m_confirm(tr("Clean Up"),
                    tr("Delete %n unused file(s) and free %1?", nullptr, int(count))
                        .arg(QLocale().formattedDataSize(plan->bytesFreed))))
                return;
            runTask(tr("Cleaning up"), [store, catalog](const auto &) {
                return Status::from(collectGarbage(
                    ImageStore(store), GcOptions { 3600, false, catalogRoots(*catalog), catalogBlobs(*catalog) }));
            });
        });
}

void ImagePanel::showDetails()
{
    const QString tag = selectedTag();
    if (tag.isEmpty())
        return;
    const auto manifest = ImageStore(m_lab->storeDir()).manifestForTag(tag);
    if (!manifest) {
        report(tr("Details of %1").arg(tag), manifest.error(), true);
        return;
    }
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Details of %1").arg(tag));
    auto *tabs = new QTabWidget(dialog);
    auto *layers = new QTreeWidget(tabs);
    layers->setHeaderLabels({ tr("Part"), tr("Digest"), tr("Size"), tr("Type") });
    auto row = [layers](const QString &part, const Digest &digest, qint64 size, const QString &type) {
        new QTreeWidgetItem(layers, { part, digest.toString(), QLocale().formattedDataSize(size), type });
    };
    row(tr("kernel"), manifest->kernel.digest, manifest->kernel.size, {});
    row(tr("initramfs"), manifest->initrd.digest, manifest->initrd.size, {});
    for (const LayerRef &layer : manifest->layers)
        row(tr("layer (%1)").arg(layer.role), layer.digest, layer.size, layer.type);
    tabs->addTab(layers, tr("Parts"));
    auto *json = new QPlainTextEdit(QString::fromUtf8(QJsonDocument::fromJson(manifest->toJson()).toJson()), tabs);
    json->setReadOnly(true);
    tabs->addTab(json, tr("Manifest"));
    const auto record = m_lab->catalog()->imageByTag(tag);
    auto *recipe = new QPlainTextEdit(
        record && !record->recipe.isEmpty() ? record->recipe : tr("(not built here: no recipe)"), tabs);
    recipe->setReadOnly(true);
    tabs->addTab(recipe, tr("Recipe"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(tabs);
    layout->addWidget(buttons);
    dialog->resize(760, 420);
    dialog->open();
}

} // namespace drover
