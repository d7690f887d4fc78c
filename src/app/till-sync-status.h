/* till-sync-status.h: the top bar's sync indicator ("Online", "Syncing 3",
 * "Offline since 14:05 · 12 queued"); a tap opens the sync details
 *
 * The class is TillSyncStatusButton: TillSyncStatus is the worker's status
 * enum (till-sync-worker.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <till-sync-worker.h>

G_BEGIN_DECLS

#define TILL_TYPE_SYNC_STATUS_BUTTON (till_sync_status_button_get_type ())
G_DECLARE_FINAL_TYPE (
    TillSyncStatusButton, till_sync_status_button, TILL, SYNC_STATUS_BUTTON, GtkButton)

/* Follows @worker (NULL: shows nothing). */
void        till_sync_status_button_set_worker (TillSyncStatusButton *self, TillSyncWorker *worker);
const char *till_sync_status_button_get_text (TillSyncStatusButton *self);
/* TRUE while the warning style is on (OFFLINE and OFFLINE_LIMIT). */
gboolean till_sync_status_button_get_warning (TillSyncStatusButton *self);

/* What the indicator says for a status (for the indicator and the details
 * page). */
char *till_sync_status_format (TillSyncStatus status,
                               gint64         queued,
                               gint64         offline_since_us) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
