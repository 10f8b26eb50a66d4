// The wizard's files and scripts page: files copied into the image (added or dropped in from
// the file manager) with their modes and owner, build scripts edited in place, and the
// services to enable or disable.
#include "builder/wizardpages.h"

#include <QDir>
#include <QDirIterator>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace drover {

namespace {

enum FileColumn { Target, Mode, Source };

QStringList words(const QString &text)
{
    return text.split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
}

QString cleanDir(QString dir)
{
    while (dir.startsWith(QLatin1Char('/')))
        dir.remove(0, 1);
    while (dir.endsWith(QLatin1Char('/')))
        dir.chop(1);
    return dir;
}

} // namespace

FilesPage::FilesPage(QWidget *parent)
    : DraftPage(parent)
    , m_owner(new QLineEdit(this))
    , m_targetDir(new QLineEdit(QStringLiteral("/etc"), this))
    , m_files(new QTableWidget(0, 3, this))
    , m_scripts(new QListWidget(this))
    , m_scriptText(new QPlainTextEdit(this))
    , m_enable(new QLineEdit(this))
    , m_disable(new QLineEdit(this))
{
    setTitle(tr("Files and Scripts"));
    setSubTitle(tr("Files copied into the image, scripts run inside it while building, services."));
    auto *tabs = new QTabWidget(this);

    // Files.
    auto *filesTab = new QWidget(tabs);
    m_files->setObjectName(QStringLiteral("files"));
    m_files->setHorizontalHeaderLabels({ tr("Path in the image"), tr("Mode"), tr("Copied from") });
    m_files->horizontalHeader()->setStretchLastSection(true);
    m_files->setColumnWidth(Target, 280);
    m_files->setColumnWidth(Mode, 70);
    m_files->verticalHeader()->hide();
    m_files->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_files->setToolTip(tr("Drop files or folders here from the file manager. Edit a path or a mode "
                           "(octal; empty: 0644, or 0755 for executables) with F2"));
    m_files->setAcceptDrops(true);
    m_files->viewport()->setAcceptDrops(true);
    m_files->viewport()->installEventFilter(this);
    m_targetDir->setToolTip(tr("Directory in the image that added or dropped files go to"));
    m_owner->setObjectName(QStringLiteral("owner"));
    m_owner->setToolTip(tr("Owner of every copied file: USER:GROUP by name in the image or by number"));
    auto *add = new QPushButton(tr("&Add Files…"), filesTab);
    add->setToolTip(tr("Choose files to copy into the target directory"));
    connect(add, &QPushButton::clicked, this, &FilesPage::chooseFiles);
    auto *remove = new QPushButton(tr("&Remove"), filesTab);
    remove->setToolTip(tr("Remove the selected files from the image (not from the disk)"));
    connect(remove, &QPushButton::clicked, this, [this] {
        const auto rows = m_files->selectionModel()->selectedRows();
        for (auto it = rows.crbegin(); it != rows.crend(); ++it)
            m_files->removeRow(it->row());
    });
    auto *filesForm = new QFormLayout;
    filesForm->addRow(tr("Add to &directory:"), m_targetDir);
    filesForm->addRow(tr("O&wner of all files:"), m_owner);
    auto *fileButtons = new QHBoxLayout;
    fileButtons->addWidget(add);
    fileButtons->addWidget(remove);
    fileButtons->addStretch(1);
    auto *filesLayout = new QVBoxLayout(filesTab);
    filesLayout->addLayout(filesForm);
    filesLayout->addWidget(m_files, 1);
    filesLayout->addLayout(fileButtons);
    tabs->addTab(filesTab, tr("&Files"));

    // Scripts.
    auto *scriptsTab = new QWidget(tabs);
    m_scripts->setObjectName(QStringLiteral("scripts"));
    m_scripts->setToolTip(tr("Run in this order inside the image; double-click or F2 renames"));
    m_scripts->setMaximumWidth(220);
    m_scriptText->setObjectName(QStringLiteral("scriptText"));
    m_scriptText->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_scriptText->setTabChangesFocus(true);
    m_scriptText->setToolTip(tr("A script with a #! line runs as itself, others with /bin/sh -e"));
    auto *addScript = new QPushButton(tr("New &Script"), scriptsTab);
    addScript->setToolTip(tr("Add a script that runs after the ones above"));
    connect(addScript, &QPushButton::clicked, this, &FilesPage::addScript);
    auto *removeScript = new QPushButton(tr("&Remove Script"), scriptsTab);
    connect(removeScript, &QPushButton::clicked, this, [this] {
        const int row = m_scripts->currentRow();
        if (row < 0)
            return;
        m_shownScript = -1;
        m_scriptTexts.removeAt(row);
        delete m_scripts->takeItem(row);
        scriptSelected();
    });
    connect(m_scripts, &QListWidget::currentRowChanged, this, &FilesPage::scriptSelected);
    auto *scriptSide = new QVBoxLayout;
    scriptSide->addWidget(m_scripts, 1);
    scriptSide->addWidget(addScript);
    scriptSide->addWidget(removeScript);
    auto *up = new QPushButton(tr("Move &Up"), scriptsTab);
    up->setToolTip(tr("Run the selected script earlier"));
    connect(up, &QPushButton::clicked, this, [this] { moveScript(-1); });
    auto *down = new QPushButton(tr("Move &Down"), scriptsTab);
    down->setToolTip(tr("Run the selected script later"));
    connect(down, &QPushButton::clicked, this, [this] { moveScript(1); });
    scriptSide->addWidget(up);
    scriptSide->addWidget(down);
    auto *scriptsLayout = new QHBoxLayout(scriptsTab);
    scriptsLayout->addLayout(scriptSide);
    scriptsLayout->addWidget(m_scriptText, 1);
    tabs->addTab(scriptsTab, tr("S&cripts"));

    // Services.
    auto *servicesTab = new QWidget(tabs);
    m_enable->setObjectName(QStringLiteral("enableServices"));
    m_enable->setToolTip(tr("systemd units to enable, separated by spaces: ssh systemd-networkd …"));
    m_disable->setObjectName(QStringLiteral("disableServices"));
    m_disable->setToolTip(tr("systemd units to disable, separated by spaces"));
    auto *servicesLayout = new QFormLayout(servicesTab);
    servicesLayout->addRow(tr("&Enable:"), m_enable);
    servicesLayout->addRow(tr("&Disable:"), m_disable);
    tabs->addTab(servicesTab, tr("Ser&vices"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs, 1);
    layout->addWidget(m_error);
}

void FilesPage::addFileRow(const DraftFile &file)
{
    const int row = m_files->rowCount();
    m_files->insertRow(row);
    m_files->setItem(row, Target, new QTableWidgetItem(QLatin1Char('/') + file.target));
    m_files->setItem(row, Mode, new QTableWidgetItem(file.mode));
    auto *source = new QTableWidgetItem(file.source.startsWith(QLatin1Char(':')) ? tr("(template)") : file.source);
    source->setData(Qt::UserRole, file.source);
    source->setFlags(source->flags() & ~Qt::ItemIsEditable);
    source->setToolTip(file.source);
    m_files->setItem(row, Source, source);
}

void FilesPage::addPaths(const QStringList &paths)
{
    const QString dir = cleanDir(m_targetDir->text());
    auto target
        = [&dir](const QString &relative) { return dir.isEmpty() ? relative : dir + QLatin1Char('/') + relative; };
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (info.isDir()) {
            QDirIterator it(path, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString file = it.next();
                addFileRow(
                    { target(info.fileName() + QLatin1Char('/') + QDir(path).relativeFilePath(file)), file, {} });
            }
        } else if (info.isFile()) {
            addFileRow({ target(info.fileName()), info.absoluteFilePath(), {} });
        }
    }
}

