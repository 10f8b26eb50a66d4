// SignalWatcher: turns SIGTERM and SIGINT into a Qt signal on the event loop (self-pipe), so
// `drover --headless` stops its servers and closes the catalog cleanly.
#pragma once

#include <QObject>

class QSocketNotifier;

namespace drover {

class SignalWatcher final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalWatcher)
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace drover
