#include "inventory/reportlines.h"

#include <QCoreApplication>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ReportLines)
};

bool isKeyChar(QChar c)
{
    return c.unicode() < 0x80
        && (c.isLetterOrNumber() || c == QLatin1Char('.') || c == QLatin1Char('_') || c == QLatin1Char('-'));
}

} // namespace

QString readReportLines(QByteArrayView text, qsizetype maxBytes, qsizetype maxValue,
    const std::function<QString(QStringView key, const QString &value)> &take)
{
    if (text.size() > maxBytes)
        return Text::tr("the report is larger than %1 bytes").arg(maxBytes);
    const QString decoded = QString::fromUtf8(text);
    int lineNumber = 0;
    for (QStringView line : QStringView(decoded).split(QLatin1Char('\n'))) {
        ++lineNumber;
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;
        auto lineError = [lineNumber](const QString &why) { return Text::tr("line %1: %2").arg(lineNumber).arg(why); };
        const qsizetype tab = line.indexOf(QLatin1Char('\t'));
        if (tab <= 0)
            return lineError(Text::tr("not KEY<tab>VALUE"));
        const QStringView key = line.left(tab);
        if (!std::all_of(key.begin(), key.end(), isKeyChar))
            return lineError(Text::tr("the key is not letters, digits, '.', '_' and '-'"));
        if (key.size() > 64)
            return lineError(Text::tr("the key is longer than 64 characters"));
        const QString value = line.mid(tab + 1).trimmed().toString();
        if (value.size() > maxValue)
            return lineError(Text::tr("the value of %1 is longer than %2 characters").arg(key).arg(maxValue));
        for (QChar c : value) {
            if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
                return lineError(Text::tr("the value of %1 has a control character").arg(key));
        }
        if (const QString why = take(key, value); !why.isEmpty())
            return lineError(why);
    }
    return {};
}

} // namespace drover
