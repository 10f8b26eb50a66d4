// StatusDelegate: the fleet table's status cell, with a shield beside the state's icon when
// the machine's last boot reported Secure Boot on (FleetModel::SecureBootRole).
#pragma once

#include <QStyledItemDelegate>

namespace drover {

class StatusDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusDelegate)
public:
    explicit StatusDelegate(QObject *parent = nullptr);
    ~StatusDelegate() override;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace drover
