/* till-chart-view.h: a report's chart on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <till-chart.h>

G_BEGIN_DECLS

/* Draws a TillChart (till_chart_draw) over the whole widget, at least
 * TILL_CHART_VIEW_MIN_HEIGHT px high; nothing while it has none.
 * Property: "chart" (TillChart, nullable). */
#define TILL_CHART_VIEW_MIN_HEIGHT 360

#define TILL_TYPE_CHART_VIEW (till_chart_view_get_type ())
G_DECLARE_FINAL_TYPE (TillChartView, till_chart_view, TILL, CHART_VIEW, GtkWidget)

GtkWidget *till_chart_view_new (void);
void       till_chart_view_set_chart (TillChartView *self, TillChart *chart);
TillChart *till_chart_view_get_chart (TillChartView *self);
/* How many times the chart was drawn on screen (for the tests). */
guint till_chart_view_get_n_draws (TillChartView *self);

G_END_DECLS
