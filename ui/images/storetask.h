// StoreTask: runs one long store operation (import, export, verify, clean up) on a worker
// thread, reports progress to the GUI thread by signals, and can be cancelled. The window
// never waits on disk.
#pragma once

#include "util/result.h"

#include <QObject>

#include <atomic>
#include <functional>

namespace drover {

class StoreTask final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreTask)
public:
    // The work gets a progress callback; it returns false once the user cancelled.
    using Progress = std::function<bool(qint64 done, qint64 total)>;
    using Work = std::function<Status(const Progress &progress)>;

    explicit StoreTask(QObject *parent = nullptr);
    ~StoreTask() override;

    void start(Work work);
    bool isRunning() const { return m_running; }

public Q_SLOTS:
    void cancel() { m_cancelled = true; }

Q_SIGNALS:
    void progress(qint64 done, qint64 total);
    void finished(const QString &error); // empty on success

private:
    std::atomic_bool m_cancelled = false;
    bool m_running = false;
};

} // namespace drover
