/* till-sync-view.c: the sync details page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <till-wire.h>

#include "till-sync-status.h"
#include "till-sync-view.h"

struct _TillSyncView
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget *warning_label;
  GtkWidget *grid;

  TillSession *session;
  GHashTable  *values; /* row title → the value shown (owned strings) */
  int          n_rows;
};

G_DEFINE_FINAL_TYPE (TillSyncView, till_sync_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
add_heading (TillSyncView *self, const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "title-4");
  if (self->n_rows > 0)
    gtk_widget_set_margin_top (label, 12);
  gtk_grid_attach (GTK_GRID (self->grid), label, 0, self->n_rows++, 2, 1);
}

static void
add_row (TillSyncView *self, const char *title, const char *value, gboolean alert)
{
  GtkWidget *title_label = gtk_label_new (title);
  GtkWidget *value_label = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (title_label), 0);
  gtk_label_set_yalign (GTK_LABEL (title_label), 0);
  gtk_widget_add_css_class (title_label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value_label), 0);
  gtk_label_set_wrap (GTK_LABEL (value_label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (value_label), FALSE);
  gtk_widget_set_hexpand (value_label, TRUE);
  if (alert)
    gtk_widget_add_css_class (value_label, "error");
  gtk_grid_attach (GTK_GRID (self->grid), title_label, 0, self->n_rows, 1, 1);
  gtk_grid_attach (GTK_GRID (self->grid), value_label, 1, self->n_rows, 1, 1);
  self->n_rows++;
  g_hash_table_replace (self->values, g_strdup (title), g_strdup (value));
}

static char *
format_time (gint64 when_us)
{
  g_autoptr (GDateTime) when = NULL;

  if (when_us <= 0)
    return g_strdup (_ ("Never"));
  when = g_date_time_new_from_unix_local (when_us / G_USEC_PER_SEC);
  return when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S") : g_strdup ("–");
}

/* "2 h 05 min", "45 s": how long something has waited. */
static char *
format_age (gint64 age_us)
{
  gint64 seconds = MAX (age_us, 0) / G_USEC_PER_SEC;

  if (seconds < 60)
    return g_strdup_printf (_ ("%d s"), (int) seconds);
  if (seconds < 3600)
    return g_strdup_printf (_ ("%d min"), (int) (seconds / 60));
  return g_strdup_printf (_ ("%d h %02d min"), (int) (seconds / 3600), (int) (seconds % 3600 / 60));
}

static const char *
limit_state (const TillSyncLimits *limits, TillSyncLimit limit)
{
  gboolean exceeded = (limits->exceeded & limit) != 0;
  gboolean blocks = (limits->blocking & limit) != 0;

  if (exceeded && blocks)
    return _ ("exceeded: new sales are blocked");
  if (exceeded)
    return _ ("exceeded: warning only");
  return _ ("within the limit");
}

static void
clear_grid (TillSyncView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->grid), child);
  self->n_rows = 0;
  g_hash_table_remove_all (self->values);
}