void FilesPage::chooseFiles()
{
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Add Files to the Image"));
    addPaths(paths);
}

bool FilesPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_files->viewport()) {
        if (event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove) {
            auto *drag = static_cast<QDropEvent *>(event);
            if (drag->mimeData()->hasUrls()) {
                drag->acceptProposedAction();
                return true;
            }
        } else if (event->type() == QEvent::Drop) {
            auto *drop = static_cast<QDropEvent *>(event);
            QStringList paths;
            for (const QUrl &url : drop->mimeData()->urls()) {
                if (url.isLocalFile())
                    paths.append(url.toLocalFile());
            }
            addPaths(paths);
            drop->acceptProposedAction();
            return true;
        }
    }
    return DraftPage::eventFilter(watched, event);
}

void FilesPage::addScript()
{
    if (m_shownScript >= 0)
        m_scriptTexts[m_shownScript] = m_scriptText->toPlainText();
    const int number = (m_scripts->count() + 1) * 10;
    auto *item = new QListWidgetItem(QStringLiteral("%1-setup.sh").arg(number, 2, 10, QLatin1Char('0')), m_scripts);
    item->setFlags(item->flags() | Qt::ItemIsEditable);
    m_scriptTexts.append(QStringLiteral("#!/bin/sh\nset -e\n"));
    m_scripts->setCurrentItem(item);
    m_scriptText->setFocus();
}

