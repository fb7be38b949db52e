#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace qtune::report {
namespace {

constexpr double kLeft = 70, kRight = 16, kTop = 46, kBottom = 50;

bool usable(double value, bool log) { return std::isfinite(value) && (!log || value > 0); }

double transform(double value, bool log) { return log ? std::log10(value) : value; }

std::string px(double value) { return fmt::format("{:.1f}", value); }

std::string legend(const std::vector<Series>& series, double x, double y) {
  std::string out;
  for (const Series& s : series) {
    if (s.name.empty()) continue;
    const std::string mark =
        s.kind == Series::Kind::kCrosses
            ? fmt::format(R"(<path d="M{} {}l8 8m0 -8l-8 8" stroke="{}" stroke-width="2"/>)", px(x),
                          px(y - 8), s.color)
        : s.kind == Series::Kind::kPoints
            ? fmt::format(R"(<circle cx="{}" cy="{}" r="4" fill="{}"/>)", px(x + 4), px(y - 4),
                          s.color)
            : fmt::format(R"(<rect x="{}" y="{}" width="12" height="3" fill="{}"/>)", px(x - 2),
                          px(y - 5), s.color);
    out += mark + fmt::format(R"(<text x="{}" y="{}" class="lg">{}</text>)", px(x + 14), px(y),
                              escape(s.name));
    x += 24 + 6.5 * static_cast<double>(s.name.size());
  }
  return out;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string short_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0) return "0";
  return fmt::format("{:.4g}", value);
}

std::string scale_color(double t) {
  static constexpr std::array<std::array<double, 3>, 5> kStops = {
      {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
  if (!std::isfinite(t)) t = 0;
  t = std::clamp(t, 0.0, 1.0) * (kStops.size() - 1);
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), kStops.size() - 2);
  const double f = t - static_cast<double>(i);
  std::array<int, 3> rgb{};
  for (std::size_t c = 0; c < 3; ++c)
    rgb[c] = static_cast<int>(std::lround(kStops[i][c] * (1 - f) + kStops[i + 1][c] * f));
  return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

Scale::Scale(const Axis& axis, const std::vector<double>& values, double pixel_lo, double pixel_hi)
    : axis_(axis), pixel_lo_(pixel_lo), pixel_hi_(pixel_hi) {
  if (!axis.categories.empty()) {
    lo_ = -0.5;
    hi_ = static_cast<double>(axis.categories.size()) - 0.5;
    return;
  }
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const double v : values) {
    if (!usable(v, axis.log)) continue;
    lo = std::min(lo, transform(v, axis.log));
    hi = std::max(hi, transform(v, axis.log));
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
    const double pad = axis.log ? 0.5 : std::max(std::abs(lo) * 0.1, 0.5);
    lo -= pad;
    hi += pad;
  }
  const double pad = (hi - lo) * 0.04;
  lo_ = lo - pad;
  hi_ = hi + pad;
}

double Scale::operator()(double value) const {
  const double t =
      axis_.categories.empty() ? transform(value, axis_.log) : value;  // categories: positions
  return pixel_lo_ + (t - lo_) / (hi_ - lo_) * (pixel_hi_ - pixel_lo_);
}

std::vector<Scale::Tick> Scale::ticks() const {
  std::vector<Tick> out;
  if (!axis_.categories.empty()) {
    const std::size_t n = axis_.categories.size();
    const double room = std::abs(pixel_hi_ - pixel_lo_);
    std::size_t longest = 1;
    for (const std::string& c : axis_.categories) longest = std::max(longest, c.size());
    // A label needs its width along a horizontal axis, a line (16 units) along a vertical one
    // (y scales run from the bottom up: pixel_lo > pixel_hi).
    const double per_label = pixel_lo_ > pixel_hi_ ? 16.0 : 7.0 * static_cast<double>(longest) + 8;
    const auto every = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(static_cast<double>(n) * per_label / room)));
    for (std::size_t i = 0; i < n; i += every)
      out.push_back({static_cast<double>(i), axis_.categories[i]});
    return out;
  }
  const double span = hi_ - lo_;
  double step = std::pow(10.0, std::floor(std::log10(span / 5)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (span / (step * m) <= 6) {
      step *= m;
      break;
    }
  }
  if (axis_.log) step = std::max(step, 1.0);  // whole decades
  for (double t = std::ceil(lo_ / step) * step; t <= hi_ + 1e-9 * step; t += step) {
    const double value = axis_.log ? std::pow(10.0, t) : (std::abs(t) < 1e-12 * step ? 0 : t);
    out.push_back({value, short_number(value)});
  }
  if (axis_.log && out.size() < 2) {  // less than a decade: plain ticks in between
    out.clear();
    for (int i = 0; i <= 4; ++i) {
      const double value = std::pow(10.0, lo_ + (hi_ - lo_) * (0.1 + 0.2 * i));
      out.push_back({value, short_number(value)});
    }
  }
  return out;
}

