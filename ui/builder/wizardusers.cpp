// The wizard's users and keys page: users added to or changed in the image, and the ssh
// keys each may log in with.
#include "builder/wizardpages.h"

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

namespace drover {

namespace {

enum UserColumn { Name, Uid, Groups, Shell, Password, ColumnCount };

QStringList lines(const QString &text)
{
    QStringList out;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty())
            out.append(line.trimmed());
    }
    return out;
}

} // namespace

UsersPage::UsersPage(QWidget *parent)
    : DraftPage(parent)
    , m_users(new QTableWidget(0, ColumnCount, this))
    , m_keys(new QPlainTextEdit(this))
    , m_keysLabel(new QLabel(this))
{
    setTitle(tr("Users and Keys"));
    setSubTitle(tr("Users the image gets (or, like root, already has), and the ssh keys they log in "
                   "with. Per-machine users come from the machine's configuration at boot."));
    m_users->setObjectName(QStringLiteral("users"));
    m_users->setHorizontalHeaderLabels({ tr("Name"), tr("UID"), tr("Groups"), tr("Shell"), tr("Password hash") });
    m_users->horizontalHeaderItem(Uid)->setToolTip(tr("Empty: the first free uid from 1000"));
    m_users->horizontalHeaderItem(Groups)->setToolTip(
        tr("Supplementary groups separated by spaces; they must exist in the image"));
    m_users->horizontalHeaderItem(Password)->setToolTip(
        tr("A crypt(3) hash from mkpasswd, \"!\" or \"*\"; never a clear-text password. Empty: log in by key"));
    m_users->horizontalHeader()->setStretchLastSection(true);
    m_users->verticalHeader()->hide();
    m_users->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_users->setSelectionMode(QAbstractItemView::SingleSelection);
    m_users->setToolTip(tr("F2 edits a cell"));
    m_keys->setObjectName(QStringLiteral("sshKeys"));
    m_keys->setTabChangesFocus(true);
    m_keys->setPlaceholderText(tr("ssh-ed25519 AAAA… user@host, one key a line"));
    m_keys->setToolTip(tr("Appended to the user's ~/.ssh/authorized_keys"));
    m_keysLabel->setBuddy(m_keys);

    auto *add = new QPushButton(tr("&Add User"), this);
    add->setToolTip(tr("A new user; give it a name in the table"));
    connect(add, &QPushButton::clicked, this, [this] {
        addUser({});
        m_users->setCurrentCell(m_users->rowCount() - 1, Name);
        m_users->editItem(m_users->item(m_users->rowCount() - 1, Name));
    });
    auto *remove = new QPushButton(tr("&Remove User"), this);
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_users->currentRow();
        if (row < 0)
            return;
        m_shownUser = -1;
        m_userKeys.removeAt(row);
        m_users->removeRow(row);
        userSelected();
    });
    auto *keyFile = new QPushButton(tr("Add &Key File…"), this);
    keyFile->setToolTip(tr("Append a public key file (~/.ssh/id_ed25519.pub) to the selected user's keys"));
    connect(keyFile, &QPushButton::clicked, this, &UsersPage::addKeyFile);
    connect(m_users, &QTableWidget::currentCellChanged, this, &UsersPage::userSelected);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    buttons->addWidget(keyFile);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_users, 2);
    layout->addLayout(buttons);
    layout->addWidget(m_keysLabel);
    layout->addWidget(m_keys, 1);
    layout->addWidget(m_error);
}

void UsersPage::addUser(const RecipeUser &user)
{
    const int row = m_users->rowCount();
    m_users->insertRow(row);
    m_users->setItem(row, Name, new QTableWidgetItem(user.name));
    m_users->setItem(row, Uid, new QTableWidgetItem(user.uid ? QString::number(*user.uid) : QString()));
    m_users->setItem(row, Groups, new QTableWidgetItem(user.groups.join(QLatin1Char(' '))));
    m_users->setItem(row, Shell, new QTableWidgetItem(user.shell));
    m_users->setItem(row, Password, new QTableWidgetItem(user.password));
    m_userKeys.append(user.sshKeys);
}

void UsersPage::userSelected()
{
    if (m_shownUser >= 0 && m_shownUser < m_userKeys.size())
        m_userKeys[m_shownUser] = lines(m_keys->toPlainText());
    m_shownUser = m_users->currentRow();
    m_keys->setEnabled(m_shownUser >= 0);
    m_keys->setPlainText(m_shownUser >= 0 ? m_userKeys.value(m_shownUser).join(QLatin1Char('\n')) : QString());
    const QString name = m_shownUser >= 0 ? m_users->item(m_shownUser, Name)->text() : QString();
    m_keysLabel->setText(name.isEmpty() ? tr("SSH authorized ke&ys of the selected user:")
                                        : tr("SSH authorized ke&ys of %1:").arg(name));
}

void UsersPage::addKeyFile()
{
    if (m_users->currentRow() < 0)
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Add a Public Key"),
        QStandardPaths::writableLocation(QStandardPaths::HomeLocation) + QStringLiteral("/.ssh"),
        tr("Public keys (*.pub);;All files (*)"));
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return;
    const QString text = QString::fromUtf8(file.read(qint64(64) * 1024)).trimmed();
    const QString keys = m_keys->toPlainText().trimmed() + QLatin1Char('\n') + text;
    m_keys->setPlainText(keys.trimmed());
}

void UsersPage::load(const RecipeDraft &draft)
{
    m_shownUser = -1;
    m_users->setRowCount(0);
    m_userKeys.clear();
    for (const RecipeUser &user : draft.recipe.users)
        addUser(user);
    if (m_users->rowCount() > 0)
        m_users->setCurrentCell(0, Name);
    userSelected();
}

void UsersPage::store(RecipeDraft &draft) const
{
    draft.recipe.users.clear();
    for (int row = 0; row < m_users->rowCount(); ++row) {
        RecipeUser user;
        user.name = m_users->item(row, Name)->text().trimmed();
        bool ok = false;
        const int uid = m_users->item(row, Uid)->text().trimmed().toInt(&ok);
        if (ok)
            user.uid = uid;
        else if (!m_users->item(row, Uid)->text().trimmed().isEmpty())
            user.uid = -1; // the validator names the field
        user.groups = m_users->item(row, Groups)
                          ->text()
                          .split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
        user.shell = m_users->item(row, Shell)->text().trimmed();
        user.password = m_users->item(row, Password)->text().trimmed();
        user.sshKeys = row == m_shownUser ? lines(m_keys->toPlainText()) : m_userKeys.value(row);
        draft.recipe.users.append(user);
    }
}

bool UsersPage::ownsField(const QString &field) const
{
    return field.startsWith(QLatin1String("users"));
}

} // namespace drover
