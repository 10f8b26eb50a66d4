// ImagePanel: the images in the catalog with their size, age and users; details (manifest,
// layers, recipe), export to and import from bundles, verify, delete (refused while in use,
// saying by whom) and clean up (showing what would be freed first). Long operations run on
// a worker thread with progress and cancel.
#pragma once

#include "util/result.h"

#include <QWidget>

#include <functional>

class QProgressDialog;
class QTableView;

namespace drover {

class ImageModel;
class Lab;
class StoreTask;

class ImagePanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImagePanel)
public:
    ImagePanel(Lab *lab, ImageModel *model, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    QString selectedTag() const;
    StoreTask *task() const { return m_task; }
    // Asked before destructive steps; true to go ahead. Tests replace the dialog.
    void setConfirm(std::function<bool(const QString &title, const QString &text)> confirm)
    {
        m_confirm = std::move(confirm);
    }

public Q_SLOTS:
    void importFile(const QString &path);
    void exportTo(const QString &tag, const QString &path);
    void verifySelected();
    void deleteSelected();
    void cleanUp();
    // Checks and stores an ISO off the GUI thread, named after its file (boot target iso:NAME).
    void addIso(const QString &path);
    void removeIso(const QString &name);
    void showDetails();
    // Selects the image `tag` (a freshly built one); false when the catalog does not have it.
    bool selectTag(const QString &tag);

Q_SIGNALS:
    void message(const QString &text);
    // Something the user did, done (or refused: failed), in words for the log.
    void performed(const QString &what, bool failed = false);
    // The user asked for the build wizard: a new image, or the next version of `tag`.
    void newImageRequested();
    void newVersionRequested(const QString &tag);
    // … or a rollout of `tag` to a group, canaries first.
    void rolloutRequested(const QString &tag);
    // … or a test boot of `tag` in a throwaway virtual machine.
    void testRequested(const QString &tag);
    void taskFinished(const QString &error);

private:
    // Runs `work` unless another operation is running; onSuccess runs on the GUI thread.
    void runTask(const QString &title, std::function<Status(const std::function<bool(qint64, qint64)> &)> work,
        std::function<void()> onSuccess = {});
    void chooseAndImport();
    void chooseAndExport();
    void chooseAndAddIso();
    void report(const QString &title, const QString &text, bool problem);
    void showContextMenu(const QPoint &pos);

    Lab *m_lab;
    ImageModel *m_model;
    QTableView *m_table;
    StoreTask *m_task;
    QProgressDialog *m_progress = nullptr;
    std::function<bool(const QString &, const QString &)> m_confirm;
};

} // namespace drover
