// The report's plots: small inline SVG drawings (no script needed to see them, so they print),
// each with labelled axes, and a legend wherever colours mean something. Sizes are in the
// SVG's own units; the page scales them to its width (viewBox).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace qtune::report {

// Text made safe inside HTML and SVG elements and attribute values.
std::string escape(std::string_view text);
// A number in at most 4 significant digits ("0.01234", "1.2e+06"); "nan"/"inf" as such.
std::string short_number(double value);

// A colour from the perceptual scale used for values: t = 0 dark purple .. 1 yellow
// (viridis stops), clamped.
std::string scale_color(double t);

// One axis: a number line (linear or log10) or, with categories, evenly spaced labels at
// positions 0, 1, ..., n-1.
struct Axis {
  std::string label;
  bool log = false;
  std::vector<std::string> categories;
};

// Maps data onto [pixel_lo, pixel_hi] and chooses tick marks.
class Scale {
 public:
  // The range covers every finite value (positive ones when log); a padding of 4% each side.
  Scale(const Axis& axis, const std::vector<double>& values, double pixel_lo, double pixel_hi);
  double operator()(double value) const;
  struct Tick {
    double value;
    std::string text;
  };
  std::vector<Tick> ticks() const;
  double pixel_lo() const { return pixel_lo_; }
  double pixel_hi() const { return pixel_hi_; }

 private:
  Axis axis_;
  double lo_ = 0, hi_ = 1;
  double pixel_lo_, pixel_hi_;
};

struct Series {
  enum class Kind { kPoints, kCrosses, kLine, kStep, kErrorBars };
  std::string name;  // legend text; empty: not in the legend
  std::string color;
  Kind kind = Kind::kPoints;
  std::vector<double> x, y;
  std::vector<double> lo, hi;     // kErrorBars: the bar's ends per point
  std::vector<std::string> tips;  // hover text per point (optional)
};

// A crosses' y of NaN puts the mark on the bottom edge (a failed trial has no value).
struct Plot {
  std::string title;
  Axis x, y;
  std::vector<Series> series;
  int width = 620, height = 340;
};

std::string svg_plot(const Plot& plot);

// A heat map over two category axes: cell (i, j) sits at level i of x and level j of y, the
// shape the report's heat maps share. Add cells and marks, then close() it.
class HeatGrid {
 public:
  HeatGrid(std::string_view title, const Axis& x, const Axis& y, int width, int height,
           double left = 70);
  // A cell coloured scale_color(t) with a hover tip; `label` is drawn inside when it fits.
  void cell(std::size_t i, std::size_t j, double t, std::string_view tip,
            std::string_view label = {});
  // A dashed red outline around a cell (the best configuration, the greedy action).
  void outline(std::size_t i, std::size_t j);
  // Raw SVG marks over the cells (arrows).
  void add(std::string_view svg) { out_ += svg; }
  double cx(double i) const { return x_(i); }
  double cy(double j) const { return y_(j); }
  double cell_width() const;
  double cell_height() const;
  // The colour bar legend (top right) and the closing tag: the whole <svg>.
  std::string close(std::string_view label, std::string_view lo_text, std::string_view hi_text);

 private:
  int width_;
  Scale x_, y_;
  std::string out_;
};

// A colour bar legend at (x, y), `width` wide: from `lo_text` (t = 0) to `hi_text` (t = 1).
std::string svg_color_bar(double x, double y, double width, std::string_view label,
                          std::string_view lo_text, std::string_view hi_text);

// Opens an <svg> with a viewBox, scaled to the page width, with an accessible title.
std::string svg_open(int width, int height, std::string_view title);
// Axis lines, ticks, tick labels and axis labels of a plot area.
std::string svg_axes(const Scale& x, const Scale& y, const Axis& x_axis, const Axis& y_axis,
                     int height);

}  // namespace qtune::report
