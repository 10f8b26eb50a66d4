// NamingDialog: names the selected machines from a pattern ("lab-{n:02}" → lab-01, lab-02, …)
// and gives them labels, with a live preview of old → new names and the reason a pattern
// cannot be used. What a technician does with a bench of new machines before handing them on.
#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTreeWidget;

namespace drover {

class Catalog;

class NamingDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NamingDialog)
public:
    NamingDialog(Catalog *catalog, const QStringList &machines, QWidget *parent = nullptr);

    QLineEdit *pattern() const { return m_pattern; }
    QSpinBox *first() const { return m_first; }
    QLineEdit *labels() const { return m_labels; }
    QTreeWidget *preview() const { return m_preview; }
    QLabel *problem() const { return m_problem; }
    QDialogButtonBox *buttons() const { return m_buttons; }

    void accept() override; // renames in the catalog; stays open and says why if it cannot

private:
    void updatePreview();
    // "room=b2, group=lab" → pairs; the reason on a malformed entry.
    QList<std::pair<QString, QString>> parsedLabels(QString *why) const;

    Catalog *m_catalog;
    QStringList m_machines;
    QLineEdit *m_pattern;
    QSpinBox *m_first;
    QLineEdit *m_labels;
    QTreeWidget *m_preview;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace drover