/* What each master-data channel is called on screen. */
static const char *
channel_label (const char *channel)
{
  static const struct
  {
    const char *channel;
    const char *label;
  } labels[] = {
    { "categories", N_ ("Categories") }, { "items", N_ ("Products") },
    { "prices", N_ ("Prices") },         { "users", N_ ("Staff") },
    { "settings", N_ ("Settings") },     { "promotions", N_ ("Promotions") },
    { "members", N_ ("Members") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (channel, labels[i].channel))
      return _ (labels[i].label);
  return channel;
}

static void
fill (TillSyncView *self)
{
  TillStore      *store = till_session_get_store (self->session);
  TillSyncWorker *worker = till_session_get_sync_worker (self->session);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncIdentity) identity = till_sync_identity_load (store, NULL);
  TillOutboxStats  stats = { 0 };
  TillSyncLimits   limits = { 0 };
  gint64           now_us = g_get_real_time ();
  g_autofree char *status = NULL;
  g_autofree char *banner = NULL;
  const char      *last_error = till_sync_worker_get_last_error (worker);

  clear_grid (self);

  add_heading (self, _ ("Connection"));
  status = till_sync_status_format (till_sync_worker_get_status (worker),
                                    till_sync_worker_get_queued (worker),
                                    till_sync_worker_get_offline_since_us (worker));
  add_row (self, _ ("Status"), status, FALSE);
  if (identity != NULL)
    {
      g_autofree char *epoch = g_strdup_printf ("%u", identity->epoch);

      add_row (self, _ ("HQ"), identity->url, FALSE);
      add_row (self, _ ("Till"), identity->till_id, FALSE);
      add_row (self, _ ("Store"), identity->store_id, FALSE);
      add_row (self, _ ("Epoch"), epoch, FALSE);
    }
  else
    add_row (self, _ ("HQ"), _ ("This till is not enrolled: opentill-admin enroll URL TOKEN"),
             FALSE);
  {
    g_autofree char *push = format_time (till_sync_worker_get_last_push_us (worker));
    g_autofree char *pull = format_time (till_sync_worker_get_last_pull_us (worker));

    add_row (self, _ ("Last push"), push, FALSE);
    add_row (self, _ ("Last pull"), pull, FALSE);
  }
  add_row (self, _ ("Last error"), last_error != NULL ? last_error : _ ("None"),
           last_error != NULL);

  add_heading (self, _ ("Documents for HQ"));
  if (till_outbox_get_stats (store, &stats, &error))
    {
      g_autofree char *queued = g_strdup_printf ("%" PRId64, stats.pending);
      g_autofree char *acked = g_strdup_printf ("%" PRId64, stats.acked_through);
      g_autofree char *oldest = stats.oldest_pending_us > 0
                                    ? format_age (now_us - stats.oldest_pending_us)
                                    : g_strdup (_ ("Nothing waits"));

      add_row (self, _ ("Queued documents"), queued, FALSE);
      add_row (self, _ ("Oldest unsent"), oldest, FALSE);
      add_row (self, _ ("Acknowledged through"), acked, FALSE);
      if (stats.failing_seq != 0)
        {
          g_autofree char *since = format_time (stats.failing_since_us);
          g_autofree char *item =
              g_strdup_printf (_ ("Document %" PRId64 ", since %s"), stats.failing_seq, since);

          add_row (self, _ ("Refused by HQ"), item, TRUE);
          add_row (self, _ ("HQ's reason"),
                   stats.failing_reason != NULL ? stats.failing_reason : "–", TRUE);
        }
      till_outbox_stats_clear (&stats);
    }
  else
    add_row (self, _ ("Queued documents"), error->message, TRUE);
  g_clear_error (&error);

  add_heading (self, _ ("Master data from HQ"));
  for (guint i = 0; till_wire_channels[i] != NULL; i++)
    {
      const char      *channel = till_wire_channels[i];
      gint64           cursor = till_master_data_get_cursor (store, channel, NULL);
      g_autofree char *value = NULL;

      if (cursor < 0)
        value = g_strdup ("–");
      else if (till_master_data_is_reloading (store, channel))
        value = g_strdup_printf (_ ("%" PRId64 " (reloading)"), cursor);
      else
        value = g_strdup_printf ("%" PRId64, cursor);
      add_row (self, channel_label (channel), value, FALSE);
    }

  add_heading (self, _ ("Offline limits"));
  if (till_sync_check_limits (store, now_us, &limits, &error))
    {
      g_autofree char *age =
          format_age (limits.oldest_pending_us > 0 ? now_us - limits.oldest_pending_us : 0);
      g_autofree char *oldest = g_strdup_printf (_ ("%s waiting, limit %d h: %s"), age,
                                                 (int) (limits.max_age_us / G_USEC_PER_SEC / 3600),
                                                 limit_state (&limits, TILL_SYNC_LIMIT_OLDEST));
      g_autofree char *queue =
          g_strdup_printf (_ ("%" PRId64 " queued, limit %" PRId64 ": %s"), limits.pending,
                           limits.max_pending, limit_state (&limits, TILL_SYNC_LIMIT_QUEUE));
      g_autofree char *disk = g_strdup_printf (
          _ ("%" PRIu64 " MB free, at least %" PRIu64 " MB: %s"), limits.free_bytes / (1024 * 1024),
          limits.min_free_bytes / (1024 * 1024), limit_state (&limits, TILL_SYNC_LIMIT_DISK));

      add_row (self, _ ("Oldest unsent sale"), oldest,
               (limits.exceeded & TILL_SYNC_LIMIT_OLDEST) != 0);
      add_row (self, _ ("Queue size"), queue, (limits.exceeded & TILL_SYNC_LIMIT_QUEUE) != 0);
      add_row (self, _ ("Free disk"), disk, (limits.exceeded & TILL_SYNC_LIMIT_DISK) != 0);
      banner = till_sync_format_limits_banner (&limits);
    }
  else
    add_row (self, _ ("Offline limits"), error->message, TRUE);

  gtk_label_set_text (GTK_LABEL (self->warning_label), banner != NULL ? banner : "");
  gtk_widget_set_visible (self->warning_label, banner != NULL);
}