void FilesPage::moveScript(int by)
{
    const int row = m_scripts->currentRow();
    const int to = row + by;
    if (row < 0 || to < 0 || to >= m_scripts->count())
        return;
    m_scriptTexts[row] = m_scriptText->toPlainText();
    m_shownScript = -1; // the editor's text is saved; the rows move under it
    m_scriptTexts.move(row, to);
    m_scripts->insertItem(to, m_scripts->takeItem(row));
    m_scripts->setCurrentRow(to);
}

void FilesPage::scriptSelected()
{
    if (m_shownScript >= 0 && m_shownScript < m_scriptTexts.size())
        m_scriptTexts[m_shownScript] = m_scriptText->toPlainText();
    m_shownScript = m_scripts->currentRow();
    m_scriptText->setEnabled(m_shownScript >= 0);
    m_scriptText->setPlainText(m_shownScript >= 0 ? m_scriptTexts.value(m_shownScript) : QString());
}

void FilesPage::load(const RecipeDraft &draft)
{
    m_files->setRowCount(0);
    for (const DraftFile &f : draft.files)
        addFileRow(f);
    m_owner->setText(draft.recipe.filesOwner);
    m_shownScript = -1;
    m_scripts->clear();
    m_scriptTexts.clear();
    for (const DraftScript &s : draft.scripts) {
        auto *item = new QListWidgetItem(s.name, m_scripts);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        m_scriptTexts.append(s.text);
    }
    m_scripts->setCurrentRow(m_scripts->count() > 0 ? 0 : -1);
    scriptSelected();
    m_enable->setText(draft.recipe.enableServices.join(QLatin1Char(' ')));
    m_disable->setText(draft.recipe.disableServices.join(QLatin1Char(' ')));
}

void FilesPage::store(RecipeDraft &draft) const
{
    draft.files.clear();
    for (int row = 0; row < m_files->rowCount(); ++row) {
        QString target = m_files->item(row, Target)->text().trimmed();
        while (target.startsWith(QLatin1Char('/')))
            target.remove(0, 1);
        draft.files.append({ target, m_files->item(row, Source)->data(Qt::UserRole).toString(),
            m_files->item(row, Mode)->text().trimmed() });
    }
    draft.recipe.filesOwner = m_owner->text().trimmed();
    draft.scripts.clear();
    for (int row = 0; row < m_scripts->count(); ++row) {
        const QString text = row == m_shownScript ? m_scriptText->toPlainText() : m_scriptTexts.value(row);
        draft.scripts.append({ m_scripts->item(row)->text().trimmed(), text });
    }
    draft.recipe.enableServices = words(m_enable->text());
    draft.recipe.disableServices = words(m_disable->text());
}

bool FilesPage::ownsField(const QString &field) const
{
    return field.startsWith(QLatin1String("files")) || field.startsWith(QLatin1String("scripts"))
        || field.startsWith(QLatin1String("services"));
}

} // namespace drover
