/* till-sync-status.c: the top bar's sync indicator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-sync-status.h"

struct _TillSyncStatusButton
{
  GtkButton parent_instance;

  /* template children */
  GtkWidget *icon;
  GtkWidget *label;

  TillSyncWorker *worker;
  gboolean        warning;
};

G_DEFINE_FINAL_TYPE (TillSyncStatusButton, till_sync_status_button, GTK_TYPE_BUTTON)

static void
update (TillSyncStatusButton *self)
{
  TillSyncStatus   status;
  g_autofree char *text = NULL;
  const char      *icon_name;

  if (self->worker == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }
  status = till_sync_worker_get_status (self->worker);
  text = till_sync_status_format (status, till_sync_worker_get_queued (self->worker),
                                  till_sync_worker_get_offline_since_us (self->worker));
  gtk_label_set_text (GTK_LABEL (self->label), text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), till_sync_worker_get_last_error (self->worker));
  /* A store without HQ has nothing to be told: the top bar keeps its room
   * for the store's name and the printer. */
  gtk_widget_set_visible (GTK_WIDGET (self), status != TILL_SYNC_STATUS_NOT_ENROLLED);

  switch (status)
    {
    case TILL_SYNC_STATUS_ONLINE:
    case TILL_SYNC_STATUS_DEGRADED:
      icon_name = "network-transmit-receive-symbolic";
      break;
    case TILL_SYNC_STATUS_SYNCING:
      icon_name = "emblem-synchronizing-symbolic";
      break;
    case TILL_SYNC_STATUS_NOT_ENROLLED:
    case TILL_SYNC_STATUS_OFFLINE:
      icon_name = "network-offline-symbolic";
      break;
    case TILL_SYNC_STATUS_OFFLINE_LIMIT:
    default:
      icon_name = "dialog-warning-symbolic";
      break;
    }
  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), icon_name);

  /* The cashier should notice: HQ has not had the sales for minutes. */
  self->warning = status == TILL_SYNC_STATUS_OFFLINE || status == TILL_SYNC_STATUS_OFFLINE_LIMIT;
  if (self->warning)
    gtk_widget_add_css_class (GTK_WIDGET (self), "sync-offline");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "sync-offline");
  if (status == TILL_SYNC_STATUS_OFFLINE_LIMIT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "printer-trouble");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "printer-trouble");
}

static void
till_sync_status_button_dispose (GObject *object)
{
  TillSyncStatusButton *self = TILL_SYNC_STATUS_BUTTON (object);

  if (self->worker != NULL)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_clear_object (&self->worker);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_SYNC_STATUS_BUTTON);
  G_OBJECT_CLASS (till_sync_status_button_parent_class)->dispose (object);
}

static void
till_sync_status_button_class_init (TillSyncStatusButtonClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_sync_status_button_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-sync-status.ui");
  gtk_widget_class_bind_template_child (widget_class, TillSyncStatusButton, icon);
  gtk_widget_class_bind_template_child (widget_class, TillSyncStatusButton, label);
}

static void
till_sync_status_button_init (TillSyncStatusButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/**
 * till_sync_status_format:
 * @queued: documents not yet acknowledged by HQ
 * @offline_since_us: when HQ stopped answering (OFFLINE, OFFLINE_LIMIT)
 *
 * Returns: (transfer full): the indicator's text
 */
char *
till_sync_status_format (TillSyncStatus status, gint64 queued, gint64 offline_since_us)
{
  switch (status)
    {
    case TILL_SYNC_STATUS_NOT_ENROLLED:
      return g_strdup (_ ("Not connected to HQ"));
    case TILL_SYNC_STATUS_ONLINE:
      return g_strdup (_ ("Online"));
    case TILL_SYNC_STATUS_SYNCING:
    case TILL_SYNC_STATUS_DEGRADED:
      /* Short failures change nothing on screen (SYNC.md §5 6.7): the queue
       * is still on its way. */
      if (queued > 0)
        return g_strdup_printf (_ ("Syncing %d"), (int) MIN (queued, G_MAXINT));
      return g_strdup (_ ("Online"));
    case TILL_SYNC_STATUS_OFFLINE:
    case TILL_SYNC_STATUS_OFFLINE_LIMIT:
    default:
      {
        g_autoptr (GDateTime) since =
            g_date_time_new_from_unix_local (MAX (offline_since_us, 0) / G_USEC_PER_SEC);
        g_autofree char *hhmm =
            since != NULL && offline_since_us > 0 ? g_date_time_format (since, "%H:%M") : NULL;

        return g_strdup_printf (_ ("Offline since %s · %d queued"), hhmm != NULL ? hhmm : "–",
                                (int) MIN (queued, G_MAXINT));
      }
    }
}

void
till_sync_status_button_set_worker (TillSyncStatusButton *self, TillSyncWorker *worker)
{
  g_return_if_fail (TILL_IS_SYNC_STATUS_BUTTON (self));
  g_return_if_fail (worker == NULL || TILL_IS_SYNC_WORKER (worker));

  if (self->worker == worker)
    return;
  if (self->worker != NULL)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_set_object (&self->worker, worker);
  if (worker != NULL)
    g_signal_connect_object (worker, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

const char *
till_sync_status_button_get_text (TillSyncStatusButton *self)
{
  g_return_val_if_fail (TILL_IS_SYNC_STATUS_BUTTON (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self)))
    return "";
  return gtk_label_get_text (GTK_LABEL (self->label));
}

gboolean
till_sync_status_button_get_warning (TillSyncStatusButton *self)
{
  g_return_val_if_fail (TILL_IS_SYNC_STATUS_BUTTON (self), FALSE);
  return self->warning;
}
