#include "fleet/statusdelegate.h"

#include "fleet/fleetmodel.h"

#include <QGuiApplication>
#include <QPainter>
#include <QPixmap>

namespace drover {

StatusDelegate::StatusDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{ }

StatusDelegate::~StatusDelegate() = default;

void StatusDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    if (!index.data(FleetModel::SecureBootRole).toBool())
        return;
    // One decoration of two icons side by side: the style lays the text out after it, so the
    // shield never covers the state however narrow the column is.
    const QSize one = option->decorationSize.isValid() ? option->decorationSize : QSize(16, 16);
    constexpr int gap = 2;
    const qreal ratio = option->widget ? option->widget->devicePixelRatioF() : qGuiApp->devicePixelRatio();
    QPixmap both(QSize(one.width() * 2 + gap, one.height()) * ratio);
    both.setDevicePixelRatio(ratio);
    both.fill(Qt::transparent);
    {
        QPainter painter(&both);
        option->icon.paint(&painter, QRect(QPoint(0, 0), one));
        QIcon(QStringLiteral(":/icons/secure-boot.svg")).paint(&painter, QRect(QPoint(one.width() + gap, 0), one));
    }
    option->icon = QIcon(both);
    option->decorationSize = QSize(one.width() * 2 + gap, one.height());
    option->features |= QStyleOptionViewItem::HasDecoration;
}

} // namespace drover
