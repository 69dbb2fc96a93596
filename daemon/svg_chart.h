// Charts drawn by the daemon as inline SVG (docs/rewards.md, Pages): no script, no external
// asset. Labels are escaped here; values are numbers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace referral::rewardd {

struct ChartPoint {
    std::string label;  // shown on the axis (first, middle, last) and in the tooltip
    double value = 0;
    std::string value_text;  // the value as people read it, in the tooltip and the axis
};

// One column per point, e.g. a day; the axis shows 0 and the largest value.
std::string column_chart(std::string_view title, const std::vector<ChartPoint> &points);
// A line through the points, e.g. a weekly ratio.
std::string line_chart(std::string_view title, const std::vector<ChartPoint> &points);
// One horizontal bar per point, its label and value beside it, longest = largest.
std::string bar_list(std::string_view title, const std::vector<ChartPoint> &points);

}  // namespace referral::rewardd
