/* till-chart.h: the report charts, drawn with cairo
 *
 * One drawing for every place a chart appears: the screens (a GtkDrawingArea
 * calls till_chart_draw), and the exports (PNG and PDF surfaces). Text is
 * laid out with Pango, so Chinese labels draw with the system's CJK font.
 * A chart knows labels and numbers, not sales: till_chart_new_for_report()
 * makes one from a report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib-object.h>

#include "till-core.h"

G_BEGIN_DECLS

typedef enum
{
  TILL_CHART_LINE,    /* one or more series over the categories (a trend) */
  TILL_CHART_BARS,    /* one bar per category (several series: grouped) */
  TILL_CHART_HEATMAP, /* a grid: rows × columns, shaded by value */
} TillChartKind;

/* How values are written on the axis, on bars and in cells. */
typedef enum
{
  TILL_CHART_FORMAT_NUMBER,
  TILL_CHART_FORMAT_MONEY,    /* fen, shown as yuan */
  TILL_CHART_FORMAT_QUANTITY, /* thousandths */
  TILL_CHART_FORMAT_PERCENT,  /* basis points */
} TillChartFormat;

#define TILL_TYPE_CHART (till_chart_get_type ())
G_DECLARE_FINAL_TYPE (TillChart, till_chart, TILL, CHART, GObject)

TillChart *till_chart_new (TillChartKind kind, const char *title) G_GNUC_WARN_UNUSED_RESULT;

/* The chart a report is best shown as (its chart kind and column). */
TillChart *till_chart_new_for_report (const TillReport *report) G_GNUC_WARN_UNUSED_RESULT;

TillChartKind till_chart_get_kind (TillChart *self);
const char   *till_chart_get_title (TillChart *self);
void          till_chart_set_format (TillChart *self, TillChartFormat format);

/* LINE and BARS: the x-axis labels, then one or more series of as many values. */
void till_chart_set_categories (TillChart *self, const char *const *labels, guint n_labels);
void
till_chart_add_series (TillChart *self, const char *name, const gint64 *values, guint n_values);
guint till_chart_get_n_series (TillChart *self);

/* HEATMAP: row and column labels and rows × columns values, row by row. */
void till_chart_set_grid (TillChart         *self,
                          const char *const *row_labels,
                          guint              n_rows,
                          const char *const *column_labels,
                          guint              n_columns,
                          const gint64      *values);

/* Draws the whole chart (title, axes, legend) into the rectangle 0,0 →
 * @width × @height of @cr, in user units. */
void till_chart_draw (TillChart *self, cairo_t *cr, double width, double height);

gboolean
till_chart_save_png (TillChart *self, const char *path, int width, int height, GError **error);
/* A one-page PDF, @width_pt × @height_pt (A4 landscape: 842 × 595). */
gboolean till_chart_save_pdf (
    TillChart *self, const char *path, double width_pt, double height_pt, GError **error);

G_END_DECLS
