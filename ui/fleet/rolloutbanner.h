// RolloutBanner: the strip above the fleet table while a rollout is active — which image
// goes to which group, the wave, how many machines are done and failed, the latest event,
// and Pause, Resume and Abort. It reads the rollouts from the catalog (where RolloutEngine
// and `drover rollout` keep them) whenever the catalog changes, so it shows rollouts
// started from the command line or by another admin too.
#pragma once

#include <QFrame>

#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;
class QVBoxLayout;

namespace drover {

class Lab;
struct Rollout;

class RolloutBanner final : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RolloutBanner)
public:
    // Asked before aborting; true to go ahead. Tests replace the dialog.
    using Confirm = std::function<bool(const QString &group)>;

    explicit RolloutBanner(Lab *lab, QWidget *parent = nullptr);

    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    void refresh();
    // The text of each active rollout's line (tests, accessibility).
    QStringList lines() const;

Q_SIGNALS:
    void message(const QString &text);
    // Something the user did, done (or refused: failed), in words for the log.
    void performed(const QString &what, bool failed = false);

private:
    QWidget *rowFor(const Rollout &rollout);
    void act(const QString &group, const QString &what);

    Lab *m_lab;
    QVBoxLayout *m_rows;
    Confirm m_confirm;
};

} // namespace drover
