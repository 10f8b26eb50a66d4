#include "images/storetask.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace drover {

StoreTask::StoreTask(QObject *parent)
    : QObject(parent)
{ }

StoreTask::~StoreTask()
{
    // The worker may outlive us only until it notices the cancel.
    m_cancelled = true;
}

void StoreTask::start(Work work)
{
    m_cancelled = false;
    m_running = true;
    QPointer<StoreTask> self(this);
    // Progress is posted at most every 50 ms: a queued signal per megabyte would flood the
    // GUI thread's event queue during a fast import.
    auto report = [self](qint64 done, qint64 total) {
        if (!self || self->m_cancelled)
            return false;
        thread_local QElapsedTimer throttle;
        if (!throttle.isValid() || throttle.elapsed() >= 50 || done == total) {
            throttle.restart();
            if (QObject *target = self.data())
                QMetaObject::invokeMethod(
                    target,
                    [self, done, total] {
                        if (self)
                            Q_EMIT self->progress(done, total);
                    },
                    Qt::QueuedConnection);
        }
        return true;
    };
    (void)QtConcurrent::run([self, work = std::move(work), report] {
        const Status status = work(report);
        QObject *target = self.data();
        if (!target)
            return;
        QMetaObject::invokeMethod(
            target,
            [self, status] {
                if (!self)
                    return;
                self->m_running = false;
                Q_EMIT self->finished(status.ok() ? QString() : status.error());
            },
            Qt::QueuedConnection);
    });
}

} // namespace drover
