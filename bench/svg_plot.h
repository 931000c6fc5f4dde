/* Log-log SVG charts for the benchmarks: one panel per data set, a frame of
 * gridlines at powers of ten, one polyline per series, a legend on the right. */
#ifndef CALCGEN_BENCH_SVG_PLOT_H
#define CALCGEN_BENCH_SVG_PLOT_H

#include <math.h>
#include <stdio.h>

/* A panel `oy` from the top of an image `width` wide and `height` high; its
 * plot area leaves room for labels on the left and the legend on the right. */
typedef struct svg_panel {
  FILE *f;
  double oy, width, height, left, right, top, bottom;
  int ymin, ymax; /* the y axis runs from 10^ymin to 10^ymax */
} svg_panel;

static inline double svg_plot_width(const svg_panel *p) { return p->width - p->left - p->right; }
static inline double svg_plot_height(const svg_panel *p) { return p->height - p->top - p->bottom; }

static inline double svg_y(const svg_panel *p, double v) {
  return p->oy + p->top + svg_plot_height(p) * (1 - (log10(v) - p->ymin) / (p->ymax - p->ymin));
}

static inline void svg_begin(FILE *f, double width, double height) {
  fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' font-family='sans-serif' font-size='12'>\n",
          width, height);
  fprintf(f, "<rect width='100%%' height='100%%' fill='white'/>\n");
}

/* Rows at each power of ten, and the axis titles. */
static inline void svg_frame(const svg_panel *p, const char *x_title, const char *y_title) {
  double pw = svg_plot_width(p), ph = svg_plot_height(p);
  for (int e = p->ymin; e <= p->ymax; e++) {
    double y = svg_y(p, pow(10, e));
    fprintf(p->f, "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' stroke='#ddd'/>", p->left, p->left + pw, y, y);
    fprintf(p->f, "<text x='%.1f' y='%.1f' text-anchor='end'>%g</text>\n", p->left - 6, y + 4, pow(10, e));
  }
  fprintf(p->f, "<text x='%.1f' y='%.1f' text-anchor='middle'>%s</text>\n", p->left + pw / 2, p->oy + p->height - 8,
          x_title);
  fprintf(p->f, "<text transform='translate(16 %.1f) rotate(-90)' text-anchor='middle'>%s</text>\n",
          p->oy + p->top + ph / 2, y_title);
}

/* A column gridline at x, labelled. */
static inline void svg_column(const svg_panel *p, double x, const char *label) {
  fprintf(p->f, "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' stroke='#ddd'/>", x, x, p->oy + p->top,
          p->oy + p->top + svg_plot_height(p));
  fprintf(p->f, "<text x='%.1f' y='%.1f' text-anchor='middle'>%s</text>\n", x, p->oy + p->top + svg_plot_height(p) + 18,
          label);
}

/* The legend's entry `row` for a series drawn in `color`. */
static inline void svg_legend(const svg_panel *p, int row, const char *color, const char *name) {
  double ly = p->oy + p->top + 14 + 18 * row, x = p->width - p->right;
  fprintf(p->f, "<line x1='%.0f' x2='%.0f' y1='%.1f' y2='%.1f' stroke='%s' stroke-width='3'/>", x + 10, x + 30, ly - 4,
          ly - 4, color);
  fprintf(p->f, "<text x='%.0f' y='%.1f'>%s</text>\n", x + 36, ly, name);
}

#endif
