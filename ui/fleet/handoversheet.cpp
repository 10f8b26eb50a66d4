#include "fleet/handoversheet.h"

#include <QCoreApplication>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(HandoverSheet)
};

} // namespace

Status saveHandoverSheet(const QString &path, const QString &html)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(Text::tr("cannot write %1: %2").arg(path, file.errorString()));
    if (path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive)) {
        QPdfWriter writer(&file);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setTitle(QStringLiteral("Drover"));
        QTextDocument document;
        document.setHtml(html);
        document.print(&writer);
    } else if (const QByteArray bytes = html.toUtf8(); file.write(bytes) != bytes.size()) {
        return Status::failure(Text::tr("cannot write %1: %2").arg(path, file.errorString()));
    }
    if (!file.commit())
        return Status::failure(Text::tr("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace drover