static void
worker_notify_cb (TillSyncView *self)
{
  /* Only while the page shows: it reads the store. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    fill (self);
}

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CLOSED], 0);
}

static void
till_sync_view_dispose (GObject *object)
{
  TillSyncView *self = TILL_SYNC_VIEW (object);
  GtkWidget    *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_SYNC_VIEW);
  /* The template's top box is not a bound child: unparent it here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_sync_view_parent_class)->dispose (object);
}

static void
till_sync_view_finalize (GObject *object)
{
  TillSyncView *self = TILL_SYNC_VIEW (object);

  g_hash_table_unref (self->values);
  G_OBJECT_CLASS (till_sync_view_parent_class)->finalize (object);
}

static void
till_sync_view_class_init (TillSyncViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_sync_view_dispose;
  object_class->finalize = till_sync_view_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-sync-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, TillSyncView, warning_label);
  gtk_widget_class_bind_template_child (widget_class, TillSyncView, grid);
  gtk_widget_class_install_action (widget_class, "sync.close", NULL, close_action);
}

static void
till_sync_view_init (TillSyncView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
till_sync_view_set_session (TillSyncView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_SYNC_VIEW (self));
  g_return_if_fail (TILL_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  g_signal_connect_object (till_session_get_sync_worker (session), "notify",
                           G_CALLBACK (worker_notify_cb), self, G_CONNECT_SWAPPED);
}

void
till_sync_view_refresh (TillSyncView *self)
{
  g_return_if_fail (TILL_IS_SYNC_VIEW (self));

  if (self->session != NULL)
    fill (self);
}

const char *
till_sync_view_get_value (TillSyncView *self, const char *title)
{
  g_return_val_if_fail (TILL_IS_SYNC_VIEW (self), NULL);
  g_return_val_if_fail (title != NULL, NULL);

  return g_hash_table_lookup (self->values, title);
}

/**
 * till_sync_format_limits_banner:
 *
 * Returns: (transfer full) (nullable): e.g. "Offline limit reached: 25
 *   documents wait for HQ (limit 20). New sales are blocked until the till
 *   syncs with HQ."; %NULL when no limit is exceeded
 */
char *
till_sync_format_limits_banner (const TillSyncLimits *limits)
{
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  g_return_val_if_fail (limits != NULL, NULL);

  if (limits->exceeded == TILL_SYNC_LIMIT_NONE)
    return NULL;
  if (limits->exceeded & TILL_SYNC_LIMIT_OLDEST)
    g_ptr_array_add (reasons, g_strdup_printf (_ ("a sale has waited for HQ more than %d h"),
                                               (int) (limits->max_age_us / G_USEC_PER_SEC / 3600)));
  if (limits->exceeded & TILL_SYNC_LIMIT_QUEUE)
    g_ptr_array_add (reasons,
                     g_strdup_printf (_ ("%" PRId64 " documents wait for HQ (limit %" PRId64 ")"),
                                      limits->pending, limits->max_pending));
  if (limits->exceeded & TILL_SYNC_LIMIT_DISK)
    g_ptr_array_add (reasons, g_strdup_printf (_ ("less than %" PRIu64 " MB of disk is free"),
                                               limits->min_free_bytes / (1024 * 1024)));
  g_ptr_array_add (reasons, NULL);
  joined = g_strjoinv ("; ", (char **) reasons->pdata);
  if (limits->blocking != TILL_SYNC_LIMIT_NONE)
    return g_strdup_printf (
        _ ("Offline limit reached: %s. New sales are blocked until the till syncs with HQ."),
        joined);
  return g_strdup_printf (_ ("Offline limit reached: %s. Selling goes on; sync with HQ soon."),
                          joined);
}
