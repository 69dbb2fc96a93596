#include "svg_chart.h"

#include <algorithm>

#include <fmt/format.h>

#include "html.h"

namespace referral::rewardd {
namespace {

constexpr double kWidth = 560, kHeight = 180;
constexpr double kLeft = 8, kRight = 8, kTop = 22, kBottom = 20;
constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;
constexpr char kColour[] = "#3b6fb6";

std::string open_svg(std::string_view title, double height) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{0}\" "
        "viewBox=\"0 0 {1} {2}\" width=\"{1}\" height=\"{2}\"><title>{0}</title>",
        escape(title), kWidth, height);
}

double largest(const std::vector<ChartPoint> &points) {
    double max = 0;
    for (const ChartPoint &p : points) {
        max = std::max(max, p.value);
    }
    return max;
}

// The axis: the largest value top left, the first, middle and last labels below.
std::string axis(const std::vector<ChartPoint> &points, double max) {
    std::string out =
        fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#bbb\"/>", kLeft,
                    kTop + kPlotHeight, kLeft + kPlotWidth);
    auto top = std::find_if(points.begin(), points.end(),
                            [max](const ChartPoint &p) { return p.value == max; });
    out += fmt::format("<text x=\"{}\" y=\"{}\">max {}</text>", kLeft, kTop - 8,
                       escape(top == points.end() ? "0" : top->value_text));
    if (points.empty()) {
        return out + fmt::format("<text x=\"{}\" y=\"{}\">no data</text>", kWidth / 2 - 20,
                                 kTop + kPlotHeight / 2);
    }
    const size_t last = points.size() - 1;
    const size_t marks[] = {0, last / 2, last};
    const char *anchors[] = {"start", "middle", "end"};
    const double xs[] = {kLeft, kLeft + kPlotWidth / 2, kLeft + kPlotWidth};
    for (size_t i = 0; i < 3 && (i == 0 || marks[i] != marks[i - 1]); ++i) {
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>", xs[i],
                           kHeight - 6, anchors[i], escape(points[marks[i]].label));
    }
    return out;
}

// At most n bytes of text, not cutting a UTF-8 sequence in two.
std::string_view clip(std::string_view text, size_t n) {
    if (text.size() <= n) {
        return text;
    }
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) {
        --n;
    }
    return text.substr(0, n);
}

}  // namespace

std::string column_chart(std::string_view title, const std::vector<ChartPoint> &points) {
    double max = largest(points);
    std::string out = open_svg(title, kHeight);
    double step = points.empty() ? 0 : kPlotWidth / static_cast<double>(points.size());
    for (size_t i = 0; i < points.size(); ++i) {
        double h = max > 0 ? points[i].value / max * kPlotHeight : 0;
        out += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
            "<title>{}: {}</title></rect>",
            kLeft + step * static_cast<double>(i), kTop + kPlotHeight - h, std::max(step - 1, 0.5),
            h, kColour, escape(points[i].label), escape(points[i].value_text));
    }
    return out + axis(points, max) + "</svg>";
}

std::string line_chart(std::string_view title, const std::vector<ChartPoint> &points) {
    double max = largest(points);
    std::string out = open_svg(title, kHeight);
    double step =
        points.size() > 1 ? kPlotWidth / static_cast<double>(points.size() - 1) : kPlotWidth;
    std::string line;
    for (size_t i = 0; i < points.size(); ++i) {
        double x = kLeft + step * static_cast<double>(i);
        double y = kTop + kPlotHeight - (max > 0 ? points[i].value / max * kPlotHeight : 0);
        line += fmt::format("{:.1f},{:.1f} ", x, y);
        out += fmt::format(
            "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\">"
            "<title>{}: {}</title></circle>",
            x, y, kColour, escape(points[i].label), escape(points[i].value_text));
    }
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
                       line, kColour);
    return out + axis(points, max) + "</svg>";
}

std::string bar_list(std::string_view title, const std::vector<ChartPoint> &points) {
    constexpr double kRow = 22, kLabel = 200, kValue = 110;
    double max = largest(points);
    double height = std::max(kRow, kRow * static_cast<double>(points.size())) + 8;
    std::string out = open_svg(title, height);
    if (points.empty()) {
        out += fmt::format("<text x=\"{}\" y=\"{}\">none</text>", kLeft, kRow - 6);
    }
    for (size_t i = 0; i < points.size(); ++i) {
        double y = 4 + kRow * static_cast<double>(i);
        double w = max > 0 ? points[i].value / max * (kWidth - kLabel - kValue) : 0;
        out += fmt::format(
            "<text x=\"{}\" y=\"{:.1f}\">{}</text><rect x=\"{}\" y=\"{:.1f}\" width=\"{:.1f}\" "
            "height=\"{}\" fill=\"{}\"/><text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>",
            kLeft, y + 14, escape(clip(points[i].label, 32)), kLabel, y + 2, w, kRow - 6, kColour,
            kLabel + w + 6, y + 14, escape(points[i].value_text));
    }
    return out + "</svg>";
}

}  // namespace referral::rewardd
