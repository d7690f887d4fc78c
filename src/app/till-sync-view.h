/* till-sync-view.h: the sync details page: where HQ is, who this till is to
 * it, what waits to go, what came back, and the offline limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Signal "closed": Back was tapped. "Sync now" is app.sync-now. */
#define TILL_TYPE_SYNC_VIEW (till_sync_view_get_type ())
G_DECLARE_FINAL_TYPE (TillSyncView, till_sync_view, TILL, SYNC_VIEW, GtkWidget)

void till_sync_view_set_session (TillSyncView *self, TillSession *session);
/* Reads everything again (the page also follows the worker while shown). */
void till_sync_view_refresh (TillSyncView *self);
/* The value shown beside a row's title ("Queued documents", …), or NULL:
 * for tests. */
const char *till_sync_view_get_value (TillSyncView *self, const char *title);

/* The checkout banner's text for exceeded offline limits, or NULL when none
 * is exceeded: which limits, and whether new sales are blocked. */
char *till_sync_format_limits_banner (const TillSyncLimits *limits) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
