/* till-reports-view.h: the reports page of the back office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Signal "closed": Back was tapped. Its acts are "reports.*" actions. */
#define TILL_TYPE_REPORTS_VIEW (till_reports_view_get_type ())
G_DECLARE_FINAL_TYPE (TillReportsView, till_reports_view, TILL, REPORTS_VIEW, GtkWidget)

void till_reports_view_set_session (TillReportsView *self, TillSession *session);
/* Called each time the page is shown: reads everything again. */
void till_reports_view_reset (TillReportsView *self);

G_END_DECLS
