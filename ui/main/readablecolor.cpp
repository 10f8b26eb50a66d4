#include "main/readablecolor.h"

#include <QGuiApplication>
#include <QPalette>

#include <cmath>

namespace drover {

namespace {

double luminance(const QColor &c)
{
    const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    const QColor rgb = c.toRgb();
    return 0.2126 * channel(rgb.redF()) + 0.7152 * channel(rgb.greenF()) + 0.0722 * channel(rgb.blueF());
}

} // namespace

double contrastRatio(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QColor readableOn(const QColor &color, const QColor &background, double minimum)
{
    if (contrastRatio(color, background) >= minimum)
        return color;
    // Towards white on a dark background, towards black on a light one, keeping the hue.
    const bool darkBackground = luminance(background) < 0.18;
    const QColor target = darkBackground ? QColor(Qt::white) : QColor(Qt::black);
    for (int step = 1; step <= 20; ++step) {
        const double t = step / 20.0;
        const QColor mixed = QColor::fromRgbF(float(color.redF() + (target.redF() - color.redF()) * t),
            float(color.greenF() + (target.greenF() - color.greenF()) * t),
            float(color.blueF() + (target.blueF() - color.blueF()) * t));
        if (contrastRatio(mixed, background) >= minimum)
            return mixed;
    }
    return target;
}

QColor readableOnBase(const QColor &color)
{
    return readableOn(color, QGuiApplication::palette().color(QPalette::Base));
}

QString readableTextStyle(const QColor &color)
{
    return QStringLiteral("color: %1;")
        .arg(readableOn(color, QGuiApplication::palette().color(QPalette::Window)).name(QColor::HexRgb));
}

QString errorTextStyle()
{
    return readableTextStyle(QColor(0xc6, 0x28, 0x28));
}

} // namespace drover
