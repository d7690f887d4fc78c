/* till-reports-view.h: the reports page of the back office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-override-dialog.h"
#include "till-session.h"
#include "widgets/till-chart-view.h"

G_BEGIN_DECLS

/* Signal "closed": Back was tapped. Its acts are "reports.*" actions:
 * reports.kind "s" (till_report_kind_to_string), reports.preset "s"
 * ("today", "yesterday", "last-7-days", "this-month", "last-month",
 * "this-year"), reports.range "(ss)" (from, to: "YYYY-MM-DD"),
 * reports.period "s" ("day", "week", "month"): each sets what the report
 * shows and runs it; reports.run runs it again (after typing the days);
 * reports.export "s" writes the last report to a path, by its extension:
 * the chart as .png or .pdf, the table as .csv or .xlsx; reports.save "s"
 * ("png", "pdf", "csv", "xlsx") asks for that path with a file chooser;
 * reports.approve asks a supervisor to let a user without VIEW_REPORTS in.
 *
 * Running first folds the new sales into the rollups in chunks on the main
 * loop (a progress bar), then queries in a worker thread (a spinner); a
 * new run cancels the one under way. */
#define TILL_TYPE_REPORTS_VIEW (till_reports_view_get_type ())
G_DECLARE_FINAL_TYPE (TillReportsView, till_reports_view, TILL, REPORTS_VIEW, GtkWidget)

void till_reports_view_set_session (TillReportsView *self, TillSession *session);
/* Called each time the page is shown: checks the user's permission again
 * and runs the report. */
void till_reports_view_reset (TillReportsView *self);

/* For the tests: the last report shown (NULL: none yet), whether a refresh
 * or a query is under way, the page ("denied" or "report"), the message
 * shown (NULL: none), the chart and the open override dialog. */
TillReport         *till_reports_view_get_report (TillReportsView *self);
gboolean            till_reports_view_is_busy (TillReportsView *self);
const char         *till_reports_view_get_page (TillReportsView *self);
const char         *till_reports_view_get_message (TillReportsView *self);
TillChartView      *till_reports_view_get_chart_view (TillReportsView *self);
TillOverrideDialog *till_reports_view_get_override_dialog (TillReportsView *self);

G_END_DECLS
