// The build wizard's pages. Each DraftPage shows part of the wizard's RecipeDraft: it loads
// the draft when shown, stores its fields back when left (either way, so Back loses
// nothing), and on Next runs the recipe's own validator, refusing to go on while a field it
// shows is wrong and naming that field.
#pragma once

#include "builder/builder.h"
#include "builder/recipedraft.h"

#include <QElapsedTimer>
#include <QWizardPage>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QTableView;
class QTableWidget;
class QTimer;
class QTreeWidget;

namespace drover {

class BuildWizard;
class PackageFilter;
class PackageModel;

class DraftPage : public QWizardPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DraftPage)
public:
    explicit DraftPage(QWidget *parent = nullptr);

    void initializePage() override;
    void cleanupPage() override;
    bool validatePage() override;
    // The validator's message shown on this page (empty: none).
    QString errorText() const;

protected:
    BuildWizard *buildWizard() const;
    virtual void load(const RecipeDraft &draft) = 0;
    virtual void store(RecipeDraft &draft) const = 0;
    // Whether a validator field ("users[0].name") is edited on this page.
    virtual bool ownsField(const QString &field) const = 0;
    void showError(const QString &text);
    QLabel *m_error;
};

class StartPage final : public DraftPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StartPage)
public:
    explicit StartPage(QWidget *parent = nullptr);
    void initializePage() override;
    bool validatePage() override;

    QRadioButton *templateChoice() const { return m_fromTemplate; }
    QRadioButton *imageChoice() const { return m_fromImage; }
    QRadioButton *fileChoice() const { return m_fromFile; }
    QComboBox *templates() const { return m_templates; }
    QComboBox *images() const { return m_images; }
    QLineEdit *file() const { return m_file; }
    QRadioButton *importChoice() const { return m_fromImport; }
    QComboBox *importKind() const { return m_importKind; }
    QLineEdit *importPath() const { return m_importPath; }
    QLineEdit *kernelPackage() const { return m_kernelPackage; }
    QComboBox *kernelFrom() const { return m_kernelFrom; }
    QComboBox *kernelImage() const { return m_kernelImage; }
    void chooseImage(const QString &tag);

protected:
    void load(const RecipeDraft &) override { }
    void store(RecipeDraft &) const override { }
    bool ownsField(const QString &) const override { return false; }

private:
    QString selectionKey() const;

    QRadioButton *m_fromTemplate;
    QRadioButton *m_fromImage;
    QRadioButton *m_fromFile;
    QComboBox *m_templates;
    QComboBox *m_images;
    QLineEdit *m_file;
    QRadioButton *m_fromImport;
    QComboBox *m_importKind;
    QLineEdit *m_importPath;
    QLineEdit *m_kernelPackage;
    QComboBox *m_kernelFrom; // "package", "image" or "root"
    QComboBox *m_kernelImage;
    QString m_loadedKey;
};

class BasePage final : public DraftPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BasePage)
public:
    explicit BasePage(QWidget *parent = nullptr);
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *versionEdit() const { return m_version; }
    QComboBox *suiteBox() const { return m_suite; }

protected:
    void load(const RecipeDraft &draft) override;
    void store(RecipeDraft &draft) const override;
    bool ownsField(const QString &field) const override;

private:
    QLineEdit *m_name;
    QLineEdit *m_version;
    QLineEdit *m_description;
    QComboBox *m_suite;
    QComboBox *m_architecture;
    QLineEdit *m_components;
    QLineEdit *m_mirror;
};

class PackagesPage final : public DraftPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PackagesPage)
public:
    explicit PackagesPage(QWidget *parent = nullptr);
    void initializePage() override;
    QLineEdit *searchEdit() const { return m_search; }
    QTableView *table() const { return m_table; }
    PackageFilter *filter() const { return m_filter; }
    QPlainTextEdit *packagesEdit() const { return m_packagesText; }
    QLineEdit *excludeEdit() const { return m_exclude; }
    QLabel *statusLabel() const { return m_status; }

protected:
    void load(const RecipeDraft &draft) override;
    void store(RecipeDraft &draft) const override;
    bool ownsField(const QString &field) const override;

private:
    void indexReady();
    void toggled(const QString &name, bool chosen);
    void textEdited();
    void updateStatus();

    PackageModel *m_model;
    PackageFilter *m_filter;
    QLineEdit *m_search;
    QTableView *m_table;
    QLabel *m_status;
    QPlainTextEdit *m_packagesText;
    QLineEdit *m_exclude;
    QTimer *m_searchDelay;
    bool m_syncing = false;
};