std::string svg_open(int width, int height, std::string_view title) {
  return fmt::format(R"(<svg viewBox="0 0 {} {}" class="plot" role="img"><title>{}</title>)"
                     R"(<text x="{}" y="18" class="tt">{}</text>)",
                     width, height, escape(title), width / 2, escape(title));
}

std::string svg_axes(const Scale& x, const Scale& y, const Axis& x_axis, const Axis& y_axis,
                     int height) {
  std::string out;
  const double x0 = x.pixel_lo(), x1 = x.pixel_hi(), y0 = y.pixel_lo(), y1 = y.pixel_hi();
  out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" class="area"/>)", px(x0), px(y1),
                     px(x1 - x0), px(y0 - y1));
  for (const Scale::Tick& t : x.ticks()) {
    const double p = x(t.value);
    out += fmt::format(R"(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="grid"/>)", px(p), px(y1),
                       px(y0 + 4));
    out += fmt::format(R"(<text x="{}" y="{}" class="tk" text-anchor="middle">{}</text>)", px(p),
                       px(y0 + 16), escape(t.text));
  }
  for (const Scale::Tick& t : y.ticks()) {
    const double p = y(t.value);
    out += fmt::format(R"(<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" class="grid"/>)", px(x0 - 4),
                       px(x1), px(p));
    out += fmt::format(R"(<text x="{}" y="{}" class="tk" text-anchor="end">{}</text>)", px(x0 - 6),
                       px(p + 4), escape(t.text));
  }
  out += fmt::format(R"(<text x="{}" y="{}" class="al" text-anchor="middle">{}</text>)",
                     px((x0 + x1) / 2), height - 8,
                     escape(x_axis.label + (x_axis.log ? " (log scale)" : "")));
  out += fmt::format(
      R"svg(<text transform="translate(14 {}) rotate(-90)" class="al" text-anchor="middle">{}</text>)svg",
      px((y0 + y1) / 2), escape(y_axis.label + (y_axis.log ? " (log scale)" : "")));
  return out;
}

std::string svg_color_bar(double x, double y, double width, std::string_view label,
                          std::string_view lo_text, std::string_view hi_text) {
  std::string out;
  constexpr int kSteps = 24;
  for (int i = 0; i < kSteps; ++i) {
    out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="8" fill="{}"/>)",
                       px(x + width * i / kSteps), px(y), px(width / kSteps + 0.5),
                       scale_color((i + 0.5) / kSteps));
  }
  out += fmt::format(R"(<text x="{}" y="{}" class="lg" text-anchor="end">{}</text>)", px(x - 4),
                     px(y + 8), escape(lo_text));
  out += fmt::format(R"(<text x="{}" y="{}" class="lg">{}</text>)", px(x + width + 4), px(y + 8),
                     escape(hi_text));
  out +=
      fmt::format(R"(<text x="{}" y="{}" class="lg" text-anchor="end">{}</text>)",
                  px(x - 8 - 6.5 * static_cast<double>(lo_text.size())), px(y + 8), escape(label));
  return out;
}

