// Colours that carry meaning — ready green, failed red, booting blue, warning amber — kept
// readable on the palette's background, light or dark: a colour too close to its background is
// lightened on a dark one and darkened on a light one until the contrast reaches WCAG AA.
#pragma once

#include <QColor>
#include <QString>

namespace drover {

// WCAG 2 contrast ratio of two colours, 1 (same) to 21 (black on white).
double contrastRatio(const QColor &a, const QColor &b);
// `color`, or the nearest lighter or darker shade of it that reaches `minimum` against
// `background`.
QColor readableOn(const QColor &color, const QColor &background, double minimum = 4.5);
// Against the application palette's base (the background of tables and lists).
QColor readableOnBase(const QColor &color);
// A style sheet's "color: #rrggbb" readable on the application palette's window colour (labels).
QString readableTextStyle(const QColor &color);
// The red of errors, for labels that say what went wrong.
QString errorTextStyle();

} // namespace drover