class FilesPage final : public DraftPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilesPage)
public:
    explicit FilesPage(QWidget *parent = nullptr);
    QTableWidget *filesTable() const { return m_files; }
    QListWidget *scriptList() const { return m_scripts; }
    QPlainTextEdit *scriptEditor() const { return m_scriptText; }
    // Adds local files (directories recursively) below the target directory.
    void addPaths(const QStringList &paths);

protected:
    void load(const RecipeDraft &draft) override;
    void store(RecipeDraft &draft) const override;
    bool ownsField(const QString &field) const override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void addFileRow(const DraftFile &file);
    void chooseFiles();
    void addScript();
    void moveScript(int by);
    void scriptSelected();

    QLineEdit *m_owner;
    QLineEdit *m_targetDir;
    QTableWidget *m_files;
    QListWidget *m_scripts;
    QPlainTextEdit *m_scriptText;
    QLineEdit *m_enable;
    QLineEdit *m_disable;
    QStringList m_scriptTexts; // per row of m_scripts
    int m_shownScript = -1;
};

class UsersPage final : public DraftPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsersPage)
public:
    explicit UsersPage(QWidget *parent = nullptr);
    QTableWidget *usersTable() const { return m_users; }
    QPlainTextEdit *keysEdit() const { return m_keys; }

protected:
    void load(const RecipeDraft &draft) override;
    void store(RecipeDraft &draft) const override;
    bool ownsField(const QString &field) const override;

private:
    void addUser(const RecipeUser &user);
    void userSelected();
    void addKeyFile();

    QTableWidget *m_users;
    QPlainTextEdit *m_keys;
    QLabel *m_keysLabel;
    QList<QStringList> m_userKeys; // per row of m_users
    int m_shownUser = -1;
};

class BootPage final : public DraftPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BootPage)
public:
    explicit BootPage(QWidget *parent = nullptr);

protected:
    void load(const RecipeDraft &draft) override;
    void store(RecipeDraft &draft) const override;
    bool ownsField(const QString &field) const override;

private:
    QComboBox *m_format;
    QComboBox *m_layerType;
    QComboBox *m_compression;
    QLineEdit *m_kernelArgs;
    QCheckBox *m_pruneDocs;
    QCheckBox *m_pruneMan;
    QLineEdit *m_locales;
    QList<QCheckBox *> m_moduleClasses;
};

class ReviewPage final : public DraftPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReviewPage)
public:
    explicit ReviewPage(QWidget *parent = nullptr);
    void initializePage() override;
    bool isComplete() const override;
    QPlainTextEdit *jsonView() const { return m_json; }
    QTreeWidget *issueList() const { return m_issues; }
    QLabel *estimateLabel() const { return m_estimate; }

protected:
    void load(const RecipeDraft &) override { }
    void store(RecipeDraft &) const override { }
    bool ownsField(const QString &) const override { return true; }

private:
    void updateEstimate();

    QPlainTextEdit *m_json;
    QTreeWidget *m_issues;
    QLabel *m_estimate;
    bool m_valid = false;
};

class BuildPage final : public QWizardPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuildPage)
public:
    explicit BuildPage(QWidget *parent = nullptr);
    ~BuildPage() override;

    void initializePage() override;
    void cleanupPage() override;
    bool isComplete() const override;

    bool isBuilding() const;
    Builder *builder() const { return m_builder; }
    QProgressBar *stageBar(const QString &stage) const;
    QPushButton *cancelButton() const { return m_cancel; }
    QPlainTextEdit *log() const { return m_log; }
    QLabel *statusLabel() const { return m_status; }
    BuildReport lastReport() const { return m_report; }
    void cancel();

Q_SIGNALS:
    void buildFinished(bool ok);

private:
    BuildWizard *buildWizard() const;
    void finished(const BuildReport &report);
    void tick();

    Builder *m_builder = nullptr;
    QMap<QString, QProgressBar *> m_bars;
    QMap<QString, QLabel *> m_times;
    QMap<QString, QElapsedTimer> m_stageClocks;
    QPlainTextEdit *m_log;
    QLabel *m_elapsed;
    QLabel *m_status;
    QPushButton *m_cancel;
    QTimer *m_timer;
    QElapsedTimer m_clock;
    QString m_stagingDir;
    QString m_recipeDir;
    BuildReport m_report;
    bool m_succeeded = false;
};

} // namespace drover