std::string svg_plot(const Plot& plot) {
  std::vector<double> xs, ys;
  for (const Series& s : plot.series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
    ys.insert(ys.end(), s.lo.begin(), s.lo.end());
    ys.insert(ys.end(), s.hi.begin(), s.hi.end());
  }
  const Scale x(plot.x, xs, kLeft, plot.width - kRight);
  const Scale y(plot.y, ys, plot.height - kBottom, kTop);
  std::string out = svg_open(plot.width, plot.height, plot.title);
  out += svg_axes(x, y, plot.x, plot.y, plot.height);
  const auto on_x = [&](double v) { return usable(v, plot.x.log) || !plot.x.categories.empty(); };
  for (const Series& s : plot.series) {
    const auto tip = [&](std::size_t i) {
      return i < s.tips.size() ? fmt::format("<title>{}</title>", escape(s.tips[i])) : "";
    };
    switch (s.kind) {
      case Series::Kind::kPoints:
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (!on_x(s.x[i]) || !usable(s.y[i], plot.y.log)) continue;
          out += fmt::format(
              R"(<circle cx="{}" cy="{}" r="3.5" fill="{}" fill-opacity="0.8">{}</circle>)",
              px(x(s.x[i])), px(y(s.y[i])), s.color, tip(i));
        }
        break;
      case Series::Kind::kCrosses:
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (!on_x(s.x[i])) continue;
          const double py = usable(s.y[i], plot.y.log) ? y(s.y[i]) : y.pixel_lo() - 5;
          out += fmt::format(
              R"(<path d="M{} {}l8 8m0 -8l-8 8" stroke="{}" stroke-width="2">{}</path>)",
              px(x(s.x[i]) - 4), px(py - 4), s.color, tip(i));
        }
        break;
      case Series::Kind::kLine:
      case Series::Kind::kStep: {
        std::string path;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (!on_x(s.x[i]) || !usable(s.y[i], plot.y.log)) continue;
          const double px_ = x(s.x[i]), py = y(s.y[i]);
          if (path.empty()) {
            path = fmt::format("M{} {}", px(px_), px(py));
          } else if (s.kind == Series::Kind::kStep) {
            path += fmt::format("H{}V{}", px(px_), px(py));
          } else {
            path += fmt::format("L{} {}", px(px_), px(py));
          }
        }
        if (!path.empty())
          out += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="2"/>)", path,
                             s.color);
        break;
      }
      case Series::Kind::kErrorBars:
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (!on_x(s.x[i]) || !usable(s.y[i], plot.y.log)) continue;
          const double cx = x(s.x[i]);
          if (i < s.lo.size() && usable(s.lo[i], plot.y.log) && usable(s.hi[i], plot.y.log)) {
            out += fmt::format(
                R"(<path d="M{0} {1}V{2}M{3} {1}h8M{3} {2}h8" stroke="{4}" stroke-width="1.5"/>)",
                px(cx), px(y(s.lo[i])), px(y(s.hi[i])), px(cx - 4), s.color);
          }
          out += fmt::format(R"(<rect x="{}" y="{}" width="10" height="10" fill="{}">{}</rect>)",
                             px(cx - 5), px(y(s.y[i]) - 5), s.color, tip(i));
        }
        break;
    }
  }
  out += legend(plot.series, kLeft + 4, 36);
  return out + "</svg>";
}

}  // namespace qtune::report

namespace qtune::report {

HeatGrid::HeatGrid(std::string_view title, const Axis& x, const Axis& y, int width, int height,
                   double left)
    : width_(width),
      x_(x, {}, left, width - kRight),
      y_(y, {}, height - kBottom, kTop + 6),
      out_(svg_open(width, height, title) + svg_axes(x_, y_, x, y, height)) {}

double HeatGrid::cell_width() const { return std::abs(x_(1) - x_(0)); }
double HeatGrid::cell_height() const { return std::abs(y_(1) - y_(0)); }

void HeatGrid::cell(std::size_t i, std::size_t j, double t, std::string_view tip,
                    std::string_view label) {
  const double w = cell_width(), h = cell_height();
  const double x = x_(static_cast<double>(i)), y = y_(static_cast<double>(j));
  out_ += fmt::format(
      R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>)",
      px(x - w / 2), px(y - h / 2), px(w), px(h), scale_color(t), escape(tip));
  // About 6.5 units a character at 11px.
  if (!label.empty() && h > 14 && 6.5 * static_cast<double>(label.size()) + 6 < w) {
    out_ += fmt::format(
        R"(<text x="{}" y="{}" text-anchor="middle" class="cv" style="fill:{}">{}</text>)", px(x),
        px(y + 4), t > 0.6 ? "#000" : "#fff", escape(label));
  }
}

void HeatGrid::outline(std::size_t i, std::size_t j) {
  const double w = cell_width(), h = cell_height();
  out_ += fmt::format(
      R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#d62728" stroke-width="2.5" stroke-dasharray="4 2"/>)",
      px(x_(static_cast<double>(i)) - w / 2), px(y_(static_cast<double>(j)) - h / 2), px(w), px(h));
}

std::string HeatGrid::close(std::string_view label, std::string_view lo_text,
                            std::string_view hi_text) {
  return out_ + svg_color_bar(width_ - 220, 30, 110, label, lo_text, hi_text) + "</svg>";
}

}  // namespace qtune::report
